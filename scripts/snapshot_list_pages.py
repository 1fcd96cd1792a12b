#!/usr/bin/env python
"""
Save the HTML of the seed's list pages, to compare a refactoring's output
before and after: ``diff -r before/ after/`` must be empty, or explained.

    .venv/bin/python scripts/snapshot_list_pages.py OUT_DIR

Builds a throwaway SQLite database from ``data/registry.json`` (the seed), then
asks every list for a handful of query strings (no filter, each facet's
values, combinations, a bad value) and writes each page to OUT_DIR. The CSRF
token and the CSP nonce change per request and are blanked.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

QUERIES = {
    "deployments": [
        "",
        "status=active",
        "status=active&status=ended&country=US",
        "region=US-TX&country=US&kind=sheriff&level=local",
        "uses=live&image_sources=mugshots",
        "audit_status=none_known&vendor=clearview-ai",
        "q=clearview&started_from=2019&started_to=2023",
        "policy=eu-ai-act-article-5-rbi",
        "facet_size=100",
        "status=nonsense",
        "sort=-started&page=2",
    ],
    "agencies": ["", "kind=police&level=local", "country=GB", "region=US-CA&country=US",
                 "q=police", "level=bogus"],
    "systems": ["", "capabilities=live", "audit_status=reported", "vendor=clearview-ai"],
    "vendors": ["", "country=US", "q=vision"],
    "audits": ["", "is_public=true", "is_public=false&finding=disparities_found",
               "dimensions=sex&auditor_kind=government_lab", "published_from=2018"],
    "policies": ["", "kind=ban", "requirements=warrant_required&country=US", "in_force=true",
                 "country=EU", "adopted_from=2019&adopted_to=2021&status=in_force"],
    "sources": ["", "kind=court", "published_from=2020", "publisher=x"],
}  # fmt: skip


def main(out):
    database = Path(tempfile.mkdtemp(prefix="snapshot-")) / "db.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("import_registry", str(BASE / "data/registry.json"), verbosity=0)
    client = Client()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, queries in QUERIES.items():
        for query in queries:
            response = client.get(f"/{name}/?{query}", follow=True)
            html = response.content.decode()
            html = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1-", html)
            html = re.sub(r'nonce="[^"]+"', 'nonce="-"', html)
            slug = re.sub(r"[^a-z0-9=_-]+", "_", query.lower()) or "all"
            (out / f"{name}__{slug}.html").write_text(f"{response.status_code}\n{html}")
    print(f"{sum(len(q) for q in QUERIES.values())} pages written to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
