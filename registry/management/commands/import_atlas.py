"""``manage.py import_atlas FILE [--dry-run] [--publish]``: the Atlas of Surveillance CSV."""

from registry.management.file_import import FileImportCommand


class Command(FileImportCommand):
    help = (
        "Import the face recognition rows of an Atlas of Surveillance CSV (EFF and the "
        "University of Nevada, Reno; CC BY 4.0). New records are drafts unless --publish; "
        "records the register has are matched, not repeated. Re-importing the same file "
        "changes nothing; a malformed file writes nothing."
    )
    importer = "atlas"
