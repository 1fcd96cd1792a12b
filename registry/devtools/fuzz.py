"""
Hostile requests for every public endpoint: the fault test of issue 12.

``catalogue()`` reads the register once and lists what a visitor can reach:
every list, record page, history and feed of every record type, the API's
lists, records and schema, search, places, exports, bulk data and the
suggestion form. ``requests(rng, catalogue, n)`` then yields ``n`` requests
that mix ordinary ones with what an attacker or a broken client sends: every
filter of a list with values from ``HOSTILE`` (control characters, header
injection, SQL and template syntax, huge and negative numbers, 10,000-character
strings, invalid UTF-8), unknown and repeated parameters, odd methods, odd
headers (a foreign Host, broken conditional headers, ranges) and mangled paths.

The site must answer every one of them with something other than a 5xx:
``manage.py fuzz_http`` sends them to a production-like server, the test suite
replays a bounded sample through the test client. Both are deterministic for
a given seed.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from registry import places, types

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "2147483648",
    "9" * 400,
    "x" * 10_000,
    "%",
    "%00",
    "\x00",
    "a\x00b",
    "\n",
    "a\x0bb",
    "\r\nSet-Cookie: injected=1",
    'x"; foo=bar',
    "' OR 1=1 --",
    '"; DROP TABLE registry_agency; --',
    "{{ 7*7 }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "../../../../etc/passwd",
    "é" * 50,
    "😀" * 20,
    "\ufeff",
    "\u202e",
    "ﷺ" * 30,
    '=HYPERLINK("http://127.0.0.1")',
    "*",
    "a*",
    "OR",
    '"',
    "(",
    "-",
    "a OR b OR c OR d OR e OR f OR g OR h OR i OR j OR k OR l OR m OR n OR o OR p",
    " ".join(f"{chr(97 + i % 26)}*" for i in range(40)),
    "2019",
    "2019-13",
    "2019-02-30",
    "0000-00-00",
    "US",
    "US-CA",
    "XX-99",
    "gb-eng",
    "active",
    "none_known",
    "true",
    "[]",
    "{}",
]
EXTRA_PARAMS = [
    "page",
    "per_page",
    "page_size",
    "sort",
    "ordering",
    "format",
    "fields",
    "cursor",
    "version",
    "callback",
    "limit",
    "offset",
    "utm_source",
    "__proto__",
]
METHODS = ["GET"] * 20 + ["HEAD"] * 3 + ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
HOSTILE_HEADERS = [
    {"Host": "127.0.0.1:1"},
    {"Host": "evil.example"},
    {"Host": "localhost:99999"},
    {"If-None-Match": '"' + "x" * 500 + '"'},
    {"If-None-Match": "*"},
    {"If-Modified-Since": "yesterday"},
    {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
    {"Range": "bytes=0-10,5-2,-1"},
    {"Accept": "application/json"},
    {"Accept": "text/csv;q=0.5, */*;q=0.1"},
    {"Accept": "\x01"},
    {"Accept-Encoding": "gzip, br, zstd"},
    {"Accept-Language": "xx-" + "y" * 200},
    {"X-Forwarded-For": "1.2.3.4, 5.6.7.8"},
    {"X-Forwarded-Proto": "https"},
    {"Cookie": "sessionid=" + "a" * 300 + "; csrftoken=%00"},
    {"Content-Type": "application/json"},
    {"Referer": "javascript:alert(1)"},
    {"User-Agent": "x" * 2000},
]
PATH_MANGLES = [
    "{path}x",
    "{path}%2e%2e/",
    "{path}%00/",
    "{path}..%2f..%2f",
    "{path}" + "a" * 300 + "/",
    "{path}%ff%fe/",
    "{path}?",
    "{path}?&&&=&",
    "{path};jsessionid=1",
    "//{path}",
]


@dataclass
class Catalogue:
    """What a visitor can reach, read once from the register."""

    pages: list[str] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)  # path -> its filter names
    forms: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [*self.pages, *self.lists, *self.forms]


def _slugs(model, count: int) -> list[str]:
    # Published and unpublished alike: a draft's address must be a 404, not a 500.
    return list(model.objects.order_by("?").values_list("slug", flat=True)[:count])


def catalogue(records_per_type: int = 8, places_count: int = 20) -> Catalogue:
    """Every public route, with a sample of real records and places."""
    cat = Catalogue()
    cat.pages += [
        "/",
        "/methodology/",
        "/changes/",
        "/changes/feed/",
        "/data/",
        "/data/registry.json",
        "/data/registry-csv.zip",
        "/places/",
        "/healthz",
        "/readyz",
        "/.well-known/security.txt",
        "/api/",
        "/api/v1/",
        "/api/v1/schema/",
        "/robots.txt",
        "/favicon.ico",
        "/no-such-page/",
        "/static/css/site.css",
    ]
    cat.lists["/search/"] = ["q", "type", "page"]
    cat.lists["/api/v1/schema/"] = ["version", "format"]
    for record_type in types.RECORD_TYPES:
        names = list(record_type.filterset_class.base_filters)
        segment = record_type.segment
        cat.lists[f"/{segment}/"] = names
        cat.lists[f"/api/v1/{segment}/"] = names
        for slug in [*_slugs(record_type.model, records_per_type), "no-such-record"]:
            cat.pages += [
                f"/{segment}/{slug}/",
                f"/{segment}/{slug}/history/",
                f"/{segment}/{slug}/history/feed/",
                f"/api/v1/{segment}/{slug}/",
            ]
            if segment == "agencies":
                cat.pages.append(f"/agencies/{slug}/scorecard/")
    keys = sorted({place.key for place in _place_sample(places_count)})
    for key in [*keys, "zz", "us/zz", "us/ca/" + "x" * 100]:
        cat.pages += [f"/places/{key}/", f"/places/{key}/feed/"]
    cat.forms.append("/suggest/")
    return cat


def _place_sample(count: int):
    from registry.models import Agency

    rows = (
        Agency.objects.order_by("?")
        .values_list("country", "region", "locality")
        .distinct()[: count * 2]
    )
    found = []
    for country, region, locality in rows:
        found.append(places.Place(country))
        if region:
            found.append(places.Place(country, region))
            if locality:
                found.append(places.Place(country, region, locality))
    return found[:count]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    kind: str = "page"

    def __str__(self):
        return f"{self.method} {self.path[:200]}"


def _query(rng: random.Random, names: list[str]) -> str:
    params = []
    for _ in range(rng.choice([1, 1, 2, 3, 5])):
        name = rng.choice(names + EXTRA_PARAMS) if names else rng.choice(EXTRA_PARAMS)
        params.append((name, rng.choice(HOSTILE)))
    if rng.random() < 0.1:
        params += [(rng.choice(names or EXTRA_PARAMS), rng.choice(HOSTILE))] * 30
    query = urlencode(params)
    if rng.random() < 0.05:
        query += "&%ZZ=%E0%A4%A"  # a broken percent-encoding and invalid UTF-8
    return query


def requests(rng: random.Random, cat: Catalogue, n: int) -> Iterator[Request]:
    """``n`` requests: about a third ordinary, the rest hostile in one or more ways."""
    list_paths = list(cat.lists)
    for _ in range(n):
        roll = rng.random()
        headers: dict = {}
        body = b""
        method = "GET"
        if roll < 0.30:
            path = rng.choice(cat.paths)
            kind = "ordinary"
        elif roll < 0.70:
            base = rng.choice(list_paths)
            path = f"{base}?{_query(rng, cat.lists[base])}"
            kind = "hostile query"
        elif roll < 0.80:
            path = rng.choice(PATH_MANGLES).format(path=rng.choice(cat.paths).lstrip("/"))
            path = path if path.startswith("/") else "/" + path
            kind = "mangled path"
        elif roll < 0.90:
            path = rng.choice(cat.paths)
            headers = dict(rng.choice(HOSTILE_HEADERS))
            kind = "hostile header"
        else:
            path = rng.choice(cat.paths)
            method = rng.choice(METHODS)
            if method in {"POST", "PUT", "PATCH"}:
                body = urlencode(
                    {
                        rng.choice(["record", "message", "email", "name", "url"]): rng.choice(
                            HOSTILE
                        )
                        for _ in range(3)
                    }
                ).encode()
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
            kind = "method"
        yield Request(method, quote(path, safe="/?&=%;:@+,*!$'()~"), headers, body, kind)
