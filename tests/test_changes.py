"""Public history: /changes/, a record's history page and section, and the Atom feeds."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry import choices, search
from registry.changes import history_feed_url, history_url, public_changes, selector
from registry.changes.views import CHANGES_PAGE_SIZE
from registry.types import MODELS
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SourceFactory,
    SystemFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"

# /changes/ materialises a page in a constant number of queries: the register's
# version (the page and its count are kept under it), the count, the window (one
# UNION), then per record type on the page its historical rows, its many-to-many
# snapshots, and the live records named. Pinned so a query per row cannot creep in.
CHANGES_PAGE_QUERIES = 25
# A record's history page: the record (with what its name needs), the count, the
# window, its historical rows, one per many-to-many field (an agency's sources),
# and one per type of live record named other than itself (here its sources).
RECORD_HISTORY_QUERIES = 6


def edit(record, **values):
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return record


def atom(response):
    """Parse an Atom response, checking what RFC 4287 requires of the feed and each entry."""
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}").text, f"feed has no {required}"
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text, f"entry has no {required}"
        assert entry.find(f"{ATOM}id").text.startswith("http"), "entry ids are absolute IRIs"
        assert entry.find(f"{ATOM}link").get("href")
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    return feed, entries


def entry_titles(response):
    _feed, entries = atom(response)
    return [entry.find(f"{ATOM}title").text for entry in entries]


def test_changes_page_shows_what_changed_from_and_to(client):
    agency = AgencyFactory(name="Synthetic County Police 00001")
    edit(agency, name="Synthetic County Sheriff 00001", last_verified=datetime.date(2025, 5, 3))

    response = client.get(reverse("registry:changes"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Synthetic County Police 00001" in html
    assert "Synthetic County Sheriff 00001" in html
    assert "3 May 2025" in html  # "Verified" shown as a date, not as a raw value
    change = public_changes(record=agency)[0]
    assert [(f.label, f.old, f.new) for f in change.fields] == [
        ("Verified", "", "3 May 2025"),
        ("Name", "Synthetic County Police 00001", "Synthetic County Sheriff 00001"),
    ]


def test_first_publication_is_listed_as_published(client):
    agency = AgencyFactory(state=choices.State.DRAFT, sources=[])
    edit(agency, state=choices.State.IN_REVIEW)
    edit(agency, state=choices.State.PUBLISHED)

    changes = list(public_changes(record=agency))

    assert [c.event for c in changes] == ["published"]


def test_draft_edits_between_publications_never_appear(client):
    agency = AgencyFactory(name="Synthetic Public Name 00001", sources=[])
    edit(agency, state=choices.State.DRAFT, name="Synthetic Secret Draft Name")
    edit(agency, state=choices.State.PUBLISHED, name="Synthetic Public Name 00002")

    urls = [
        reverse("registry:changes"),
        reverse("registry:changes-feed"),
        history_url(agency),
        history_feed_url(agency),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert b"Synthetic Secret Draft Name" not in response.content, url
    # The second publication is compared with the first, not with the draft.
    latest = public_changes(record=agency)[0]
    assert [(f.old, f.new) for f in latest.fields] == [
        ("Synthetic Public Name 00001", "Synthetic Public Name 00002")
    ]


@pytest.mark.parametrize(
    "state", [choices.State.DRAFT, choices.State.IN_REVIEW], ids=["draft", "in-review"]
)
def test_unpublished_records_are_invisible_on_every_history_surface(client, state):
    hidden = AgencyFactory(name="Synthetic Unpublished Police 00001", state=state, sources=[])
    edit(hidden, name="Synthetic Unpublished Police 00002")
    # A record once published, then sent back, disappears too.
    withdrawn = AgencyFactory(name="Synthetic Withdrawn Police 00001", sources=[])
    edit(withdrawn, state=state)

    for url in [reverse("registry:changes"), reverse("registry:changes-feed")]:
        response = client.get(url, {"type": "agency"})
        assert response.status_code == 200
        assert b"Synthetic Unpublished Police" not in response.content
        assert b"Synthetic Withdrawn Police" not in response.content
    for record in (hidden, withdrawn):
        assert client.get(history_url(record)).status_code == 404
        assert client.get(history_feed_url(record)).status_code == 404


def test_the_selector_itself_shows_nothing_of_a_record_not_public(client):
    # The pages answer 404 first; the selector must not rely on that.
    withdrawn = AgencyFactory(name="Synthetic Withdrawn Police 00002", sources=[])
    edit(withdrawn, state=choices.State.IN_REVIEW)

    changes = public_changes(record=withdrawn)

    assert changes.count() == 0
    assert list(changes) == []


def test_retraction_is_listed_with_its_public_note(client):
    deployment = DeploymentFactory()
    edit(
        deployment,
        state=choices.State.RETRACTED,
        public_note="Synthetic note: the report was a duplicate.",
    )
    # Later edits of a retracted record are not public changes.
    edit(deployment, description="Synthetic internal edit after retraction")

    # A record's own history and /changes/ select its rows differently.
    for changes in (public_changes(record=deployment), public_changes(types=["deployment"])):
        changes = list(changes)
        assert changes[0].event == "retracted"
        assert changes[0].note == "Synthetic note: the report was a duplicate."
        assert [c.event for c in changes].count("retracted") == 1
    response = client.get(history_url(deployment))
    assert "Synthetic note: the report was a duplicate." in response.content.decode()
    assert b"Synthetic internal edit" not in response.content


def test_long_text_is_said_to_have_changed_without_quoting_it(client):
    system = SystemFactory(description="Synthetic first description")
    edit(system, description="Synthetic second description")

    change = public_changes(record=system)[0]
    response = client.get(history_url(system))

    assert [(f.label, f.kind) for f in change.fields] == [("Description", "text")]
    assert b"Synthetic second description" not in response.content
    assert b"text changed" in response.content


def test_sources_added_are_named_but_unpublished_ones_only_counted(client):
    vendor = VendorFactory(sources=[])
    public = SourceFactory(title="Synthetic Public Source Document")
    draft = SourceFactory(title="Synthetic Draft Source Document", state=choices.State.DRAFT)
    vendor.sources.set([public, draft])

    change = public_changes(record=vendor)[0]
    html = client.get(history_url(vendor)).content.decode()

    (sources,) = change.fields
    assert sources.kind == "set"
    assert sources.added[0] == public
    assert sources.added[1] == "1 source not public"
    assert "Synthetic Public Source Document" in html
    assert "Synthetic Draft Source Document" not in html


def test_foreign_keys_show_the_related_records_name(client):
    first, second = VendorFactory(name="Synthetic Vendor One"), VendorFactory(name="Synthetic Two")
    system = SystemFactory(vendor=first)
    edit(system, vendor=second)

    (change,) = public_changes(record=system)[0].fields

    assert (change.label, change.old, change.new) == (
        "Vendor",
        "Synthetic Vendor One",
        "Synthetic Two",
    )


def test_partial_dates_show_at_their_precision(client):
    policy = PolicyFactory(adopted=datetime.date(2019, 5, 1), adopted_precision="month")
    edit(policy, adopted=datetime.date(2019, 5, 14), adopted_precision="day")

    (change,) = public_changes(record=policy)[0].fields

    assert (change.label, change.old, change.new) == ("Adopted", "May 2019", "14 May 2019")


def test_changes_can_be_filtered_by_record_type(client):
    AgencyFactory(name="Synthetic Filter Police 00001", sources=[])
    PolicyFactory(title="Synthetic Filter Ordinance 00001", sources=[])

    response = client.get(reverse("registry:changes"), {"type": "policy"})

    assert response.status_code == 200
    assert b"Synthetic Filter Ordinance 00001" in response.content
    assert b"Synthetic Filter Police 00001" not in response.content


def test_unknown_record_type_is_a_clear_400(client):
    response = client.get(reverse("registry:changes"), {"type": "spaceship"})

    assert response.status_code == 400
    assert "“spaceship” is not a record type" in response.content.decode()


def test_unknown_record_type_in_the_feed_is_not_found(client):
    assert client.get(reverse("registry:changes-feed"), {"type": "spaceship"}).status_code == 404


def test_a_page_past_the_end_shows_the_last_page(client):
    SourceFactory.create_batch(CHANGES_PAGE_SIZE + 1)

    response = client.get(reverse("registry:changes"), {"page": "999"})
    garbage = client.get(reverse("registry:changes"), {"page": "not-a-number"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert len(response.context["changes"]) == 1
    assert garbage.status_code == 200
    assert garbage.context["page_obj"].number == 1


def test_changes_are_newest_first_across_record_types(client):
    SourceFactory(title="Synthetic Older Source")
    PolicyFactory(title="Synthetic Newer Ordinance", sources=[])

    changes = list(public_changes())

    assert str(changes[0].record) == "Synthetic Newer Ordinance"
    assert [c.date for c in changes] == sorted((c.date for c in changes), reverse=True)


def test_record_history_page_lists_only_that_records_changes(client):
    agency = AgencyFactory(name="Synthetic History Police 00001", sources=[])
    edit(agency, acronym="SHP")
    AgencyFactory(name="Synthetic Other Police 00001", sources=[])

    response = client.get(history_url(agency))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acronym" in html and "SHP" in html
    assert "Synthetic Other Police" not in html
    assert history_feed_url(agency) in html


def test_history_page_of_an_unknown_record_is_not_found(client):
    url = reverse("registry:record-history", kwargs={"type": "agencies", "slug": "no-such-id"})

    assert client.get(url).status_code == 404


def test_changes_feed_is_valid_atom_with_the_same_changes(client):
    agency = AgencyFactory(name="Synthetic Feed Police 00001", sources=[])
    edit(agency, name="Synthetic Feed Police 00002")

    titles = entry_titles(client.get(reverse("registry:changes-feed")))

    assert titles == [
        "Updated: Agency “Synthetic Feed Police 00002”",
        "Published: Agency “Synthetic Feed Police 00002”",
    ]


def test_empty_changes_feed_is_still_valid_atom(client):
    _feed, entries = atom(client.get(reverse("registry:changes-feed")))

    assert entries == []


def test_record_history_feed_is_valid_atom_for_that_record_only(client):
    agency = AgencyFactory(name="Synthetic Record Feed Police", sources=[])
    edit(agency, locality="Synthetic Town")
    AgencyFactory(name="Synthetic Unrelated Police", sources=[])

    response = client.get(history_feed_url(agency))
    feed, entries = atom(response)

    assert len(entries) == 2
    assert "Synthetic Record Feed Police" in feed.find(f"{ATOM}title").text
    assert b"Synthetic Unrelated Police" not in response.content
    summary = entries[0].find(f"{ATOM}summary").text
    assert "Locality: Synthetic City → Synthetic Town" in summary


def test_feed_filtered_by_type(client):
    AgencyFactory(name="Synthetic Typed Police", sources=[])
    SourceFactory(title="Synthetic Typed Source")

    titles = entry_titles(client.get(reverse("registry:changes-feed"), {"type": "source"}))

    assert titles == ["Published: Source “Synthetic Typed Source”"]


def _one_change_of_every_type():
    with search.deferred_indexing():
        _record_one_change_of_every_type()


def _record_one_change_of_every_type():
    vendor = VendorFactory()
    system = SystemFactory(vendor=vendor)
    agency = AgencyFactory()
    deployment = DeploymentFactory(agency=agency, system=system)
    AuditFactory(system=system)
    AuditFactory(system=None, deployment=deployment)
    policy = PolicyFactory(agencies=[agency])
    deployment.policies.add(policy)
    edit(agency, name=f"{agency.name} (renamed)", parent=AgencyFactory(sources=[]))


def test_changes_page_query_count_does_not_grow_with_its_length(client):
    _one_change_of_every_type()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("registry:changes")).status_code == 200

    for _ in range(2):  # 1 round against 3: a full page (CHANGES_PAGE_SIZE)
        _one_change_of_every_type()
    assert public_changes().count() > CHANGES_PAGE_SIZE
    cache.clear()  # the count just made is kept for this version
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("registry:changes")).status_code == 200

    assert len(many) == len(few) == CHANGES_PAGE_QUERIES


def test_record_history_query_count_does_not_grow_with_its_length(client):
    agency = AgencyFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(agency))
    for number in range(2):  # a few entries more: a query per entry would show
        edit(agency, locality=f"Synthetic Town {number}")
        agency.sources.add(SourceFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(history_url(agency))

    assert len(many) == len(few) == RECORD_HISTORY_QUERIES


@pytest.mark.parametrize(
    "factory",
    [
        AgencyFactory,
        SystemFactory,
        VendorFactory,
        DeploymentFactory,
        AuditFactory,
        PolicyFactory,
        SourceFactory,
    ],
)
def test_every_record_page_has_a_history_section_with_its_feed(client, factory):
    record = factory()

    html = client.get(record.get_absolute_url()).content.decode()

    assert 'id="record-history-heading">History</h2>' in html
    assert f'href="{history_url(record)}"' in html
    assert f'href="{history_feed_url(record)}"' in html
    assert "Published" in html


def test_history_section_shows_only_the_latest_changes(client):
    agency = AgencyFactory(sources=[])
    for number in range(7):
        edit(agency, locality=f"Synthetic Town {number}")

    html = client.get(agency.get_absolute_url()).content.decode()

    assert "Synthetic Town 6" in html
    assert "Synthetic Town 0" not in html  # only the five latest changes on the record page
    assert "Full history" in html


def test_multi_valued_fields_show_their_labels(client):
    deployment = DeploymentFactory(uses=[choices.Use.RETROSPECTIVE])
    edit(deployment, uses=[choices.Use.RETROSPECTIVE, choices.Use.LIVE])

    (change,) = public_changes(record=deployment)[0].fields

    assert (change.label, change.old, change.new) == (
        "Uses",
        "Search of stored images",
        "Live surveillance, Search of stored images",
    )


def test_a_retracted_record_published_again_says_so(client):
    policy = PolicyFactory(sources=[])
    edit(policy, state=choices.State.RETRACTED, public_note="Synthetic: under review.")
    edit(policy, state=choices.State.PUBLISHED, public_note="")

    events = [change.event for change in public_changes(record=policy)]

    assert events == ["republished", "retracted", "published"]


def test_the_count_of_every_change_is_kept_until_the_register_changes(
    django_assert_num_queries,
):
    """Counting every public change reads them all: once per register version."""
    _one_change_of_every_type()
    total = public_changes().count()
    with django_assert_num_queries(1):  # the register's version
        assert public_changes().count() == total
    _one_change_of_every_type()
    assert public_changes().count() > total
    # One record's history is counted afresh (an index look-up on its id).
    deployment = DeploymentFactory()
    with django_assert_num_queries(1):
        assert public_changes(record=deployment).count() == 1


@pytest.mark.parametrize("same_date", [False, True])
@pytest.mark.parametrize(("start", "stop"), [(0, 1), (0, 7), (3, 11), (10, 30)])
def test_a_page_of_changes_is_that_slice_of_every_change_newest_first(start, stop, same_date):
    """Where each part is cut before the UNION (PostgreSQL), the page is still the same."""
    for _ in range(2):
        _one_change_of_every_type()
    if same_date:  # rows of several types at one instant, in one order still
        moment = timezone.now()
        for model in MODELS:
            model.history.model.objects.update(history_date=moment)
    everything = list(selector._types_window(tuple(MODELS)).all())  # a clone: it is shared
    assert len(everything) >= stop
    expected = [(row["change_model"], row["history_id"]) for row in everything[start:stop]]
    page = public_changes()[start:stop]
    assert [(change.record._meta.model_name, change.history_id) for change in page] == expected
