"""Small, hand-checkable ESR learning (OLM) exports for the profile tests."""

from __future__ import annotations

from tests.factories import small_system
from tests.ingest_profiles.support import Export

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


#: Imported beside the organisations, people and assignments as canonical CSVs.
OLM = Export("olm_report.csv", HEADER, ROWS, beside=small_system)
