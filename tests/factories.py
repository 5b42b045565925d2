"""Small, hand-checkable canonical files for tests: valid by default, broken on request."""

from __future__ import annotations

import csv
from pathlib import Path

ORGANISATIONS = [
    {
        "org_code": "RWE",
        "name": "University Hospitals of Leicester",
        "org_type": "trust",
        "system_code": "QK1",
    },
    {
        "org_code": "RT5",
        "name": "Leicestershire Partnership",
        "org_type": "trust",
        "system_code": "QK1",
    },
]

PEOPLE = [
    {"person_id": "10000001", "ethnic_code": "A", "sex": "F", "international_recruit": "false"},
    {"person_id": "10000002", "ethnic_code": "N", "sex": "M", "international_recruit": "true"},
    {"person_id": "10000003", "ethnic_code": "H", "sex": "F", "international_recruit": "false"},
    {"person_id": "10000004", "ethnic_code": "", "sex": "U", "international_recruit": ""},
]

ASSIGNMENTS = [
    {
        "assignment_id": "10000001-1",
        "person_id": "10000001",
        "org_code": "RWE",
        "start_date": "2019-04-01",
        "end_date": "",
        "pay_band": "Band 5",
        "staff_group": "Nursing and Midwifery Registered",
        "contract": "permanent",
    },
    {
        "assignment_id": "10000002-1",
        "person_id": "10000002",
        "org_code": "RWE",
        "start_date": "2020-06-01",
        "end_date": "2023-03-31",
        "pay_band": "Band 5",
        "staff_group": "Nursing and Midwifery Registered",
        "contract": "permanent",
    },
    {
        "assignment_id": "10000003-1",
        "person_id": "10000003",
        "org_code": "RT5",
        "start_date": "2018-01-15",
        "end_date": "",
        "pay_band": "Band 3",
        "staff_group": "Administrative and Clerical",
        "contract": "bank",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def small_system(folder: Path, **overrides: list[dict[str, str]]) -> Path:
    """organisations, people and assignments CSVs; pass e.g. people=[...] to replace one."""
    tables = {"organisations": ORGANISATIONS, "people": PEOPLE, "assignments": ASSIGNMENTS}
    tables.update(overrides)
    for name, rows in tables.items():
        write_csv(folder / f"{name}.csv", rows)
    return folder
