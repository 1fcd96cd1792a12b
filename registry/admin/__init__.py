"""
The maintainers' admin: every record model with the publishing workflow,
history with diffs and revert, suggestions triage and "Needs attention".

Roles and what each may do are described in ``registry/workflow.py``.
"""

from django.conf import settings
from django.contrib import admin

from . import records, revisions, suggestions  # noqa: F401  (registers the model admins)

admin.site.site_header = f"{settings.REGISTER_NAME}: maintainers"
admin.site.site_title = settings.REGISTER_SHORT_NAME
admin.site.index_title = "Maintain the register"
