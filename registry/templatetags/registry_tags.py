"""Template helpers used across the register's pages (loaded as builtins)."""

from decimal import Decimal

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list

from .. import choices, credits, dates, types
from ..addresses import address
from ..citations import title_of

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


@register.simple_tag(takes_context=True)
def nav_link(context, url_name, label):
    """A navigation link, marked ``aria-current="page"`` on its own page and its records' pages."""
    url = address(url_name)
    request = context.get("request")
    path = getattr(request, "path", "")
    home = address("registry:home")
    current = path == url or (url != home and path.startswith(url))
    return format_html(
        '<a href="{}"{}>{}</a>', url, mark_safe(' aria-current="page"') if current else "", label
    )


@register.simple_tag
def record_types():
    """Every record type, in reading order: ``{% record_types as types %}`` (the navigation)."""
    return types.RECORD_TYPES


@register.simple_tag
def record_type_nouns():
    """Every record type's plural, in reading order and in words: "agencies, … and sources"."""
    return get_text_list([str(each.noun_plural) for each in types.RECORD_TYPES], "and")


@register.filter
def is_public(record):
    """Has the record a public page (published, or retracted with its note)?"""
    return getattr(record, "state", None) in (choices.State.PUBLISHED, choices.State.RETRACTED)


# Pieces drawn once per table row are filters, not template includes: at
# fifty rows a page an include costs more than the HTML it writes.


@register.filter
def record_link(record):
    """The record's name, linked to its page when it has a public one."""
    if is_public(record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record)
    return conditional_escape(record)


@register.filter
def known_date(record, name):
    """A ``<time>`` at the date's known precision, or "Not known"."""
    shown = partial(record, name)
    if not shown:
        return mark_safe('<span class="muted">Not known</span>')
    return format_html('<time datetime="{}">{}</time>', partial_iso(record, name), shown)


@register.filter
def audit_badge(subject, with_finding=False):
    """
    The audit status (how far the system was examined) as a neutral badge
    linking to its definition; with ``"with_finding"``, the latest finding
    (what was found) as a badge of its own, a warning when disparities were
    found, and its date. The rung never reads as a verdict.
    """
    status = subject.audit_status
    badge = format_html(
        '<a class="badge badge--rung badge--{}" href="{}#audit-status-{}">'
        '<span class="visually-hidden">Audit status: </span>{}</a>',
        status, address("registry:methodology"), status, subject.get_audit_status_display(),
    )  # fmt: skip
    if not (with_finding and subject.audit_finding):
        return badge
    when = ""
    if subject.audit_date:
        when = format_html(
            ' (<time datetime="{}">{}</time>)',
            partial_iso(subject, "audit_date"), partial(subject, "audit_date"),
        )  # fmt: skip
    return format_html(
        '{}<span class="audit-status__finding">{}{}</span>',
        badge,
        finding_badge(subject.audit_finding, subject.get_audit_finding_display(), "Latest finding"),
        when,
    )  # fmt: skip


@register.simple_tag
def finding_badge(finding, label, prefix="Finding"):
    """What an audit found, in words; a warning (colour and sign) when disparities were found."""
    warning = finding == choices.Finding.DISPARITIES_FOUND
    return format_html(
        '<span class="badge badge--finding badge--finding-{}">{}{}: {}</span>',
        finding,
        mark_safe('<span aria-hidden="true">⚠ </span>') if warning else "",
        prefix,
        label,
    )


@register.filter
def cited_title(record):
    """A record's title as its citation gives it (one home: citations.title_of)."""
    return title_of(record)


@register.filter
def labels(record, name):
    """``{{ deployment|labels:"uses" }}`` → the labels of a multi-valued enum, in order."""
    field = record._meta.get_field(name)
    names = dict(field.item_choices)
    return [names.get(value, value) for value in getattr(record, name) or []]


@register.filter
def safe_url(url):
    """The URL if it is http(s), else empty: an imported ``javascript:`` link never reaches href."""
    url = str(url or "")
    return url if url.lower().startswith(("http://", "https://")) else ""


@register.filter
def field_kind(bound_field):
    """How the list form draws a filter: ``checkboxes``, ``select`` or ``input``."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


# The list form's choices, drawn in Python. Django's widget templates render
# one or two templates per option: for the forty-odd options of the
# deployments form that is a third of the page's rendering time. These give
# the same HTML (the same attributes, from the same widget methods).


def _options(bound_field, attrs):
    widget = bound_field.field.widget
    value = widget.format_value(bound_field.value())
    groups = widget.optgroups(bound_field.html_name, value, attrs)
    return [option for _group, options, _index in groups for option in options]


@register.filter
def checkbox_items(bound_field):
    """A ``CheckboxSelectMultiple`` field's options as ``<li>`` labelled checkboxes."""
    attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id})
    return format_html_join(
        "",
        '<li><label for="{}"><input type="checkbox" name="{}" value="{}"{}> {}</label></li>',
        (
            (option["attrs"].get("id", ""), option["name"], option["value"],
             flatatt(option["attrs"]), option["label"])
            for option in _options(bound_field, attrs)
        ),
    )  # fmt: skip


@register.filter
def select_tag(bound_field):
    """A ``Select`` field as its ``<select>`` element with options."""
    widget = bound_field.field.widget
    attrs = {**widget.attrs, **bound_field.build_widget_attrs({})}
    attrs.setdefault("id", bound_field.auto_id)
    options = format_html_join(
        "\n",
        '  <option value="{}"{}>{}</option>',
        (
            (option["value"], flatatt(option["attrs"]), option["label"])
            for option in _options(bound_field, {})
        ),
    )
    return format_html('<select name="{}"{}>\n{}\n</select>', bound_field.html_name,
                       flatatt(attrs), options)  # fmt: skip


@register.filter
def humanize_key(value):
    """``"false_match_rate"`` → "False match rate"."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def metric_value(value):
    """A measured figure as written, never in exponent form: ``1e-05`` → "0.00001"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def credit(name):
    """The third-party dataset (``registry.credits``) a record names as its reporter, or None."""
    return next((c for c in credits.THIRD_PARTY_DATA if c.name == name), None)


@register.simple_tag
def third_party_data():
    """Every third-party dataset the register is built from, with its credit and licence."""
    return credits.THIRD_PARTY_DATA


@register.simple_tag
def atlas_tables():
    """The Atlas importer's mapping tables, in words, for the methodology page."""
    from ..importers import atlas

    levels = dict(choices.Level.choices)
    kinds = dict(choices.AgencyKind.choices)
    places = {"City": "its city", "County": "its county (its city when it names several)"}
    return {
        "kinds": [(lea, kinds[kind]) for lea, kind in atlas.KINDS.items()],
        "jurisdictions": [
            (juris, levels[level], places.get(place, "none (the city is its seat)"))
            for juris, (level, place) in atlas.JURISDICTIONS.items()
        ],
    }
