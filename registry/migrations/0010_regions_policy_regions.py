"""
A policy names several regions (issue 10): ``Policy.region`` becomes ``regions``,
a set stored as ``",GB-ENG,GB-WLS,"``. Each existing region, in the records and
in their history, becomes a one-region set; going back keeps a set's first
region (a law of several regions cannot be written as one).
"""

import django.core.validators
from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat

import registry.fields

MODELS = ("policy", "historicalpolicy")


def region_to_regions(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("registry", name)
        model.objects.exclude(region="").update(
            regions=Concat(Value(","), "region", Value(","), output_field=models.CharField())
        )


def regions_to_region(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("registry", name)
        for pk, regions in model.objects.exclude(regions="").values_list("pk", "regions"):
            model.objects.filter(pk=pk).update(region=regions[0] if regions else "")


def regions_field():
    return registry.fields.MultiValueField(
        help_text="ISO 3166-2 codes of the regions it covers, e.g. GB-ENG, GB-WLS for a law "
        "of England and Wales. Empty for national and EU-wide law.",
        item_validators=[
            django.core.validators.RegexValidator(
                "^[A-Z]{2}-[A-Z0-9]{1,3}$", "Use an ISO 3166-2 code, e.g. US-CA or GB-WLS."
            )
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_atlas_reports_merges_motor_vehicles"),
    ]

    operations = [
        migrations.AddField(model_name="historicalpolicy", name="regions", field=regions_field()),
        migrations.AddField(model_name="policy", name="regions", field=regions_field()),
        # Elidable: it only rewrites existing rows, and on a new database no policy
        # exists yet when it runs (the squashed migration leaves it out).
        migrations.RunPython(region_to_regions, regions_to_region, elidable=True),
        migrations.RemoveIndex(model_name="policy", name="registry_po_country_d7a6f8_idx"),
        migrations.RemoveField(model_name="historicalpolicy", name="region"),
        migrations.RemoveField(model_name="policy", name="region"),
        migrations.AddIndex(
            model_name="policy",
            index=models.Index(
                fields=["country", "regions", "locality"], name="registry_po_country_afe1e8_idx"
            ),
        ),
    ]
