"""
Staff accounts: lockout after repeated wrong passwords (django-axes), two-factor
sign-in (django-otp TOTP) required for reviewers and superusers and optional
for editors, and sessions that end when idle or too old.
"""

import logging
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry import session_limits

pytestmark = pytest.mark.django_db

PASSWORD = "synthetic-correct-horse-battery"
LOGIN = "/admin/login/"
ADMIN = "/admin/"
ENROL = "/admin/two-factor/set-up/"
VERIFY = "/admin/two-factor/"


def _staff(username, group=None, *, superuser=False):
    if superuser:
        return User.objects.create_superuser(username, password=PASSWORD)
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def _password(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": ADMIN}, **extra)


def code(device, *, steps_ahead=0):
    """The code the person's authenticator app shows now (or ``steps_ahead`` × 30 s later)."""
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{value:0{device.digits}d}"


def _signed_in_user(client):
    return client.session.get("_auth_user_id")


# --- Lockout --------------------------------------------------------------------


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, settings, caplog):
    _staff("synthetic-admin", superuser=True)
    caplog.set_level(logging.WARNING)

    wrong = [_password(client, "synthetic-admin", "wrong").status_code for _ in range(5)]
    right = _password(client, "synthetic-admin")

    assert wrong[:4] == [200] * 4  # the ordinary "please enter a correct password" page
    assert wrong[4] == 429
    assert right.status_code == 429
    assert "Sign-in locked" in right.content.decode()
    assert "locked for 60 minutes, even with the right password" in right.content.decode()
    assert _signed_in_user(client) is None
    # Failures are recorded (shared by every process: the database) and logged.
    attempt = AccessAttempt.objects.get(username="synthetic-admin")
    assert attempt.failures_since_start >= 5
    assert attempt.ip_address == "127.0.0.1"
    failures = AccessFailureLog.objects.filter(username="synthetic-admin")
    assert failures.filter(locked_out=False).count() == 4
    assert failures.filter(locked_out=True).count() == 2  # the 5th, and the right password
    axes_log = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    assert any(
        "login failure" in message and "synthetic-admin" in message and "127.0.0.1" in message
        for message in axes_log
    )


def test_the_lock_holds_for_that_username_and_address_only(client, settings):
    _staff("synthetic-admin", superuser=True)
    _staff("synthetic-other", superuser=True)
    for _ in range(5):
        _password(client, "synthetic-admin", "wrong")

    elsewhere = _password(Client(), "synthetic-admin", REMOTE_ADDR="198.51.100.4")
    other_user = _password(Client(), "synthetic-other")

    assert elsewhere.status_code == 302
    assert other_user.status_code == 302


def test_a_right_password_before_the_limit_signs_in_and_resets_the_count(client):
    _staff("synthetic-editor", "editors")
    for _ in range(4):
        _password(client, "synthetic-editor", "wrong")

    response = _password(client, "synthetic-editor")

    assert response.status_code == 302
    assert _signed_in_user(client) is not None
    assert not AccessAttempt.objects.filter(username="synthetic-editor").exists()


def test_behind_a_trusted_proxy_the_lock_keys_on_the_visitors_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _staff("synthetic-admin", superuser=True)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        _password(client, "synthetic-admin", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.9", **proxy)

    locked = _password(Client(), "synthetic-admin", HTTP_X_FORWARDED_FOR="192.0.2.9", **proxy)
    colleague = _password(Client(), "synthetic-admin", HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy)

    assert locked.status_code == 429
    assert colleague.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "192.0.2.9"


# --- Two-factor sign-in -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["reviewer", "superuser"])
def test_a_reviewer_or_superuser_without_an_authenticator_is_sent_to_enrolment(client, kind):
    user = _staff("synthetic-" + kind, "reviewers", superuser=kind == "superuser")
    _password(client, user.username)

    for page in (ADMIN, "/admin/registry/agency/", reverse("federal-import")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL + "?next=")

    enrol = client.get(ENROL)
    html = enrol.content.decode()
    assert enrol.status_code == 200
    assert '<img src="data:image/svg+xml' in html  # the QR code, drawn on the server
    assert "<script>" not in html  # no inline script: the strict CSP holds
    assert TOTPDevice.objects.get(user=user).confirmed is False
    assert enrol.context["secret"].replace(" ", "") in html.replace(" ", "")
    assert len(enrol.context["secret"].replace(" ", "")) == 32  # 160-bit key in base32


def test_enrolment_confirms_the_authenticator_with_a_code_and_opens_the_admin(client):
    user = _staff("synthetic-reviewer", "reviewers")
    _password(client, user.username)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)

    wrong = client.post(ENROL, {"token": code(device, steps_ahead=20)})  # ten minutes early
    device.throttle_reset()  # django-otp makes the next try wait a second; skip the wait
    right = client.post(ENROL, {"token": code(device), "next": "/admin/registry/agency/"})

    assert wrong.status_code == 400
    assert "did not match" in wrong.content.decode()
    assert right.status_code == 302
    assert right["Location"] == "/admin/registry/agency/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ADMIN).status_code == 200


def test_with_an_authenticator_a_valid_code_opens_the_admin(client):
    user = _staff("synthetic-reviewer", "reviewers")
    device = TOTPDevice.objects.create(user=user, name="Synthetic phone", confirmed=True)

    signed_in = _password(client, user.username)
    gate = client.get(ADMIN)
    wrong = client.post(VERIFY, {"token": "12345x"})
    right = client.post(VERIFY, {"token": code(device), "next": ADMIN})

    assert signed_in.status_code == 302
    assert gate.status_code == 302
    assert gate["Location"] == VERIFY + "?next=%2Fadmin%2F"
    assert wrong.status_code == 400
    assert right.status_code == 302
    assert right["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_code_keeps_the_admin_closed_and_is_logged(client, caplog):
    user = _staff("synthetic-admin", superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Synthetic phone", confirmed=True)
    _password(client, user.username)
    caplog.set_level(logging.WARNING)
    wrong_code = code(device, steps_ahead=20)  # a real code, for ten minutes from now

    response = client.post(VERIFY, {"token": wrong_code})

    assert response.status_code == 400
    assert "did not match" in response.content.decode()
    assert client.get(ADMIN).status_code == 302
    assert "Two-factor code refused for synthetic-admin" in caplog.text


def test_a_password_alone_cannot_add_an_authenticator(client):
    user = _staff("synthetic-reviewer", "reviewers")
    TOTPDevice.objects.create(user=user, name="Synthetic phone", confirmed=True)
    _password(client, user.username)

    response = client.get(ENROL)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_two_factor_is_optional_for_editors_until_they_enrol(client):
    user = _staff("synthetic-editor", "editors")
    _password(client, user.username)

    home = client.get(ADMIN)

    assert home.status_code == 200
    assert f'href="{ENROL}"' in home.content.decode()
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    client.post(ENROL, {"token": code(device)})
    # From now on their sign-ins ask for a code too.
    client.post(reverse("admin:logout"))
    _password(client, user.username)
    assert client.get(ADMIN)["Location"].startswith(VERIFY)


def test_the_code_pages_are_for_staff_only(client):
    """Anonymous visitors are sent to the password step first."""
    for page in (ENROL, VERIFY):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


# --- Sessions -------------------------------------------------------------------


def _signed_in_editor(client):
    _staff("synthetic-editor", "editors")
    _password(client, "synthetic-editor")
    assert client.get(ADMIN).status_code == 200


def _age_session(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_a_session_idle_longer_than_the_timeout_is_signed_out(client, settings):
    _signed_in_editor(client)
    _age_session(client, session_limits.LAST_SEEN, settings.SESSION_IDLE_TIMEOUT + 1)

    response = client.get("/admin/registry/agency/", follow=True)

    assert response.redirect_chain[0][0].startswith(LOGIN + "?next=")
    assert "minutes without activity" in response.content.decode()
    assert _signed_in_user(client) is None


def test_an_active_session_ends_at_its_absolute_lifetime(client, settings):
    _signed_in_editor(client)
    _age_session(client, session_limits.SIGNED_IN_AT, settings.SESSION_COOKIE_AGE + 1)

    response = client.get(ADMIN, follow=True)

    assert "a session lasts at most 8 hours" in response.content.decode()
    assert _signed_in_user(client) is None


def test_activity_within_the_idle_timeout_keeps_the_session(client, settings):
    _signed_in_editor(client)
    _age_session(client, session_limits.LAST_SEEN, settings.SESSION_IDLE_TIMEOUT - 120)

    assert client.get(ADMIN).status_code == 200
    assert time.time() - client.session[session_limits.LAST_SEEN] < 60


def test_sessions_are_shorter_than_djangos_two_weeks(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.AXES_FAILURE_LIMIT == 5


def test_a_sign_in_without_a_client_address_is_recorded_not_a_crash(client):
    """A request made in code (force_login) has no REMOTE_ADDR: PostgreSQL refused "unknown"."""
    client.force_login(_staff("synthetic-editor", "editors"))

    assert AccessLog.objects.get(username="synthetic-editor").ip_address is None
