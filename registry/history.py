"""
django-simple-history, with two costs of every history entry cut; it writes
the same rows (a pure speed change, for imports of thousands of records).

- The many-to-many snapshot: the library rebuilds the record from its new
  history row (one query to read back the fields history leaves out), reads
  the link rows with their linked records joined and writes them back as
  model instances, only to copy three ids. ``RecordHistory`` has the database
  copy them (one ``INSERT ... SELECT`` per linked field instead of three
  queries), unless someone listens to the library's m2m signals, which carry
  the rows as instances: then the library writes them as it always did.
- ``record.history``: the library builds a new manager class (``from_queryset``,
  which walks the queryset class with ``inspect``) on every access, once per
  entry written; ``_HistoryDescriptor`` builds it once.
"""

from functools import cached_property

from django.db import connections
from simple_history import utils
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    pre_create_historical_m2m_records,
)


class _HistoryDescriptor(HistoryDescriptor):
    """The library's ``record.history``, its manager class built once, not on every access."""

    @cached_property
    def _manager(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager(self.model, instance)


class RecordHistory(HistoricalRecords):
    """``HistoricalRecords``, cheaper per entry written (see the module's docstring)."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(
                    descriptor.model,
                    manager=descriptor.manager_class,
                    queryset=descriptor.queryset_class,
                ),
            )

    def create_historical_record_m2ms(self, history_instance, instance):
        fields = history_instance._history_m2m_fields
        if any(_listened(self.m2m_models[field]) for field in fields):
            # The library's signals carry the rows as instances: let it build them.
            super().create_historical_record_m2ms(history_instance, instance)
            return
        for field in fields:
            through_model = getattr(instance, field.name).through
            own = through_model._meta.get_field(utils.get_m2m_field_name(field))
            _copy_m2m_rows(history_instance, instance, self.m2m_models[field], through_model, own)


def _listened(m2m_history_model) -> bool:
    """Whether anyone receives the library's signals around this model's rows."""
    return any(
        signal.has_listeners(m2m_history_model)
        for signal in (pre_create_historical_m2m_records, post_create_historical_m2m_records)
    )


def _copy_m2m_rows(history_instance, instance, m2m_history_model, through_model, own):
    """The link rows copied into the history by the database: one INSERT ... SELECT."""
    connection = connections[history_instance._state.db]
    quote = connection.ops.quote_name
    history_fk = m2m_history_model._meta.get_field("history")
    columns, values, params = [], [], []
    for target in m2m_history_model._meta.concrete_fields:
        if target.primary_key:
            continue
        columns.append(quote(target.column))
        if target is history_fk:
            values.append("%s")
            params.append(history_instance.pk)
        else:
            values.append(quote(through_model._meta.get_field(target.name).column))
    through_table = quote(through_model._meta.db_table)
    sql = (
        f"INSERT INTO {quote(m2m_history_model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {through_table} WHERE {quote(own.column)} = %s "
        f"ORDER BY {quote(through_model._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])
