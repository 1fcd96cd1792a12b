"""
Import a file from the admin: upload it, read the dry-run summary, then
confirm. One page serves every importer registered in ``IMPORTERS``.

The uploaded file waits between the two steps in a private temporary folder,
under a random token that only the uploader's session knows; the confirm step
checks the file is unchanged (SHA-256), imports it for real and deletes it.
Each importer's page is ``admin/import/<key>/`` (URL name ``<key>-import``),
wired in ``portal/urls.py`` through ``urlpatterns()`` and
``admin.site.admin_view`` (staff only); it also needs ``registry.add_deployment``.

Adding an importer is one ``register(...)`` call in this module, next to the
federal inventory and the Atlas of Surveillance ones::

    register(Importer(
        key="atlas",                      # URL admin/import/atlas/, name "atlas-import"
        title="Import the Atlas of Surveillance",
        intro="Upload the Atlas's CSV ...",    # the upload page's explanation
        file_label="Atlas CSV",
        file_help="The Atlas of Surveillance CSV export.",
        read=...,                         # (data: bytes, filename: str) -> parsed
        error=atlas.AtlasError,           # what ``read`` raises; its text is shown
        run=atlas.import_atlas,           # (parsed, *, filename, dry_run, publish,
                                          #  change_published, **options) -> summary
    ))

``options`` is an optional ``forms.Form`` class of extra fields (the federal
importer's ``year``); its cleaned data are passed to ``run`` as keywords, and
must be JSON-serialisable (they wait in the session). The summary ``run``
returns is shown by ``admin/registry_import_summary.html``: it needs
``filename``, ``dry_run``, ``heading`` (one line), ``counts`` (label, number
pairs) and ``sections`` (title, items pairs, each item a (slug, text) pair, the
slug linking to the deployments it names, or "").
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from .. import workflow
from ..importers import atlas, federal
from ..models import Deployment

PERMISSION = "registry.add_deployment"
MAX_BYTES = 20 * 1024 * 1024
SESSION_KEY = "registry_import"


@dataclass(frozen=True)
class Importer:
    """One file importer the admin offers (see the module docstring)."""

    key: str
    title: str
    intro: str
    file_label: str
    file_help: str
    read: Callable
    error: type[Exception]
    run: Callable
    options: type[forms.Form] | None = None

    @property
    def url_name(self):
        return f"{self.key}-import"


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    IMPORTERS[importer.key] = importer
    return importer


class FederalOptions(forms.Form):
    year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="Leave empty to take it from the file name (or the layout).",
    )


register(
    Importer(
        key="federal",
        title="Import a federal AI use case inventory",
        intro=(
            "Upload the CSV of a US federal AI use case inventory (the 2024 consolidated or the "
            "2025 individually reported layout; the importer recognises which from the header). "
            "Only the use cases that involve face recognition are imported, by the rule "
            "explained on the methodology page."
        ),
        file_label="Inventory CSV",
        file_help="The 2024 consolidated or the 2025 individually reported inventory, as CSV.",
        read=lambda data, filename: federal.read_inventory(data, filename=filename),
        error=federal.InventoryError,
        run=federal.import_inventory,
        options=FederalOptions,
    )
)

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


def _upload_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "fr-register-import"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def upload_form(importer: Importer, *args, can_publish=False, **kwargs) -> forms.Form:
    """The file, the importer's own options, and "publish" for those who may publish."""
    fields = {
        "file": forms.FileField(label=importer.file_label, help_text=importer.file_help),
        **(importer.options.base_fields if importer.options else {}),
    }
    if can_publish:
        fields["publish"] = forms.BooleanField(
            required=False,
            label="Publish the new records at once",
            help_text="Otherwise they are drafts for review.",
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        return upload

    form_class = type("UploadForm", (forms.Form,), {**fields, "clean_file": clean_file})
    return form_class(*args, **kwargs)


def import_view(request, key):
    """Step 1 (GET, POST with a file): upload and dry run. Step 2 (POST confirm): import."""
    importer = IMPORTERS.get(key)
    if importer is None:
        raise Http404("No such importer.")
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    can_publish = workflow.can_publish(request.user, Deployment)
    context = {
        **admin.site.each_context(request),
        "title": importer.title,
        "importer": importer,
        "can_publish": can_publish,
    }
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, importer, context, can_publish)
    form = upload_form(
        importer, request.POST or None, request.FILES or None, can_publish=can_publish
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        filename = Path(form.cleaned_data["file"].name).name
        try:
            parsed = importer.read(data, filename)
        except importer.error as exc:
            form.add_error("file", f"Nothing was imported. {exc}")
        else:
            options = {k: v for k, v in form.cleaned_data.items() if k not in ("file", "publish")}
            options["publish"] = bool(form.cleaned_data.get("publish"))
            summary = importer.run(
                parsed, filename=filename, dry_run=True, change_published=can_publish, **options
            )
            token = _keep(request, importer, data, filename, options)
            return TemplateResponse(
                request,
                "admin/registry_import_summary.html",
                {**context, "summary": summary, "token": token, "options": options},
            )
    return TemplateResponse(request, "admin/registry_import.html", {**context, "form": form})


def _keep(request, importer, data, filename, options) -> str:
    """Park the upload until the maintainer confirms; return its token."""
    _discard(request)
    token = secrets.token_hex(16)
    (_upload_dir() / f"{token}.upload").write_bytes(data)
    request.session[SESSION_KEY] = {
        "importer": importer.key,
        "token": token,
        "filename": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "options": options,
    }
    return token


def _discard(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        (_upload_dir() / f"{pending['token']}.upload").unlink(missing_ok=True)


def _confirm(request, importer, context, can_publish):
    pending = request.session.get(SESSION_KEY)
    path = _upload_dir() / f"{pending['token']}.upload" if pending else None
    if (
        not pending
        or pending.get("importer") != importer.key
        or request.POST.get("token") != pending["token"]
        or not path.exists()
    ):
        messages.error(request, "That upload has expired or was already imported. Upload again.")
        return redirect(importer.url_name)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != pending["sha256"]:
        _discard(request)
        messages.error(request, "The uploaded file changed on the server. Upload it again.")
        return redirect(importer.url_name)
    try:
        parsed = importer.read(data, pending["filename"])
    except importer.error as exc:  # pragma: no cover - checked at upload
        _discard(request)
        messages.error(request, f"Nothing was imported. {exc}")
        return redirect(importer.url_name)
    options = dict(pending["options"])
    options["publish"] = options.get("publish", False) and can_publish
    summary = importer.run(
        parsed, filename=pending["filename"], change_published=can_publish, **options
    )
    _discard(request)
    return TemplateResponse(
        request, "admin/registry_import_summary.html", {**context, "summary": summary}
    )


def urlpatterns():
    """One admin page per registered importer, for ``portal/urls.py``."""
    return [
        path(
            f"admin/import/{importer.key}/",
            admin.site.admin_view(import_view),
            {"key": importer.key},
            name=importer.url_name,
        )
        for importer in IMPORTERS.values()
    ]
