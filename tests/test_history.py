"""
A save's history entry holds the record's links as they are after it
(``registry.history.RecordHistory``), whether the database copies them or,
for a receiver of the library's signals, they are read and sent as rows.
"""

import pytest
from django.db import connection
from django.db.models.signals import m2m_changed
from django.test.utils import CaptureQueriesContext
from simple_history.signals import post_create_historical_m2m_records

from registry import services
from registry.models import Vendor
from tests.factories import DeploymentFactory, PolicyFactory, SourceFactory

pytestmark = pytest.mark.django_db


def links(entry):
    """Each linked field of a history entry: its link rows (id and the linked record)."""
    return {
        name: sorted(getattr(entry, name).values_list("id", f"{other}_id"))
        for name, other in (("sources", "source"), ("policies", "policy"))
    }


def current_links(deployment):
    through = {
        "sources": (deployment.sources.through, "source"),
        "policies": (deployment.policies.through, "policy"),
    }
    return {
        name: sorted(model.objects.filter(deployment=deployment).values_list("id", f"{other}_id"))
        for name, (model, other) in through.items()
    }


def edit(deployment, **m2m):
    deployment.site = "Synthetic Station Square"
    services.save_record(deployment, reason="Synthetic edit", m2m=m2m)
    return deployment.history.latest()


def test_each_entry_holds_the_links_after_its_save():
    first, second = SourceFactory(), SourceFactory()
    policy = PolicyFactory()
    deployment = DeploymentFactory(sources=[first, second])
    created = deployment.history.get()
    assert links(created) == current_links(deployment)
    assert len(links(created)["sources"]) == 2 and links(created)["policies"] == []

    edited = edit(deployment, sources=[second.pk], policies=[policy.pk])
    assert edited.history_change_reason == "Synthetic edit"
    assert links(edited) == current_links(deployment)
    assert [source for _id, source in links(edited)["sources"]] == [second.pk]
    assert [p for _id, p in links(edited)["policies"]] == [policy.pk]
    # The earlier entry keeps the links it had.
    assert len(links(deployment.history.earliest())["sources"]) == 2


def test_a_receiver_of_the_librarys_signals_gets_the_rows_written():
    deployment = DeploymentFactory(sources=[SourceFactory(), SourceFactory()])
    received = []

    def receiver(sender, created_rows, field, **kwargs):
        received.append((field.name, sorted((r.id, r.source_id) for r in created_rows)))

    post_create_historical_m2m_records.connect(receiver)
    try:
        entry = edit(deployment, sources=[s.pk for s in deployment.sources.all()])
    finally:
        post_create_historical_m2m_records.disconnect(receiver)
    assert ("sources", links(entry)["sources"]) in received
    assert links(entry) == current_links(deployment)


def test_a_new_records_links_are_announced_as_add_would_without_reading_them_first():
    # A new record has no links: save_record writes them without add()'s read
    # of the existing ones, and sends the same m2m_changed signals.
    sources = [SourceFactory(), SourceFactory()]
    received = []

    def listener(sender, instance, action, reverse, model, pk_set, **kwargs):
        received.append((action, instance.slug, reverse, model, set(pk_set)))

    through = Vendor.sources.through
    m2m_changed.connect(listener, sender=through)
    try:
        with CaptureQueriesContext(connection) as queries:
            vendor = Vendor(slug="synthetic-linked-vendor", name="Synthetic Linked Vendor")
            services.save_record(vendor, reason=None, m2m={"sources": [s.pk for s in sources]})
    finally:
        m2m_changed.disconnect(listener, sender=through)
    added = {s.pk for s in sources}
    assert received == [
        ("pre_add", vendor.slug, False, type(sources[0]), added),
        ("post_add", vendor.slug, False, type(sources[0]), added),
    ]
    assert set(vendor.sources.values_list("pk", flat=True)) == added
    assert set(vendor.history.get().sources.values_list("source_id", flat=True)) == added
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if through._meta.db_table in sql]
