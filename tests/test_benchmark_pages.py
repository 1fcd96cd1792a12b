import re

import pytest
from django.core.management import call_command

from tests.factories import AgencyFactory, DeploymentFactory

pytestmark = pytest.mark.django_db

# "label   p50   p95   max   queries   status   KiB"
FIGURES = re.compile(r"^(?P<page>\S.*?)\s+(?:[\d.]+\s+){3}(?P<queries>\d+)\s+(?P<status>\d{3})\s")


def test_benchmark_prints_timings_queries_and_status_for_each_page(capsys):
    DeploymentFactory(agency=AgencyFactory(), uses=["live"])

    call_command("benchmark_pages", "--n", "2", "--warmup", "0", "--only", "deployments by")

    rows = {
        match["page"]: match
        for line in capsys.readouterr().out.splitlines()
        if (match := FIGURES.match(line))
    }
    assert set(rows) == {
        "deployments by country+region+status",
        "deployments by kind+audit_status",
        "deployments by uses",
    }
    assert all(row["status"] == "200" and int(row["queries"]) > 0 for row in rows.values())


def test_benchmark_notes_pages_it_cannot_time(capsys):
    call_command("benchmark_pages", "--n", "1", "--only", "detail")

    out = capsys.readouterr().out
    assert re.search(r"deployment detail\s+skipped: no published record", out)
