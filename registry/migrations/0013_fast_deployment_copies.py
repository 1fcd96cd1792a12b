"""
Each deployment keeps a copy of its agency's country, region, kind and level
and of its system's vendor (issue 13), so a list's facet counts read the
deployment table alone, from one covering index. Existing rows are filled in
one UPDATE (as ``DeploymentQuerySet.sync_copies`` does), before the index is
built.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

AGENCY_COPIES = {
    "agency_country": "country",
    "agency_region": "region",
    "agency_kind": "kind",
    "agency_level": "level",
}


def fill_copies(apps, schema_editor):
    Agency = apps.get_model("registry", "Agency")
    Deployment = apps.get_model("registry", "Deployment")
    System = apps.get_model("registry", "System")
    agency = Agency.objects.filter(pk=OuterRef("agency_id"))
    system = System.objects.filter(pk=OuterRef("system_id"))
    Deployment.objects.update(
        **{local: Subquery(agency.values(remote)[:1]) for local, remote in AGENCY_COPIES.items()},
        system_vendor=Subquery(system.values("vendor")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0012_search_exact_name_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='deployment',
            name='agency_country',
            field=models.CharField(blank=True, editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name='deployment',
            name='agency_kind',
            field=models.CharField(blank=True, editable=False, max_length=30),
        ),
        migrations.AddField(
            model_name='deployment',
            name='agency_level',
            field=models.CharField(blank=True, editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='deployment',
            name='agency_region',
            field=models.CharField(blank=True, editable=False, max_length=6),
        ),
        migrations.AddField(
            model_name='deployment',
            name='system_vendor',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.vendor'),
        ),
        migrations.RunPython(fill_copies, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='deployment',
            index=models.Index(fields=['system_vendor', 'state'], name='registry_deployment_by_vendor'),
        ),
        migrations.AddIndex(
            model_name='deployment',
            index=models.Index(fields=['state', 'status', 'audit_status', 'agency_country', 'agency_kind', 'agency_level', 'agency_region', 'system_vendor', 'uses', 'image_sources'], name='registry_deployment_counts'),
        ),
    ]
