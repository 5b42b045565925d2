"""Small, hand-checkable employee-relations case trackers (xlsx) for the profile tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from tests.factories import small_system

HEADER = [
    "Case Reference",
    "Employee Number",
    "Org Code",
    "Case Type",
    "Date Opened",
    "Formal Investigation Date",
    "Suspended",
    "Date Closed",
    "Status",
    "Outcome",
    "Just Culture Assessment Completed",
    "Just Culture Answers",
]
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


def tracker_file(
    path: Path,
    rows: list[list[object]] | None = None,
    header: list[str] | None = None,
    sheet: str = "Cases",
) -> Path:
    """A tracker workbook; `datetime.date` values become date cells shown as dd/mm/yyyy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(header or HEADER)
    for row in ROWS if rows is None else rows:
        ws.append(row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if cell.is_date:
                cell.number_format = "DD/MM/YYYY"
    wb.create_sheet("Lists").append(["Case Type", "Outcome"])
    wb.save(path)
    return path


def tracker_folder(folder: Path, rows: list[list[object]] | None = None, **kwargs: object) -> Path:
    """organisations, people and assignments CSVs and er_case_tracker.xlsx, ready to import."""
    small_system(folder)
    tracker_file(folder / "er_case_tracker.xlsx", rows, **kwargs)  # type: ignore[arg-type]
    return folder


def replace(row: list[object], **changes: object) -> list[object]:
    """A copy of a row with some cells changed, named by header (spaces as underscores)."""
    out = list(row)
    for name, value in changes.items():
        out[HEADER.index(name.replace("_", " "))] = value
    return out
