"""
Citing a record: its permalink, a citation line, a BibTeX entry, and its JSON.

Every record page offers what a reporter or a researcher needs to cite it, and
its JSON twin at the same URL with ``?format=json``: the `fr-registry/1`
record (as in the bulk download) plus its URL, when it last changed, and for
systems and deployments the audit status derived from published audits.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from . import choices, dates
from .changes import Change
from .exports import licence_link, published
from .format import SPEC
from .importers import registry_json

# Characters BibTeX/LaTeX treat specially, and how to write them as text.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_ESCAPES))
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9:-]+")


def bibtex_escape(text: str) -> str:
    """``"R&D {draft}"`` → ``"R\\&D \\{draft\\}"``: text that BibTeX prints as written."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group()], " ".join(str(text).split()))


def citation_key(name: str) -> str:
    """The BibTeX key of what is cited: ``fr-register:deployment:nypd-clearview``."""
    return _KEY_UNSAFE.sub("-", f"{settings.REGISTER_SHORT_NAME}:{name}")


def title_of(record) -> str:
    """
    What the record is called in a citation, and on its page: its title or
    name; an audit by its auditor and date ("Bias audit by NIST, December 2019").
    """
    if hasattr(record, "auditor"):
        when = dates.humanize(record.published, record.published_precision)
        return f"Bias audit by {record.auditor}" + (f", {when}" if when else "")
    return getattr(record, "title", None) or getattr(record, "name", None) or str(record)


def latest_public_version(record):
    """
    ``(history_id, date)`` of the record's version the public reads now (its
    last published or retracted historical row), or None when it has no history.
    """
    return (
        record.history.filter(state__in=(choices.State.PUBLISHED, choices.State.RETRACTED))
        .order_by("-history_id")
        .values_list("history_id", "history_date")
        .first()
    )


def list_name_of(record) -> str:
    """The `fr-registry/1` list a record belongs to (``deployments``...)."""
    for name, spec in SPEC.items():
        if isinstance(record, spec["model"]):
            return name
    raise ValueError(f"{type(record).__name__} is not a register record")


@dataclass(frozen=True)
class Citation:
    title: str
    url: str
    accessed: datetime.date
    register: str
    key: str
    #: The year of what is cited (a record: its version's, never the year it was read).
    year: int | None = None
    #: The date of the version cited (the record's last public change), and that
    #: change in the record's public history.
    as_of: datetime.date | None = None
    version_url: str = ""

    @property
    def accessed_text(self) -> str:
        return dates.humanize(self.accessed, choices.DatePrecision.DAY)

    @property
    def as_of_text(self) -> str:
        return dates.humanize(self.as_of, choices.DatePrecision.DAY) if self.as_of else ""

    @property
    def line(self) -> str:
        """
        "<Title>. In: <Register>, version of 3 May 2026 (<history link>). <URL>
        (accessed 26 November 2026)."
        """
        title = self.title.rstrip(".")
        version = ""
        if self.as_of:
            version = f", version of {self.as_of_text}"
            if self.version_url:
                version += f" ({self.version_url})"
        return f"{title}. In: {self.register}{version}. {self.url} (accessed {self.accessed_text})."

    @property
    def bibtex(self) -> str:
        note = f"Accessed {self.accessed_text}"
        if self.as_of:
            note = (
                f"Version of {self.as_of_text}"
                + (f", \\url{{{self.version_url}}}" if self.version_url else "")
                + f". {note}"
            )
        fields = [
            ("title", f"{{{bibtex_escape(self.title)}}}"),
            ("howpublished", f"\\url{{{self.url}}}"),
            ("organization", bibtex_escape(self.register)),
            ("year", str(self.year) if self.year else None),
            ("month", str(self.as_of.month) if self.as_of else None),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", note),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        return f"@misc{{{self.key},\n{body}\n}}"


def cite(request, record) -> Citation:
    """
    The citation of ``record`` as read now, at its permanent URL, naming the
    version read (its date, and that change in the public history).
    """
    model_name = record._meta.model_name
    version = latest_public_version(record)
    if version:
        history_id, when = version
        as_of = timezone.localdate(when)
        change = Change(history_id=history_id, date=when, record=record, event="")
        version_url = request.build_absolute_uri(change.get_absolute_url())
    else:
        as_of = timezone.localdate(record.updated_at) if record.updated_at else None
        version_url = ""
    return Citation(
        title=title_of(record),
        url=request.build_absolute_uri(record.get_absolute_url()),
        accessed=timezone.localdate(),
        register=settings.REGISTER_NAME,
        key=citation_key(f"{model_name}:{record.slug}"),
        year=as_of.year if as_of else None,
        as_of=as_of,
        version_url=version_url,
    )


# JSON -------------------------------------------------------------------------


def record_document(request, record) -> dict:
    """
    The record as its JSON page shows it: the `fr-registry/1` record, where
    references to records that are not published are left out, plus ``url``,
    ``last_updated`` and (systems, deployments) ``audit``.
    """
    name = list_name_of(record)
    document = registry_json.record(name, record)
    for key, kind in SPEC[name]["keys"].items():
        if isinstance(kind, tuple) and kind[0] == "ref" and key in document:
            if published(getattr(record, key)) is None:
                del document[key]
        elif isinstance(kind, tuple) and kind[0] == "refs" and key in document:
            document[key] = sorted(getattr(record, key).published().values_list("slug", flat=True))
    if record.is_retracted and record.public_note:
        document["public_note"] = record.public_note
    document["url"] = request.build_absolute_uri(record.get_absolute_url())
    document["last_updated"] = dates.utc_timestamp(record.updated_at)
    if hasattr(record, "audit_status"):
        document["audit"] = {
            "status": record.audit_status,
            "status_label": record.get_audit_status_display(),
            "finding": record.audit_finding or None,
            "date": dates.to_iso(record.audit_date, record.audit_date_precision),
        }
    citation = cite(request, record)
    document["citation"] = {"text": citation.line, "bibtex": citation.bibtex}
    document["licence"] = settings.DATA_LICENCE_URL
    return document


def bad_format_response(value: str) -> HttpResponse:
    return HttpResponse(
        f"Unknown format “{value}”. A record page is available as format=json.\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def record_json_response(request, record) -> JsonResponse:
    response = JsonResponse(record_document(request, record), json_dumps_params={"indent": 2,
                            "ensure_ascii": False})  # fmt: skip
    response["Link"] = licence_link()
    return response
