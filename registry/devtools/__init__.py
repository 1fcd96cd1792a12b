"""
Development tools: a synthetic register for tests and benchmarks, and the
benchmarks themselves. Never imported by a request; the management commands
``generate_synthetic``, ``benchmark_pages`` and ``benchmark_export`` are thin
wrappers around these modules.
"""
