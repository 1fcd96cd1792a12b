"""Template helpers used across the register's pages (loaded as builtins)."""

from django import template

from .. import dates

register = template.Library()


@register.filter
def partial(record, name):
    """``{{ source|partial:"published" }}`` → "May 2019": a date at its known precision."""
    if record is None:
        return ""
    return dates.humanize(getattr(record, name, None), getattr(record, f"{name}_precision", ""))


@register.filter
def partial_iso(record, name):
    """``{{ source|partial_iso:"published" }}`` → "2019-05", for ``<time datetime>``."""
    if record is None:
        return ""
    return dates.to_iso(getattr(record, name, None), getattr(record, f"{name}_precision", "")) or ""
