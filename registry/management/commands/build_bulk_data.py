from django.conf import settings
from django.core.management.base import BaseCommand

from registry import bulk


class Command(BaseCommand):
    help = (
        "Build the /data/ bulk files (fr-registry/1 JSON and a zip of CSVs) for the published "
        "register as it is now, unless files for this state already exist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SITE_URL", "") or "http://localhost:8000",
            help="Scheme and host the `url` columns start with, as the site is served "
            "(default: settings.SITE_URL).",
        )
        parser.add_argument("--force", action="store_true", help="Rebuild even if up to date.")

    def handle(self, *args, base_url, force, **options):
        files = bulk.current(base_url=base_url.rstrip("/"), force=force)
        for name, size in files.sizes.items():
            self.stdout.write(f"  {files.folder / name}  {size:,} bytes")
        self.stdout.write(self.style.SUCCESS(f"Bulk data generated {files.generated}."))
