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
# The TLS proxy on the same host sets X-Forwarded-Proto (BEHIND_TLS_PROXY).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"


def _django_logging():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings

    return dict(settings.LOGGING)


logconfig_dict = _django_logging()
