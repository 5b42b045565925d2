"""Small, hand-checkable TRAC applicant exports (with their vacancies) for the profile tests."""

from __future__ import annotations

from pathlib import Path

from tests.factories import write_csv
from tests.ingest_profiles.support import Export, write_organisations

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


def organisations_and_vacancies(folder: Path) -> None:
    """organisations.csv and vacancies.csv: the applications name a vacancy."""
    write_organisations(folder)
    write_csv(folder / "vacancies.csv", VACANCIES)


TRAC = Export("trac_export.csv", HEADER, ROWS, beside=organisations_and_vacancies)
