"""
Import a federal AI use case inventory from the admin: upload the CSV, read the
dry-run summary, then confirm.

The uploaded file waits between the two steps in a private temporary folder,
under a random token that only the uploader's session knows; the confirm step
checks the file is unchanged (SHA-256), imports it for real and deletes it.
Wired in ``portal/urls.py`` as ``admin/federal-import/`` through
``admin.site.admin_view`` (staff only); it also needs ``registry.add_deployment``.
"""

import hashlib
import secrets
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import workflow
from .importers import federal
from .models import Deployment

PERMISSION = "registry.add_deployment"
MAX_BYTES = 20 * 1024 * 1024
SESSION_KEY = "federal_import"


def _upload_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "fr-register-federal-import"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Inventory CSV",
        help_text="The 2024 consolidated or the 2025 individually reported inventory, as CSV.",
    )
    year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="Leave empty to take it from the file name (or the layout).",
    )
    publish = forms.BooleanField(
        required=False,
        label="Publish the new records at once",
        help_text="Otherwise they are drafts for review.",
    )

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        return upload


def import_view(request):
    """Step 1 (GET, POST with a file): upload and dry run. Step 2 (POST confirm): import."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    can_publish = workflow.can_publish(request.user, Deployment)
    context = {
        **admin.site.each_context(request),
        "title": "Import a federal AI use case inventory",
        "can_publish": can_publish,
    }
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, context, can_publish)
    form = UploadForm(
        request.POST or None, request.FILES or None, can_publish=can_publish
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        filename = Path(form.cleaned_data["file"].name).name
        try:
            inventory = federal.read_inventory(data, filename=filename)
        except federal.InventoryError as exc:
            form.add_error("file", f"Nothing was imported. {exc}")
        else:
            options = {
                "year": form.cleaned_data["year"],
                "publish": bool(form.cleaned_data.get("publish")),
            }
            summary = federal.import_inventory(
                inventory, filename=filename, dry_run=True, change_published=can_publish,
                **options,
            )  # fmt: skip
            token = _keep(request, data, filename, options)
            return TemplateResponse(
                request,
                "admin/federal_import_summary.html",
                {**context, "summary": summary, "token": token, "options": options},
            )
    return TemplateResponse(request, "admin/federal_import.html", {**context, "form": form})


def _keep(request, data, filename, options) -> str:
    """Park the upload until the maintainer confirms; return its token."""
    _discard(request)
    token = secrets.token_hex(16)
    (_upload_dir() / f"{token}.csv").write_bytes(data)
    request.session[SESSION_KEY] = {
        "token": token,
        "filename": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        **options,
    }
    return token


def _discard(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        (_upload_dir() / f"{pending['token']}.csv").unlink(missing_ok=True)


def _confirm(request, context, can_publish):
    pending = request.session.get(SESSION_KEY)
    path = _upload_dir() / f"{pending['token']}.csv" if pending else None
    if not pending or request.POST.get("token") != pending["token"] or not path.exists():
        messages.error(request, "That upload has expired or was already imported. Upload again.")
        return redirect("federal-import")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != pending["sha256"]:
        _discard(request)
        messages.error(request, "The uploaded file changed on the server. Upload it again.")
        return redirect("federal-import")
    try:
        inventory = federal.read_inventory(data, filename=pending["filename"])
    except federal.InventoryError as exc:  # pragma: no cover - checked at upload
        _discard(request)
        messages.error(request, f"Nothing was imported. {exc}")
        return redirect("federal-import")
    summary = federal.import_inventory(
        inventory,
        filename=pending["filename"],
        year=pending["year"],
        publish=pending["publish"] and can_publish,
        change_published=can_publish,
    )
    _discard(request)
    return TemplateResponse(
        request, "admin/federal_import_summary.html", {**context, "summary": summary}
    )
