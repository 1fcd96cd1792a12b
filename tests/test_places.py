"""
Places: names instead of codes, place pages and their counts, scorecards,
exports and feeds, on the seed dataset (put in place once for the module by
``seed_register``, tests/seed.py).
"""

import html
import json
import re

import pytest
from django.urls import reverse

from registry import choices, place_views, places, scorecards
from registry.models import Agency, Deployment, Policy
from registry.places import Place
from registry.search import deferred_indexing
from tests.factories import AgencyFactory, DeploymentFactory

SEED = "data/registry.json"


@pytest.fixture
def seeded(seed_register, db):
    """A test on the seed data (each in a savepoint of the module's transaction)."""


def visible_text(response):
    """What a person reads: the page's text without markup, scripts or attribute values."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


# Names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("US-CA", "California"),
        ("US-MI", "Michigan"),
        ("GB-WLS", "Wales"),
        ("GB-ENG", "England"),
        ("EU", "European Union"),
        ("RU", "Russia"),
        ("KR", "South Korea"),
    ],
)
def test_codes_read_as_the_names_people_use(code, name):
    assert places.code_name(code) == name


def test_a_record_place_reads_most_local_first():
    assert places.place_name("US", "US-MI", "Detroit") == "Detroit, Michigan, United States"
    assert (
        places.place_name("GB", regions=["GB-ENG", "GB-WLS"]) == "England and Wales, United Kingdom"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UK", Place("GB")),
        ("Britain", Place("GB")),
        ("Great Britain", Place("GB")),
        ("united kingdom", Place("GB")),
        ("England", Place("GB", "GB-ENG")),
        ("US", Place("US")),
        ("USA", Place("US")),
        ("America", Place("US")),
        ("Michigan", Place("US", "US-MI")),
        ("Wales", Place("GB", "GB-WLS")),
        ("Chicago", Place("US", "US-IL", "Chicago")),
        ("Cardiff", Place("GB", "GB-WLS", "Cardiff")),
    ],
)
def test_names_and_aliases_resolve_to_places(typed, expected):
    assert places.resolve(typed)[0] == expected


@pytest.mark.django_db
def test_a_name_inside_a_longer_query_is_not_a_place():
    assert places.resolve("Michigan State Police") == []


def test_place_keys_are_addresses():
    place = Place("US", "US-MI", "Detroit")
    assert place.key == "us/mi/detroit"
    assert place.get_absolute_url() == "/places/us/mi/detroit/"
    assert [p.key for p in place.lineage] == ["us", "us/mi", "us/mi/detroit"]


@pytest.mark.django_db
def test_unknown_places_are_refused_plainly():
    for key in ("zz", "us/zz", "us/mi/nowhere-at-all", "us/mi/detroit/more"):
        with pytest.raises(places.UnknownPlace):
            places.from_key(key)


# No code is the only label ------------------------------------------------------

REGION_CODE = re.compile(r"\b[A-Z]{2}-[A-Z0-9]{1,3}\b")
# A country code standing alone as a place: ", US" at the end of a place, a facet or chip value.
COUNTRY_AS_PLACE = re.compile(r"(, |in |Country: )(US|GB|CA)\b")


def test_no_iso_code_is_the_only_label_on_the_seed_pages(client, seeded):
    urls = [
        "/agencies/",
        "/agencies/?country=US&region=US-MI",
        "/deployments/?country=GB",
        "/deployments/?region=US-CA",
        "/policies/",
        "/policies/?region=US-CA&country=US",
        "/vendors/",
        "/places/",
        "/places/us/mi/",
        "/search/?q=Detroit",
    ]
    urls += [a.get_absolute_url() for a in Agency.objects.published()]
    urls += [p.get_absolute_url() for p in Policy.objects.published()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response)
        assert not REGION_CODE.findall(text), (url, REGION_CODE.findall(text))
        assert not COUNTRY_AS_PLACE.findall(text), (url, COUNTRY_AS_PLACE.findall(text))


def test_facets_chips_and_summary_name_places(client, seeded):
    text = visible_text(client.get("/deployments/?region=US-CA&country=US"))
    assert "Deployments in California (United States)" in text
    assert "Region (state, province): California" in text
    assert "Michigan" in visible_text(client.get("/agencies/"))


# Place pages -------------------------------------------------------------------


def test_places_index_lists_countries_with_counts_that_match_the_lists(client, seeded):
    response = client.get(reverse("registry:places"))
    assert response.status_code == 200
    for place, agencies, deployments, _policies in response.context["maps"]["countries"]:
        assert (
            agencies
            == client.get(f"/agencies/?place={place.key}").context["page_obj"].paginator.count
        )
        assert (
            deployments
            == Deployment.objects.published().filter(agency__country=place.country).count()
        )
    names = [p.name for p, *_ in response.context["maps"]["countries"]]
    assert {"United States", "United Kingdom", "Canada"} <= set(names)


@pytest.mark.parametrize("key", ["us", "us/ca", "us/mi/detroit", "gb", "gb/eng"])
def test_place_page_counts_equal_the_filtered_lists(client, seeded, key):
    response = client.get(f"/places/{key}/")
    assert response.status_code == 200
    context = response.context

    def list_count(url):
        listed = client.get(url)
        assert listed.status_code == 200, url
        return listed.context["page_obj"].paginator.count

    assert context["agency_total"] == list_count(context["agencies_url"])
    assert context["figures"]["total"] == list_count(context["deployments_url"])
    assert context["policy_total"] == list_count(context["policies_url"])
    figures = context["figures"]
    for figure in [*figures["by_status"], *figures["by_use"], *figures["by_audit"]]:
        assert figure.count == list_count(figure.url), figure.label
    for year in context["years"]:
        assert year.count == list_count(year.url)
    for sub in context["subplaces"]:
        assert sub.agencies == list_count(f"/agencies/?place={sub.place.key}")


def test_a_state_page_shows_national_law_and_the_bans_of_its_cities(client, seeded):
    context = client.get("/places/us/ca/").context
    titles = {row.policy.slug: row.scope for row in context["policy_rows"]}
    assert titles["san-francisco-stop-secret-surveillance-ordinance"] == "part"
    assert titles["oakland-face-recognition-ban"] == "part"
    city = client.get("/places/us/ca/san-francisco/").context
    scopes = {row.policy.slug: row.scope for row in city["policy_rows"]}
    assert scopes["san-francisco-stop-secret-surveillance-ordinance"] == "throughout"
    live = city["grades"][0]
    assert live.answer == "Banned"
    assert [p.slug for p in live.basis] == ["san-francisco-stop-secret-surveillance-ordinance"]


def test_an_eu_member_state_page_shows_eu_law(client, seeded):
    context = client.get("/places/fr/").context
    slugs = [row.policy.slug for row in context["policy_rows"]]
    assert "eu-ai-act-article-5-rbi" in slugs
    assert context["grades"][0].answer == "Banned"


def test_an_empty_place_says_absence_is_not_evidence_and_links_the_suggestion_form(client, seeded):
    response = client.get("/places/gb/wls/cardiff/")
    text = visible_text(response)
    assert "Absence from the register is not evidence" in text
    assert "Tell us about a use in Cardiff" in text
    suggest = response.context["suggest_url"]
    assert suggest == "/suggest/?place=gb%2Fwls%2Fcardiff"
    form_page = client.get(suggest)
    assert "Place: Cardiff, Wales, United Kingdom" in form_page.content.decode()


def test_scorecard_grades_only_from_recorded_facts(client, seeded):
    grades = client.get("/places/us/wa/").context["grades"]
    by = {g.criterion.slug: g for g in grades}
    assert by["warrant"].answer == "Required"
    assert [p.slug for p in by["warrant"].basis] == ["washington-sb6280-2020"]
    michigan = {g.criterion.slug: g for g in client.get("/places/us/mi/").context["grades"]}
    assert michigan["warrant"].level == scorecards.NOT_KNOWN
    assert not michigan["warrant"].basis
    # No deployment recorded: the share is not known, never 0 %.
    empty = {g.criterion.slug: g for g in client.get("/places/fr/").context["grades"]}
    assert empty["audited"].level == scorecards.NOT_KNOWN


def test_agency_scorecard_counts_the_policies_that_name_it(client, seeded):
    response = client.get(reverse("registry:agency-scorecard", args=["detroit-police-department"]))
    assert response.status_code == 200
    text = visible_text(response)
    assert "Scorecard of Detroit Police Department" in text
    # Its one published deployment, none with a published independent audit.
    assert "0 of 1 (0%)" in text
    # The settlement that names the department (an agency policy) governs it,
    # on the page (although none of its rules is one the rubric grades) and in
    # the export.
    assert (
        "Detroit police facial recognition rules under the Williams v. City of Detroit "
        "settlement (Agency policy, enacted, Detroit, Michigan, United States) · names the agency"
    ) in text
    exported = client.get(response.request["PATH_INFO"], {"format": "json"}).json()
    governing = [p["id"] for p in exported["governing_policies"]]
    assert "detroit-williams-settlement-2024" in governing


def test_deployments_that_name_no_use_are_counted_as_use_not_recorded(client, db):
    """Not as "0 live surveillance": a use nobody recorded is not a use known to be absent."""
    with deferred_indexing():
        agency = AgencyFactory(region="US-ND", locality="Fargo")
        DeploymentFactory(agency=agency, uses=[])
        DeploymentFactory(agency=agency, uses=[choices.Use.LIVE])
    page = client.get("/places/us/nd/")
    assert "Live surveillance 1" in visible_text(page)
    assert "Use not recorded 1" in visible_text(page)
    counts = client.get("/places/us/nd/?format=json").json()["deployment_counts"]
    assert counts["use_live"] == 1 and counts["use_not_recorded"] == 1


def test_place_exports_feed_and_bad_format(client, seeded):
    as_json = client.get("/places/us/wa/?format=json")
    document = json.loads(as_json.content)
    assert document["subject"] == "Washington, United States"
    assert [row["criterion"] for row in document["scorecard"]] == [
        c.slug for c in scorecards.RUBRIC
    ]
    as_csv = client.get("/places/us/wa/?format=csv").content.decode()
    assert as_csv.splitlines()[0].startswith("criterion,question,level,answer")
    assert "washington-sb6280-2020" in as_csv
    assert client.get("/places/us/wa/?format=xml").status_code == 400
    feed = client.get("/places/us/wa/feed/")
    assert feed.status_code == 200
    assert b"King County" in feed.content
    assert client.get("/places/zz/").status_code == 404


def test_bad_place_filter_is_a_400_with_a_message(client, seeded):
    response = client.get("/deployments/?place=us/zz")
    assert response.status_code == 400
    assert "not an ISO 3166-2 region" in response.content.decode()


def test_methodology_publishes_the_rubric(client):
    text = visible_text(client.get(reverse("registry:methodology")))
    for criterion in scorecards.RUBRIC:
        assert criterion.question in text


# Search understands places ---------------------------------------------------------


def first_links(response, prefix):
    """The record links of the page in order, those under ``prefix`` (e.g. /agencies/)."""
    body = response.content.decode()
    main = body[body.index("<main") :]
    return [
        href
        for href in re.findall(r'href="([^"?#]+)"', main)
        if href.startswith(prefix) and (href.count("/") == 3 or prefix == "/places/")
    ]


def search(client, q):
    response = client.get(reverse("registry:search"), {"q": q})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("q", "place_url", "agencies", "policies"),
    [
        ("Michigan", "/places/us/mi/", ["detroit-police-department"], []),
        (
            "California",
            "/places/us/ca/",
            ["los-angeles-county-sheriff", "san-francisco-police-department",
             "oakland-police-department"],
            ["san-francisco-stop-secret-surveillance-ordinance", "oakland-face-recognition-ban"],
        ),
        (
            "Massachusetts",
            "/places/us/ma/",
            ["boston-police-department"],
            ["boston-face-surveillance-ban"],
        ),
        ("United Kingdom", "/places/gb/", ["metropolitan-police-service", "south-wales-police"],
         []),
        ("UK", "/places/gb/", ["metropolitan-police-service"], []),
        ("USA", "/places/us/", ["us-fbi"], []),
    ],
)  # fmt: skip
def test_a_place_search_finds_the_place_its_agencies_and_its_laws(
    client, seeded, q, place_url, agencies, policies
):
    response = search(client, q)
    hits = response.context["place_hits"]
    assert hits[0].place.get_absolute_url() == place_url
    shown = [a.slug for hit in hits for a in hit.agencies]
    for slug in agencies:
        assert slug in shown
    shown_policies = [p.slug for hit in hits for p in hit.policies]
    for slug in policies:
        assert slug in shown_policies
    # The place page is the first link after the search form.
    assert first_links(response, "/places/")[0] == place_url


def test_washington_ranks_washington_state_agencies_before_an_oregon_sheriff(client, seeded):
    response = search(client, "Washington")
    agencies = first_links(response, "/agencies/")
    assert agencies[0] == "/agencies/king-county-sheriff/"
    assert agencies.index("/agencies/king-county-sheriff/") < agencies.index(
        "/agencies/washington-county-sheriff-or/"
    )


@pytest.mark.parametrize(
    ("q", "place_url", "parent_url"),
    [
        ("Chicago", "/places/us/il/chicago/", "/places/us/il/"),
        ("Cardiff", "/places/gb/wls/cardiff/", "/places/gb/wls/"),
    ],
)
def test_a_city_with_no_record_leads_to_its_place_laws_and_the_suggestion_form(
    client, seeded, q, place_url, parent_url
):
    response = search(client, q)
    text = visible_text(response)
    links = first_links(response, "/places/")
    assert links[:2] == [place_url, parent_url]
    assert "Absence from the register is not evidence" in text
    assert f"/suggest/?place={places.from_key(place_url[8:-1]).key.replace('/', '%2F')}" in (
        response.content.decode()
    )


def test_cardiff_lists_the_laws_that_cover_wales(client, seeded):
    hit = search(client, "Cardiff").context["place_hits"][0]
    assert "bridges-v-south-wales-police-2020" in [p.slug for p in hit.policies]


def test_an_empty_search_says_absence_is_not_evidence(client, seeded):
    text = visible_text(search(client, "Xylophonic"))
    assert "Absence from the register is not evidence" in text


# -- A law of several regions: the Bridges ruling (England and Wales) --------------------

BRIDGES = "bridges-v-south-wales-police-2020"


def test_the_bridges_ruling_governs_the_met_on_its_page_in_the_api_and_its_scorecard(
    client, seeded
):
    met = Agency.objects.get(slug="metropolitan-police-service")
    assert met.region == "GB-ENG"
    page = client.get(met.get_absolute_url())
    governing = page.context["explicit_policies"] + page.context["jurisdiction_policies"]
    assert BRIDGES in [p.slug for p in governing]
    assert "R (Bridges) v Chief Constable of South Wales Police" in visible_text(page)
    api = client.get(reverse("api:agency-list"), {"policy": BRIDGES}).json()
    slugs = {row["id"] for row in api["results"]}
    assert {"metropolitan-police-service", "south-wales-police"} <= slugs
    card = client.get(
        reverse("registry:agency-scorecard", args=[met.slug]), {"format": "json"}
    ).json()
    assert BRIDGES in [p["id"] for p in card["governing_policies"]]
    listed = client.get("/agencies/", {"policy": BRIDGES})
    assert met in list(listed.context["page_obj"])


@pytest.mark.parametrize("key", ["gb/eng", "gb/wls"])
def test_england_and_wales_place_pages_both_list_the_bridges_ruling(client, seeded, key):
    response = client.get(f"/places/{key}/")
    rows = {row.policy.slug: row for row in response.context["policy_rows"]}
    assert rows[BRIDGES].scope == "throughout"
    assert rows[BRIDGES].binds == "Every public agency in England and Wales, United Kingdom"
    # The agency the ruling names reads as named, not as "every public agency".
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert (
        "Every public agency in England and Wales, United Kingdom; it names South Wales Police"
        in text
    )
    # The policies list agrees: the region filter finds it under either code.
    region = key.split("/")[1].upper()
    listed = client.get("/policies/", {"region": f"GB-{region}"}).context["page_obj"]
    assert BRIDGES in [p.slug for p in listed]


def test_the_united_kingdom_page_lists_the_bridges_ruling_as_law_of_part_of_it(client, seeded):
    rows = {row.policy.slug: row.scope for row in client.get("/places/gb/").context["policy_rows"]}
    assert rows[BRIDGES] == "part"


def test_a_place_with_many_localities_ranks_the_first_and_indexes_all_by_name(
    client, seeded, monkeypatch
):
    """Not a table of every locality (227 in Florida with the Atlas): the first, then an index."""
    monkeypatch.setattr(place_views, "SHOWN", 2)
    response = client.get("/places/us/ca/")
    everyone = place_views.subplaces(response.context["place"])
    assert len(everyone) > 2
    by_name = sorted(everyone, key=lambda sub: sub.place.name.casefold())

    body = response.content.decode()
    table = body.split('id="subplaces-caption"', 1)[1].split("</table>", 1)[0]
    index = body.split('<details class="place-index">', 1)[1].split("</details>", 1)[0]
    text = visible_text(response)
    assert (
        f"The 2 localities with the most deployments, of {len(everyone)} with agencies in the "
        "register" in text
    )
    assert re.findall(r'<th scope="row"><a href="([^"]+)">', table) == [
        sub.place.get_absolute_url() for sub in everyone[:2]
    ]
    assert f"All {len(everyone)} localities of California, A to Z" in text
    assert re.findall(r'<li><a href="([^"]+)">', index) == [
        sub.place.get_absolute_url() for sub in by_name
    ]


def test_a_place_with_few_localities_shows_them_all_in_its_table(client, seeded):
    response = client.get("/places/us/ca/")
    subplaces = response.context["subplaces"]
    assert 2 < len(subplaces) <= place_views.SHOWN
    assert len(subplaces) == len(place_views.subplaces(response.context["place"]))
    body = response.content.decode()
    table = body.split('id="subplaces-caption"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<th scope="row"><a href="([^"]+)">', table) == [
        sub.place.get_absolute_url() for sub in subplaces
    ]
    assert "Localities with agencies in the register" in visible_text(response)
    assert 'class="place-index"' not in body
