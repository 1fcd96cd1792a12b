"""
Public suggestions: "Suggest a correction", a form anyone may send.

A suggestion never edits the register; it lands in the admin as a triage item
(new, accepted, rejected, duplicate). Spam is kept out without any third-party
service: a honeypot field, a minimum fill time carried in a signed timestamp,
and a per-client rate limit kept in the cache under a salted hash of the IP
address (the raw address is never stored). Every rejection re-renders the form
with a clear message and a 4xx status, never a 500.

Both the rate limit and the spent fill-time tokens live in Django's cache, so
they are shared by every process when the cache is (Redis or the database
cache; the per-process default is for development only):

- the limit counts accepted suggestions only, so a robot's rejected posts never
  use up the allowance of the next honest sender on the same address;
- a fill-time token is good for one accepted suggestion: it is remembered as
  spent until it would have expired anyway (``FORM_MAX_AGE``);
- the client is told apart by ``clientaddress.client_address``, which reads
  ``X-Forwarded-For`` only as far as ``TRUSTED_PROXY_COUNT`` proxies go.

Names and emails are kept ``SUGGESTION_RETENTION_DAYS`` days, then erased by
``manage.py purge_suggestions``.
"""

import hashlib
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.validators import URLValidator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_http_methods

from . import places, types
from .clientaddress import client_address
from .models import Suggestion

MAX_BODY = 5000
MAX_URLS = 10
MAX_URL_LENGTH = 2000
# How old a form may be before it must be reloaded (a signed timestamp older
# than this is refused, so one copied token cannot be replayed forever).
FORM_MAX_AGE = 24 * 60 * 60

_TIMESTAMP_SALT = "registry.suggestions.started"
_DONE_SALT = "registry.suggestions.done"
_CLIENT_SALT = "registry.suggestions.client"
# When a record stops being public between opening the form and sending it.
RECORD_DROPPED = (
    "The record you were suggesting a correction to is no longer public (it may have been "
    "withdrawn since you opened the form), so it was taken off the form: your suggestion is "
    "about the register in general. Say in your text which record you mean."
)
RECORD_DROPPED_SENT = (
    "The record you were suggesting a correction to is no longer public (it may have been "
    "withdrawn since you opened the form), so your suggestion was received as being about "
    "the register in general. A maintainer will read your text to see what it concerns."
)


def min_seconds() -> float:
    return getattr(settings, "SUGGESTION_MIN_SECONDS", 3)


def rate_limit() -> tuple[int, int]:
    """(submissions, per seconds) allowed from one client."""
    return (
        getattr(settings, "SUGGESTION_RATE_LIMIT", 5),
        getattr(settings, "SUGGESTION_RATE_WINDOW", 60 * 60),
    )


def suggest_query(record) -> str:
    """``agencies:synthetic-county-police``: how a record is named in ``?record=``."""
    return f"{types.of(record).segment}:{record.slug}"


def find_public_record(reference: str):
    """The public record named ``type:slug`` (``agencies:x`` or ``agency:x``), or None."""
    type_, sep, slug = (reference or "").strip().partition(":")
    record_type = types.TYPES.get(type_) or types.by_model_name(type_)
    if not sep or record_type is None or not slug:
        return None
    return record_type.model.objects.public().filter(slug=slug).first()


def client_hash(request) -> str:
    """
    A salted hash of the client's address (SECRET_KEY is the key), so the rate
    limit and the triage screen can tell senders apart without storing an IP.

    The address is ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` says which
    ``X-Forwarded-For`` entry a trusted proxy wrote (``clientaddress``).
    """
    address = client_address(request) or "unknown"
    return salted_hmac(_CLIENT_SALT, address, algorithm="sha256").hexdigest()


class RateLimit:
    """
    Accepted suggestions per client in fixed windows, kept in the cache as
    ``limit`` slots per client and window (``…:<window number>:<slot>``).

    Taking a slot is ``cache.add``, the one write every backend makes atomic
    (Redis SET NX; the database cache's insert on a primary key), so processes
    racing for the last slot cannot both win, as they could with a read and
    then a write (``incr`` on the database cache). Each slot carries its own
    expiry, so no backend can stretch or cut a window short.
    """

    def __init__(self, client: str):
        self.limit, self.window = rate_limit()
        self.client = client
        self.taken: str | None = None

    def _slots(self) -> list[str]:
        window = int(time.time() // self.window)
        return [f"suggestions:rate:{self.client}:{window}:{n}" for n in range(self.limit)]

    def exceeded(self) -> bool:
        return len(cache.get_many(self._slots())) >= self.limit

    def take(self) -> bool:
        """Count one accepted suggestion; False, counting nothing, when none is left."""
        for slot in self._slots():
            if cache.add(slot, 1, timeout=self.window):
                self.taken = slot
                return True
        return False

    def give_back(self) -> None:
        """Undo ``take()`` (the suggestion was not accepted after all)."""
        if self.taken:
            cache.delete(self.taken)
            self.taken = None


def new_start_token() -> str:
    """A signed start time with a nonce: each rendered form gets its own token."""
    return signing.dumps([time.time(), secrets.token_hex(8)], salt=_TIMESTAMP_SALT)


def spend_token(token: str, started: float) -> bool:
    """
    Mark a fill-time token as used; False when it was used already. The mark
    lasts until the token expires on its own, so the cache stays small.
    """
    digest = hashlib.sha256(token.encode()).hexdigest()
    key = f"suggestions:token:{digest}"
    lifetime = int(FORM_MAX_AGE - (time.time() - started)) + 60
    if cache.add(key, 1, timeout=max(60, lifetime)):
        return True
    # The database cache answers False on a database error too: only a mark
    # that is really there means the token was spent.
    return cache.get(key) is None


class SourceURLsField(forms.CharField):
    """One http(s) URL per line, blank lines ignored."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_length=Suggestion._meta.get_field("source_urls").max_length,
            widget=forms.Textarea(attrs={"rows": 4}),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        if len(lines) > MAX_URLS:
            raise forms.ValidationError(
                f"Please give at most {MAX_URLS} URLs (you gave {len(lines)})."
            )
        validate = URLValidator(schemes=["http", "https"])
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_URL_LENGTH:
                raise forms.ValidationError(
                    f"URL on line {number} is longer than {MAX_URL_LENGTH} characters."
                )
            try:
                validate(line)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"Line {number} is not a web address starting with http:// or https://: "
                    f"“{line[:100]}”."
                ) from None
        return "\n".join(lines)


class SuggestionForm(forms.ModelForm):
    record = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    source_urls = SourceURLsField(
        label="Sources (optional)",
        help_text=f"Web addresses that back your suggestion, one per line (at most {MAX_URLS}).",
    )
    # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order),
    # filled in by robots that fill in every field.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Suggestion
        fields = ["body", "source_urls", "name", "email"]
        labels = {
            "body": "What is wrong or missing?",
            "name": "Your name (optional)",
            "email": "Your email (optional)",
        }
        help_texts = {
            "body": f"Tell us what to correct or add, and how you know (at most {MAX_BODY} "
            "characters).",
            "name": "Never shown publicly.",
            "email": "Never shown publicly. Only used if we need to ask you about your suggestion.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "maxlength": MAX_BODY})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = MAX_BODY
        self.fields["body"].error_messages["max_length"] = (
            "Please keep it under %(limit_value)d characters (it has %(show_value)d)."
        )
        # Every render carries a fresh signed start time.
        self.initial["started"] = new_start_token()
        self.record_dropped = False

    def clean_record(self):
        reference = self.cleaned_data["record"]
        if not reference:
            return None
        record = find_public_record(reference)
        if record is None:
            # Not an error: the record may have been retracted or sent back to
            # draft after the form was opened. The suggestion is still welcome,
            # about the register in general (RECORD_DROPPED says so).
            self.record_dropped = True
        return record

    def started_at(self) -> float | None:
        """When the form was rendered, from its signed token; None if forged or expired."""
        try:
            value = signing.loads(
                self.data.get(self.add_prefix("started"), ""),
                salt=_TIMESTAMP_SALT,
                max_age=FORM_MAX_AGE,
            )
            # [time, nonce]; a bare time from forms rendered before the nonce.
            return float(value[0] if isinstance(value, list) else value)
        except (signing.BadSignature, TypeError, ValueError, IndexError):
            return None

    @property
    def spam_reason(self) -> str | None:
        """Why the submission looks automated, or None. Call after is_valid()."""
        if self.data.get(self.add_prefix("website")):
            return (
                "Your suggestion was not sent: the field marked “leave this field empty” "
                "was filled in, which robots do. If you are a person, empty it and send again."
            )
        started = self.started_at()
        if started is None:
            return "This form has expired or was altered. Please send your suggestion again."
        if time.time() - started < min_seconds():
            return (
                "That was quicker than a person can fill in the form, so it looks automated. "
                "Please wait a few seconds and send it again."
            )
        return None

    def save(self, *, client: str, commit=True):
        suggestion = super().save(commit=False)
        record = self.cleaned_data.get("record")
        if record is not None:
            suggestion.content_type = ContentType.objects.get_for_model(record)
            suggestion.object_id = record.pk
        suggestion.client_hash = client
        if commit:
            suggestion.save()
        return suggestion


def _render(request, form, *, status=200, problem=None):
    record = None
    if form.is_bound:
        record = form.cleaned_data.get("record") if hasattr(form, "cleaned_data") else None
    else:
        record = find_public_record(form.initial.get("record", ""))
    notice = RECORD_DROPPED if getattr(form, "record_dropped", False) else None
    return render(
        request,
        "registry/suggest.html",
        {"form": form, "record": record, "problem": problem, "notice": notice},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def suggest(request):
    """/suggest/ (``?record=agencies:slug`` prefills the record concerned)."""
    client = client_hash(request)
    limiter = RateLimit(client)
    if request.method == "GET":
        reference = request.GET.get("record", "")[:200]
        initial = {"record": reference}
        # ?place=us/mi/detroit (from a place page) starts the message with the place.
        place = places.from_key_or_none(request.GET.get("place", ""))
        if place is not None:
            initial["body"] = f"Place: {place.full_name}\n\n"
        form = SuggestionForm(initial=initial)
        if reference and find_public_record(reference) is None:
            form = SuggestionForm()
            problem = (
                f"We could not find a public record “{reference}”. You can still tell us "
                "what is wrong or missing."
            )
            return _render(request, form, status=400, problem=problem)
        return _render(request, form)

    form = SuggestionForm(request.POST)
    if limiter.exceeded():
        form.is_valid()
        return _render(request, form, status=429, problem=_too_many())
    valid = form.is_valid()
    # Rejected posts (spam, mistakes) count against no one's allowance.
    spam = form.spam_reason
    if spam:
        return _render(request, _rebound(form), status=400, problem=spam)
    if not valid:
        return _render(request, _rebound(form), status=400)
    if not limiter.take():
        return _render(request, form, status=429, problem=_too_many())
    if not spend_token(form.data[form.add_prefix("started")], form.started_at()):
        limiter.give_back()
        problem = (
            "This copy of the form was sent already (a second click, or the page sent "
            "again). If you meant to send another suggestion, send this one again."
        )
        return _render(request, _rebound(form), status=400, problem=problem)
    suggestion = form.save(client=client)
    token = signing.dumps([suggestion.pk, form.record_dropped], salt=_DONE_SALT)
    return redirect("registry:suggest-done", token=token)


def _too_many() -> str:
    limit, window = rate_limit()
    return (
        f"Too many suggestions from your connection: at most {limit} every "
        f"{window // 60} minutes. Please try again later; nothing was lost from the register."
    )


def _rebound(form):
    """
    The same answers with a fresh start time, so a corrected form can be sent,
    and without a record that is no longer public (so it cannot block again).
    """
    data = form.data.copy()
    data[form.add_prefix("started")] = form.initial["started"]
    if form.record_dropped:
        data[form.add_prefix("record")] = ""
    rebound = SuggestionForm(data)
    rebound.is_valid()
    rebound.record_dropped = form.record_dropped
    return rebound


def suggest_done(request, token):
    """The confirmation: the reference number, reachable only through the signed link."""
    try:
        value = signing.loads(token, salt=_DONE_SALT, max_age=FORM_MAX_AGE)
        # [pk, record dropped]; a bare pk from links made before the flag.
        pk, dropped = value if isinstance(value, list) else (value, False)
        suggestion = Suggestion.objects.only("pk", "content_type", "object_id").get(pk=pk)
    except (signing.BadSignature, Suggestion.DoesNotExist, TypeError, ValueError):
        raise Http404("No such suggestion.") from None
    return render(
        request,
        "registry/suggest_done.html",
        {
            "suggestion": suggestion,
            "suggest_url": reverse("registry:suggest"),
            "notice": RECORD_DROPPED_SENT if dropped else None,
        },
    )
