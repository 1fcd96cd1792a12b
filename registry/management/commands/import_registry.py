from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.importers import registry_json


class Command(BaseCommand):
    help = (
        "Import an fr-registry/1 JSON file: validate all of it first, then add and update "
        "records by id (never deleting). Nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            document = registry_json.parse(raw)
            report = registry_json.import_document(
                document, reason=f"import_registry: {file.name}", dry_run=dry_run
            )
        except registry_json.InvalidDocument as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{file} was not imported: {len(exc.problems)} problem(s). Nothing was changed."
            ) from exc
        prefix = "Dry run (nothing written): " if dry_run else ""
        for line in report.lines():
            self.stdout.write(prefix + line)
        if verbosity > 1 or dry_run:
            for name in registry_json.LISTS:
                for slug in report.created[name]:
                    self.stdout.write(f"  + {name} {slug}")
                for slug in report.updated[name]:
                    self.stdout.write(f"  ~ {name} {slug}")
