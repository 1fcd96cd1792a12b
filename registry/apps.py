from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Register"

    def ready(self):
        from . import search, signals  # noqa: F401  (receivers: derived values, search index)
