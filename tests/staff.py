"""
Staff for tests: ``member`` makes one, ``sign_in`` signs them in. Superusers
and reviewers must pass a second factor before any admin page opens
(registry/twofactor.py); ``sign_in`` gives them a confirmed authenticator and a
session that has passed it, as a real sign-in would leave it.
"""

from django.contrib.auth.models import Group, User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def sign_in(client, user):
    """``client.force_login(user)`` plus a verified second factor. Returns the device."""
    device = TOTPDevice.objects.create(user=user, name="Synthetic authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def member(username, group):
    """A staff user in ``group`` ("editors", "reviewers", ...), fresh from the database."""
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # without a permission cache from before the group
