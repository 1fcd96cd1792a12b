"""
The ASGI entry point of a web process (gunicorn: ``portal.asgi:application``).

It marks the process as serving the web (``REGISTER_WEB_PROCESS``: on
PostgreSQL its statements get ``DATABASE_STATEMENT_TIMEOUT``), then checks
the static files manifest and routes uncaught errors to the log.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("REGISTER_WEB_PROCESS", "1")
application = get_asgi_application()

from portal.startup import web_process_ready  # noqa: E402 - needs the settings loaded

web_process_ready()
