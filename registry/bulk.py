"""
The bulk download at /data/: the whole published register as one
`fr-registry/1` JSON file and as a zip of one CSV per entity.

Files are **never built inside a request**: at 100,000 deployments a build
takes tens of seconds and hundreds of megabytes, more than a web worker may
spend. ``manage.py build_bulk_data`` builds them when the register has
changed (after an import, at ``make run``'s start, and from a timer every few
minutes in production: it does nothing when nothing changed), and the pages
serve the **last complete build**.

Layout under ``settings.BULK_DATA_DIR`` (default ``var/bulk``, git-ignored):
one folder per build, named after a key of the register's version
(``registry.counts.register_version()``), the layout and the site address;
and ``current.json``, which names the folder being served. A build writes into
a ``.build-*`` folder, renames it into place and then replaces
``current.json``, both atomic renames, so a request sees either the old build
or the new one, never half of one. The previous build is kept (a request may
have just read the old pointer); older ones are removed, and so is any
``.build-*`` folder a killed build left behind. Builders take a lock, so two
never run at once.

Absolute links inside the files come from ``settings.SITE_URL`` (required
when ``DEBUG`` is off), never from a request's Host header.

Caveat: the version sees every change made through the ORM (each writes a
history entry). A raw write that skips history (``generate_synthetic``'s bulk
load) is not seen; run ``build_bulk_data --force`` after one.
"""

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import credits, dates, exports, types
from .counts import register_version
from .importers import registry_json

# Bump when the files' shape changes (columns, layout), so old files are rebuilt.
LAYOUT_VERSION = "1"
JSON_NAME = "registry.json"
ZIP_NAME = "registry-csv.zip"
META_NAME = "meta.json"
POINTER_NAME = "current.json"
LOCK_NAME = ".lock"
BUILD_PREFIX = ".build-"
# The CSVs in the zip, in the order of the format.
ENTITIES = registry_json.LISTS


def bulk_dir() -> Path:
    return Path(settings.BULK_DATA_DIR)


def base_url() -> str:
    """Scheme and host that absolute links in the files start with: the configured site."""
    return settings.SITE_URL.rstrip("/")


def build_key(url: str) -> str:
    """What a build is of: the register's version, the files' layout and the site address."""
    parts = [LAYOUT_VERSION, url, register_version()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BulkFiles:
    folder: Path
    key: str
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
        return BulkFiles(
            folder=folder, key=meta["key"], generated=meta["generated"], sizes=meta["sizes"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def latest() -> BulkFiles | None:
    """The last complete build, or None when there is none yet. Reads two small files."""
    root = bulk_dir()
    try:
        name = json.loads((root / POINTER_NAME).read_text())["folder"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        return None
    return _read(root / name)


@contextmanager
def _build_lock(root: Path):
    """One builder at a time, across processes (an advisory lock on a file)."""
    with open(root / LOCK_NAME, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(*, url: str | None = None, force: bool = False) -> tuple[BulkFiles, bool]:
    """
    Make the served files those of the register as it is now: build them unless
    the current build already is (or ``force``). Returns the files and whether
    they were built. Never called by a request.
    """
    url = (url if url is not None else base_url()).rstrip("/")
    root = bulk_dir()
    root.mkdir(parents=True, exist_ok=True)
    with _build_lock(root):
        key = build_key(url)
        served = latest()
        if served is not None and served.key == key and not force:
            return served, False
        # Holding the lock, no other build is running: any work folder is a leftover.
        for path in root.glob(BUILD_PREFIX + "*"):
            shutil.rmtree(path, ignore_errors=True)
        folder = _write(root, key=key, url=url)
        _point_at(root, folder)
        _remove_stale(root, keep={folder, served.folder if served else None})
    return _read(folder), True


def _write(root: Path, *, key: str, url: str) -> Path:
    """Write the files into a work folder, then rename it into a new folder of its own."""
    work = Path(tempfile.mkdtemp(dir=root, prefix=BUILD_PREFIX))
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
        write_zip(work / ZIP_NAME, base_url=url, generated=generated, kept=kept)
        sizes = {name: (work / name).stat().st_size for name in (JSON_NAME, ZIP_NAME)}
        meta = {"key": key, "generated": generated, "sizes": sizes}
        (work / META_NAME).write_text(json.dumps(meta))
        # A new name for every build: a folder being served is never overwritten.
        folder = root / f"{key}-{timezone.now():%Y%m%d%H%M%S%f}"
        os.replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def _point_at(root: Path, folder: Path):
    fd, tmp = tempfile.mkstemp(dir=root, prefix=BUILD_PREFIX, suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump({"folder": folder.name}, fh)
    os.chmod(tmp, 0o644)
    os.replace(tmp, root / POINTER_NAME)


def _remove_stale(root: Path, *, keep: set):
    """Remove builds older than the previous one (which a request may still be serving)."""
    for path in root.iterdir():
        if path.is_dir() and path not in keep and not path.name.startswith("."):
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
        *(
            f"Records citing {c.credit} are built from it under the {c.licence} "
            f"({c.licence_url}): credit it too."
            for c in credits.THIRD_PARTY_DATA
        ),
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
    """
    /data/: the files, their size and date, the licence, how to cite, and
    every column. Serves the last build; never builds (see the module docstring).
    """
    files = latest()
    return render(
        request,
        "registry/data.html",
        {
            "files": files,
            "citation": suggested_citation(
                url=base_url() + request.path, generated=files.generated if files else None
            ),
            "entities": [(name, types.TYPES[name], exports.EXPORTS[name]) for name in ENTITIES],
        },
    )


def _download(request, attr: str, filename: str, content_type: str):
    files = latest()
    if files is None:
        raise Http404("The bulk files have not been built yet.")
    try:
        handle = open(getattr(files, attr), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        # A new build replaced this one between reading the pointer and now.
        files = latest()
        if files is None:  # pragma: no cover - the pointer itself vanished
            raise Http404("The bulk files have not been built yet.") from None
        handle = open(getattr(files, attr), "rb")  # noqa: SIM115
    response = FileResponse(
        handle,
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
