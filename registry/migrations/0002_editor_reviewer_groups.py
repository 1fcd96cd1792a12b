"""
Creates the editors and reviewers groups (curation workflow, see registry/workflow.py).

- editors: add, change and view every record model; view and change suggestions.
- reviewers: what editors have, plus ``publish_<model>`` on every record model
  (``registry.publish_source`` ... ``registry.publish_policy``): publish and retract.

Neither group may delete anything. The publish permissions are created here
rather than in each model's Meta, so the models stay as the format describes them.
Permissions and content types are created with get_or_create, because on a new
database this runs before Django's post_migrate step creates the usual ones.
"""

from django.db import migrations

RECORD_MODELS = ("source", "vendor", "system", "agency", "deployment", "audit", "policy")
EDITOR_RECORD_ACTIONS = ("add", "change", "view")
EDITOR_SUGGESTION_ACTIONS = ("change", "view")


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


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
