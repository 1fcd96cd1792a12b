"""Model fields shared by the register's models."""

from typing import TYPE_CHECKING

from django import forms
from django.core import checks, exceptions
from django.db import models
from django.db.models import Count, Lookup

if TYPE_CHECKING:
    # For django-stubs: set as a list of values (or the stored string), read as a list.
    _CharField = models.CharField[list[str] | tuple[str, ...] | str, list[str]]
else:
    _CharField = models.CharField


class _DelimitedSet(_CharField):
    """
    A set of values stored as one delimited string: ``",a,b,"`` (empty: ``""``).

    The delimiters at both ends make ``field__has="a"`` a plain ``LIKE`` that
    behaves the same on SQLite and PostgreSQL. Subclasses say how values are
    ordered (``ordered``), so equal sets are stored equal, and what each value
    may be.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("max_length", 255), ("blank", True), ("default", list)):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs

    def ordered(self, values):
        raise NotImplementedError

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None:
            return []
        if isinstance(value, (list, tuple, set)):
            return list(value)
        return [item for item in value.split(",") if item]

    def get_prep_value(self, value):
        values = self.to_python(value)
        if not values:
            return ""
        return "," + ",".join(self.ordered(values)) + ","

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj))


class MultiValueField(_DelimitedSet):
    """
    A set of codes stored as one delimited string: ``",GB-ENG,GB-WLS,"``.

    The delimiters at both ends make ``field__has="GB-ENG"`` a plain ``LIKE``
    that behaves the same on SQLite and PostgreSQL. The set is open: each value
    is checked by ``item_validators`` (e.g. a pattern) rather than against a
    vocabulary, and values are kept sorted, so equal sets compare equal. A value
    may not contain the delimiter.
    """

    description = "A set of codes"

    def __init__(self, *args, item_validators=(), **kwargs):
        self.item_validators = list(item_validators)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.item_validators:
            kwargs["item_validators"] = self.item_validators
        return name, path, args, kwargs

    def ordered(self, values):
        return sorted(set(values))

    def run_validators(self, value):
        # The column's own validators (max_length) see the stored string.
        super().run_validators(self.get_prep_value(value))

    def validate(self, value, model_instance):
        values = self.to_python(value)
        errors = []
        for item in values:
            if "," in item:
                errors.append(exceptions.ValidationError(f"“{item}” may not contain a comma."))
                continue
            for validator in self.item_validators:
                try:
                    validator(item)
                except exceptions.ValidationError as exc:
                    errors.extend(
                        exceptions.ValidationError(f"“{item}”: {message}")
                        for message in exc.messages
                    )
        if errors:
            raise exceptions.ValidationError(errors)
        if not values and not self.blank:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {"form_class": CodeListField, "required": not self.blank}
        defaults.update(kwargs)
        defaults.pop("max_length", None)
        defaults.pop("empty_value", None)
        form_class = defaults.pop("form_class")
        return form_class(**defaults)


def counts_per_item(queryset, field_name, *, distinct=False) -> dict[str, int]:
    """
    ``{value: rows holding it}`` for a ``MultiValueField`` (an open set) over
    ``queryset``, in one query: rows are grouped by their whole stored set (few
    distinct sets), then each set's count is added to each of its values.
    """
    grouped = (
        queryset.order_by()
        .exclude(**{field_name: ""})
        .values_list(field_name)
        .annotate(n=Count("pk", distinct=distinct))
    )
    totals: dict[str, int] = {}
    for values, n in grouped:
        for value in values:
            totals[value] = totals.get(value, 0) + n
    return totals


class CodeListField(forms.CharField):
    """Codes typed in one box, separated by commas or spaces: ``GB-ENG, GB-WLS``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "Separate several codes with commas, e.g. GB-ENG, GB-WLS.")
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        text = super().to_python(value) or ""
        return [item for item in text.replace(",", " ").split() if item]

    def has_changed(self, initial, data):
        return sorted(set(initial or [])) != sorted(set(self.to_python(data)))


class MultiChoiceField(_DelimitedSet):
    """
    A set of enum values stored as one delimited string: ``",live,mobile,"``.

    The delimiters at both ends make ``field__has="live"`` a plain ``LIKE``
    that behaves the same on SQLite and PostgreSQL, and one conditional
    ``Count`` per value gives every facet count of a field in a single query.
    Values are kept in the order of their choices, so equal sets compare equal.
    """

    description = "A set of choices"

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.item_choices:
            errors.append(checks.Error("MultiChoiceField needs item_choices.", obj=self))
        return errors

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    @property
    def allowed(self):
        return [value for value, _label in self.item_choices]

    def ordered(self, values):
        allowed = self.allowed
        return sorted(set(values), key=lambda v: allowed.index(v) if v in allowed else len(allowed))

    def validate(self, value, model_instance):
        values = self.to_python(value)
        unknown = [v for v in values if v not in self.allowed]
        if unknown:
            raise exceptions.ValidationError(
                "Unknown value(s): %(values)s.",
                code="invalid_choice",
                params={"values": ", ".join(unknown)},
            )
        if not values and not self.blank:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
        }
        defaults.update(kwargs)
        defaults.pop("max_length", None)
        defaults.pop("empty_value", None)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        return form_class(**defaults)


@_DelimitedSet.register_lookup
class Has(Lookup):
    """
    ``uses__has="live"``: the set contains this value. The value may be an
    expression (``regions__has=OuterRef("region")``), so one agency's region
    can be matched against many policies' sets in a correlated subquery.
    """

    lookup_name = "has"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"%,{escaped},%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if self.rhs_is_direct_value():
            return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]
        # A column or expression: build the pattern in SQL, escaping its LIKE
        # wildcards the way Django's own ``contains`` does for expressions.
        escaped = connection.pattern_esc.format(rhs)
        return (
            f"{lhs} LIKE ('%%,' || {escaped} || ',%%') ESCAPE '\\'",
            [*lhs_params, *rhs_params],
        )
