import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, Q

from registry import search
from registry.devtools import synthetic
from registry.models import Agency, Audit, Deployment, Policy, Source, System, Vendor
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_register():
    return synthetic.generate(agencies=30, deployments=80, seed=7)


def test_generates_the_counts_asked_for(small_register):
    counts = small_register.counts

    assert Agency.objects.count() == counts.agencies == 30
    assert Deployment.objects.count() == counts.deployments == 80
    assert Vendor.objects.count() == counts.vendors
    assert System.objects.count() == counts.systems
    assert Audit.objects.count() == counts.audits
    assert Policy.objects.count() == counts.policies
    assert Source.objects.count() == counts.sources


def test_national_scale_counts_follow_the_real_register_shape():
    counts = synthetic.Counts.for_scale(agencies=20_000, deployments=100_000)

    assert (counts.vendors, counts.systems, counts.audits, counts.policies, counts.sources) == (
        50,
        200,
        500,
        2_000,
        5_000,
    )


def test_every_name_and_title_says_it_is_synthetic(small_register):
    names = [
        *Source.objects.values_list("title", flat=True),
        *Source.objects.values_list("publisher", flat=True),
        *Vendor.objects.values_list("name", flat=True),
        *System.objects.values_list("name", flat=True),
        *Agency.objects.values_list("name", flat=True),
        *Audit.objects.values_list("auditor", flat=True),
        *Policy.objects.values_list("title", flat=True),
        *Policy.objects.values_list("issuer", flat=True),
    ]

    assert names
    assert all(name.startswith("Synthetic") for name in names)
    assert not Source.objects.exclude(url__startswith="https://example.org/").exists()


def test_every_deployment_cites_a_source(small_register):
    assert not Deployment.objects.filter(sources__isnull=True).exists()
    for model in (Vendor, System, Agency, Audit, Policy):
        assert not model.objects.filter(sources__isnull=True).exists(), model


def test_stored_audit_status_matches_the_audits(small_register):
    for model in (System, Deployment):
        stale = (
            model.objects.with_live_audit_status()
            .exclude(audit_status=F("live_audit_status"))
            .count()
        )
        assert stale == 0, model
    assert Deployment.objects.exclude(audit_status="none_known").exists()


def test_places_are_consistent_with_levels(small_register):
    assert not Agency.objects.filter(level="national").exclude(region="", locality="").exists()
    assert not Agency.objects.filter(level="local").filter(Q(region="") | Q(locality="")).exists()
    assert not Agency.objects.filter(level="regional").exclude(locality="").exists()
    for agency in Agency.objects.all():
        agency.full_clean()


def test_policies_bind_by_jurisdiction_by_the_same_rule_as_saving_one(small_register):
    for policy in Policy.objects.all():
        stored = policy.binds_by_jurisdiction
        policy.save()
        policy.refresh_from_db()
        assert policy.binds_by_jurisdiction == stored, policy.slug


def test_the_same_seed_gives_the_same_register():
    def generated():
        synthetic.generate(agencies=10, deployments=20, seed=3)
        return list(Deployment.objects.order_by("slug").values_list("slug", "agency__slug", "uses"))

    with transaction.atomic():
        first = generated()
        transaction.set_rollback(True)

    assert generated() == first


def test_refuses_a_register_that_holds_real_records():
    AgencyFactory()

    with pytest.raises(synthetic.RegisterNotEmpty):
        synthetic.generate(agencies=5, deployments=5)

    assert Agency.objects.count() == 1


def test_command_refuses_to_run_with_debug_off_unless_told(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--i-know-this-is-synthetic"):
        call_command("generate_synthetic", "--agencies", "5", "--deployments", "5")

    assert not Agency.objects.exists()


def test_command_generates_and_reports_timings(settings, capsys):
    settings.DEBUG = True

    call_command("generate_synthetic", "--agencies", "5", "--deployments", "8", "--seed", "2")

    assert Deployment.objects.count() == 8
    out = capsys.readouterr().out
    assert "deployments" in out
    assert "Done in" in out


def test_synthetic_records_can_be_found_by_search(small_register):
    agency = Agency.objects.published().order_by("pk").first()

    found = search.filter_queryset(Agency.objects.published(), agency.name)

    assert agency in found
