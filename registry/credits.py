"""
Third-party data the register is built from, and how each must be credited.

One home for the credit lines: the record pages, /data/, the methodology page,
exports' provenance and the importers all read them from here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Credit:
    key: str
    name: str  # how a sentence names it: "the Atlas of Surveillance"
    credit: str  # the full attribution its licence asks for
    licence: str
    licence_short: str
    licence_url: str
    url: str

    def as_dict(self) -> dict:
        return {
            "name": self.credit,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "url": self.url,
        }


ATLAS_OF_SURVEILLANCE = Credit(
    key="atlas-of-surveillance",
    name="the Atlas of Surveillance",
    credit=(
        "Atlas of Surveillance, Electronic Frontier Foundation and the University of Nevada, "
        "Reno Reynolds School of Journalism, snapshot of 7 October 2020"
    ),
    licence="Creative Commons Attribution 4.0 International (CC BY 4.0)",
    licence_short="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    url="https://atlasofsurveillance.org/",
)

THIRD_PARTY_DATA = (ATLAS_OF_SURVEILLANCE,)
