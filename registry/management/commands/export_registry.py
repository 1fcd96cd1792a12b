import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from registry.importers import registry_json


class Command(BaseCommand):
    help = (
        "Write the whole register as fr-registry/1 JSON to FILE (or standard output). "
        "Every state is kept, but not history, accounts or suggestions: for a backup use "
        "`manage.py backup`. --published-only gives the public bulk download."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--published-only", action="store_true")

    def handle(self, *args, file: Path | None, published_only: bool, **options):
        text = registry_json.dumps(registry_json.export_document(published_only=published_only))
        if file is None:
            sys.stdout.write(text)
            return
        tmp = file.with_name(f".{file.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(file)
        self.stderr.write(f"Wrote {file}")
