"""
Offers the Atlas of Surveillance importer on the admin's import page
(``registry/admin/imports.py``: upload, dry-run summary, confirm).

That importer-agnostic page is being written on another branch; until it is
merged this module registers nothing, and ``manage.py import_atlas`` is the
way in. ``atlas.Summary`` already gives the page what it shows (``heading``,
``counts``, ``sections``).
"""

from ..importers import atlas

try:
    from .imports import Importer, register
except ImportError:  # pragma: no cover - the page is not on this branch yet
    Importer = register = None

if register is not None:  # pragma: no branch
    register(
        Importer(
            key="atlas",
            title="Import the Atlas of Surveillance",
            intro=(
                "Upload the Atlas of Surveillance CSV (EFF and the University of Nevada, Reno; "
                "CC BY 4.0). Only its face recognition rows are imported, as “reported” "
                "deployments citing the Atlas; agencies, vendors and deployments the register "
                "already has are matched, not repeated. The rules are on the methodology page."
            ),
            file_label="Atlas CSV",
            file_help="The Atlas of Surveillance's complete CSV download.",
            read=lambda data, filename: atlas.read_atlas(data),
            error=atlas.AtlasError,
            run=atlas.import_atlas,
        )
    )
