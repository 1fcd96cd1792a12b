"""Site-wide views that belong to no app: the server-error handler."""

import sys

from django.views.defaults import server_error as default_server_error

from .middleware import busy_response, is_database_busy


def server_error(request, template_name="500.html"):
    """
    ``handler500``. An exception raised outside a view (in a middleware, while
    saving the session) never reaches ``process_exception``; when it is a busy
    database it still deserves a 503 with ``Retry-After``, not a 500.
    """
    if is_database_busy(sys.exception()):
        return busy_response(request)
    return default_server_error(request, template_name)
