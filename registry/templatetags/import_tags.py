"""``{% registry_importers as importers %}``: the file importers the admin offers."""

from django import template

from ..admin.imports import IMPORTERS

register = template.Library()


@register.simple_tag
def registry_importers():
    return list(IMPORTERS.values())
