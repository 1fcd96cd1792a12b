"""Keep stored derived values (audit status) in step with the records they derive from."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Audit, Deployment, System


def refresh_audit_status_for(*, system_ids=(), deployment_ids=()):
    system_ids = [pk for pk in system_ids if pk]
    deployment_ids = [pk for pk in deployment_ids if pk]
    if system_ids:
        System.objects.filter(pk__in=system_ids).refresh_audit_status()
    if system_ids or deployment_ids:
        Deployment.objects.filter(
            Q(system_id__in=system_ids) | Q(pk__in=deployment_ids)
        ).refresh_audit_status()


@receiver(post_save, sender=Audit)
@receiver(post_delete, sender=Audit)
def audit_changed(sender, instance, raw=False, **kwargs):
    if raw or getattr(instance, "_defer_derived", False):
        return
    old_system, old_deployment = getattr(instance, "_loaded_subject", (None, None))
    refresh_audit_status_for(
        system_ids=[instance.system_id, old_system],
        deployment_ids=[instance.deployment_id, old_deployment],
    )


@receiver(post_save, sender=Deployment)
def deployment_changed(sender, instance, raw=False, **kwargs):
    if raw or getattr(instance, "_defer_derived", False):
        return
    Deployment.objects.filter(pk=instance.pk).refresh_audit_status()
