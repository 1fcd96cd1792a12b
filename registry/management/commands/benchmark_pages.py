"""``manage.py benchmark_pages``: a development tool, in ``registry.devtools.benchmark_pages``."""

from registry.devtools.benchmark_pages import Command

__all__ = ["Command"]
