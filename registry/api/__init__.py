"""
The read-only JSON API at ``/api/v1/``.

One record type per endpoint, with the rows, filters and search of the HTML
lists (the FilterSets in ``registry/filters.py``) and the field names of the
``fr-registry/1`` data format (``registry/format.py``).
The OpenAPI schema at ``/api/v1/schema/`` and the docs page at ``/api/`` are
generated from this code.
"""
