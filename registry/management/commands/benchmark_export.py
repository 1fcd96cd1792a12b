"""``manage.py benchmark_export``: a development tool, in ``registry.devtools.benchmark_export``."""

from registry.devtools.benchmark_export import Command

__all__ = ["Command"]
