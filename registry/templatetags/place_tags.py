"""
Template filters for places (loaded as builtins): a person reads names
("Detroit, Michigan, United States"), never bare ISO codes.
"""

from django import template
from django.utils.html import format_html, format_html_join

from .. import places

register = template.Library()


@register.filter
def code_name(code):
    """``{{ "US-MI"|code_name }}`` → "Michigan"; ``{{ "EU"|code_name }}`` → "European Union"."""
    return places.code_name(code) if code else ""


@register.filter
def place_of(record):
    """A record's place as words: locality, region(s), country."""
    if record is None:
        return ""
    return places.place_name(
        getattr(record, "country", ""),
        getattr(record, "region", ""),
        getattr(record, "locality", ""),
        regions=getattr(record, "regions", None) or (),
    )


@register.filter
def place_links(record):
    """
    A record's place with each level linked to its place page ("Detroit" →
    /places/us/mi/detroit/); EU law names the European Union, unlinked.
    """
    country = getattr(record, "country", "")
    if not country:
        return ""
    if country == places.EU:
        return places.country_name(country)
    region = getattr(record, "region", "")
    regions = getattr(record, "regions", None) or ([region] if region else [])
    locality = getattr(record, "locality", "")
    links = []
    if locality and len(regions) == 1:
        links.append(places.Place(country, regions[0], locality))
    elif locality:
        links.append(None)
    links += [places.Place(country, r) for r in regions]
    links.append(places.Place(country))
    parts = [(p.get_absolute_url(), p.name) if p is not None else (None, locality) for p in links]
    return format_html_join(
        ", ",
        "{}",
        ((format_html('<a href="{}">{}</a>', url, name) if url else name,) for url, name in parts),
    )


@register.simple_tag
def scorecard_rubric():
    """The scorecards' rubric, for the methodology page."""
    from ..scorecards import RUBRIC

    return RUBRIC
