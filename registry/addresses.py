"""
``reverse()`` for the addresses a page names many times: a record's page
(``/policies/<slug>/``) once per policy listed, each navigation link.

Django's ``reverse()`` resolves the pattern, checks the arguments and quotes
them on every call, about 0.1 ms each; a record page names up to a hundred
addresses. ``address()`` reverses each name once per process (per URLconf and
script prefix) with a placeholder, then fills in the value: the same result.
"""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# Fits the slug and key converters, so reverse() accepts it; found nowhere else in an address.
_PLACEHOLDER = "zz-address-placeholder-zz"


@lru_cache(maxsize=128)
def _around(viewname: str, kwarg: str | None, urlconf: str, prefix: str) -> tuple[str, str | None]:
    kwargs = {kwarg: _PLACEHOLDER} if kwarg else None
    before, found, after = reverse(viewname, urlconf=urlconf, kwargs=kwargs).partition(_PLACEHOLDER)
    return (before, after) if found else (before, None)


def address(viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)`` for no argument or one non-empty one (a slug)."""
    if len(kwargs) > 1 or not all(kwargs.values()):
        return reverse(viewname, kwargs=kwargs)  # reverse() says what is wrong, if anything
    kwarg, value = next(iter(kwargs.items()), (None, None))
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    before, after = _around(viewname, kwarg, urlconf, get_script_prefix())
    if kwarg is None:
        return before
    if after is None:
        return reverse(viewname, kwargs=kwargs)
    # As reverse() quotes the path (a slug needs nothing).
    return before + quote(str(value), safe=RFC3986_SUBDELIMS + "/~:@") + after
