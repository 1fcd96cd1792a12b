"""
The selection rule: is a use case about face recognition? Pure functions on a
``UseCase``; the methodology page explains the same rule in words
(``templates/registry/_federal_inventory_method.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .layouts import UseCase

_FACE = r"(?:face|faces|facial)"
# Words that say a use case recognises, compares or captures faces for matching.
FR_PHRASES = re.compile(
    rf"\b{_FACE}[\s-]+(?:recognition|comparison|comparisons|matching|match|matches|"
    r"verification|identification|biometrics?|capture|images?|templates?|features|"
    r"search(?:es)?|candidate)\b"
    rf"|\b(?:search|searches|searched|match|matches|matched|compare|compares|compared|index|"
    rf"indexes|similar|identify|identifies)\s+(?:\w+\s+){{0,3}}?faces\b"
    r"|\bFRT\b|\bFR/FC\b",
    re.IGNORECASE,
)
# Products and vendors that do nothing but face recognition.
FR_PRODUCTS = re.compile(
    r"\bclearview\b|\bneoface\b|\bfacevacs\b|\bcognitec\b|\brank one\b|\biproov\b|"
    r"\bparavision\b|\bfacefirst\b|\bface\+\+|\bpimeyes\b",
    re.IGNORECASE,
)
# A biometric match of photographs is a face match.
PHOTO_BIOMETRIC = re.compile(r"\bbiometric\w*\b[^.\n]*\bphoto|\bphoto\w*\b[^.\n]*\bbiometric",
                             re.IGNORECASE)  # fmt: skip
NEGATION = re.compile(r"\b(?:not|no|never|without|nor)\b|n't\b", re.IGNORECASE)
# Mentions worth listing when a row is left out ("faces" as in "staff face delays" is not one).
MENTIONS_FACES = re.compile(
    r"\bfacial\b|\bbiometric|\bface ?id\b|\bselfie|\bliveness|"
    r"\b(?:detect\w*|blur\w*|redact\w*|obscur\w*|person's|human|synthetic\w*) (?:\w+ )?faces?\b|"
    r"\bfaces,|\bfaces (?:and|or)\b|\blike faces\b|"
    r"\bfaces? (?:detection|detected|images?|masks?|shields?|geometry)\b",
    re.IGNORECASE,
)

# Purposes for which a mention of faces is not face recognition of people. Each is
# looked for in the use case's name, and Face ID also in its stated purpose.
EXCLUSIONS = (
    (re.compile(r"\bface ?id\b", re.IGNORECASE), ("name", "purpose"),
     "unlocks a device or an app with the device's own Face ID"),
    (re.compile(r"\bunlock", re.IGNORECASE), ("name",),
     "unlocks a device or an app with the device's own Face ID"),
    (re.compile(r"redact|\bblur", re.IGNORECASE), ("name",), "redacts or blurs faces"),
    (re.compile(r"deep ?fake|synthetic", re.IGNORECASE), ("name",), "detects deepfakes"),
    (re.compile(r"cranio|surg(?:ery|ical)|dental|radiolog", re.IGNORECASE), ("name",),
     "medical imaging"),
    # Passport photo checks: a face product (FaceVACS) judging whether a photo is usable
    # is not a match of one person's face against another.
    (re.compile(r"photo quality|image quality", re.IGNORECASE), ("name", "purpose"),
     "checks the quality of a submitted photo, matches no face"),
)  # fmt: skip

# Products that can match faces among other things (a digital identity service, a
# multimodal biometric system). A row that names one without saying it matches faces is
# left out, but listed in the summary for a maintainer to review against other sources.
_FACE_CAPABLE_WORDS = ("id.me", "ngi", "next generation identification")
FACE_CAPABLE = re.compile(r"\bID\.me\b|next generation identification|\bNGI\b", re.IGNORECASE)

# A general-purpose generative AI tool (document review) that lists face recognition
# only among its possible outputs is not a face recognition use case.
GENERAL_PURPOSE = re.compile(r"generative ai|document review|large language model|\bLLM\b",
                             re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Decision:
    selected: bool
    reason: str
    mentions_faces: bool = False


def _unnegated(pattern, text):
    """Matches of ``pattern`` in ``text`` that the same sentence does not negate just before."""
    found = []
    for match in pattern.finditer(text):
        start = max(
            text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start()),
            match.start() - 80,
        )  # fmt: skip
        if not NEGATION.search(text[start + 1 : match.start()]):
            found.append(match.group(0))
    return found


# Every pattern above needs one of these; most rows have none, and skip the regexes.
_CUE_WORDS = ("face", "facial", "biometric", "clearview", "cognitec", "rank one", "iproov",
              "paravision", "pimeyes", "selfie", "liveness", "frt", "fr/fc")  # fmt: skip
_CUES = re.compile(
    r"\bfac(?:e|es|ial)\b|biometric|clearview|cognitec|rank one|iproov|paravision|pimeyes|"
    r"selfie|liveness|facevacs|neoface|facefirst|\bfrt\b|\bfr/fc\b"
)


def _only_a_listed_output(use_case: UseCase) -> bool:
    """Face recognition named only in the outputs of a tool whose purpose is general."""
    columns = use_case.layout.text_columns
    outputs = use_case.layout.columns.get("outputs")
    rest = use_case.text([c for c in columns if c != outputs])
    return (
        GENERAL_PURPOSE.search(use_case.get("purpose") + " " + use_case.get("name")) is not None
        and not _unnegated(FR_PHRASES, rest)
        and not FR_PRODUCTS.search(rest)
    )


def _for_review(product):
    return Decision(False, f"left out for review: names “{product.group(0)}”, which can match "
                    "faces, but the row does not say it does", True)  # fmt: skip


def classify(use_case: UseCase) -> Decision:
    """Is this use case about face recognition? With the reason, in words."""
    text = use_case.text()
    low = text.lower()
    if not any(word in low for word in _CUE_WORDS) or not _CUES.search(low):
        # Most rows name no such product: a substring test spares them the regex.
        if any(w in low for w in _FACE_CAPABLE_WORDS) and (product := FACE_CAPABLE.search(text)):
            return _for_review(product)
        return Decision(False, "not about face recognition")
    phrases = _unnegated(FR_PHRASES, text)
    products = FR_PRODUCTS.findall(text)
    photos = _unnegated(PHOTO_BIOMETRIC, text)
    if phrases or products or photos:
        for pattern, where, why in EXCLUSIONS:
            if any(pattern.search(use_case.get(key)) for key in where):
                return Decision(False, f"excluded: {why}", True)
        if _only_a_listed_output(use_case):
            return Decision(False, "excluded: a general-purpose generative AI tool that lists "
                            "face recognition only among its outputs", True)  # fmt: skip
        if phrases:
            return Decision(True, f"says “{phrases[0]}”", True)
        if products:
            return Decision(True, f"names the face recognition product or vendor “{products[0]}”",
                            True)  # fmt: skip
        return Decision(True, "describes a biometric match of photographs", True)
    negated = FR_PHRASES.search(text)
    if negated or MENTIONS_FACES.search(text):
        for pattern, where, why in EXCLUSIONS:
            if any(pattern.search(use_case.get(key)) for key in where):
                return Decision(False, f"excluded: {why}", True)
        if negated:
            return Decision(False, "excluded: says it does not do face recognition", True)
        if product := FACE_CAPABLE.search(text):
            return _for_review(product)
        return Decision(False, "mentions faces or biometrics, not face recognition", True)
    return Decision(False, "not about face recognition")
