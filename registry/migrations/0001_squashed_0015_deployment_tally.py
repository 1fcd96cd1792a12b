"""
Migrations 0001 to 0015 squashed into one, so that a new database (each test
run's, each fresh ``make run``) applies one migration instead of fifteen:
Django re-renders the related models' state after every operation, which cost
about 6 s of CPU per new database. Every model is created once, with the
fields, indexes and constraints it has after 0015, in the column order a
database migrated through 0001-0015 has; then come the data steps, in their
old order, on the finished tables.

A database that has 0001-0015 applied (``replaces``) treats this one as
applied and never runs it; the old files stay until every deployment has
migrated past 0015 (Django's advice). They take their data steps from here,
so each step has one home:

- the editors' and reviewers' groups and the publish permissions (0002);
- the search index: FTS5 tables or GIN indexes, and the ``UPPER(name)``
  indexes (0003; 0012 and 0014 added those indexes to databases that had
  0003 already, so they have nothing to do here);
- the revision permissions of both groups (0006);
- the deployment tally's first fill and its triggers (0015), last, once the
  deployment table is complete (rebuilding a SQLite table drops its triggers).

Left out, because on a new database they have no row to change: 0010's copy
of each policy's ``region`` into ``regions`` (the ``region`` column does not
exist here; nothing before it writes a policy) and 0013's fill of the
deployments' copied columns (already ``elidable``).
"""

import django.contrib.postgres.search
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import registry.fields

#: The record models, as they were in 0002 and 0003.
RECORD_MODELS = ("source", "vendor", "system", "agency", "deployment", "audit", "policy")
EDITOR_RECORD_ACTIONS = ("add", "change", "view")
EDITOR_SUGGESTION_ACTIONS = ("change", "view")

#: The tally's groupings as they were in 0015 (``tally.GROUPINGS``).
GROUPINGS = (
    ("status", "audit_status", "agency_kind", "agency_level"),
    ("uses", "image_sources"),
    ("agency_country", "agency_region"),
    ("system_vendor_id",),
)


def _permission(apps, model_name, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model("registry", model_name)
    content_type, _ = ContentType.objects.get_or_create(app_label="registry", model=model_name)
    verbose_name = model._meta.verbose_name
    name = (
        f"Can publish and retract {verbose_name}"
        if action == "publish"
        else f"Can {action} {verbose_name}"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=f"{action}_{model_name}", defaults={"name": name}
    )
    return permission


def create_groups(apps, schema_editor):
    """
    The editors and reviewers groups (curation workflow, see registry/workflow.py).

    - editors: add, change and view every record model; view and change suggestions.
    - reviewers: what editors have, plus ``publish_<model>`` on every record model
      (``registry.publish_source`` ... ``registry.publish_policy``): publish and retract.

    Neither group may delete anything. The publish permissions are created here
    rather than in each model's Meta, so the models stay as the format describes them.
    Permissions and content types are created with get_or_create, because on a new
    database this runs before Django's post_migrate step creates the usual ones.
    """
    Group = apps.get_model("auth", "Group")
    editor_permissions = [
        _permission(apps, model_name, action)
        for model_name in RECORD_MODELS
        for action in EDITOR_RECORD_ACTIONS
    ] + [_permission(apps, "suggestion", action) for action in EDITOR_SUGGESTION_ACTIONS]
    publish_permissions = [_permission(apps, model_name, "publish") for model_name in RECORD_MODELS]

    editors, _ = Group.objects.get_or_create(name="editors")
    editors.permissions.add(*editor_permissions)
    reviewers, _ = Group.objects.get_or_create(name="reviewers")
    reviewers.permissions.add(*editor_permissions, *publish_permissions)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=["editors", "reviewers"]).delete()
    Permission.objects.filter(
        content_type__app_label="registry",
        codename__in=[f"publish_{model_name}" for model_name in RECORD_MODELS],
    ).delete()


def create_search_index(apps, schema_editor):
    """
    Full-text search: GIN indexes on PostgreSQL, FTS5 tables on SQLite, filled for
    existing records. What each database gets is decided by ``registry.search``;
    the operation leaves the model state alone (no field or index is declared on
    the models, because the SQLite side is not a column at all).
    """
    from registry import search

    search.install(schema_editor, [apps.get_model("registry", name) for name in RECORD_MODELS])


def drop_search_index(apps, schema_editor):
    from registry import search

    search.uninstall(schema_editor, [apps.get_model("registry", name) for name in RECORD_MODELS])


def grant_revisions(apps, schema_editor):
    """Editors see proposed revisions; reviewers also decide them (change)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="registry", model="revision")
    permissions = {
        action: Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_revision",
            defaults={"name": f"Can {action} revision"},
        )[0]
        for action in ("view", "change")
    }
    for name, actions in (("editors", ["view"]), ("reviewers", ["view", "change"])):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*(permissions[action] for action in actions))


def install_tally(apps, schema_editor):
    """
    The deployment list's facet counts kept by the database (``registry/tally.py``):
    the tally filled from the published deployments, and the triggers that keep
    it on PostgreSQL and SQLite (other databases: no triggers, and the list
    counts its rows itself).
    """
    from registry import tally

    connection = schema_editor.connection
    if tally.supported(connection):
        tally.rebuild(connection, GROUPINGS)
        tally.install(connection, GROUPINGS)


def uninstall_tally(apps, schema_editor):
    from registry import tally

    if tally.supported(schema_editor.connection):
        tally.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    replaces = [
        ("registry", "0001_initial"),
        ("registry", "0002_editor_reviewer_groups"),
        ("registry", "0003_search"),
        ("registry", "0004_agency_name_order"),
        ("registry", "0005_deployment_by_system"),
        ("registry", "0006_curation_revision"),
        ("registry", "0007_federal_planned_status"),
        ("registry", "0008_ui_reported_unconfirmed_label"),
        ("registry", "0009_atlas_reports_merges_motor_vehicles"),
        ("registry", "0010_regions_policy_regions"),
        ("registry", "0012_search_exact_name_indexes"),
        ("registry", "0013_fast_deployment_copies"),
        ("registry", "0014_find_sqlite_exact_name_indexes"),
        ("registry", "0015_deployment_tally"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Source',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('url', models.URLField(help_text='Where the document is (http or https).', max_length=2000)),
                ('title', models.CharField(help_text="The document's title.", max_length=500)),
                ('publisher', models.CharField(blank=True, help_text='e.g. “NIST”, “The New York Times”.', max_length=300)),
                ('published', models.DateField(blank=True, help_text='When it was published.', null=True)),
                ('published_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the publication date is known: year, month or day.', max_length=5)),
                ('kind', models.CharField(blank=True, choices=[('government', 'Government'), ('court', 'Court'), ('news', 'News'), ('academic', 'Academic'), ('ngo', 'Civil society (NGO)'), ('vendor', 'Vendor'), ('dataset', 'Dataset')], help_text='Who wrote it.', max_length=20)),
                ('archived_url', models.URLField(blank=True, help_text='A web-archive copy, where one exists.', max_length=2000)),
                ('link_checked_at', models.DateTimeField(blank=True, editable=False, help_text='When the link was last checked.', null=True)),
                ('link_status', models.PositiveSmallIntegerField(blank=True, editable=False, help_text='HTTP status of the last link check.', null=True)),
                ('link_ok', models.BooleanField(editable=False, help_text='Did the last link check succeed? Empty: never checked.', null=True)),
                ('link_error', models.CharField(blank=True, editable=False, max_length=300)),
                ('excerpt', models.TextField(blank=True, help_text="A passage of the source's own words, shown only as a quotation credited to it (never as the register's words), e.g. a dataset's summary of a record.")),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.source')),
            ],
            options={
                'ordering': ['title'],
                'indexes': [models.Index(fields=['kind'], name='registry_so_kind_129e19_idx'), models.Index(fields=['link_ok'], name='registry_so_link_ok_def24d_idx')],
            },
        ),
        migrations.CreateModel(
            name='Agency',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('name', models.CharField(max_length=300)),
                ('acronym', models.CharField(blank=True, max_length=30)),
                ('kind', models.CharField(blank=True, choices=[('police', 'Police'), ('sheriff', 'Sheriff'), ('federal_law_enforcement', 'Federal law enforcement'), ('border_immigration', 'Border and immigration'), ('transport_security', 'Transport security'), ('intelligence', 'Intelligence'), ('prosecutor', 'Prosecutor'), ('corrections', 'Corrections'), ('education', 'Education'), ('housing', 'Housing'), ('benefits', 'Benefits'), ('motor_vehicles', 'Motor vehicles (driver licensing)'), ('other', 'Other')], max_length=30)),
                ('level', models.CharField(blank=True, choices=[('national', 'National'), ('regional', 'Regional (state, province, nation)'), ('local', 'Local (county, city)')], max_length=10)),
                ('country', models.CharField(help_text='ISO 3166-1 alpha-2 code in capitals, e.g. US, GB, JP.', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use a two-letter ISO 3166-1 code, e.g. US.')])),
                ('region', models.CharField(blank=True, help_text='ISO 3166-2 code (state, province, nation of the UK). Empty for national bodies.', max_length=6, validators=[django.core.validators.RegexValidator('^[A-Z]{2}-[A-Z0-9]{1,3}$', 'Use an ISO 3166-2 code, e.g. US-CA or GB-WLS.')])),
                ('locality', models.CharField(blank=True, help_text='City or county name.', max_length=200)),
                ('website', models.URLField(blank=True, max_length=500)),
                ('parent', models.ForeignKey(blank=True, help_text="e.g. CBP's parent is the Department of Homeland Security.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='registry.agency')),
                ('sources', models.ManyToManyField(blank=True, related_name='agencies', to='registry.source')),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.agency')),
            ],
            options={
                'verbose_name_plural': 'agencies',
                'ordering': ['name'],
                'indexes': [models.Index(fields=['country', 'region', 'locality'], name='registry_ag_country_62d369_idx'), models.Index(fields=['kind'], name='registry_ag_kind_a56023_idx'), models.Index(fields=['level'], name='registry_ag_level_f1982a_idx'), models.Index(fields=['name', 'id'], name='registry_agency_name_order')],
                'constraints': [models.CheckConstraint(condition=models.Q(('parent', models.F('pk')), _negated=True), name='agency_not_its_own_parent')],
            },
        ),
        migrations.CreateModel(
            name='Policy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('title', models.CharField(max_length=500)),
                ('kind', models.CharField(blank=True, choices=[('ban', 'Ban'), ('moratorium', 'Moratorium'), ('statute', 'Statute'), ('ordinance', 'Ordinance'), ('regulation', 'Regulation'), ('executive_order', 'Executive order'), ('court_ruling', 'Court ruling'), ('agency_policy', 'Agency policy'), ('company_policy', 'Company policy')], max_length=20)),
                ('status', models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('enacted', 'Enacted'), ('in_force', 'In force'), ('expired', 'Expired'), ('repealed', 'Repealed'), ('struck_down', 'Struck down'), ('superseded', 'Superseded')], max_length=20)),
                ('country', models.CharField(help_text='ISO 3166-1 alpha-2 code, or EU for European Union law.', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use a two-letter code, or EU for EU law.')])),
                ('locality', models.CharField(blank=True, help_text='City or county name.', max_length=200)),
                ('issuer', models.CharField(blank=True, help_text='e.g. “San Francisco Board of Supervisors”.', max_length=300)),
                ('adopted', models.DateField(blank=True, null=True)),
                ('adopted_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the adoption date is known: year, month or day.', max_length=5)),
                ('effective', models.DateField(blank=True, null=True)),
                ('effective_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the effective date is known: year, month or day.', max_length=5)),
                ('ends', models.DateField(blank=True, null=True)),
                ('ends_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the end date is known: year, month or day.', max_length=5)),
                ('requirements', registry.fields.MultiChoiceField(item_choices=[('ban_government_use', 'Bans government use'), ('ban_live_use', 'Bans live (real-time) use'), ('ban_private_use', 'Bans private use'), ('warrant_required', 'Requires a warrant or court order'), ('bias_testing_required', 'Requires testing for bias'), ('independent_audit_required', 'Requires an independent audit'), ('public_reporting_required', 'Requires public reporting'), ('use_policy_required', 'Requires a written use policy'), ('legislative_approval_required', 'Requires approval by the legislature or council'), ('human_review_required', 'Requires human review of matches'), ('notice_required', 'Requires notice to the people scanned'), ('consent_required', 'Requires consent'), ('data_retention_limits', 'Limits how long data is kept'), ('private_right_of_action', 'Lets individuals sue')])),
                ('summary', models.TextField(blank=True)),
                ('url', models.URLField(blank=True, help_text='The text itself.', max_length=2000, verbose_name='text URL')),
                ('binds_by_jurisdiction', models.BooleanField(default=True, editable=False, help_text="Derived: public law that governs every agency in its jurisdiction, rather than an agency's or a company's own policy, or a rule for private actors only.")),
                ('agencies', models.ManyToManyField(blank=True, help_text='Agencies it names.', related_name='named_in_policies', to='registry.agency')),
                ('sources', models.ManyToManyField(blank=True, related_name='policies', to='registry.source')),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.policy')),
                ('regions', registry.fields.MultiValueField(help_text='ISO 3166-2 codes of the regions it covers, e.g. GB-ENG, GB-WLS for a law of England and Wales. Empty for national and EU-wide law.', item_validators=[django.core.validators.RegexValidator('^[A-Z]{2}-[A-Z0-9]{1,3}$', 'Use an ISO 3166-2 code, e.g. US-CA or GB-WLS.')])),
            ],
            options={
                'verbose_name_plural': 'policies',
                'ordering': ['title'],
                'indexes': [models.Index(fields=['kind'], name='registry_po_kind_30cb24_idx'), models.Index(fields=['status'], name='registry_po_status_9bb067_idx'), models.Index(fields=['country', 'regions', 'locality'], name='registry_po_country_afe1e8_idx')],
            },
        ),
        migrations.CreateModel(
            name='Vendor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('name', models.CharField(help_text="The company's name.", max_length=200)),
                ('country', models.CharField(blank=True, help_text='ISO 3166-1 alpha-2 code in capitals, e.g. US, GB, JP.', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use a two-letter ISO 3166-1 code, e.g. US.')])),
                ('website', models.URLField(blank=True, max_length=500)),
                ('sources', models.ManyToManyField(blank=True, related_name='vendors', to='registry.source')),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.vendor')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='System',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('audit_status', models.CharField(choices=[('none_known', 'No bias test known'), ('tested', 'Tested by vendor or agency only'), ('audited', 'Independently audited, report not public'), ('reported', 'Independent audit published')], db_index=True, default='none_known', editable=False, help_text='Derived from published audits; never edited by hand.', max_length=10)),
                ('audit_finding', models.CharField(blank=True, choices=[('disparities_found', 'Disparities found'), ('no_significant_disparities', 'No significant disparities'), ('inconclusive', 'Inconclusive'), ('not_reported', 'Not reported')], editable=False, max_length=30)),
                ('audit_date', models.DateField(blank=True, editable=False, null=True)),
                ('audit_date_precision', models.CharField(blank=True, choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], editable=False, max_length=5)),
                ('name', models.CharField(max_length=200)),
                ('capabilities', registry.fields.MultiChoiceField(help_text='What the system can do.', item_choices=[('identification', 'Identification (1:N search)'), ('verification', 'Verification (1:1 check)'), ('live', 'Live (real-time on video)'), ('retrospective', 'Retrospective (search of stored images)'), ('mobile', 'Mobile (handheld field use)')])),
                ('description', models.TextField(blank=True)),
                ('sources', models.ManyToManyField(blank=True, related_name='systems', to='registry.source')),
                ('vendor', models.ForeignKey(blank=True, help_text="Empty for an agency's in-house system.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='systems', to='registry.vendor')),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.system')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Deployment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('audit_status', models.CharField(choices=[('none_known', 'No bias test known'), ('tested', 'Tested by vendor or agency only'), ('audited', 'Independently audited, report not public'), ('reported', 'Independent audit published')], db_index=True, default='none_known', editable=False, help_text='Derived from published audits; never edited by hand.', max_length=10)),
                ('audit_finding', models.CharField(blank=True, choices=[('disparities_found', 'Disparities found'), ('no_significant_disparities', 'No significant disparities'), ('inconclusive', 'Inconclusive'), ('not_reported', 'Not reported')], editable=False, max_length=30)),
                ('audit_date', models.DateField(blank=True, editable=False, null=True)),
                ('audit_date_precision', models.CharField(blank=True, choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], editable=False, max_length=5)),
                ('status', models.CharField(blank=True, choices=[('active', 'Active'), ('pilot', 'Pilot'), ('suspended', 'Suspended'), ('ended', 'Ended'), ('prohibited', 'Prohibited (stopped by a ban)'), ('reported', 'Reported, unconfirmed'), ('denied', 'Denied by the agency'), ('planned', 'Planned (not in use yet)')], max_length=12)),
                ('uses', registry.fields.MultiChoiceField(item_choices=[('live', 'Live surveillance'), ('retrospective', 'Search of stored images'), ('verification', '1:1 identity check'), ('mobile', 'Mobile (handheld)'), ('access_control', 'Access control')])),
                ('started', models.DateField(blank=True, null=True)),
                ('started_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the start date is known: year, month or day.', max_length=5)),
                ('ended', models.DateField(blank=True, null=True)),
                ('ended_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the end date is known: year, month or day.', max_length=5)),
                ('image_sources', registry.fields.MultiChoiceField(help_text='What faces are searched against.', item_choices=[('mugshots', 'Mugshots'), ('driver_licences', 'Driver licence photos'), ('passports_visas', 'Passport and visa photos'), ('watchlist', 'Watchlist'), ('scraped_web', 'Images scraped from the web'), ('cctv', 'CCTV footage'), ('other', 'Other')])),
                ('description', models.TextField(blank=True)),
                ('inventory_id', models.CharField(blank=True, db_index=True, help_text='Use case id in the US federal AI use case inventory, where it came from there.', max_length=100)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deployments', to='registry.agency')),
                ('policies', models.ManyToManyField(blank=True, help_text='Policies that govern this use.', related_name='deployments', to='registry.policy')),
                ('sources', models.ManyToManyField(blank=True, related_name='deployments', to='registry.source')),
                ('system', models.ForeignKey(blank=True, help_text='Empty when the product is not public.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deployments', to='registry.system')),
                ('last_reported', models.DateField(blank=True, help_text='For a use known from reports: the date of the latest report (when a source was published, not when use began).', null=True)),
                ('last_reported_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the latest report date is known: year, month or day.', max_length=5)),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.deployment')),
                ('reported_by', models.CharField(blank=True, help_text='Who gathered the reports, e.g. “the Atlas of Surveillance”.', max_length=200)),
                ('site', models.CharField(blank=True, help_text="Where the agency uses it, when that is narrower than the agency's own place (e.g. one airport of a national border agency). Empty: not recorded.", max_length=200)),
                ('agency_country', models.CharField(blank=True, editable=False, max_length=2)),
                ('agency_kind', models.CharField(blank=True, editable=False, max_length=30)),
                ('agency_level', models.CharField(blank=True, editable=False, max_length=10)),
                ('agency_region', models.CharField(blank=True, editable=False, max_length=6)),
                ('system_vendor', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.vendor')),
            ],
            options={
                'ordering': ['agency__name', 'slug'],
                'indexes': [models.Index(fields=['status'], name='registry_de_status_0c03b3_idx'), models.Index(fields=['started'], name='registry_de_started_c6c175_idx'), models.Index(fields=['audit_status', 'status'], name='registry_de_audit_s_fa0782_idx'), models.Index(fields=['system', 'state'], name='registry_deployment_by_system'), models.Index(fields=['system_vendor', 'state'], name='registry_deployment_by_vendor'), models.Index(fields=['state', 'status', 'audit_status', 'agency_country', 'agency_kind', 'agency_level', 'agency_region', 'system_vendor', 'uses', 'image_sources'], name='registry_deployment_counts')],
            },
        ),
        migrations.CreateModel(
            name='Audit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, unique=True, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('auditor', models.CharField(help_text='e.g. “NIST”.', max_length=300)),
                ('auditor_kind', models.CharField(blank=True, choices=[('government_lab', 'Government laboratory'), ('academic', 'Academic'), ('independent', 'Independent'), ('vendor', 'Vendor (self-assessment)'), ('agency', 'Agency (internal)')], help_text="A vendor's or agency's own test is never an independent audit.", max_length=20)),
                ('published', models.DateField(blank=True, null=True)),
                ('published_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the publication date is known: year, month or day.', max_length=5)),
                ('is_public', models.BooleanField(default=False, help_text='Is the report itself publicly available?')),
                ('dimensions', registry.fields.MultiChoiceField(help_text='Which groups were compared.', item_choices=[('sex', 'Sex'), ('age', 'Age'), ('race_ethnicity', 'Race or ethnicity'), ('skin_tone', 'Skin tone'), ('country_of_birth', 'Country of birth')])),
                ('finding', models.CharField(blank=True, choices=[('disparities_found', 'Disparities found'), ('no_significant_disparities', 'No significant disparities'), ('inconclusive', 'Inconclusive'), ('not_reported', 'Not reported')], max_length=30)),
                ('metrics', models.JSONField(blank=True, default=list, help_text='Measured figures: [{"metric": "false_match_rate", "group": "...", "value": 0.0001, "threshold": "0.6", "note": "..."}]')),
                ('summary', models.TextField(blank=True)),
                ('report_url', models.URLField(blank=True, max_length=2000)),
                ('inventory_id', models.CharField(blank=True, db_index=True, help_text='Use case id in the US federal AI use case inventory, where it came from there.', max_length=100)),
                ('deployment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audits', to='registry.deployment')),
                ('sources', models.ManyToManyField(blank=True, related_name='audits', to='registry.source')),
                ('system', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audits', to='registry.system')),
                ('merged_into', models.ForeignKey(blank=True, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.audit')),
            ],
            options={
                'ordering': ['-published', 'auditor'],
                'indexes': [models.Index(fields=['auditor_kind'], name='registry_au_auditor_ca683e_idx'), models.Index(fields=['finding'], name='registry_au_finding_6f2fdb_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('system__isnull', False), ('deployment__isnull', False), _connector='OR'), name='audit_has_system_or_deployment', violation_error_message='An audit must concern a system or a deployment.')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalAgency',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('name', models.CharField(max_length=300)),
                ('acronym', models.CharField(blank=True, max_length=30)),
                ('kind', models.CharField(blank=True, choices=[('police', 'Police'), ('sheriff', 'Sheriff'), ('federal_law_enforcement', 'Federal law enforcement'), ('border_immigration', 'Border and immigration'), ('transport_security', 'Transport security'), ('intelligence', 'Intelligence'), ('prosecutor', 'Prosecutor'), ('corrections', 'Corrections'), ('education', 'Education'), ('housing', 'Housing'), ('benefits', 'Benefits'), ('motor_vehicles', 'Motor vehicles (driver licensing)'), ('other', 'Other')], max_length=30)),
                ('level', models.CharField(blank=True, choices=[('national', 'National'), ('regional', 'Regional (state, province, nation)'), ('local', 'Local (county, city)')], max_length=10)),
                ('country', models.CharField(help_text='ISO 3166-1 alpha-2 code in capitals, e.g. US, GB, JP.', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use a two-letter ISO 3166-1 code, e.g. US.')])),
                ('region', models.CharField(blank=True, help_text='ISO 3166-2 code (state, province, nation of the UK). Empty for national bodies.', max_length=6, validators=[django.core.validators.RegexValidator('^[A-Z]{2}-[A-Z0-9]{1,3}$', 'Use an ISO 3166-2 code, e.g. US-CA or GB-WLS.')])),
                ('locality', models.CharField(blank=True, help_text='City or county name.', max_length=200)),
                ('website', models.URLField(blank=True, max_length=500)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('parent', models.ForeignKey(blank=True, db_constraint=False, help_text="e.g. CBP's parent is the Department of Homeland Security.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.agency')),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.agency')),
            ],
            options={
                'verbose_name': 'historical agency',
                'verbose_name_plural': 'historical agencies',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalAudit',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('auditor', models.CharField(help_text='e.g. “NIST”.', max_length=300)),
                ('auditor_kind', models.CharField(blank=True, choices=[('government_lab', 'Government laboratory'), ('academic', 'Academic'), ('independent', 'Independent'), ('vendor', 'Vendor (self-assessment)'), ('agency', 'Agency (internal)')], help_text="A vendor's or agency's own test is never an independent audit.", max_length=20)),
                ('published', models.DateField(blank=True, null=True)),
                ('published_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the publication date is known: year, month or day.', max_length=5)),
                ('is_public', models.BooleanField(default=False, help_text='Is the report itself publicly available?')),
                ('dimensions', registry.fields.MultiChoiceField(help_text='Which groups were compared.', item_choices=[('sex', 'Sex'), ('age', 'Age'), ('race_ethnicity', 'Race or ethnicity'), ('skin_tone', 'Skin tone'), ('country_of_birth', 'Country of birth')])),
                ('finding', models.CharField(blank=True, choices=[('disparities_found', 'Disparities found'), ('no_significant_disparities', 'No significant disparities'), ('inconclusive', 'Inconclusive'), ('not_reported', 'Not reported')], max_length=30)),
                ('metrics', models.JSONField(blank=True, default=list, help_text='Measured figures: [{"metric": "false_match_rate", "group": "...", "value": 0.0001, "threshold": "0.6", "note": "..."}]')),
                ('summary', models.TextField(blank=True)),
                ('report_url', models.URLField(blank=True, max_length=2000)),
                ('inventory_id', models.CharField(blank=True, db_index=True, help_text='Use case id in the US federal AI use case inventory, where it came from there.', max_length=100)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('deployment', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.deployment')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('system', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.system')),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.audit')),
            ],
            options={
                'verbose_name': 'historical audit',
                'verbose_name_plural': 'historical audits',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalDeployment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('status', models.CharField(blank=True, choices=[('active', 'Active'), ('pilot', 'Pilot'), ('suspended', 'Suspended'), ('ended', 'Ended'), ('prohibited', 'Prohibited (stopped by a ban)'), ('reported', 'Reported, unconfirmed'), ('denied', 'Denied by the agency'), ('planned', 'Planned (not in use yet)')], max_length=12)),
                ('uses', registry.fields.MultiChoiceField(item_choices=[('live', 'Live surveillance'), ('retrospective', 'Search of stored images'), ('verification', '1:1 identity check'), ('mobile', 'Mobile (handheld)'), ('access_control', 'Access control')])),
                ('started', models.DateField(blank=True, null=True)),
                ('started_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the start date is known: year, month or day.', max_length=5)),
                ('ended', models.DateField(blank=True, null=True)),
                ('ended_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the end date is known: year, month or day.', max_length=5)),
                ('image_sources', registry.fields.MultiChoiceField(help_text='What faces are searched against.', item_choices=[('mugshots', 'Mugshots'), ('driver_licences', 'Driver licence photos'), ('passports_visas', 'Passport and visa photos'), ('watchlist', 'Watchlist'), ('scraped_web', 'Images scraped from the web'), ('cctv', 'CCTV footage'), ('other', 'Other')])),
                ('description', models.TextField(blank=True)),
                ('inventory_id', models.CharField(blank=True, db_index=True, help_text='Use case id in the US federal AI use case inventory, where it came from there.', max_length=100)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.agency')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('system', models.ForeignKey(blank=True, db_constraint=False, help_text='Empty when the product is not public.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.system')),
                ('last_reported', models.DateField(blank=True, help_text='For a use known from reports: the date of the latest report (when a source was published, not when use began).', null=True)),
                ('last_reported_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the latest report date is known: year, month or day.', max_length=5)),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.deployment')),
                ('reported_by', models.CharField(blank=True, help_text='Who gathered the reports, e.g. “the Atlas of Surveillance”.', max_length=200)),
                ('site', models.CharField(blank=True, help_text="Where the agency uses it, when that is narrower than the agency's own place (e.g. one airport of a national border agency). Empty: not recorded.", max_length=200)),
            ],
            options={
                'verbose_name': 'historical deployment',
                'verbose_name_plural': 'historical deployments',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalPolicy',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('title', models.CharField(max_length=500)),
                ('kind', models.CharField(blank=True, choices=[('ban', 'Ban'), ('moratorium', 'Moratorium'), ('statute', 'Statute'), ('ordinance', 'Ordinance'), ('regulation', 'Regulation'), ('executive_order', 'Executive order'), ('court_ruling', 'Court ruling'), ('agency_policy', 'Agency policy'), ('company_policy', 'Company policy')], max_length=20)),
                ('status', models.CharField(blank=True, choices=[('proposed', 'Proposed'), ('enacted', 'Enacted'), ('in_force', 'In force'), ('expired', 'Expired'), ('repealed', 'Repealed'), ('struck_down', 'Struck down'), ('superseded', 'Superseded')], max_length=20)),
                ('country', models.CharField(help_text='ISO 3166-1 alpha-2 code, or EU for European Union law.', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use a two-letter code, or EU for EU law.')])),
                ('locality', models.CharField(blank=True, help_text='City or county name.', max_length=200)),
                ('issuer', models.CharField(blank=True, help_text='e.g. “San Francisco Board of Supervisors”.', max_length=300)),
                ('adopted', models.DateField(blank=True, null=True)),
                ('adopted_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the adoption date is known: year, month or day.', max_length=5)),
                ('effective', models.DateField(blank=True, null=True)),
                ('effective_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the effective date is known: year, month or day.', max_length=5)),
                ('ends', models.DateField(blank=True, null=True)),
                ('ends_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the end date is known: year, month or day.', max_length=5)),
                ('requirements', registry.fields.MultiChoiceField(item_choices=[('ban_government_use', 'Bans government use'), ('ban_live_use', 'Bans live (real-time) use'), ('ban_private_use', 'Bans private use'), ('warrant_required', 'Requires a warrant or court order'), ('bias_testing_required', 'Requires testing for bias'), ('independent_audit_required', 'Requires an independent audit'), ('public_reporting_required', 'Requires public reporting'), ('use_policy_required', 'Requires a written use policy'), ('legislative_approval_required', 'Requires approval by the legislature or council'), ('human_review_required', 'Requires human review of matches'), ('notice_required', 'Requires notice to the people scanned'), ('consent_required', 'Requires consent'), ('data_retention_limits', 'Limits how long data is kept'), ('private_right_of_action', 'Lets individuals sue')])),
                ('summary', models.TextField(blank=True)),
                ('url', models.URLField(blank=True, help_text='The text itself.', max_length=2000, verbose_name='text URL')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.policy')),
                ('regions', registry.fields.MultiValueField(help_text='ISO 3166-2 codes of the regions it covers, e.g. GB-ENG, GB-WLS for a law of England and Wales. Empty for national and EU-wide law.', item_validators=[django.core.validators.RegexValidator('^[A-Z]{2}-[A-Z0-9]{1,3}$', 'Use an ISO 3166-2 code, e.g. US-CA or GB-WLS.')])),
            ],
            options={
                'verbose_name': 'historical policy',
                'verbose_name_plural': 'historical policies',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSource',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('url', models.URLField(help_text='Where the document is (http or https).', max_length=2000)),
                ('title', models.CharField(help_text="The document's title.", max_length=500)),
                ('publisher', models.CharField(blank=True, help_text='e.g. “NIST”, “The New York Times”.', max_length=300)),
                ('published', models.DateField(blank=True, help_text='When it was published.', null=True)),
                ('published_precision', models.CharField(choices=[('year', 'Year'), ('month', 'Month'), ('day', 'Day')], default='day', help_text='How much of the publication date is known: year, month or day.', max_length=5)),
                ('kind', models.CharField(blank=True, choices=[('government', 'Government'), ('court', 'Court'), ('news', 'News'), ('academic', 'Academic'), ('ngo', 'Civil society (NGO)'), ('vendor', 'Vendor'), ('dataset', 'Dataset')], help_text='Who wrote it.', max_length=20)),
                ('archived_url', models.URLField(blank=True, help_text='A web-archive copy, where one exists.', max_length=2000)),
                ('link_checked_at', models.DateTimeField(blank=True, editable=False, help_text='When the link was last checked.', null=True)),
                ('link_status', models.PositiveSmallIntegerField(blank=True, editable=False, help_text='HTTP status of the last link check.', null=True)),
                ('link_ok', models.BooleanField(editable=False, help_text='Did the last link check succeed? Empty: never checked.', null=True)),
                ('link_error', models.CharField(blank=True, editable=False, max_length=300)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('excerpt', models.TextField(blank=True, help_text="A passage of the source's own words, shown only as a quotation credited to it (never as the register's words), e.g. a dataset's summary of a record.")),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
            ],
            options={
                'verbose_name': 'historical source',
                'verbose_name_plural': 'historical sources',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSystem',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('name', models.CharField(max_length=200)),
                ('capabilities', registry.fields.MultiChoiceField(help_text='What the system can do.', item_choices=[('identification', 'Identification (1:N search)'), ('verification', 'Verification (1:1 check)'), ('live', 'Live (real-time on video)'), ('retrospective', 'Retrospective (search of stored images)'), ('mobile', 'Mobile (handheld field use)')])),
                ('description', models.TextField(blank=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('vendor', models.ForeignKey(blank=True, db_constraint=False, help_text="Empty for an agency's in-house system.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.vendor')),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.system')),
            ],
            options={
                'verbose_name': 'historical system',
                'verbose_name_plural': 'historical systems',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalVendor',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent id and URL of the record. Never change it once published.', max_length=120, validators=[django.core.validators.RegexValidator('^[a-z0-9]+(?:-[a-z0-9]+)*$', 'Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.')], verbose_name='id')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('retracted', 'Retracted')], db_index=True, default='draft', help_text='Only published records appear on the public site, in exports and the API.', max_length=10)),
                ('public_note', models.TextField(blank=True, help_text='Shown to the public on a retracted record: why it was withdrawn.')),
                ('last_verified', models.DateField(blank=True, help_text='When a maintainer last re-checked this record against its sources.', null=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('name', models.CharField(help_text="The company's name.", max_length=200)),
                ('country', models.CharField(blank=True, help_text='ISO 3166-1 alpha-2 code in capitals, e.g. US, GB, JP.', max_length=2, validators=[django.core.validators.RegexValidator('^[A-Z]{2}$', 'Use a two-letter ISO 3166-1 code, e.g. US.')])),
                ('website', models.URLField(blank=True, max_length=500)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The record this one was merged into (the same thing recorded twice): its address leads there.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.vendor')),
            ],
            options={
                'verbose_name': 'historical vendor',
                'verbose_name_plural': 'historical vendors',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalPolicy_agencies',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('agency', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.agency')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicalpolicy')),
                ('policy', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.policy')),
            ],
            options={
                'verbose_name': 'HistoricalPolicy_agencies',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalDeployment_policies',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('deployment', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.deployment')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicaldeployment')),
                ('policy', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.policy')),
            ],
            options={
                'verbose_name': 'HistoricalDeployment_policies',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalPolicy_sources',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicalpolicy')),
                ('policy', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.policy')),
                ('source', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
            ],
            options={
                'verbose_name': 'HistoricalPolicy_sources',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalDeployment_sources',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('deployment', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.deployment')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicaldeployment')),
                ('source', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
            ],
            options={
                'verbose_name': 'HistoricalDeployment_sources',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalAudit_sources',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('audit', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.audit')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicalaudit')),
                ('source', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
            ],
            options={
                'verbose_name': 'HistoricalAudit_sources',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalAgency_sources',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('agency', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.agency')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicalagency')),
                ('source', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
            ],
            options={
                'verbose_name': 'HistoricalAgency_sources',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Suggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('body', models.TextField(max_length=5000, verbose_name='what is wrong or missing')),
                ('source_urls', models.TextField(blank=True, help_text='One URL per line.', max_length=5000)),
                ('name', models.CharField(blank=True, help_text='Never shown publicly.', max_length=200)),
                ('email', models.EmailField(blank=True, help_text='Never shown publicly.', max_length=254)),
                ('state', models.CharField(choices=[('new', 'New'), ('accepted', 'Accepted'), ('rejected', 'Rejected'), ('duplicate', 'Duplicate')], db_index=True, default='new', max_length=10)),
                ('triage_note', models.TextField(blank=True)),
                ('client_hash', models.CharField(blank=True, editable=False, help_text="Salted hash of the sender's IP.", max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('content_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='contenttypes.contenttype')),
                ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='registry.suggestion')),
                ('triaged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='registry_su_content_ada0c0_idx')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSystem_sources',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicalsystem')),
                ('source', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
                ('system', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.system')),
            ],
            options={
                'verbose_name': 'HistoricalSystem_sources',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalVendor_sources',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='registry.historicalvendor')),
                ('source', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.source')),
                ('vendor', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.vendor')),
            ],
            options={
                'verbose_name': 'HistoricalVendor_sources',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalRevision',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_change_reason', models.TextField(null=True)),
                ('object_id', models.PositiveBigIntegerField()),
                ('changes', models.JSONField(help_text='The proposed values of the fields that change, as the change form sends them.')),
                ('reason', models.TextField(help_text='Why the editor proposes it.')),
                ('proposed_at', models.DateTimeField(blank=True, db_index=True, editable=False)),
                ('state', models.CharField(choices=[('pending', 'Waiting for review'), ('approved', 'Approved and published'), ('rejected', 'Rejected')], db_index=True, default='pending', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True, help_text='Why it was approved or rejected.')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('content_type', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype')),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical revision',
                'verbose_name_plural': 'historical revisions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Revision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('changes', models.JSONField(help_text='The proposed values of the fields that change, as the change form sends them.')),
                ('reason', models.TextField(help_text='Why the editor proposes it.')),
                ('proposed_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('state', models.CharField(choices=[('pending', 'Waiting for review'), ('approved', 'Approved and published'), ('rejected', 'Rejected')], db_index=True, default='pending', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True, help_text='Why it was approved or rejected.')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-proposed_at'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='registry_re_content_60d947_idx')],
            },
        ),
        migrations.CreateModel(
            name='DeploymentTally',
            fields=[
                ('combination', models.CharField(max_length=600, primary_key=True, serialize=False)),
                ('set_number', models.PositiveSmallIntegerField()),
                ('status', models.CharField(max_length=12, null=True)),
                ('audit_status', models.CharField(max_length=20, null=True)),
                ('agency_kind', models.CharField(max_length=30, null=True)),
                ('agency_level', models.CharField(max_length=10, null=True)),
                ('uses', models.CharField(max_length=255, null=True)),
                ('image_sources', models.CharField(max_length=255, null=True)),
                ('agency_country', models.CharField(max_length=2, null=True)),
                ('agency_region', models.CharField(max_length=6, null=True)),
                ('system_vendor_id', models.BigIntegerField(null=True)),
                ('n', models.IntegerField()),
            ],
        ),
        # The data steps, in their old order, on the finished tables.
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(grant_revisions, migrations.RunPython.noop),
        migrations.RunPython(install_tally, uninstall_tally),
    ]
