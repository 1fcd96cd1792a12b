"""Model fields shared by the register's models."""

from typing import TYPE_CHECKING

from django import forms
from django.core import checks, exceptions
from django.db import models
from django.db.models import Lookup

if TYPE_CHECKING:
    # For django-stubs: set as a list of values (or the stored string), read as a list.
    _CharField = models.CharField[list[str] | tuple[str, ...] | str, list[str]]
else:
    _CharField = models.CharField


class MultiChoiceField(_CharField):
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
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.item_choices:
            errors.append(checks.Error("MultiChoiceField needs item_choices.", obj=self))
        return errors

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        for key, value in (("max_length", 255), ("blank", True), ("default", list)):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs

    @property
    def allowed(self):
        return [value for value, _label in self.item_choices]

    def ordered(self, values):
        allowed = self.allowed
        return sorted(set(values), key=lambda v: allowed.index(v) if v in allowed else len(allowed))

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

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj))

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


@MultiChoiceField.register_lookup
class Has(Lookup):
    """``uses__has="live"``: the set contains this value."""

    lookup_name = "has"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"%,{escaped},%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]
