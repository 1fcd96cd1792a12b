"""
Use cases the newest inventory no longer lists: a deployment that cites an
older federal inventory and not the newest one the register holds. Its page
says so ("not listed in the 2025 inventory") and "Needs attention" lists it,
so it is never left silently active.
"""

from __future__ import annotations

import re

from ... import choices
from ...models import Deployment, Source

SOURCE_PREFIX = "federal-ai-inventory-"
_YEAR = re.compile(rf"^{SOURCE_PREFIX}(\d{{4}})$")


def inventory_year(source) -> int | None:
    """The year of a federal inventory source, or None for any other source."""
    match = _YEAR.match(source.slug)
    return int(match[1]) if match else None


def newest_inventory() -> Source | None:
    """The newest federal inventory the register cites (one query)."""
    sources = Source.objects.filter(slug__regex=_YEAR.pattern).only("pk", "slug")
    return max(sources, key=lambda source: inventory_year(source) or 0, default=None)


def not_in_newest(deployment) -> int | None:
    """
    The year of the newest inventory when ``deployment`` cites an older one but
    not it; else None. Reads the deployment's (prefetched) sources, and asks the
    database for the newest inventory only for a deployment that cites one.
    """
    years = {y for s in deployment.sources.all() if (y := inventory_year(s))}
    if not years:
        return None
    newest = newest_inventory()
    newest_year = inventory_year(newest) if newest else None
    if newest_year is None or newest_year in years or max(years) > newest_year:
        return None
    return newest_year


def stale_deployments(queryset=None):
    """
    Deployments (not ended) citing an older inventory but not the newest:
    ``(queryset, newest year)``; an empty queryset when there is one inventory.
    """
    queryset = Deployment.objects.all() if queryset is None else queryset
    newest = newest_inventory()
    if newest is None:
        return queryset.none(), None
    older = Source.objects.filter(slug__regex=_YEAR.pattern).exclude(pk=newest.pk)
    stale = (
        queryset.filter(sources__in=older)
        .exclude(sources=newest)
        .exclude(status=choices.DeploymentStatus.ENDED)
        .distinct()
    )
    return stale, inventory_year(newest)
