"""
Canonical list URLs: the filter form submits every field, set or not
(``?q=&region=&agency=…``). A GET on a public list whose query string carries
empty parameters is redirected to the same URL without them, so that each
set of filters has one address to share, cite and cache.
"""

from urllib.parse import parse_qsl, urlencode

from django.http import HttpResponsePermanentRedirect


def is_public_list(match):
    return match is not None and match.namespace == "registry" and match.url_name.endswith("-list")


def canonical_query(query_string):
    """``query_string`` without its empty parameters, or None when it has none to drop."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if value != ""]
    if len(kept) == len(pairs):
        return None
    return urlencode(kept)


class CanonicalListQueryMiddleware:
    """Redirects (301) a public list's URL with empty parameters to the URL without them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not is_public_list(request.resolver_match):
            return None
        query = canonical_query(request.META.get("QUERY_STRING", ""))
        if query is None:
            return None
        return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
