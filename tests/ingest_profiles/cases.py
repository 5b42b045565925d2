"""Small, hand-checkable employee-relations case trackers (xlsx) for the profile tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from equitrack.synth.case_tracker import HEADER as TRACKER_HEADER
from tests.factories import small_system
from tests.ingest_profiles.support import Export

#: The columns of the tracker the generator writes: the hand-made one is the same workbook.
HEADER = list(TRACKER_HEADER)
G_PATH = "1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=N;5a=N"

#: Three cases of the people in tests.factories; rows 2, 3 and 4 of the sheet. The first went
#: formal after an assessment, the second is open and informal, the third ended in dismissal.
ROWS: list[list[object]] = [
    ["ER0001", 10000001, "RWE", "Conduct", dt.date(2022, 4, 4), dt.date(2022, 4, 20), "N",
     dt.date(2022, 8, 1), "Closed", "First Written Warning", "Y", G_PATH],
    ["ER0002", 10000002, "RWE", "Capability", dt.date(2022, 5, 3), None, "N", None, "Open",
     None, "N", None],
    ["ER0003", 10000003, "RT5", "Gross Misconduct", dt.date(2023, 1, 9), dt.date(2023, 1, 16),
     "Y", dt.date(2023, 6, 30), "Closed", "Dismissal", "Y", "1a=Y"],
]  # fmt: skip


class Tracker(Export[object]):
    """The tracker is a workbook, so its cells keep their types (a number, a date cell); a
    workbook has no text encoding, so `encoding` is not used."""

    def write(self, path: Path, header: list[str], rows: list[list[object]], encoding: str) -> None:
        """A "Cases" sheet, `datetime.date` values as date cells shown as dd/mm/yyyy, then the
        sheet of drop-down lists."""
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "Cases"
        ws.append(header)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if cell.is_date:
                    cell.number_format = "DD/MM/YYYY"
        wb.create_sheet("Lists").append(["Case Type", "Outcome"])
        wb.save(path)


#: Imported beside the organisations, people and assignments CSVs.
CASES = Tracker("er_case_tracker.xlsx", HEADER, ROWS, beside=small_system)
