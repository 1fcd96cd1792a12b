"""``manage.py benchmark_http``: a development tool, in ``registry.devtools.benchmark_http``."""

from registry.devtools.benchmark_http import Command

__all__ = ["Command"]
