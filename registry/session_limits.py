"""
How long a signed-in session lasts: an idle timeout and an absolute lifetime.

Django alone offers one of the two (``SESSION_COOKIE_AGE``, which slides
forward whenever the session is saved). This middleware enforces both from
two timestamps kept in the session:

- ``SESSION_IDLE_TIMEOUT`` seconds without a request end the session;
- ``SESSION_COOKIE_AGE`` seconds after signing in the session ends however
  active it was (the cookie's own age is the same figure, as a backstop).

The last-seen time is written at most once a minute, so ordinary admin use
does not rewrite the session on every request. An ended session signs the
person out; on an admin page they are sent to the sign-in page with a message
saying why.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SIGNED_IN_AT = "registry_signed_in_at"
LAST_SEEN = "registry_last_seen"
# Seconds between two writes of the last-seen time (bounds the idle timeout's error).
TOUCH_EVERY = 60


def idle_timeout() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT)


def absolute_lifetime() -> int:
    return int(settings.SESSION_COOKIE_AGE)


@receiver(user_logged_in, dispatch_uid="registry.session_limits.stamp")
def _stamp(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


def _ended_because(session, now: int) -> str | None:
    signed_in = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN, signed_in)
    if signed_in is None:
        return None
    if now - signed_in > absolute_lifetime():
        hours = absolute_lifetime() / 3600
        return (
            f"You were signed out: a session lasts at most {hours:g} hours. Please sign in again."
        )
    if now - last_seen > idle_timeout():
        minutes = idle_timeout() / 60
        return (
            f"You were signed out after {minutes:g} minutes without activity. Please sign in again."
        )
    return None


class SessionLimitsMiddleware:
    """Ends signed-in sessions that were idle too long or are too old (after MessageMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            reason = _ended_because(session, now)
            if reason:
                logout(request)
                if request.path.startswith(reverse("admin:index")):
                    messages.info(request, reason)
                    login = reverse("admin:login")
                    return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            else:
                if SIGNED_IN_AT not in session:  # signed in before these limits existed
                    session[SIGNED_IN_AT] = now
                if now - session.get(LAST_SEEN, 0) >= TOUCH_EVERY:
                    session[LAST_SEEN] = now
        return self.get_response(request)
