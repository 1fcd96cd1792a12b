"""
What a web process checks and sets up once, when ``portal.wsgi`` or
``portal.asgi`` loads: static files that exist, and uncaught errors that
reach the log.
"""

import logging
import sys
import threading

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

logger = logging.getLogger("portal.uncaught")


def check_static_manifest():
    """
    With hashed static file names (production), every page needs the manifest
    ``collectstatic`` writes. Without it each HTML page would be a 500; stop
    at startup with the fix instead.
    """
    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"No static files manifest at {settings.STATIC_ROOT / storage.manifest_name}. "
            "Run `manage.py collectstatic --no-input` before starting the site "
            "(`make serve-production` does)."
        )


def log_uncaught_errors():
    """Errors raised outside Django's request handling (a thread, start-up) are logged too."""

    def excepthook(kind, value, traceback):
        logger.critical("Uncaught exception", exc_info=(kind, value, traceback))

    def thread_excepthook(args):
        if args.exc_type is SystemExit:
            return
        logger.critical(
            "Uncaught exception in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


def web_process_ready():
    check_static_manifest()
    log_uncaught_errors()
