"""
Two-factor sign-in for staff: a password (guarded by django-axes), then a
six-digit code from an authenticator app (TOTP, through django-otp).

Who must use it: superusers and reviewers, who can publish, retract and
manage accounts. Until they have a confirmed authenticator, every admin page
sends them to the enrolment page (a QR code drawn on the server, the secret as
text too, and a code to confirm); once they have one, every new sign-in asks
for a code before any admin page opens. Editors may enrol from the admin home
page; once they have, their sign-ins ask for a code as well.

A session that has passed the second step is "verified" (django-otp keeps
the device in the session). Wrong codes are throttled by django-otp (each
failure doubles the wait) and logged. Enrolling needs a verified session once
a confirmed authenticator exists, so a stolen password alone can never add a
device. A lost phone: a superuser deletes the person's device in the admin
(*TOTP devices*); they enrol afresh at their next sign-in.
"""

import base64
import logging
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .clientaddress import client_address

log = logging.getLogger("registry.twofactor")

# Groups whose members cannot reach the admin without a second factor.
REQUIRED_GROUPS = ("reviewers",)


def two_factor_required(user) -> bool:
    """Superusers and reviewers must sign in with a second factor."""
    return user.is_superuser or user.groups.filter(name__in=REQUIRED_GROUPS).exists()


def _exempt_paths() -> tuple[str, ...]:
    """Admin pages a signed-in but unverified person may open."""
    return (
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("two-factor-enrol"),
        reverse("two-factor-verify"),
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_next(url: str, request) -> str:
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


class StaffTwoFactorMiddleware:
    """
    Sends a staff member who has not passed the second step from any admin
    page to it: to the code page when they have an authenticator, to
    enrolment when they must have one and do not. Public pages are untouched.
    Goes after django-otp's ``OTPMiddleware`` (which adds ``is_verified``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not user.is_verified()
            and request.path not in _exempt_paths()
        ):
            if user_has_device(user, confirmed=True):
                return redirect(_with_next(reverse("two-factor-verify"), request))
            if two_factor_required(user):
                return redirect(_with_next(reverse("two-factor-enrol"), request))
        return self.get_response(request)


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError("The code is made of digits only.")
        return token


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps want it typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as an SVG data URI (drawn here: no script, no third party)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _context(request, **extra):
    return {**admin.site.each_context(request), **extra}


def enrol(request):
    """Add an authenticator: show its secret (QR code and text) and confirm a first code."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        # A password alone must never be enough to add a device.
        return redirect(_with_next(reverse("two-factor-verify"), request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            log.info("Two-factor authenticator added for %s", user.get_username())
            messages.success(request, "Two-factor sign-in is on: each sign-in will ask for a code.")
            return redirect(_next_url(request, reverse("admin:index")))
        log.warning(
            "Two-factor enrolment code refused for %s from %s",
            user.get_username(),
            client_address(request),
        )
        form.add_error("token", _wrong_code_message(device))
    return render(
        request,
        "admin/two_factor/enrol.html",
        _context(
            request,
            title="Set up two-factor sign-in",
            form=form,
            qr_code=qr_code(device),
            secret=secret_text(device),
            required=two_factor_required(user),
            next=_next_url(request, ""),
        ),
        status=400 if form.errors else 200,
    )


def verify(request):
    """The second step of signing in: a code from the person's authenticator."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request, reverse("admin:index")))
    if not user_has_device(user, confirmed=True):
        return redirect(_with_next(reverse("two-factor-enrol"), request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request, reverse("admin:index")))
        log.warning(
            "Two-factor code refused for %s from %s", user.get_username(), client_address(request)
        )
        devices = list(devices_for_user(user, confirmed=True))
        form.add_error("token", _wrong_code_message(devices[0] if devices else None))
    return render(
        request,
        "admin/two_factor/verify.html",
        _context(request, title="Two-factor sign-in", form=form, next=_next_url(request, "")),
        status=400 if form.errors else 200,
    )


def _wrong_code_message(device) -> str:
    allowed, data = device.verify_is_allowed() if device is not None else (True, None)
    # django-otp waits 1 s after one wrong code, 2 s after two …: say so once it matters.
    if not allowed and data and data.get("failure_count", 0) >= 3:
        return (
            "Too many wrong codes: wait a little (each wrong code doubles the wait) and "
            "type the code your app shows then."
        )
    return (
        "That code did not match. Type the code your app shows now; if it keeps failing, "
        "check that your phone's clock is set automatically."
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (``AXES_LOCKOUT_CALLABLE``)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "admin/locked_out.html",
        _context(
            request,
            title="Sign-in locked",
            failure_limit=settings.AXES_FAILURE_LIMIT,
            lock_minutes=minutes,
        ),
        status=429,
    )


enrol_view = admin.site.admin_view(enrol)
verify_view = admin.site.admin_view(verify)
