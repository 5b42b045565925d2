"""Small, hand-checkable TRAC applicant exports (with their vacancies) for the profile tests."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.factories import ORGANISATIONS, write_csv

HEADER = [
    "Vacancy Reference",
    "Application ID",
    "Applicant ID",
    "Date Applied",
    "Internal Applicant",
    "International Recruitment Campaign",
    "Shortlisted Date",
    "Interview Date",
    "Conditional Offer Date",
    "Offer Accepted Date",
    "Ethnicity",
    "Gender",
    "Disability",
]

VACANCIES = [
    {"vacancy_id": "201-NUR-0101", "org_code": "RWE", "pay_band": "Band 5",
     "opened_date": "2023-01-09", "advert": "external", "opportunity_type": "post"},
    {"vacancy_id": "201-ADM-0102", "org_code": "RT5", "pay_band": "Band 3",
     "opened_date": "2023-02-01", "advert": "internal", "opportunity_type": "post"},
]  # fmt: skip

#: Four applications, lines 2 to 5 of the file. The stages are not a ladder: the second
#: candidate was interviewed without a shortlisting date, the third offered without an
#: interview (and declined), the fourth reached nothing.
ROWS = [
    ["201-NUR-0101", "APP-1", "10000001", "20/01/2023", "Y", "N", "01/02/2023", "10/02/2023",
     "13/02/2023", "15/02/2023", "White - British", "Female", "No"],
    ["201-NUR-0101", "APP-2", "C-77", "21/01/2023", "N", "Y", "", "10/02/2023", "", "",
     "Black or Black British - African", "Male", "Yes"],
    ["201-ADM-0102", "APP-3", "10000002", "05/02/2023", "Yes", "No", "14/02/2023", "",
     "20/02/2023", "", "Asian or Asian British - Indian", "Female",
     "I do not wish to disclose whether or not I have a disability"],
    ["201-ADM-0102", "APP-4", "C-78", "06/02/2023", "No", "No", "", "", "", "",
     "I do not wish to disclose my ethnic origin", "Prefer not to say", "No"],
]  # fmt: skip


def trac_file(
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


def trac_folder(folder: Path, rows: list[list[str]] | None = None, **kwargs: object) -> Path:
    """organisations.csv, vacancies.csv and trac_export.csv, ready to import."""
    write_csv(folder / "organisations.csv", ORGANISATIONS)
    write_csv(folder / "vacancies.csv", VACANCIES)
    trac_file(folder / "trac_export.csv", rows, **kwargs)  # type: ignore[arg-type]
    return folder


def replace(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for name, value in changes.items():
        out[HEADER.index(name.replace("_", " "))] = value
    return out
