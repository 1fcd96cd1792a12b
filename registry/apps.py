from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Register"

    def ready(self):
        # Receivers: derived values, search index, the time a person signed in.
        from . import search, session_limits, signals  # noqa: F401
