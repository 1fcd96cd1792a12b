"""
Places: the names people read for ISO 3166 codes, a place's identity and
address, the aliases people type, and which records lie in or cover a place.

Codes (``US``, ``US-MI``, ``GB-WLS``, ``EU``) stay what the data format, the
query string, exports and the API use. Everything a person reads goes through
``code_name()`` / ``place_name()`` (and the template filters in
``templatetags/place_tags.py``), which take names from the ISO 3166 tables of
``pycountry``, with two small documented tables:

- ``COUNTRY_NAMES``: where ISO's short name is not the one people use
  ("Russian Federation" → "Russia"), and the European Union, which ISO 3166-1
  only reserves (``EU``) and which the register treats as a supranational
  jurisdiction (its law binds agencies in the member states);
- ``CITIES``: large cities that no record names yet, so a search for
  "Chicago" finds Illinois (and says plainly that nothing is recorded there).

A ``Place`` is a country, a region (ISO 3166-2) or a locality (a city or
county, as the records spell it) inside a region. Its ``key`` is its address
under ``/places/`` (``us``, ``us/mi``, ``us/mi/detroit``) and the value of the
lists' ``place=`` filter, so a place page and its filtered lists agree.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import django_filters as filters
import pycountry
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.text import get_text_list, slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import choices, counts
from .querysets import _policy_agencies, jurisdiction_q

EU = "EU"

# Where ISO 3166-1's name (or its common name) is not what people call the
# country. Keep this short: pycountry is the reference.
COUNTRY_NAMES = {
    EU: "European Union",
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "RU": "Russia",
}

# Common names people type for a place, beyond ISO's names (lower case).
ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "britain": "GB",
    "great britain": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "us": "US",
    "u s": "US",
    "usa": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "the united states": "US",
    "eu": EU,
    "europe": EU,
    "england and wales": "GB-ENG",
    "holland": "NL",
    "cymru": "GB-WLS",
    "washington state": "US-WA",
    "washington dc": "US-DC",
    "new york state": "US-NY",
}

# Large cities no record may name yet, with their ISO 3166-2 region, so that a
# search for them leads to the region's laws and agencies. The twenty-five
# most populous US cities (US Census Bureau estimates) and the capitals and
# largest cities of the UK's nations; cities in ISO 3166-2 itself (Cardiff,
# Glasgow...) are found through pycountry.
CITIES = {
    "New York City": "US-NY", "Los Angeles": "US-CA", "Chicago": "US-IL", "Houston": "US-TX",
    "Phoenix": "US-AZ", "Philadelphia": "US-PA", "San Antonio": "US-TX", "San Diego": "US-CA",
    "Dallas": "US-TX", "Jacksonville": "US-FL", "Fort Worth": "US-TX", "San Jose": "US-CA",
    "Austin": "US-TX", "Charlotte": "US-NC", "Columbus": "US-OH", "Indianapolis": "US-IN",
    "San Francisco": "US-CA", "Seattle": "US-WA", "Denver": "US-CO", "Oklahoma City": "US-OK",
    "Nashville": "US-TN", "Washington": "US-DC", "El Paso": "US-TX", "Las Vegas": "US-NV",
    "Boston": "US-MA", "Detroit": "US-MI", "Portland": "US-OR", "Oakland": "US-CA",
    "London": "GB-ENG", "Birmingham": "GB-ENG", "Manchester": "GB-ENG", "Leeds": "GB-ENG",
    "Liverpool": "GB-ENG", "Bristol": "GB-ENG", "Edinburgh": "GB-SCT", "Belfast": "GB-NIR",
}  # fmt: skip

_BRACKETS = re.compile(r"\s*\[.*?\]\s*")


def _clean(name: str) -> str:
    # pycountry writes other-language names in brackets: "Wales [Cymru GB-CYM]".
    return _BRACKETS.sub("", name).strip()


@cache
def country_name(code: str) -> str:
    """ "United States" for ``US``; the code itself when ISO does not know it."""
    code = (code or "").upper()
    if code in COUNTRY_NAMES:
        return COUNTRY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@cache
def region_name(code: str) -> str:
    """ "California" for ``US-CA``; the code itself when ISO does not know it."""
    code = (code or "").upper()
    try:
        region = pycountry.subdivisions.get(code=code)
    except (KeyError, LookupError):
        region = None
    return _clean(region.name) if region is not None else code


def code_name(code: str) -> str:
    """The name of a country (``US``) or a region (``US-MI``) code."""
    code = str(code or "")
    return region_name(code) if "-" in code else country_name(code)


def place_name(country="", region="", locality="", regions=()) -> str:
    """ "Detroit, Michigan, United States": a record's place, most local first."""
    parts = [locality] if locality else []
    region_codes = [r for r in (regions or ([region] if region else [])) if r]
    if region_codes:
        parts.append(get_text_list([region_name(r) for r in region_codes], "and"))
    if country:
        parts.append(country_name(country))
    return ", ".join(parts)


# Place identity ---------------------------------------------------------------

COUNTRY, REGION, LOCALITY = "country", "region", "locality"


@dataclass(frozen=True)
class Place:
    """A country, a region of it, or a locality in a region."""

    country: str
    region: str = ""
    locality: str = ""

    @property
    def level(self):
        return LOCALITY if self.locality else REGION if self.region else COUNTRY

    @property
    def name(self):
        if self.locality:
            return self.locality
        return region_name(self.region) if self.region else country_name(self.country)

    @property
    def full_name(self):
        return place_name(self.country, self.region, self.locality)

    def __str__(self):
        return self.full_name

    @property
    def parts(self):
        out = [self.country.lower()]
        if self.region:
            out.append(self.region.split("-", 1)[1].lower())
        if self.locality:
            out.append(slugify(self.locality))
        return out

    @property
    def key(self):
        """``us/mi/detroit``: the address under /places/ and the ``place=`` filter's value."""
        return "/".join(self.parts)

    # The facets and chips read a filter value's ``slug`` as its query-string value.
    slug = key

    def get_absolute_url(self):
        return reverse("registry:place", kwargs={"key": self.key})

    @property
    def parent(self):
        if self.locality:
            return Place(self.country, self.region)
        if self.region:
            return Place(self.country)
        return None

    @property
    def lineage(self):
        """This place and every place containing it, widest first."""
        chain, place = [], self
        while place is not None:
            chain.append(place)
            place = place.parent
        return chain[::-1]

    @property
    def in_eu(self):
        return self.country in choices.EU_MEMBER_STATES

    @property
    def wider(self):
        """The jurisdictions whose law reaches this place, widest first (EU, then country...)."""
        out = [EU] if self.in_eu else []
        return out + [p.name for p in self.lineage]

    def agency_q(self, prefix=""):
        """Agencies located here (``prefix``: the path to the agency, e.g. ``agency__``)."""
        q = Q(**{f"{prefix}country": self.country})
        if self.region:
            q &= Q(**{f"{prefix}region": self.region})
        if self.locality:
            q &= Q(**{f"{prefix}locality": self.locality})
        return q

    def list_params(self):
        return {"place": self.key}

    # Policies ------------------------------------------------------------

    def covering_q(self):
        """Public law whose jurisdiction contains the whole place (the governing rule)."""
        return jurisdiction_q(
            country=self.country, region=self.region, locality=self.locality, in_eu=self.in_eu
        )

    def within_q(self):
        """Public law of a smaller jurisdiction inside the place (a city's ban on a state page)."""
        q = Q(binds_by_jurisdiction=True, country=self.country)
        if self.locality:
            return Q(pk__in=[])
        if self.region:
            return q & Q(regions__has=self.region) & ~Q(locality="")
        return q & ~Q(regions="")

    def naming_q(self):
        """Policies that name an agency located in the place."""
        from .models import Agency

        named = _policy_agencies().objects.filter(
            policy_id=OuterRef("pk"),
            agency__in=Agency.objects.published().filter(self.agency_q()),
        )
        return Q(Exists(named))

    def policy_q(self):
        """Every policy that applies in the place or part of it."""
        return self.covering_q() | self.within_q() | self.naming_q()


def region_code(country: str, part: str) -> str:
    return f"{country.upper()}-{part.upper()}"


def known_region(code: str) -> bool:
    try:
        return pycountry.subdivisions.get(code=code) is not None
    except (KeyError, LookupError):
        return False


def known_country(code: str) -> bool:
    return code in COUNTRY_NAMES or pycountry.countries.get(alpha_2=code) is not None


class UnknownPlace(ValueError):
    """A ``/places/`` address or ``place=`` value that names no place."""


def recorded_localities():
    """``{(country, region): [locality, ...]}`` named by published agencies or policies."""
    from .models import Agency, Policy

    def compute():
        found = {}
        # A policy's locality lies in one of its regions (a city's law names one).
        for model, field in ((Agency, "region"), (Policy, "regions")):
            rows = (
                model.objects.published()
                .exclude(**{field: ""})
                .exclude(locality="")
                .values_list("country", field, "locality")
                .distinct()
            )
            for country, regions, locality in rows:
                for region in [regions] if field == "region" else regions:
                    found.setdefault(f"{country}|{region}", set()).add(locality)
        return {key: sorted(names) for key, names in found.items()}

    return counts.remembered_here("places", ["localities"], compute)


@cache
def gazetteer_localities():
    """``{region: [name]}``: ISO 3166-2 subdivisions inside a region, and ``CITIES``."""
    found = {}
    for sub in pycountry.subdivisions:
        parent = getattr(sub, "parent_code", None)
        if not parent:
            continue
        # The parent is the region the register files agencies under (a UK nation).
        while True:
            try:
                above = pycountry.subdivisions.get(code=parent)
            except (KeyError, LookupError):
                above = None
            if above is None or not getattr(above, "parent_code", None):
                break
            parent = above.parent_code
        found.setdefault(parent, set()).add(_clean(sub.name))
    for city, region in CITIES.items():
        found.setdefault(region, set()).add(city)
    return {region: sorted(names) for region, names in found.items()}


def from_key(key: str) -> Place:
    """The place at ``us/mi/detroit`` (case does not matter), or ``UnknownPlace``."""
    parts = [p for p in str(key or "").strip().strip("/").lower().split("/")]
    if not parts or not parts[0] or len(parts) > 3 or len(key) > 300:
        raise UnknownPlace("Give a place as country[/region[/locality]], e.g. us/mi/detroit.")
    country = parts[0].upper()
    if not re.fullmatch(r"[A-Z]{2}", country) or not known_country(country) or country == EU:
        raise UnknownPlace(f"“{parts[0]}” is not a two-letter ISO 3166-1 country code.")
    if len(parts) == 1:
        return Place(country)
    region = region_code(country, parts[1])
    if not re.fullmatch(r"[A-Z0-9]{1,3}", parts[1].upper()) or not known_region(region):
        raise UnknownPlace(f"“{parts[1]}” is not an ISO 3166-2 region of {country_name(country)}.")
    if len(parts) == 2:
        return Place(country, region)
    for name in (
        *recorded_localities().get(f"{country}|{region}", ()),
        *gazetteer_localities().get(region, ()),
    ):
        if slugify(name) == parts[2]:
            return Place(country, region, name)
    raise UnknownPlace(f"No record names a place “{parts[2]}” in {region_name(region)}.")


# Finding places by name ---------------------------------------------------------


def normalize(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: how names are compared."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@cache
def _static_names():
    """``{normalized name: [code]}`` for every ISO country and top-level region, and aliases."""
    names = {}

    def add(name, code):
        key = normalize(name)
        if key and code not in names.setdefault(key, []):
            names[key].append(code)

    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if getattr(country, attr, None):
                add(country.name if attr == "name" else getattr(country, attr), country.alpha_2)
        add(country_name(country.alpha_2), country.alpha_2)
    for code, name in COUNTRY_NAMES.items():
        add(name, code)
    for sub in pycountry.subdivisions:
        if not getattr(sub, "parent_code", None):
            add(_clean(sub.name), sub.code)
    for alias, code in ALIASES.items():
        add(alias, code)
    return names


def _place_of_code(code: str):
    if code == EU:
        return None
    if "-" in code:
        return Place(code.split("-", 1)[0], code)
    return Place(code)


def resolve(text: str) -> list[Place]:
    """
    The places a search names, most likely first: a country, a region or a
    locality (recorded in the register, in ISO 3166-2, or a large city), by
    name or alias. Only the whole query is read as a place ("Michigan",
    "United Kingdom", "Detroit"), so "Michigan State Police" is not one.
    """
    wanted = normalize(text)
    if not wanted or len(wanted) > 100:
        return []
    found = []
    for code in _static_names().get(wanted, ()):
        place = _place_of_code(code)
        if place is not None and place not in found:
            found.append(place)
    localities = [
        Place(country, region, name)
        for country, region, name in (
            *recorded_locality_names().get(wanted, ()),
            *_gazetteer_names().get(wanted, ()),
        )
    ]
    for place in localities:
        if place not in found:
            found.append(place)
    return found


def _by_normalized_name(localities):
    """``{normalized name: [(country, region, name)]}`` from ``[(country, region, [name])]``."""
    found = {}
    for country, region, names in localities:
        for name in names:
            found.setdefault(normalize(name), []).append((country, region, name))
    return found


def recorded_locality_names():
    """
    The recorded localities by normalized name, kept like the localities:
    a search looks its words up instead of normalizing every name each time.
    """

    def compute():
        return _by_normalized_name(
            (*key.split("|"), names) for key, names in recorded_localities().items()
        )

    return counts.remembered_here("places", ["locality-names"], compute)


@cache
def _gazetteer_names():
    return _by_normalized_name(
        (region.split("-", 1)[0], region, names) for region, names in gazetteer_localities().items()
    )


def covers_eu(text: str) -> bool:
    """Does the query name the European Union?"""
    return EU in _static_names().get(normalize(text), ())


# The lists' ``place=`` filter -----------------------------------------------------


class PlaceField(forms.CharField):
    """A place's key (``us/mi/detroit``), cleaned to a ``Place``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return from_key(value)
        except UnknownPlace as exc:
            raise forms.ValidationError(str(exc), code="invalid_place") from exc


@extend_schema_field(OpenApiTypes.STR)
class PlaceFilter(filters.Filter):
    """
    ``place=us/mi``: rows in a place. For agencies and deployments, those of
    agencies located there; for policies (``policies=True``), every policy
    that applies there or in part of it (as on the place page).
    """

    field_class = PlaceField

    def __init__(self, *args, prefix="", policies=False, **kwargs):
        kwargs.setdefault("label", "Place")
        kwargs.setdefault("help_text", "A place's address under /places/, e.g. us/mi/detroit.")
        self.prefix, self.policies = prefix, policies
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(value.policy_q() if self.policies else value.agency_q(self.prefix))


class PlaceKeyConverter:
    """``us``, ``us/mi``, ``us/mi/detroit`` in a URL (checked against ISO by ``from_key``)."""

    regex = r"[a-z]{2}(?:/[a-z0-9]{1,3}(?:/[a-z0-9_-]+)?)?"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def from_key_or_none(key):
    """The place at ``key``, or None when it names none (for optional prefills)."""
    try:
        return from_key(key) if key else None
    except UnknownPlace:
        return None
