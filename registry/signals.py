"""
The register's signal receivers, in one place: what must follow a record's
save or delete.

- Stored derived values: a system's and a deployment's audit status follow
  their audits.
- Copied columns: a deployment keeps its agency's place, kind and level and
  its system's vendor (``Deployment.agency_country``), so they follow an
  agency's or a system's save.
- The search index: a saved record is re-indexed, with every record whose
  text includes its name (``registry.search.index``).

``RegistryConfig.ready()`` imports this module, which connects them. (The
time a person signed in is stamped by ``session_limits``, next to the rule
that reads it.)
"""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import types
from .models import Agency, Audit, Deployment, System
from .search import index as search_index
from .search.documents import indexed_fields


def _not_yet(instance, raw) -> bool:
    """
    Whether a receiver should let this ``post_save`` pass: ``raw`` (a fixture,
    whose related rows may not exist yet and which carries its derived values
    itself), or a save by ``services.save_record`` (and the admin), which
    sends ``post_save`` once more when the record's links are set: act once,
    then.
    """
    return raw or hasattr(instance, "skip_history_when_saving")


# Derived values ------------------------------------------------------------


def refresh_audit_status_for(*, system_ids=(), deployment_ids=()):
    system_ids = [pk for pk in system_ids if pk]
    deployment_ids = [pk for pk in deployment_ids if pk]
    if system_ids:
        System.objects.filter(pk__in=system_ids).refresh_each_audit_status()
    if system_ids or deployment_ids:
        Deployment.objects.filter(
            Q(system_id__in=system_ids) | Q(pk__in=deployment_ids)
        ).refresh_audit_status()


@receiver(post_save, sender=Audit)
@receiver(post_delete, sender=Audit)
def audit_changed(sender, instance, raw=False, **kwargs):
    if _not_yet(instance, raw) or getattr(instance, "_defer_derived", False):
        return
    old_system, old_deployment = getattr(instance, "_loaded_subject", (None, None))
    refresh_audit_status_for(
        system_ids=[instance.system_id, old_system],
        deployment_ids=[instance.deployment_id, old_deployment],
    )


@receiver(post_save, sender=Deployment)
def deployment_changed(sender, instance, raw=False, **kwargs):
    if _not_yet(instance, raw) or getattr(instance, "_defer_derived", False):
        return
    Deployment.objects.filter(pk=instance.pk).refresh_each_audit_status()


@receiver(post_save, sender=Agency)
def agency_changed(sender, instance, raw=False, created=False, **kwargs):
    # created: no deployment can name a record that did not exist.
    if _not_yet(instance, raw) or created:
        return
    Deployment.objects.sync_with_agency(instance)


@receiver(post_save, sender=System)
def system_changed(sender, instance, raw=False, created=False, **kwargs):
    if _not_yet(instance, raw) or created:
        return
    Deployment.objects.sync_with_system(instance)


# Search index --------------------------------------------------------------


def record_saved(
    sender, instance, raw=False, created=False, update_fields=None, using="default", **kwargs
):
    if _not_yet(instance, raw):  # a fixture's records: rebuild the index afterwards
        return
    if update_fields is not None and not indexed_fields(sender) & set(update_fields):
        return
    search_index.record_saved(sender, instance.pk, created=created, using=using)


def record_deleted(sender, instance, using="default", **kwargs):
    search_index.record_removed(sender, instance.pk, using=using)


for _model in types.MODELS:
    post_save.connect(record_saved, sender=_model, dispatch_uid=f"search-saved-{_model.__name__}")
    post_delete.connect(
        record_deleted, sender=_model, dispatch_uid=f"search-deleted-{_model.__name__}"
    )
