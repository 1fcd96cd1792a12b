"""The register's app: connects its signal receivers when Django starts."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Register"

    def ready(self):
        # Receivers: derived values and the search index (signals), the time a
        # person signed in (session_limits).
        from . import session_limits, signals  # noqa: F401
