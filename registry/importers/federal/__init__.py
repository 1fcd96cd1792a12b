"""
Import the US federal AI use case inventories (Executive Order 13960, OMB
memoranda M-24-10 and M-25-21) into the register.

The package, along its seams:

- ``layouts``: reads a CSV (``read_inventory``) and recognises its layout (2024
  consolidated or 2025 individually reported);
- ``selection``: decides which use cases involve face recognition
  (``classify``);
- ``tables`` and the data files in ``tables/``: the known departments and their
  components, vendors, systems and stages of development;
- ``mapping``: maps each selected use case to register words (``plan``), with no
  database, so every rule is testable on real rows;
- ``writer``: writes the plans inside one ``transaction.atomic()``
  (``import_inventory``): it reuses agencies, vendors, systems and deployments it
  can match, saves only what changed (one history entry per changed record, with
  the file name as the reason), and rolls everything back for a dry run.

This module re-exports the names callers use.

The selection rule (also explained on the methodology page,
``templates/registry/_federal_inventory_method.html``):

1. A use case is about face recognition when its own words say that it
   recognises, compares, matches, verifies or captures faces for matching
   ("facial recognition", "face matching", "facial comparison", "facial
   verification", "face capture", "facial images", "search ... faces" ...),
   or when it names a face recognition product or vendor (Clearview AI, NEC
   NeoFace, Cognitec FaceVACS, Rank One, iProov, Paravision ...), or when it
   describes a biometric match of photos.
2. A phrase that the row negates ("does not perform ... facial recognition")
   does not count.
3. Even then, a use case is left out when face recognition is not what it is
   for: unlocking a device with the device's own Face ID, redacting or
   blurring faces, detecting deepfakes, or medical imaging (craniofacial
   surgery navigation).

Everything else that mentions faces (face detection for photo quality, "agencies
face challenges") is left out, and the import summary lists each such row with
the reason.
"""

from .layouts import (
    LAYOUT_2024,
    LAYOUT_2025,
    LAYOUTS,
    Inventory,
    InventoryError,
    UseCase,
    read_inventory,
)
from .mapping import plan
from .selection import Decision, classify
from .writer import Summary, import_inventory

__all__ = [
    "LAYOUTS", "LAYOUT_2024", "LAYOUT_2025", "Decision", "Inventory", "InventoryError",
    "Summary", "UseCase", "classify", "import_inventory", "plan", "read_inventory",
]  # fmt: skip
