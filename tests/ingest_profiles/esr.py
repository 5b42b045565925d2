"""Small, hand-checkable ESR workforce exports for the profile tests."""

from __future__ import annotations

from tests.ingest_profiles.support import Export, write_organisations

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


#: Imported beside organisations.csv.
ESR = Export("esr_export.csv", HEADER, ROWS, beside=write_organisations)
