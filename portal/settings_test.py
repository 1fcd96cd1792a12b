"""
Settings for the test suite: production settings (DEBUG off) with a
throwaway key, plain static storage (no collectstatic needed), no
collected static folder and a fast password hasher.
"""

import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-tests-only")
os.environ.setdefault("SITE_URL", "http://testserver")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected static files: a fresh clone has none, and where a developer ran
# collectstatic, WhiteNoise would otherwise scan the folder again for every
# test client (its middleware is built per client): about 8 % of the suite's
# Python CPU, and tests that pass or fail by what is on that disk.
STATIC_ROOT = None  # type: ignore[assignment]  # Django's own default; settings.py has a Path
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
