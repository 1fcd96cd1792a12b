"""
gunicorn settings for production (``make serve-production``).

Workers are synchronous; each request is bounded well below ``timeout`` by
the PostgreSQL statement timeout and the rate limits, and nothing builds bulk
files inside a request. gunicorn's own logs (its errors, such as an invalid
response header, happen outside Django) use Django's JSON logging.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# Load Django (settings, apps, the URLconf and every view it imports) once in
# the master, before the workers fork: a recycled worker then answers its first
# request without importing the site again (about 1 s that otherwise lands on a
# visitor). Nothing opens a database connection at import, and ``when_ready``
# closes any that might have been, so no worker inherits a connection. The cost:
# a HUP reloads the configuration but not the code; deploy new code by a restart.
preload_app = True
# The TLS proxy on the same host sets X-Forwarded-Proto (BEHIND_TLS_PROXY).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"


def _django_logging():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings

    return dict(settings.LOGGING)


logconfig_dict = _django_logging()


def when_ready(server):
    """In the master, after the preloaded site is set up and before the workers fork."""
    from importlib import import_module
    from pathlib import Path

    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template

    from registry import places
    from registry.search import results
    from registry.views import SEARCH_RESULTS_PER_TYPE

    # What Django and the site otherwise do at a worker's first requests: import
    # the URLconf and the views, compile the templates (the cached loader keeps
    # them) and read ISO 3166's names (pycountry loads them on first use).
    import_module(settings.ROOT_URLCONF)
    folder = Path(settings.BASE_DIR) / "templates"
    for template in sorted(folder.rglob("*.html")):
        get_template(template.relative_to(folder).as_posix())
    places.code_name("US")
    places.code_name("US-CA")
    # And the statements of the commonest searches (one to three words).
    results.compile_common_shapes(limit_per_type=SEARCH_RESULTS_PER_TYPE)
    connections.close_all()
