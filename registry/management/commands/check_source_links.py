"""
``manage.py check_source_links``: check every source's URL and record the outcome.

The broken ones (``link_ok=False``) feed the admin's "Needs attention" list,
and so do the refused ones: a link whose host is not a public address (a
loopback, private or link-local one) is never fetched, and is recorded as not
working with a reason starting "Refused:".
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Q
from django.utils import timezone

from registry import linkcheck
from registry.models import Source


class Command(BaseCommand):
    help = (
        "Check each source's URL (HEAD, then GET if refused; bounded concurrency and "
        "timeouts) and record its status, whether it works and when it was checked."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=linkcheck.DEFAULT_WORKERS,
            help=f"Requests at once (default {linkcheck.DEFAULT_WORKERS}).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=linkcheck.DEFAULT_TIMEOUT,
            help=f"Seconds to wait for each answer (default {linkcheck.DEFAULT_TIMEOUT:g}).",
        )
        parser.add_argument(
            "--only-unchecked", action="store_true", help="Only sources never checked."
        )
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="Only sources never checked or last checked more than DAYS days ago.",
        )
        parser.add_argument("--limit", type=int, metavar="N", help="Check at most N sources.")

    def handle(self, *args, workers, timeout, only_unchecked, older_than, limit, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if timeout <= 0:
            raise CommandError("--timeout must be more than 0 seconds.")
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")

        # Never-checked sources first, then the longest unchecked.
        sources = Source.objects.only("pk", "url").order_by(
            F("link_checked_at").asc(nulls_first=True), "pk"
        )
        if only_unchecked:
            sources = sources.filter(link_checked_at__isnull=True)
        if older_than is not None:
            cutoff = timezone.now() - datetime.timedelta(days=older_than)
            sources = sources.filter(
                Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=cutoff)
            )
        if limit is not None:
            sources = sources[:limit]

        verbosity = options["verbosity"]

        def report(source, result):
            if result.refused and verbosity >= 1:
                self.stdout.write(f"refused: {source.url} ({result.error})")
            elif not result.ok and verbosity >= 1:
                self.stdout.write(f"broken: {source.url} ({result.error})")
            elif verbosity >= 2:
                self.stdout.write(f"ok: {source.url} ({result.status})")

        summary = linkcheck.check_sources(
            sources, workers=workers, timeout=timeout, progress=report
        )
        refused = f", {summary.refused} refused (not a public address)" if summary.refused else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {summary.checked} source link(s): {summary.ok} ok, "
                f"{summary.broken} broken{refused}."
            )
        )
