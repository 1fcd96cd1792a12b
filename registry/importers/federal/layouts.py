"""
Reading an inventory file: the two column layouts (2024 consolidated, 2025
individually reported), the use case as layout-independent words, and a
reader that refuses a malformed file with the row that is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..base import FileError


@dataclass(frozen=True)
class Layout:
    """One column layout of the inventory, and where each fact lives in it."""

    year: int
    name: str
    columns: dict  # our key -> the file's column
    text_columns: tuple  # columns whose words the selection rule reads

    @property
    def required(self):
        return tuple(self.columns.values())


LAYOUT_2025 = Layout(
    year=2025,
    name="2025 individually reported use cases",
    columns={
        "department_acronym": "agency",
        "department": "agency_name",
        "id": "id",
        "name": "use_case_name",
        "bureau": "agency_bureau",
        "stage": "development_stage",
        "purpose": "problem_solved",
        "benefits": "benefits",
        "outputs": "system_outputs",
        "operational_date": "operational_date",
        "vendor": "vendor_name",
        "system": "system_name_ato",
        "data": "data_description",
        "justification": "HI_justification",
        "testing": "hi_testing_conducted",
        "assessment": "hi_assessment_completed",
        "impacts": "hi_potential_impacts",
        "review": "hi_independent_review",
        "monitoring": "hi_ongoing_monitoring",
    },
    text_columns=(
        "use_case_name", "problem_solved", "benefits", "system_outputs", "data_description",
        "HI_justification", "hi_potential_impacts", "vendor_name", "system_name_ato",
    ),
)  # fmt: skip

LAYOUT_2024 = Layout(
    year=2024,
    name="2024 consolidated use cases",
    columns={
        "name": "2_use_case_name",
        "department": "3_agency",
        "department_acronym": "3_abr",
        "bureau": "4_bureau",
        "purpose": "11_purpose_benefits",
        "outputs": "12_outputs",
        "stage": "16_dev_stage",
        "operational_date": "20_date_implemented",
        "retired_date": "21_date_retired",
        "system": "41_system_name",
        "assessment": "52_impact_assessment",
        "testing": "53_real_world_testing",
        "risks": "54_key_risks",
        "review": "55_independent_eval",
        "monitoring": "56_monitor_postdeploy",
        "adverse_impact": "61_adverse_impact",
        "impacts": "62_disparity_mitigation",
    },
    text_columns=(
        "2_use_case_name", "11_purpose_benefits", "12_outputs", "41_system_name",
        "54_key_risks", "62_disparity_mitigation",
    ),
)  # fmt: skip

LAYOUTS = (LAYOUT_2025, LAYOUT_2024)


class InventoryError(FileError):
    """An inventory file that cannot be imported; nothing was written."""


@dataclass(frozen=True)
class UseCase:
    """One row of an inventory, in words that do not depend on the layout."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    layout: Layout
    values: dict  # the file's columns -> text

    def get(self, key):
        column = self.layout.columns.get(key)
        return (self.values.get(column) or "").strip() if column else ""

    @property
    def use_case_id(self):
        return self.get("id")

    @property
    def name(self):
        return " ".join(self.get("name").split())

    @property
    def label(self):
        """How the summary names the row: its id (or row number) and its name."""
        ref = self.use_case_id or f"row {self.row}"
        return f"{ref} “{self.name}” ({self.get('department_acronym')} {self.get('bureau')})"

    def text(self, columns=None):
        columns = columns or self.layout.text_columns
        return "\n".join(self.values.get(c) or "" for c in columns)


@dataclass
class Inventory:
    layout: Layout
    use_cases: list
    year_hint: int | None = None

    @property
    def rows_read(self):
        return len(self.use_cases)


def detect_layout(header) -> Layout:
    """The layout whose columns the header has; a clear error otherwise."""
    names = {h.strip() for h in header}
    for layout in LAYOUTS:
        if set(layout.required) <= names:
            return layout
    best = max(LAYOUTS, key=lambda lay: len(set(lay.required) & names))
    if len(set(best.required) & names) >= len(best.required) // 2:
        missing = [c for c in best.required if c not in names]
        raise InventoryError(
            f"The header looks like the {best.name} layout ({best.year}) but lacks the "
            f"column(s): {', '.join(missing)}.",
            row=1,
        )
    raise InventoryError(
        "This is not a federal AI use case inventory layout this importer knows. It reads the "
        "2025 layout (columns agency, id, use_case_name, agency_bureau, development_stage, ...) "
        "and the 2024 layout (2_use_case_name, 3_agency, 3_abr, 4_bureau, 16_dev_stage, ...). "
        f"The header starts: {', '.join(list(header)[:6]) or '(empty)'}.",
        row=1,
    )


def read_inventory(data: bytes, *, filename: str = "") -> Inventory:
    """
    Parse a whole inventory file, or raise ``InventoryError`` naming the row
    that is wrong: text that is not UTF-8, a header of an unknown layout or
    missing columns, a row with more or fewer fields than the header (a
    truncated file), an unterminated quoted field.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8-sig", errors="replace")
        row = _records_in(good)
        raise InventoryError(
            f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read). "
            "Save it as UTF-8 CSV and try again.",
            row=max(row, 1),
        ) from exc
    if not text.strip():
        raise InventoryError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    try:
        header = next(reader)
        row = 1
        layout = detect_layout(header)
        header = [h.strip() for h in header]
        use_cases = []
        for fields in reader:
            row += 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            if len(fields) != len(header):
                raise InventoryError(
                    f"has {len(fields)} fields but the header has {len(header)}: the row is "
                    "truncated or has an unquoted comma.",
                    row=row,
                )
            use_cases.append(
                UseCase(row=row, layout=layout, values=dict(zip(header, fields, strict=True)))
            )
    except csv.Error as exc:
        raise InventoryError(
            f"is not valid CSV ({exc}); the file may be truncated.", row=row + 1
        ) from exc
    match = re.search(r"(20\d\d)", filename or "")
    return Inventory(layout=layout, use_cases=use_cases,
                     year_hint=int(match.group(1)) if match else None)  # fmt: skip


def _records_in(text):
    try:
        return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return text.count("\n") + 1
