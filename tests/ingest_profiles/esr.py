"""Small, hand-checkable ESR workforce exports for the profile tests."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.factories import ORGANISATIONS, write_csv

HEADER = [
    "Employee Number",
    "Assignment Number",
    "Org Code",
    "Staff Group",
    "Pay Band",
    "Assignment Category",
    "FTE",
    "Assignment Start Date",
    "Termination Date",
    "Leaving Reason",
    "Ethnic Origin",
    "Gender",
    "Disability Flag",
]

#: Two people; the first has two assignments (a band change). Lines 2, 3 and 4 of the file.
ROWS = [
    ["10000001", "10000001", "RWE", "Nursing and Midwifery Registered", "Band 5", "Permanent",
     "1.00", "01/04/2019", "31/03/2022", "", "A White - British", "Female", "No"],
    ["10000001", "10000001-2", "RWE", "Nursing and Midwifery Registered", "Band 6", "Permanent",
     "1.00", "01/04/2022", "", "", "A White - British", "Female", "No"],
    ["10000002", "10000002", "RT5", "Administrative and Clerical", "Band 8A", "Bank",
     "", "15/01/2018", "30/06/2023", "Voluntary Resignation - Relocation",
     "N Black or Black British - African", "Male", "Not Declared"],
]  # fmt: skip


def esr_file(
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


def esr_folder(folder: Path, rows: list[list[str]] | None = None, **kwargs: object) -> Path:
    """organisations.csv and esr_export.csv, ready to import."""
    write_csv(folder / "organisations.csv", ORGANISATIONS)
    esr_file(folder / "esr_export.csv", rows, **kwargs)  # type: ignore[arg-type]
    return folder


def replace(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for name, value in changes.items():
        out[HEADER.index(name.replace("_", " "))] = value
    return out
