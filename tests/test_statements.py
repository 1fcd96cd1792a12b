"""Statements compiled once and run for any rows' keys (``registry.statements``)."""

import pytest

from registry import statements
from registry.models import System
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db


def test_a_statement_runs_for_the_rows_given_only():
    kept, other = SystemFactory(), SystemFactory()
    select = statements.select_for_keys(System.objects.values_list("pk", "name"), "default")
    rows = statements.run_for(select, System.objects.filter(pk=kept.pk), "default")
    assert rows == [(kept.pk, kept.name)]
    update = statements.update_for_keys(System.objects.all(), {"name": "Synthetic X"}, "default")
    assert statements.run_for(update, System.objects.filter(pk=other.pk), "default") == 1
    assert list(System.objects.order_by("pk").values_list("name", flat=True)) == [
        kept.name,
        "Synthetic X",
    ]


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: System.objects.filter(name="x").values_list("pk"),
        lambda: System.objects.values_list("pk", "vendor__name"),
    ],
    ids=["filtered", "joined"],
)
def test_a_statement_that_the_keys_cannot_follow_is_refused(queryset):
    with pytest.raises(ValueError, match="alone"):
        statements.select_for_keys(queryset(), "default")
