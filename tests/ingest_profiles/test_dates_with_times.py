"""Dates with a time of day, as TRAC, NHS Jobs, databases and Excel write them, are read as
their day wherever a date is read (a profile's date forms, a canonical file, a workbook's
date-and-time cell); the refusals stay: month-first, two-digit years, undeclared forms, and a
time with a zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import Workbook

from equitrack.ingest import import_paths
from equitrack.ingest.coerce import coerce
from equitrack.ingest.dates import read_one
from equitrack.model.tables import Column, Kind
from equitrack.store import connect
from tests.ingest_profiles.esr import ESR, ROWS
from tests.ingest_profiles.support import read_table, write_organisations

DAY = "2024-03-05"
#: The times of day exports write after a date, as they follow it.
TIMES = [" 14:32", " 14:32:10", " 14:32:00.000", "T14:32:00", " 2:32 PM", " 02:32:10 pm", " 0:05"]
#: Each form a profile declares, the day written in it.
WRITTEN = {
    "day_first": ["05/03/2024", "5/3/2024", "05-03-2024", "05.03.2024", "05-Mar-2024",
                  "5 March 2024"],
    "iso": ["2024-03-05", "2024/03/05"],
}  # fmt: skip
#: The profiles' date declarations the forms are read under.
DECLARED = {"day_first": ("day_first",), "iso": ("iso",), "both": ("day_first", "iso")}


@pytest.mark.parametrize("time", TIMES)
@pytest.mark.parametrize(("form", "date"), [(f, d) for f, dates in WRITTEN.items() for d in dates])
@pytest.mark.parametrize("declared", list(DECLARED))
def test_each_time_of_day_after_each_date_form_is_read_as_its_day(
    form: str, date: str, time: str, declared: str
) -> None:
    forms = DECLARED[declared]
    if time.startswith("T") and form == "day_first":
        time = " " + time[1:]  # "T" follows an ISO date only
    reading = read_one(f"{date}{time}", forms)
    if form in forms:
        assert reading.iso == DAY, reading.reason
    else:  # a form the profile does not declare is refused, with or without a time
        assert reading.iso is None and reading.reason == read_one(date, forms).reason.replace(
            f"'{date}'", f"'{date}{time}'"
        )


@pytest.mark.parametrize("serial", ["45356.6055", "45356.0", "45356.999988", "45356"])
def test_an_excel_serial_with_a_fraction_is_its_day(serial: str) -> None:
    assert read_one(serial, ("excel_serial",)).iso == DAY
    assert read_one(serial, ("day_first", "iso")).iso is None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("03/31/2024 14:32", "it is written month-first"),
        ("05/03/24 14:32", "two-digit year"),
        ("05-Mar-24 14:32", "two-digit year"),
        ("2024-03-05T14:32:00Z", "has a time with a zone"),
        ("2024-03-05 23:30:00+01:00", "has a time with a zone"),
        ("05/03/2024 25:32", "is not a date"),
        ("05/03/2024 14:61", "is not a date"),
        ("05/03/2024 13:32 PM", "is not a date"),
        ("05/03/2024 14", "is not a date"),
    ],
)
def test_the_refusals_stay_with_a_time(value: str, why: str) -> None:
    reading = read_one(value, ("day_first", "iso", "excel_serial"))
    assert reading.iso is None and why in reading.reason
    assert reading.month_first == (why == "it is written month-first")


DATE = Column("d", Kind.DATE)


@pytest.mark.parametrize(
    "value",
    ["2024-03-05T14:32:00", "2024-03-05 14:32:00.000", "2024-03-05 14:32", "2024-03-05 2:32 PM",
     "2024-03-05T14:32:10.123456"],
)  # fmt: skip
def test_a_canonical_file_reads_an_iso_date_with_a_time_as_its_day(value: str) -> None:
    result = coerce(pa.array([value]), DATE)
    assert result.values.to_pylist() == [dt.date(2024, 3, 5)] and not result.bad.any()


@pytest.mark.parametrize(
    "value", ["05/03/2024 14:32", "2024-03-05T14:32:00Z", "2024-03-05 25:00", "2024-02-30 14:32"]
)
def test_a_canonical_file_still_refuses_other_forms_with_a_time(value: str) -> None:
    assert coerce(pa.array([value]), DATE).bad.tolist() == [True]


def test_an_esr_export_with_times_loads_each_date_as_its_day(tmp_path: Path, db_path: Path) -> None:
    rows = [
        ESR.replace(ROWS[0], Assignment_Start_Date="01/04/2019 09:00",
                    Termination_Date="31/03/2022 17:30:00"),
        ESR.replace(ROWS[1], Assignment_Start_Date="2022-04-01T08:15:00"),
        ESR.replace(ROWS[2], Assignment_Start_Date="43115.375",
                    Termination_Date="2023-06-30 00:00:00.000"),
    ]  # fmt: skip
    result = import_paths([ESR.folder(tmp_path / "data", rows)], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    got = read_table(db_path, "assignments").sort_by("start_date")
    assert got["start_date"].to_pylist() == [
        dt.date(2018, 1, 15), dt.date(2019, 4, 1), dt.date(2022, 4, 1)
    ]  # fmt: skip
    assert got["end_date"].to_pylist() == [dt.date(2023, 6, 30), dt.date(2022, 3, 31), None]


def test_a_workbooks_date_and_time_cells_load_as_their_days(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_organisations(folder)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(ESR.header)
    stamps = [dt.datetime(2019, 4, 1, 9, 0), dt.datetime(2022, 4, 1, 14, 32, 10),
              dt.datetime(2018, 1, 15, 23, 59, 59)]  # fmt: skip
    for row, stamp in zip(ROWS, stamps, strict=True):
        ws.append(
            [
                stamp if h == "Assignment Start Date" else v
                for h, v in zip(ESR.header, row, strict=True)
            ]
        )
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if cell.is_date:
                cell.number_format = "DD/MM/YYYY HH:MM"
    wb.save(folder / "esr_export.xlsx")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    got = sorted(read_table(db_path, "assignments")["start_date"].to_pylist())
    assert got == sorted(s.date() for s in stamps)
