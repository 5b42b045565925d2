"""Small, hand-checkable ESR learning (OLM) exports for the profile tests."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.factories import small_system

HEADER = [
    "Employee Number",
    "Assignment Number",
    "Org Code",
    "Enrolment ID",
    "Course Name",
    "Competence Name",
    "Course Category",
    "Statutory/Mandatory",
    "Delivery Method",
    "Enrolment Date",
    "Course Start Date",
    "Completion Date",
    "Enrolment Status",
]

#: Three enrolments of people in tests.factories.PEOPLE. Lines 2, 3 and 4 of the file.
ROWS = [
    ["10000001", "10000001-1", "RWE", "500001", "Fire Safety", "NHS|CSTF|Fire Safety - 2 Years|",
     "Statutory and Mandatory", "Y", "E-Learning", "10-JUN-2023", "", "12/06/2023", "Completed"],
    ["10000002", "10000002-1", "RWE", "500002", "Active Bystander", "", "Active Bystander", "N",
     "Classroom", "01/09/2023", "15/09/2023", "15/09/2023", "Attended"],
    ["10000003", "10000003-1", "RT5", "500003", "Leadership Essentials", "",
     "Leadership and Management", "N", "Virtual Classroom", "02/01/2024", "20/01/2024", "",
     "Not Attended"],
]  # fmt: skip


def olm_file(
    path: Path,
    rows: list[list[str]] | None = None,
    header: list[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header or HEADER)
        writer.writerows(ROWS if rows is None else rows)
    return path


def olm_folder(folder: Path, rows: list[list[str]] | None = None, **kwargs: object) -> Path:
    """organisations, people and assignments as canonical CSVs, and olm_report.csv."""
    small_system(folder)
    olm_file(folder / "olm_report.csv", rows, **kwargs)  # type: ignore[arg-type]
    return folder


def replace(row: list[str], **changes: str) -> list[str]:
    """A row with some columns changed, named as in HEADER with `_` for spaces."""
    out = list(row)
    for name, value in changes.items():
        out[HEADER.index(name.replace("_", " "))] = value
    return out
