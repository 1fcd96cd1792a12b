"""
Template helpers for imported records: ``{% registry_importers as importers %}``
(the file importers the admin offers) and ``{{ deployment|not_in_newest_inventory }}``
(the year of the newest federal inventory, when a deployment it no longer lists
cites an older one).
"""

from django import template

from ..admin.imports import IMPORTERS
from ..importers.federal.stale import not_in_newest

register = template.Library()


@register.simple_tag
def registry_importers():
    return list(IMPORTERS.values())


@register.filter
def not_in_newest_inventory(deployment):
    return not_in_newest(deployment)
