"""
Search: the query syntax, relevance, freshness of the index and what the public
may find. The same tests run on SQLite (FTS5) and PostgreSQL (tsvector), and the
behaviour tests also against the plain ``icontains`` fallback.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices, search, types
from registry.models import Agency, Deployment, System
from registry.search import Term, parse_query
from registry.search.documents import START, STOP
from registry.search.parser import blanked, checked, filled
from registry.search.results import top_statement
from registry.types import TYPES
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SourceFactory,
    SystemFactory,
    VendorFactory,
)

NASTY_QUERIES = [
    "",
    "   ",
    "?!…—",
    "x" * 10_000,
    "synthetic " * 2_000,
    '"unbalanced quote',
    '""',
    "'",
    "\\",
    "a:* & b | !c <-> (d",
    "&|!()<>:*",
    "-",
    "- - OR OR",
    "OR",
    "-synthetic",
    "'; DROP TABLE registry_agency; --",
    "nul\x00byte",
    "Überwachung 顔認識 распознавание",
    "%_%",
    "NEAR(a b) AND NOT c*",
    "{name}: synthetic",
]


# Parsing (pure) ------------------------------------------------------------


def test_words_are_all_required_and_each_is_a_prefix():
    parsed = parse_query("Synthetic Clearv")
    assert parsed.groups == ((Term(("synthetic",)),), (Term(("clearv",)),))
    assert not parsed.excluded


def test_quotes_make_an_exact_phrase():
    parsed = parse_query('"county police" station')
    assert parsed.groups == ((Term(("county", "police"), prefix=False),), (Term(("station",)),))


def test_or_joins_alternatives_and_minus_excludes():
    parsed = parse_query('zulu OR "yankee x" -sheriff -"city hall"')
    assert parsed.groups == ((Term(("zulu",)), Term(("yankee", "x"), prefix=False)),)
    assert parsed.excluded == (Term(("sheriff",)), Term(("city", "hall"), prefix=False))


def test_or_is_read_case_insensitively_and_ignored_without_two_sides():
    assert parse_query("zulu or yankee").groups == ((Term(("zulu",)), Term(("yankee",))),)
    assert parse_query("OR zulu OR").groups == ((Term(("zulu",)),),)


def test_punctuation_inside_a_word_splits_it_into_a_phrase():
    assert parse_query("o'brien").groups == ((Term(("o", "brien")),),)


def test_an_unclosed_quote_runs_to_the_end():
    assert parse_query('"county police').groups == ((Term(("county", "police"), prefix=False),),)


@pytest.mark.parametrize("text", ["", "   ", "?!…—", '""', "-", "&|!()<>:*", "OR", "\x00"])
def test_nothing_to_look_for(text):
    assert not parse_query(text)


def test_tsquery_and_fts5_operators_are_plain_text():
    parsed = parse_query("a:* & b | !c <-> (d) NEAR(e) {f}: g^")
    words = [w for group in parsed.groups for term in group for w in term.words]
    assert words == ["a", "b", "c", "d", "near", "e", "f", "g"]


def test_long_queries_are_cut_and_say_so():
    assert parse_query("x" * 10_000).truncated
    assert len(parse_query("x" * 10_000).text) == search.MAX_QUERY_LENGTH
    many = parse_query(" ".join(f"w{n}" for n in range(100)))
    assert many.truncated
    assert len(many.groups) == search.MAX_PREFIX_TERMS
    assert not parse_query("synthetic police").truncated


def test_query_complexity_is_bounded_in_terms_and_prefix_terms():
    phrases = parse_query(" ".join(f'"p{n}"' for n in range(40)))
    assert phrases.truncated
    assert len(phrases.groups) == search.MAX_TERMS  # exact terms: only the term limit applies
    mixed = parse_query(" OR ".join(f"w{n}" for n in range(20)))
    assert mixed.truncated
    assert sum(len(group) for group in mixed.groups) == search.MAX_PREFIX_TERMS
    words = parse_query(" ".join(f'"a{n} b{n} c{n}"' for n in range(12)))
    assert words.truncated
    assert sum(len(t.words) for g in words.groups for t in g) <= search.MAX_WORDS


@pytest.mark.django_db
def test_the_results_page_says_when_a_query_was_cut(client):
    page = client.get(reverse("registry:search"), {"q": " ".join(f"w{n}" for n in range(20))})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Only the first part of your search was used" in text
    assert f"{search.MAX_PREFIX_TERMS} plain words" in text


def test_highlight_escapes_text_and_marks_matches():
    html = search.highlight(f"<b>{START}Clear{STOP}view{START}")
    assert html == "&lt;b&gt;<mark>Clear</mark>view"


# Matching and relevance ----------------------------------------------------


@pytest.fixture(params=["full_text", "contains"])
def backend(request, monkeypatch):
    """Each behaviour test runs on the database's full-text index and on the fallback."""
    if request.param == "contains":
        monkeypatch.setattr(
            search.backends, "backend_for", lambda connection: search.backends.CONTAINS
        )
    return request.param


def found(model, query):
    return list(search.filter_queryset(model.objects.published(), query))


@pytest.mark.django_db
def test_a_name_match_ranks_before_a_description_match(backend):
    mentioned = SystemFactory(
        name="Synthetic Matcher",
        description="Synthetic Clearview integration; clearview clearview clearview.",
    )
    named = SystemFactory(name="Synthetic Clearview Test System")
    assert found(System, "clearview") == [named, mentioned]


@pytest.mark.django_db
def test_the_exact_name_ranks_first(backend):
    longer = AgencyFactory(name="Synthetic Clearview Police Department Annex")
    exact = AgencyFactory(name="Synthetic Clearview Police")
    assert found(Agency, "synthetic clearview police")[0] == exact
    assert set(found(Agency, "synthetic clearview police")) == {exact, longer}


@pytest.mark.django_db
def test_the_start_of_a_word_finds_the_word(backend):
    system = SystemFactory(name="Synthetic Clearview Test System")
    assert found(System, "clearv") == [system]
    assert found(System, "CLEARV test") == [system]
    if backend != "contains":
        assert found(System, "learview") == []


@pytest.mark.django_db
def test_minus_excludes_records_with_the_word(backend):
    police = AgencyFactory(name="Synthetic Zanzibar Police")
    AgencyFactory(name="Synthetic Zanzibar Police and Sheriff")
    assert found(Agency, "zanzibar police -sheriff") == [police]
    assert found(Agency, 'zanzibar -"police and sheriff"') == [police]


@pytest.mark.django_db
def test_quotes_find_the_words_together_and_in_order(backend):
    together = AgencyFactory(name="Synthetic Zanzibar County Police")
    AgencyFactory(name="Synthetic Zanzibar Police of the County")
    assert found(Agency, '"county police" zanzibar') == [together]


@pytest.mark.django_db
def test_or_finds_either(backend):
    zulu = AgencyFactory(name="Synthetic Zulu Constabulary")
    yankee = AgencyFactory(name="Synthetic Yankee Constabulary")
    AgencyFactory(name="Synthetic Xray Constabulary")
    assert set(found(Agency, "zulu OR yankee")) == {zulu, yankee}
    assert set(found(Agency, "constabulary zulu OR yankee")) == {zulu, yankee}


@pytest.mark.django_db
def test_related_names_and_prose_are_searched(backend):
    vendor = VendorFactory(name="Synthetic Quillfeather Labs")
    system = SystemFactory(vendor=vendor, name="Synthetic Face Search")
    agency = AgencyFactory(name="Synthetic Harbour Police", acronym="SHPZ")
    deployment = DeploymentFactory(
        agency=agency, system=system, description="Synthetic trial at the ferry terminal."
    )
    audit = AuditFactory(system=system, summary="Synthetic finding about lighting.")
    policy = PolicyFactory(summary="Synthetic ban on marmalade cameras.", issuer="Synthetic Board")
    assert found(System, "quillfeather") == [system]
    assert found(Deployment, "quillfeather") == [deployment]
    assert found(Deployment, "shpz ferry") == [deployment]
    assert found(type(audit), "lighting") == [audit]
    assert found(type(policy), "marmalade") == [policy]


@pytest.mark.django_db
def test_word_forms_match_their_stem():
    audit = AuditFactory(summary="Synthetic systems were audited twice.")
    assert found(type(audit), "audits") == [audit]


@pytest.mark.django_db
def test_no_query_breaks_the_search(backend):
    AgencyFactory(name="Synthetic Überwachung Police")
    for query in NASTY_QUERIES:
        for model in (Agency, Deployment):
            list(search.filter_queryset(model.objects.published(), query))
        search.search_all(query)


# Freshness -----------------------------------------------------------------


@pytest.mark.django_db
def test_renaming_an_agency_refreshes_its_deployments():
    agency = AgencyFactory(name="Synthetic Old Name Police")
    deployment = DeploymentFactory(agency=agency)
    agency.name = "Synthetic Wolverhampton Police"
    agency.save()
    assert found(Deployment, "wolverhampton") == [deployment]
    assert found(Deployment, "old name") == []


@pytest.mark.django_db
def test_renaming_a_vendor_refreshes_its_systems_and_their_deployments():
    vendor = VendorFactory(name="Synthetic Before Ltd")
    system = SystemFactory(vendor=vendor)
    deployment = DeploymentFactory(system=system)
    vendor.name = "Synthetic Afterglow Ltd"
    vendor.save(update_fields=["name"])
    assert found(System, "afterglow") == [system]
    assert found(Deployment, "afterglow") == [deployment]


@pytest.mark.django_db
def test_a_record_created_and_renamed_in_one_block_refreshes_the_rows_that_name_it():
    # A created record's dependents are skipped at the end of the block (rows
    # that name it were saved after it, so are refreshed themselves), unless it
    # is saved again: here a deployment is moved to it behind save()'s back.
    deployment = DeploymentFactory()
    with search.deferred_indexing():
        agency = AgencyFactory(name="Synthetic Old Name Police")
        Deployment.objects.filter(pk=deployment.pk).update(agency=agency)
        agency.name = "Synthetic Wolverhampton Police"
        agency.save()  # copies the agency's place to its deployments
    assert found(Deployment, "wolverhampton") == [deployment]


@pytest.mark.django_db
def test_saving_unrelated_fields_leaves_the_index_alone():
    agency = AgencyFactory(name="Synthetic Wolverhampton Police")
    with CaptureQueriesContext(connection) as queries:
        agency.save(update_fields=["website"])
    writes = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]
    assert not [sql for sql in writes if "search_vector" in sql or "_fts" in sql]
    assert found(Agency, "wolverhampton") == [agency]


@pytest.mark.django_db
def test_deferred_indexing_refreshes_once_at_the_end():
    agency = AgencyFactory(name="Synthetic Old Name Police")
    deployment = DeploymentFactory(agency=agency)
    with search.deferred_indexing():
        agency.name = "Synthetic Wolverhampton Police"
        agency.save()
        assert found(Deployment, "wolverhampton") == []
    assert found(Deployment, "wolverhampton") == [deployment]


@pytest.mark.django_db
def test_rebuild_indexes_records_loaded_without_save():
    Agency.objects.bulk_create(
        [Agency(slug="synthetic-bulk", name="Synthetic Bulkington Police", country="GB",
                state=choices.State.PUBLISHED)]
    )  # fmt: skip
    assert found(Agency, "bulkington") == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert [a.slug for a in found(Agency, "bulkington")] == ["synthetic-bulk"]


# Visibility ----------------------------------------------------------------

FACTORIES = [
    (AgencyFactory, {"name": "Synthetic Hidden Zeppelin Agency"}),
    (SystemFactory, {"name": "Synthetic Hidden Zeppelin System"}),
    (VendorFactory, {"name": "Synthetic Hidden Zeppelin Vendor"}),
    (DeploymentFactory, {"description": "Synthetic Hidden Zeppelin deployment"}),
    (AuditFactory, {"auditor": "Synthetic Hidden Zeppelin Lab"}),
    (PolicyFactory, {"title": "Synthetic Hidden Zeppelin Policy"}),
    (SourceFactory, {"title": "Synthetic Hidden Zeppelin Source"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory, fields", FACTORIES)
def test_unpublished_records_are_never_found(client, factory, fields):
    for state in ("draft", "in_review", "retracted"):
        record = factory(state=state, **fields)
        model = type(record)
        assert found(model, "zeppelin") == [], state
        html = client.get(reverse("registry:search"), {"q": "zeppelin"}).content.decode()
        assert record.get_absolute_url() not in html, state
        assert "Zeppelin" not in html, state
        list_url = next(spec.url_name for spec in TYPES.values() if spec.model is model)
        response = client.get(reverse(list_url), {"q": "zeppelin"})
        assert record.get_absolute_url() not in response.content.decode(), state


@pytest.mark.django_db
def test_names_of_unpublished_related_records_are_not_searchable(client):
    secret = SystemFactory(name="Synthetic Nightjar Matcher", state="draft")
    deployment = DeploymentFactory(system=secret)
    assert found(Deployment, "nightjar") == []
    secret.state = choices.State.PUBLISHED
    secret.save()
    assert found(Deployment, "nightjar") == [deployment]
    secret.state = choices.State.RETRACTED
    secret.save()
    html = client.get(reverse("registry:search"), {"q": "nightjar"}).content.decode()
    assert "Nightjar" not in html


# The results page and the lists ---------------------------------------------


@pytest.mark.django_db
def test_results_page_groups_by_type_with_counts_and_highlights(client):
    agency = AgencyFactory(name="Synthetic Clearview <b>Police</b>")
    DeploymentFactory(agency=agency)
    SystemFactory(name="Synthetic Clearview Test System")
    response = client.get(reverse("registry:search"), {"q": "clearv"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 results for “clearv”: 1 agency, 1 deployment, 1 system." in html
    assert '<h2 id="results-agency">Agencies' in html
    assert html.index("results-agency") < html.index("results-system")
    assert "<mark>Clearview</mark>" in html
    assert "&lt;b&gt;Police&lt;/b&gt;" in html
    assert "<b>Police</b>" not in html
    assert agency.get_absolute_url() in html


@pytest.mark.django_db
def test_a_cut_group_links_to_its_list_searched_the_same_way(client, monkeypatch):
    monkeypatch.setattr("registry.views.SEARCH_RESULTS_PER_TYPE", 2)
    for n in range(3):
        AgencyFactory(name=f"Synthetic Tamarind Police {n}")
    html = client.get(reverse("registry:search"), {"q": "tamarind"}).content.decode()
    assert f'href="{reverse("registry:agency-list")}?q=tamarind"' in html
    assert "All 3 agencies matching “tamarind”" in html


@pytest.mark.django_db
def test_results_are_cut_per_type_and_keep_the_full_count():
    for n in range(3):
        AgencyFactory(name=f"Synthetic Tamarind Police {n}")
    group = search.search_all("tamarind", limit_per_type=2).found[0]
    assert (len(group.hits), group.count, group.more) == (2, 3, True)


@pytest.mark.django_db
def test_bad_queries_give_a_clear_page(client):
    AgencyFactory(name="Synthetic Überwachung Police")
    messages = ("Type a word to search", "Add a word to look for", "No published record", "for “")
    for query in NASTY_QUERIES:
        response = client.get(reverse("registry:search"), {"q": query})
        assert response.status_code == 200, query
        html = response.content.decode()
        assert any(message in html for message in messages), query


@pytest.mark.django_db
def test_punctuation_only_asks_for_a_word(client):
    html = client.get(reverse("registry:search"), {"q": "?!&|"}).content.decode()
    assert "Type a word to search" in html


@pytest.mark.django_db
def test_a_long_query_is_cut_and_the_page_says_so(client):
    html = client.get(reverse("registry:search"), {"q": "synthetic " * 1_000}).content.decode()
    assert "Only the first part of your search was used" in html


@pytest.mark.django_db
@pytest.mark.parametrize("list_name", sorted(TYPES))
def test_list_pages_never_fail_on_a_bad_q(client, list_name):
    for query in ['"unbalanced', "&|!():*", "\\", "-synthetic", "x" * 10_000]:
        response = client.get(reverse(TYPES[list_name].url_name), {"q": query})
        # 400: the list's form says what is wrong (e.g. longer than 200 characters).
        assert response.status_code in (200, 400), query


@pytest.mark.django_db
def test_q_on_a_list_combines_with_other_filters():
    active = DeploymentFactory(
        agency=AgencyFactory(name="Synthetic Marigold Police"), status="active"
    )
    DeploymentFactory(agency=AgencyFactory(name="Synthetic Marigold Sheriff"), status="ended")
    DeploymentFactory(agency=AgencyFactory(name="Synthetic Other Police"), status="active")
    filterset = TYPES["deployments"].filterset(QueryDict("q=marigold&status=active"))
    assert filterset.is_valid()
    assert list(filterset.qs) == [active]


@pytest.mark.django_db
def test_a_list_searched_without_sort_is_in_relevance_order():
    mentioned = SystemFactory(name="Synthetic Alpha", description="Synthetic peregrine mode.")
    named = SystemFactory(name="Synthetic Zulu Peregrine")
    assert list(TYPES["systems"].filterset(QueryDict("q=peregrine")).qs) == [named, mentioned]
    by_name = TYPES["systems"].filterset(QueryDict("q=peregrine&sort=name")).qs
    assert list(by_name) == [mentioned, named]


@pytest.mark.django_db
def test_a_searched_queryset_works_as_a_subquery():
    marigold = DeploymentFactory(agency=AgencyFactory(name="Synthetic Marigold Police"))
    DeploymentFactory(agency=AgencyFactory(name="Synthetic Other Police"))
    agencies = search.filter_queryset(Agency.objects.published(), "marigold").values("pk")
    assert list(Deployment.objects.filter(agency__in=agencies)) == [marigold]
    assert search.filter_queryset(Agency.objects.published(), "marigold").count() == 1


@pytest.mark.django_db
def test_beyond_the_count_cap_the_page_says_more_than(client, monkeypatch):
    monkeypatch.setattr("registry.search.results.COUNT_CAP", 2)
    for n in range(3):
        AgencyFactory(name=f"Synthetic Tamarind Police {n}")
    html = client.get(reverse("registry:search"), {"q": "tamarind"}).content.decode()
    assert "more than 2 results for “tamarind”: more than 2 agencies." in html
    assert 'Agencies <span class="muted">(more than 2)</span>' in html
    assert "All the agencies matching “tamarind” (more than 2)" in html
    assert "this page stops counting" in html


@pytest.mark.django_db
def test_below_the_count_cap_counts_are_exact(client):
    for n in range(3):
        AgencyFactory(name=f"Synthetic Tamarind Police {n}")
    html = client.get(reverse("registry:search"), {"q": "tamarind"}).content.decode()
    assert "3 results for “tamarind”: 3 agencies." in html
    assert "more than" not in html and "stops counting" not in html


@pytest.mark.django_db
def test_beyond_the_cap_the_recent_matches_and_the_exact_name_are_ranked(backend):
    exact = AgencyFactory(name="Synthetic Tamarind")
    older = AgencyFactory(name="Synthetic Tamarind Police Older")
    recent = [AgencyFactory(name=f"Synthetic Tamarind Police {n}") for n in range(3)]
    group = search.search_all("synthetic tamarind", count_cap=2).found[0]
    names = [hit.record.name for hit in group.hits]
    # The exact name first though older than the most recent matches (the
    # cap's 2 and the one more that shows there are more); an older, merely
    # matching record waits for the full list.
    assert names[0] == exact.name
    assert set(names[1:]) == {r.name for r in recent}
    assert older.name not in names
    assert (group.count_text, group.capped) == ("more than 2", True)


def test_a_blanked_query_gives_its_words_back_as_parameters_only():
    shape, words = blanked(parse_query('"new york" OR police -sheriff'))
    assert words == ("new", "york", "police", "sheriff")
    assert "new" not in str(shape) and len(shape.groups[0]) == 2 and len(shape.excluded) == 1
    assert filled(["'\x000\x00' <-> '\x001\x00':*", 3], words) == ["'new' <-> 'york':*", 3]
    with pytest.raises(ValueError):
        checked("SELECT '\x002\x00'")


@pytest.mark.django_db
def test_queries_of_one_shape_share_a_statement_and_find_their_own_rows(backend):
    top_statement.cache_clear()
    marigold = AgencyFactory(name="Synthetic Marigold Police")
    tamarind = AgencyFactory(name="Synthetic Tamarind Police")
    asked = {
        "marigold police": marigold,
        "tamarind police": tamarind,
        "police -tamarind": marigold,
        "police -marigold": tamarind,
    }
    for query, expected in asked.items():
        (agencies,) = search.search_all(query).found
        assert [hit.record for hit in agencies.hits] == [expected], query
        if backend != "contains":
            # The snippet marks this query's words, not the first one's.
            word = query.split()[0].capitalize()
            assert f"<mark>{word}</mark>" in agencies.hits[0].snippet, query
    # Two shapes ("two words", "a word without another"), built once per record type.
    assert top_statement.cache_info().misses == 2 * len(types.RECORD_TYPES)
