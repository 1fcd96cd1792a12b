"""
The bulk download at /data/: the whole published register as one
`fr-registry/1` JSON file and as a zip of one CSV per entity.

Files are built once per state of the data and kept under
``settings.BULK_DATA_DIR`` (default ``var/bulk``, git-ignored), in a folder
named after a fingerprint of the data: per record type, the number of rows,
of published rows and the latest ``updated_at`` (seven cheap queries). Any
save, publication or retraction changes the fingerprint, so the next request
builds fresh files; otherwise they are served from disk. ``manage.py
build_bulk_data`` builds them ahead of time (after an import, say).

Caveat: the fingerprint sees changes made through ``save()`` (the admin, the
importer). A raw ``QuerySet.update()`` that does not touch ``updated_at`` is
not seen until the next save; run ``build_bulk_data --force`` after one.
"""

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import choices, dates, exports, types
from .importers import registry_json

# Bump when the files' shape changes (columns, layout), so old files are rebuilt.
LAYOUT_VERSION = "1"
JSON_NAME = "registry.json"
ZIP_NAME = "registry-csv.zip"
META_NAME = "meta.json"
# The CSVs in the zip, in the order of the format.
ENTITIES = registry_json.LISTS


def bulk_dir() -> Path:
    return Path(settings.BULK_DATA_DIR)


def fingerprint(base_url: str) -> str:
    """A short hash of the published data's state: one aggregate query per record type."""
    parts = [LAYOUT_VERSION, base_url]
    for model in types.MODELS:
        state = model.objects.aggregate(
            rows=Count("pk"),
            published=Count("pk", filter=Q(state=choices.State.PUBLISHED)),
            latest=Max("updated_at"),
        )
        latest = state["latest"].isoformat() if state["latest"] else "-"
        parts.append(f"{model._meta.model_name}:{state['rows']}:{state['published']}:{latest}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BulkFiles:
    folder: Path
    generated: str
    sizes: dict

    @property
    def json_path(self):
        return self.folder / JSON_NAME

    @property
    def zip_path(self):
        return self.folder / ZIP_NAME

    @property
    def json_size(self):
        return self.sizes[JSON_NAME]

    @property
    def zip_size(self):
        return self.sizes[ZIP_NAME]

    @property
    def generated_at(self):
        return parse_datetime(self.generated)


def _read(folder: Path) -> BulkFiles | None:
    try:
        meta = json.loads((folder / META_NAME).read_text())
    except (OSError, ValueError):
        return None
    return BulkFiles(folder=folder, generated=meta["generated"], sizes=meta["sizes"])


def current(*, base_url: str, build: bool = True, force: bool = False) -> BulkFiles | None:
    """The files for the data as it is now, built first if missing (and ``build``)."""
    folder = bulk_dir() / fingerprint(base_url)
    files = None if force else _read(folder)
    if files is None and build:
        files = _build(folder, base_url=base_url)
    return files


def _build(folder: Path, *, base_url: str) -> BulkFiles:
    """Write the files into a temporary folder, then move it into place in one rename."""
    root = folder.parent
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root, prefix=".build-"))
    work.chmod(0o755)  # mkdtemp makes it private; the files are public
    try:
        generated = dates.utc_timestamp(timezone.now())
        document = registry_json.export_document(published_only=True)
        document["generated"] = generated
        with open(work / JSON_NAME, "w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        # The CSVs hold the same records as the JSON, which leaves out a record
        # that refers to one not published (a deployment of an agency in review).
        kept = {name: {rec["id"] for rec in document[name]} for name in ENTITIES}
        del document
        write_zip(work / ZIP_NAME, base_url=base_url, generated=generated, kept=kept)
        sizes = {name: (work / name).stat().st_size for name in (JSON_NAME, ZIP_NAME)}
        (work / META_NAME).write_text(json.dumps({"generated": generated, "sizes": sizes}))
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(work, folder)
        except OSError:
            # Another process built the same state at the same time: use its files.
            if _read(folder) is None:
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _remove_stale(root, keep=folder)
    return _read(folder)


def _remove_stale(root: Path, *, keep: Path):
    for path in root.iterdir():
        if path != keep and path.is_dir() and not path.name.startswith(".build-"):
            shutil.rmtree(path, ignore_errors=True)


def write_zip(path: Path, *, base_url: str, generated: str, kept: dict[str, set]):
    """
    One CSV per entity (the columns of ``exports.EXPORTS``), streamed into the
    zip; only the records whose id is in ``kept[entity]``.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme_text(base_url=base_url, generated=generated))
        for name in ENTITIES:
            every = exports.export_rows(name, types.TYPES[name].filterset(QueryDict()).qs)
            rows = (row for row in every if row["slug"] in kept[name])
            with archive.open(f"{name}.csv", "w") as member:
                for chunk in exports.csv_chunks(exports.EXPORTS[name], rows, base_url=base_url):
                    member.write(chunk.encode("utf-8"))


def suggested_citation(*, url: str, generated: str | None) -> str:
    version = f" Data as of {generated[:10]}." if generated else ""
    return (
        f"{settings.REGISTER_NAME}. Bulk data (fr-registry/1).{version} {url}. "
        f"Licensed under the {settings.DATA_LICENCE}."
    )


def readme_text(*, base_url: str, generated: str) -> str:
    lines = [
        settings.REGISTER_NAME,
        "",
        f"Generated {generated}. Published records only.",
        f"Licence: {settings.DATA_LICENCE} ({settings.DATA_LICENCE_URL})",
        f"Cite as: {suggested_citation(url=base_url + '/data/', generated=generated)}",
        "",
        "One CSV per record type: UTF-8 with a byte-order mark, a header row, `;` between",
        "several values, dates as ISO text at their known precision (2019, 2019-05, 2019-05-14).",
        "A cell starting with = + - @ is prefixed with ' so spreadsheets do not run it.",
        "",
    ]
    for name in ENTITIES:
        lines.append(f"{name}.csv")
        for column in exports.EXPORTS[name].columns:
            lines.append(f"  {column.name}: {column.description}")
        lines.append("")
    return "\n".join(lines)


# Views ------------------------------------------------------------------------


def data_page(request):
    """/data/: the files, their size and date, the licence, how to cite, and every column."""
    base_url = exports.site_url(request)
    files = current(base_url=base_url)
    data_url = request.build_absolute_uri(request.path)
    return render(
        request,
        "registry/data.html",
        {
            "files": files,
            "citation": suggested_citation(url=data_url, generated=files.generated),
            "entities": [(name, types.TYPES[name], exports.EXPORTS[name]) for name in ENTITIES],
        },
    )


def _download(request, attr: str, filename: str, content_type: str):
    files = current(base_url=exports.site_url(request))
    path = getattr(files, attr)
    if not path.exists():  # pragma: no cover - removed between the check and now
        raise Http404("The file is being rebuilt; try again in a moment.")
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=filename.format(date=files.generated[:10]),
        content_type=content_type,
    )
    response["Link"] = exports.licence_link()
    response["X-Register-Generated"] = files.generated
    response["ETag"] = f'"{files.folder.name}"'
    return response


def registry_json_download(request):
    return _download(request, "json_path", "fr-registry-{date}.json", "application/json")


def registry_csv_download(request):
    return _download(request, "zip_path", "fr-registry-csv-{date}.zip", "application/zip")
