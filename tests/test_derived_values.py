"""Audit status and governing policies: the two values the register derives."""

import datetime

import pytest

from registry import choices
from registry.models import Agency, Audit, Deployment, Policy, System
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db
S = choices.AuditStatus


def status_of(obj):
    return type(obj).objects.get(pk=obj.pk).audit_status


# --- audit status: the ladder ----------------------------------------------


def test_system_with_no_audit_has_no_known_test():
    assert status_of(SystemFactory()) == S.NONE_KNOWN


@pytest.mark.parametrize("kind", [choices.AuditorKind.VENDOR, choices.AuditorKind.AGENCY])
def test_self_assessment_is_only_tested_even_when_public(kind):
    system = SystemFactory()
    AuditFactory(system=system, auditor_kind=kind, is_public=True)
    assert status_of(system) == S.TESTED


@pytest.mark.parametrize(
    "kind",
    [choices.AuditorKind.INDEPENDENT, choices.AuditorKind.ACADEMIC,
     choices.AuditorKind.GOVERNMENT_LAB],
)  # fmt: skip
def test_independent_audit_with_unpublished_report_is_audited(kind):
    system = SystemFactory()
    AuditFactory(system=system, auditor_kind=kind, is_public=False)
    assert status_of(system) == S.AUDITED


def test_independent_audit_with_public_report_is_reported():
    system = SystemFactory()
    AuditFactory(system=system, auditor_kind=choices.AuditorKind.GOVERNMENT_LAB, is_public=True)
    assert status_of(system) == S.REPORTED


def test_latest_finding_comes_from_the_highest_rung_not_a_newer_self_test():
    system = SystemFactory()
    AuditFactory(
        system=system,
        auditor_kind=choices.AuditorKind.INDEPENDENT,
        finding=choices.Finding.DISPARITIES_FOUND,
        published=datetime.date(2019, 12, 1),
        published_precision=choices.DatePrecision.MONTH,
    )
    AuditFactory(
        system=system,
        auditor_kind=choices.AuditorKind.VENDOR,
        finding=choices.Finding.NO_SIGNIFICANT_DISPARITIES,
        published=datetime.date(2024, 1, 1),
    )
    system = System.objects.get(pk=system.pk)
    assert system.audit_status == S.REPORTED
    assert system.audit_finding == choices.Finding.DISPARITIES_FOUND
    assert str(system.partial_date("audit_date")) == "December 2019"


def test_latest_finding_among_audits_on_the_same_rung():
    system = SystemFactory()
    AuditFactory(system=system, finding="disparities_found", published=datetime.date(2018, 1, 1))
    AuditFactory(system=system, finding="inconclusive", published=datetime.date(2022, 1, 1))
    assert System.objects.get(pk=system.pk).audit_finding == "inconclusive"


def test_deployment_inherits_its_systems_audits():
    deployment = DeploymentFactory()
    AuditFactory(system=deployment.system, auditor_kind="academic", is_public=True)
    assert status_of(deployment) == S.REPORTED


def test_deployment_adds_its_own_audits_to_its_systems():
    deployment = DeploymentFactory()
    AuditFactory(system=deployment.system, auditor_kind="vendor")
    AuditFactory(system=None, deployment=deployment, auditor_kind="independent", is_public=False)
    assert status_of(deployment) == S.AUDITED
    assert status_of(deployment.system) == S.TESTED


def test_another_deployments_audit_does_not_count():
    one = DeploymentFactory()
    other = DeploymentFactory(system=one.system)
    AuditFactory(system=None, deployment=other, auditor_kind="independent")
    assert status_of(one) == S.NONE_KNOWN
    assert status_of(other) == S.REPORTED


def test_deployment_without_a_known_system_only_has_its_own_audits():
    deployment = DeploymentFactory(system=None)
    AuditFactory(auditor_kind="independent")
    assert status_of(deployment) == S.NONE_KNOWN


def test_unpublished_audits_do_not_lift_the_status():
    system = SystemFactory()
    audit = AuditFactory(system=system, state=choices.State.DRAFT)
    assert status_of(system) == S.NONE_KNOWN
    audit.state = choices.State.PUBLISHED
    audit.save()
    assert status_of(system) == S.REPORTED


def test_moving_or_deleting_an_audit_refreshes_both_systems():
    first, second = SystemFactory(), SystemFactory()
    audit = AuditFactory(system=first)
    audit = type(audit).objects.get(pk=audit.pk)
    audit.system = second
    audit.save()
    assert (status_of(first), status_of(second)) == (S.NONE_KNOWN, S.REPORTED)
    audit.delete()
    assert status_of(second) == S.NONE_KNOWN


def test_changing_a_deployments_system_refreshes_its_status():
    deployment = DeploymentFactory()
    audited = SystemFactory()
    AuditFactory(system=audited)
    deployment.system = audited
    deployment.save()
    assert status_of(deployment) == S.REPORTED


def test_stored_status_equals_status_computed_now():
    for kind in ("vendor", "independent", "academic"):
        AuditFactory(system=DeploymentFactory().system, auditor_kind=kind)
    DeploymentFactory()
    rows = Deployment.objects.with_live_audit_status().values_list(
        "audit_status", "live_audit_status", "audit_finding", "live_audit_finding"
    )
    assert all(stored == live and f1 == f2 for stored, live, f1, f2 in rows)
    assert {r[0] for r in rows} == {S.TESTED, S.REPORTED, S.NONE_KNOWN}


LIVE_AUDIT_FIELDS = ("audit_status", "audit_finding", "audit_date", "audit_date_precision")


def stored_and_live(queryset):
    rows = queryset.with_live_audit_status().order_by("pk")
    return (
        [tuple(getattr(row, name) for name in LIVE_AUDIT_FIELDS) for row in rows],
        [tuple(getattr(row, f"live_{name}") for name in LIVE_AUDIT_FIELDS) for row in rows],
    )


def test_refreshing_every_deployment_sets_what_each_one_computes_now(
    django_assert_max_num_queries,
):
    # Every way a deployment gets its status: its system's audits (on each
    # rung), its own audits on top of them, an unpublished own audit, no system.
    systems = {kind: SystemFactory() for kind in ("vendor", "independent", "academic")}
    for kind, system in systems.items():
        AuditFactory(system=system, auditor_kind=kind, published=datetime.date(2020, 5, 1))
    plain = [DeploymentFactory(system=system) for system in systems.values() for _ in (1, 2)]
    own = DeploymentFactory(system=systems["vendor"])
    AuditFactory(system=None, deployment=own, auditor_kind="independent", is_public=False)
    draft_own = DeploymentFactory(system=systems["academic"])
    AuditFactory(system=None, deployment=draft_own, state=choices.State.DRAFT)
    orphan = DeploymentFactory(system=None)
    AuditFactory(system=None, deployment=orphan, auditor_kind="vendor")
    DeploymentFactory(system=None)
    DeploymentFactory(system=SystemFactory())
    # Forget what the saves stored, then recompute everything at once.
    Deployment.objects.update(
        audit_status=S.NONE_KNOWN, audit_finding="", audit_date=None, audit_date_precision=""
    )
    stored, live = stored_and_live(Deployment.objects.all())
    wrong = sum(1 for held, computed in zip(stored, live, strict=True) if held != computed)
    assert 0 < wrong < len(stored)
    # A statement per distinct system status, not one per deployment; only the
    # rows whose status is wrong are written.
    with django_assert_max_num_queries(7):
        assert Deployment.objects.refresh_audit_status() == wrong
    stored, live = stored_and_live(Deployment.objects.all())
    assert stored == live
    # Run again, it writes only the deployments audited themselves (ranked one by one).
    assert Deployment.objects.refresh_audit_status() == 2
    assert stored_and_live(Deployment.objects.all())[0] == stored
    assert {row[0] for row in stored} == {S.NONE_KNOWN, S.TESTED, S.AUDITED, S.REPORTED}
    assert status_of(own) == S.AUDITED and status_of(orphan) == S.TESTED
    assert status_of(draft_own) == S.REPORTED and status_of(plain[0]) == S.TESTED


def test_refreshing_one_deployment_writes_only_that_one():
    system = SystemFactory()
    one, other = DeploymentFactory(system=system), DeploymentFactory(system=system)
    AuditFactory(system=system, state=choices.State.DRAFT)
    # Publish the audit behind the signals' back: only the refreshed row may change.
    Audit.objects.update(state=choices.State.PUBLISHED)
    assert Deployment.objects.filter(pk=one.pk).refresh_audit_status() == 1
    assert (status_of(one), status_of(other)) == (S.REPORTED, S.NONE_KNOWN)


def test_live_audit_statuses_gives_each_rows_status_computed_now():
    system, unaudited = SystemFactory(), SystemFactory()
    AuditFactory(system=system, auditor_kind="academic", published=datetime.date(2020, 5, 1))
    statuses = System.objects.filter(pk__in=[system.pk, unaudited.pk]).live_audit_statuses()
    assert statuses == {
        system.pk: (S.REPORTED, "disparities_found", datetime.date(2020, 5, 1), "day"),
        unaudited.pk: (S.NONE_KNOWN, "", None, ""),
    }


def test_a_saves_refresh_writes_only_the_rows_whose_status_changed():
    system = SystemFactory()
    one, other = DeploymentFactory(system=system), DeploymentFactory(system=system)
    AuditFactory(system=system, state=choices.State.DRAFT)
    # Publish the audit behind the signals' back: both rows now hold a stale status.
    Audit.objects.update(state=choices.State.PUBLISHED)
    rows = Deployment.objects.filter(pk__in=[one.pk, other.pk])
    assert rows.refresh_each_audit_status() == 2
    assert (status_of(one), status_of(other)) == (S.REPORTED, S.REPORTED)
    assert rows.refresh_each_audit_status() == 0
    assert System.objects.filter(pk=system.pk).refresh_each_audit_status() == 1
    assert status_of(system) == S.REPORTED


def test_a_deployment_audited_itself_is_ranked_on_its_own_audits():
    system = SystemFactory()
    AuditFactory(system=system)
    deployment = DeploymentFactory(system=system)
    assert Deployment.objects.filter(pk=deployment.pk).refresh_audit_status() == 0
    assert status_of(deployment) == S.REPORTED
    AuditFactory(system=None, deployment=deployment, auditor_kind="vendor", finding="")
    assert Deployment.objects.filter(pk=deployment.pk).refresh_audit_status() == 1
    assert Deployment.objects.filter(audit_finding="disparities_found").get() == deployment


def test_the_ranking_is_built_once_and_serves_every_later_save(monkeypatch):
    # Building and compiling the ranking's subqueries was most of a save's
    # cost: the refresh compiles its statements once per model and database.
    from registry import querysets

    system = SystemFactory()
    AuditFactory(system=system)
    own = DeploymentFactory(system=system)
    AuditFactory(system=None, deployment=own, auditor_kind="vendor")

    def built_again(audits):
        raise AssertionError("the ranking was built again")

    monkeypatch.setattr(querysets, "audit_status_expressions", built_again)
    other_system = SystemFactory()
    AuditFactory(system=other_system, auditor_kind="vendor")
    deployment = DeploymentFactory(system=other_system)
    AuditFactory(system=None, deployment=deployment, auditor_kind="independent")
    assert (status_of(other_system), status_of(deployment)) == (S.TESTED, S.REPORTED)


# --- governing policies: jurisdiction containment --------------------------


@pytest.fixture
def agency():
    return AgencyFactory(country="US", region="US-CA", locality="Synthetic City")


def governing(agency, **kwargs):
    return {p.slug: p.basis for p in Policy.objects.governing(agency, **kwargs)}


def test_national_law_governs_every_agency_in_the_country(agency):
    law = PolicyFactory(kind="statute", country="US", regions=[], locality="")
    PolicyFactory(kind="statute", country="GB", regions=[], locality="")
    assert governing(agency) == {law.slug: "jurisdiction"}


def test_state_law_governs_the_states_agencies_only(agency):
    law = PolicyFactory(kind="statute", regions=["US-CA"], locality="")
    PolicyFactory(kind="statute", regions=["US-OR"], locality="")
    assert governing(agency) == {law.slug: "jurisdiction"}


def test_city_ordinance_governs_that_citys_agencies_only(agency):
    law = PolicyFactory(kind="ordinance", regions=["US-CA"], locality="Synthetic City")
    PolicyFactory(kind="ordinance", regions=["US-CA"], locality="Other Synthetic Town")
    PolicyFactory(kind="ordinance", regions=["US-OR"], locality="Synthetic City")
    assert governing(agency) == {law.slug: "jurisdiction"}


# A ruling of the Court of Appeal of England and Wales: ISO 3166-2 has no code for
# the two together, so it names both nations.
ENGLAND_AND_WALES = ["GB-ENG", "GB-WLS"]


@pytest.fixture
def british_forces():
    return {
        "met": AgencyFactory(country="GB", region="GB-ENG", locality="London"),
        "welsh": AgencyFactory(country="GB", region="GB-WLS", locality="South Wales"),
        "scottish": AgencyFactory(country="GB", region="GB-SCT", locality="Glasgow"),
        "national": AgencyFactory(country="GB", region="", locality=""),
    }


def test_a_ruling_for_england_and_wales_governs_english_and_welsh_forces_only(british_forces):
    ruling = PolicyFactory(kind="court_ruling", country="GB", regions=ENGLAND_AND_WALES,
                           locality="")  # fmt: skip
    assert governing(british_forces["met"]) == {ruling.slug: "jurisdiction"}
    assert governing(british_forces["welsh"]) == {ruling.slug: "jurisdiction"}
    assert governing(british_forces["scottish"]) == {}
    assert governing(british_forces["national"]) == {}
    governed = set(Agency.objects.governed_by(ruling))
    assert governed == {british_forces["met"], british_forces["welsh"]}


def test_a_local_law_of_several_regions_governs_that_locality_in_any_of_them(british_forces):
    law = PolicyFactory(kind="ordinance", country="GB", regions=ENGLAND_AND_WALES,
                        locality="London")  # fmt: skip
    assert governing(british_forces["met"]) == {law.slug: "jurisdiction"}
    assert governing(british_forces["welsh"]) == {}
    assert set(Agency.objects.governed_by(law)) == {british_forces["met"]}


def test_a_policy_with_no_region_is_national_law_as_before(british_forces):
    law = PolicyFactory(kind="statute", country="GB", regions=[], locality="")
    for force in british_forces.values():
        assert governing(force) == {law.slug: "jurisdiction"}
    assert set(Agency.objects.governed_by(law)) == set(british_forces.values())


def test_governing_policy_counts_see_every_region_of_a_law(british_forces):
    PolicyFactory(kind="court_ruling", country="GB", regions=ENGLAND_AND_WALES, locality="")
    PolicyFactory(kind="statute", country="GB", regions=["GB-SCT"], locality="")
    PolicyFactory(kind="statute", country="GB", regions=[], locality="")
    counts = dict(
        Agency.objects.with_governing_policy_count().values_list("pk", "governing_policy_count")
    )
    assert {name: counts[force.pk] for name, force in british_forces.items()} == {
        "met": 2, "welsh": 2, "scottish": 2, "national": 1,
    }  # fmt: skip


def test_eu_law_governs_agencies_in_member_states_only():
    law = PolicyFactory(kind="regulation", country="EU", regions=[], locality="")
    german = AgencyFactory(country="DE", region="", locality="")
    british = AgencyFactory(country="GB", region="", locality="")
    assert governing(german) == {law.slug: "jurisdiction"}
    assert governing(british) == {}


def test_policy_naming_an_agency_is_explicit_wherever_it_is(agency):
    policy = PolicyFactory(kind="agency_policy", country="GB", regions=[], agencies=[agency])
    in_place = PolicyFactory(kind="ordinance", agencies=[agency])
    assert governing(agency) == {policy.slug: "explicit", in_place.slug: "explicit"}


def test_agency_and_company_policies_bind_only_those_they_name(agency):
    PolicyFactory(kind="agency_policy", regions=[], locality="")
    PolicyFactory(kind="company_policy", regions=[], locality="")
    assert governing(agency) == {}


def test_rules_for_private_actors_only_do_not_govern_agencies(agency):
    PolicyFactory(kind="statute", locality="", requirements=["consent_required", "notice_required"])
    mixed = PolicyFactory(
        kind="ban", locality="", requirements=["ban_government_use", "private_right_of_action"]
    )
    assert governing(agency) == {mixed.slug: "jurisdiction"}


def test_only_policies_in_force_unless_asked(agency):
    repealed = PolicyFactory(status="repealed")
    ended = PolicyFactory(status="in_force", ends=datetime.date(2020, 1, 1))
    current = PolicyFactory(status="enacted")
    assert governing(agency) == {current.slug: "jurisdiction"}
    assert set(governing(agency, in_force_only=False)) == {repealed.slug, ended.slug, current.slug}


def test_agencies_governed_by_a_policy_mirror_governing(agency):
    elsewhere = AgencyFactory(region="US-OR")
    named = AgencyFactory(country="GB", region="", locality="")
    law = PolicyFactory(kind="statute", locality="", agencies=[named])
    assert set(Agency.objects.governed_by(law)) == {agency, named}
    assert elsewhere not in Agency.objects.governed_by(law)


def test_governing_policy_count_is_computed_per_agency_in_one_query(
    agency, django_assert_num_queries
):
    PolicyFactory(kind="statute", regions=[], locality="")
    PolicyFactory(kind="ordinance")
    PolicyFactory(kind="regulation", country="EU", regions=[], locality="")
    german = AgencyFactory(country="DE", region="", locality="")
    with django_assert_num_queries(1):
        counts = dict(Agency.objects.with_governing_policy_count().values_list(
            "slug", "governing_policy_count"
        ))  # fmt: skip
    assert counts == {agency.slug: 2, german.slug: 1}
