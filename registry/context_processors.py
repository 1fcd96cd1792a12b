"""Values every template may use: the register's name and its data licence."""

from django.conf import settings


def site(request):
    """Names every template may use."""
    return {
        "REGISTER_NAME": settings.REGISTER_NAME,
        "REGISTER_SHORT_NAME": settings.REGISTER_SHORT_NAME,
        "DATA_LICENCE": settings.DATA_LICENCE,
        "DATA_LICENCE_URL": settings.DATA_LICENCE_URL,
    }
