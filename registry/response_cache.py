"""
Whole public responses kept between requests, and HTTP validators for them.

The register changes a few times a day and is read all day, so the home page,
a public list, record or place page, /changes/, or an API list, is built once
per **register version** (``counts.register_version``: any change made through
the ORM gives a new one) and kept in Django's configured cache (shared by
every process when ``CACHE_URL`` names one) under that version, today's date
(pages say what is in force today) and the exact request: host, path and
canonical query string (``CanonicalListQueryMiddleware`` has already
redirected any other spelling). The next change gives a new version, so the
next request builds the page afresh: nothing stale is ever served, with the
caveat of ``counts``: a bulk write that skips history does not change the
version; ``REGISTER_RESPONSE_CACHE_SECONDS`` bounds that case (0 turns caching
off).

The same responses carry ``ETag``, ``Last-Modified`` and ``Cache-Control:
public, max-age=0, must-revalidate``: a browser or a caching reverse proxy
keeps its copy and revalidates it, and gets a 304 for the cost of reading the
version.

Only what is the same for everyone is kept: GET and HEAD without a session or
message cookie (staff, and anyone with a pending message, always get a page
built for them), 200 responses of the allowed routes, never one that sets a
cookie or used a CSRF token (forms), never a streamed export.
"""

import hashlib
import zlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from . import counts, types

# Bump when a page's markup (or how it is kept) changes for the same data and URL, so a
# shared cache holding the old markup is not served by the new code.
RESPONSE_FORMAT = "2"
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Pages are tens of kilobytes; anything far larger is not worth the cache's memory.
MAX_KEPT_BYTES = 2 * 1024 * 1024


def cached_routes() -> frozenset[str]:
    """The routes (``namespace:name``) whose responses are kept."""
    # The home page's figures count every deployment (the costliest page to
    # build); its "in force" count changes at midnight, which the key's date covers.
    # /changes/ reads every public historical row of every type.
    names = {"registry:home", "registry:places", "registry:place", "registry:changes"}
    for record_type in types.RECORD_TYPES:
        names.add(record_type.url_name)
        names.add(record_type.detail_url_name)
        names.add(record_type.api_url_name)
    return frozenset(names)


class ResponseCacheMiddleware:
    """Serve a public response kept for this register version, or keep the one built now."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = cached_routes()

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_response_cache_key", None)
        if key is None:
            return response
        if not getattr(request, "_response_cache_hit", False):
            if not self.keepable(request, response):
                return response
            self.add_validators(response)
            cache.set(key, self.snapshot(response), settings.REGISTER_RESPONSE_CACHE_SECONDS)
        return self.conditional(request, response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Last of the middleware's view hooks, so the rate limit and the
        # canonical redirect apply to kept pages as to built ones.
        if not self.applies_to(request):
            return None
        key = self.key(request)
        request._response_cache_key = key
        kept = cache.get(key)
        if kept is None:
            return None
        request._response_cache_hit = True
        return self.restore(kept)

    # Which requests and responses -------------------------------------------

    def applies_to(self, request) -> bool:
        if not settings.REGISTER_RESPONSE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return False
        # A session (staff signed in) or a pending message: a page built for them.
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
            return False
        match = request.resolver_match
        return match is not None and match.view_name in self.routes

    def keepable(self, request, response) -> bool:
        return (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(response, HttpResponse)  # not a streamed export
            and len(response.content) <= MAX_KEPT_BYTES
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.META.get("CSRF_COOKIE_USED")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )

    def key(self, request) -> str:
        parts = [
            RESPONSE_FORMAT,
            counts.register_version(),
            timezone.localdate().isoformat(),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
        ]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return f"registry:response:{digest}"

    # Keeping and serving ------------------------------------------------------

    def add_validators(self, response):
        """ETag and Last-Modified from the register's version, unless the view set its own."""
        if not response.has_header("ETag"):
            digest = hashlib.sha256(response.content).hexdigest()[:32]
            response["ETag"] = f'"{digest}"'
        if not response.has_header("Last-Modified"):
            # Pages also change at midnight (what is in force today).
            latest = counts.changed_at_or_midnight()
            response["Last-Modified"] = http_date(latest.timestamp())
        response["Cache-Control"] = CACHE_CONTROL

    def snapshot(self, response):
        # Compressed (fastest level: a page shrinks about five times): every hit
        # then reads, and the database cache decodes, a fifth of the bytes.
        content = zlib.compress(response.content, 1)
        return (response.status_code, list(response.headers.items()), content)

    def restore(self, kept):
        status, headers, content = kept
        response = HttpResponse(zlib.decompress(content), status=status)
        for name, value in headers:
            response[name] = value
        return response

    def conditional(self, request, response):
        """A 304 when the client's copy is current (as the API's own validators give)."""
        last_modified = response.get("Last-Modified")
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
            response=response,
        )
