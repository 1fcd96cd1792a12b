"""
``manage.py purge_suggestions``: erase senders' personal data once it is old.

A suggestion's name, email and address hash are kept for
``SUGGESTION_RETENTION_DAYS`` days (long enough to ask the sender about it),
then blanked; the suggestion's text, sources, record and triage stay, since
they are about the register, not the person. Run it daily (cron, a systemd
timer); running it twice changes nothing.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from registry.models import Suggestion


class Command(BaseCommand):
    help = (
        "Erase the name, email and address hash of suggestions older than the retention "
        "period (SUGGESTION_RETENTION_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: the setting SUGGESTION_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days is None:
            days = settings.SUGGESTION_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        holding = Suggestion.objects.filter(created_at__lt=cutoff).filter(
            ~Q(name="") | ~Q(email="") | ~Q(client_hash="")
        )
        if dry_run:
            count = holding.count()
            verb = "would be erased"
        else:
            count = holding.update(name="", email="", client_hash="")
            verb = "erased"
        self.stdout.write(
            self.style.SUCCESS(
                f"Personal data of {count} suggestion(s) received before "
                f"{cutoff:%Y-%m-%d %H:%M} UTC {verb} (retention {days} days)."
            )
        )
