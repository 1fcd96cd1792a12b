"""``manage.py build_bulk_data``: build the /data/ files when the register has changed."""

from django.conf import settings
from django.core.management.base import BaseCommand

from registry import bulk


class Command(BaseCommand):
    help = (
        "Build the /data/ bulk files (fr-registry/1 JSON and a zip of CSVs) for the published "
        "register as it is now, unless the files being served already are. Run it after "
        "imports and from a timer (it does nothing when nothing changed); requests never build."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="Scheme and host the `url` columns start with, as the site is served "
            "(default: settings.SITE_URL).",
        )
        parser.add_argument("--force", action="store_true", help="Rebuild even if up to date.")

    def handle(self, *args, base_url, force, **options):
        files, built = bulk.build(url=base_url, force=force)
        if not built:
            self.stdout.write(f"Bulk data is up to date (generated {files.generated}).")
            return
        for name, size in files.sizes.items():
            self.stdout.write(f"  {files.folder / name}  {size:,} bytes")
        self.stdout.write(self.style.SUCCESS(f"Bulk data generated {files.generated}."))
