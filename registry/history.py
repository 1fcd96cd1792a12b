"""
django-simple-history, with the many-to-many snapshot every history entry takes
written in two queries per linked field instead of three.

The library rebuilds the record from its new history row (one query to read
back the fields history leaves out) and reads the link rows with their linked
records joined, only to copy three ids. ``RecordHistory`` reads the ids alone,
from the record that was saved. It writes the same rows: a pure speed change,
worth a third of an import's time (1,500 records for the Atlas of Surveillance).
"""

from simple_history import utils
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    pre_create_historical_m2m_records,
)


class RecordHistory(HistoricalRecords):
    """``HistoricalRecords`` whose many-to-many snapshot reads only the link rows' ids."""

    def create_historical_record_m2ms(self, history_instance, instance):
        for field in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[field]
            through_model = getattr(instance, field.name).through
            attnames = [f.attname for f in through_model._meta.fields]
            rows = (
                through_model.objects.filter(**{utils.get_m2m_field_name(field): instance.pk})
                .order_by("pk")
                .values_list(*attnames)
            )
            insert_rows = [
                m2m_history_model(history=history_instance, **dict(zip(attnames, row, strict=True)))
                for row in rows
            ]
            # The library's own signals, as it sends them.
            pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=insert_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )
            created_rows = m2m_history_model.objects.bulk_create(insert_rows)
            post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )
