"""
The register's public history: what changed in public records, and when.

- ``selector``: ``public_changes()``, the one selector behind every surface
  below, and ``Change``/``FieldChange``, what a change looks like;
- ``views``: the /changes/ page and a record's history page;
- ``feeds``: their Atom twins.

The selector's names are importable from ``registry.changes``.
"""

from .selector import (
    Change,
    Event,
    FieldChange,
    PublicChanges,
    history_feed_url,
    history_url,
    public_changes,
)

__all__ = [
    "Change",
    "Event",
    "FieldChange",
    "PublicChanges",
    "history_feed_url",
    "history_url",
    "public_changes",
]
