"""Implausible values are refused where they stand: every bounded column of the model at and just
past its bounds, every date column at and just past 1900 and 2100, in canonical files and in
a profile's day-first dates; files with no data rows and columns with no header."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from equitrack.ingest import ReadError, import_paths
from equitrack.ingest.dates import read_one
from equitrack.ingest.pseudonymise import Pseudonymiser, load_key
from equitrack.ingest.readers import RawData, Source, read
from equitrack.ingest.validate import examine
from equitrack.model.tables import TABLES, Column, Kind, Table
from equitrack.store import connect
from tests.factories import small_system, write_csv
from tests.ingest_profiles.esr import HEADER as ESR_HEADER

TEXT = {"org_code": "RWE", "ethnic_code": "A", "staff_group": "Administrative and Clerical"}


def plain(col: Column) -> str:
    """A value every check but the one under test accepts."""
    if col.bounds is not None:
        return f"{col.bounds[0]:g}"
    return {
        Kind.STR: TEXT.get(col.name, "x1"),
        Kind.ENUM: col.allowed[0] if col.allowed else "",
        Kind.INT: "1",
        Kind.FLOAT: "1",
        Kind.DATE: "2024-01-01",
        Kind.BOOL: "true",
    }[col.kind]


def problems_of(tbl: Table, **values: str) -> dict[str, list[str]]:
    """The problems `examine` finds in one row of `tbl`, by column name."""
    row = {c.name: values.get(c.name, plain(c)) for c in tbl.columns}
    raw = RawData(
        Source(Path(f"{tbl.name}.csv"), "csv", tbl.name),
        pa.table({k: pa.array([v], pa.string()) for k, v in row.items()}),
        {name: i + 1 for i, name in enumerate(row)},
        np.array([2]),
    )
    found = examine(raw, Pseudonymiser(load_key())).problems.table()
    assert not examine(raw, Pseudonymiser(load_key())).file_problems
    out: dict[str, list[str]] = {}
    for where, reason in zip(found["column"].to_pylist(), found["reason"].to_pylist(), strict=True):
        name = where.split("(")[-1].rstrip(")")
        out.setdefault(name, []).append(reason)
    return out


BOUNDED = [(t, c) for t in TABLES for c in t.columns if c.bounds is not None]
DATED = [(t, c) for t in TABLES for c in t.columns if c.kind is Kind.DATE]


def test_the_model_bounds_what_the_issue_found_loading() -> None:
    bounded = {f"{t.name}.{c.name}" for t, c in BOUNDED}
    assert {"leave.days", "assignments.fte", "pay.hourly_pay", "survey.responses"} <= bounded


def num(value: float) -> str:
    """A number as a file and a message write it: 2100, 0.5, 1e+26."""
    return str(int(value)) if float(value).is_integer() and abs(value) <= 2**53 else str(value)


#: Columns a rule compares: given the same value, so that only the bound under test speaks.
PARTNERS = {"positive": "responses", "responses": "positive",
            "panel_minority_members": "panel_size", "panel_size": "panel_minority_members"}  # fmt: skip


@pytest.mark.parametrize(("tbl", "col"), BOUNDED, ids=[f"{t.name}.{c.name}" for t, c in BOUNDED])
def test_a_bounded_column_reads_its_bounds_and_refuses_past_them(tbl: Table, col: Column) -> None:
    assert col.bounds is not None
    low, high = col.bounds
    step = 1 if col.kind is Kind.INT else 0.5

    def problems(value: float) -> list[str] | None:
        values = {col.name: num(value)}
        if col.name in PARTNERS:
            values[PARTNERS[col.name]] = num(value)
        return problems_of(tbl, **values).get(col.name)

    assert problems(low) is None and problems(high) is None
    below = "negative" if low == 0 else f"less than {num(low)}"
    for value, why in ((low - step, below), (high + step, f"more than {num(high)}")):
        assert problems(value) == [f"{col.name} {num(value)} is not possible: it is {why}"]
    if col.kind is Kind.FLOAT:  # 1e26 days of leave loaded before
        assert problems(1e26) == [f"{col.name} 1e+26 is not possible: it is more than {num(high)}"]
    else:  # too large for 64 bits: refused as it is read, before any bound
        huge = "9" * 26
        assert problems_of(tbl, **{col.name: huge})[col.name] == [
            f"'{huge}' is too large to be a whole number equitrack stores"
        ]


@pytest.mark.parametrize(("tbl", "col"), DATED, ids=[f"{t.name}.{c.name}" for t, c in DATED])
def test_a_date_column_reads_1900_to_2100(tbl: Table, col: Column) -> None:
    dates = [c.name for c in tbl.columns if c.kind is Kind.DATE]  # all one day: rules hold
    for day in ("1900-01-01", "2100-12-31"):
        assert problems_of(tbl, **dict.fromkeys(dates, day)) == {}
    for day in ("1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31"):
        got = problems_of(tbl, **{col.name: day})
        assert got[col.name] == [
            f"'{day}' is not a plausible date: equitrack reads dates in the years 1900 to 2100"
        ]


@pytest.mark.parametrize(
    ("written", "forms"),
    [
        ("01/01/0001", ("day_first",)),
        ("31/12/9999", ("day_first",)),
        ("1 Jan 1899", ("day_first",)),
        ("2101-01-01", ("iso",)),
    ],
)
def test_a_profile_date_outside_the_years_is_refused_as_written(
    written: str, forms: tuple[str, ...]
) -> None:
    reading = read_one(written, forms)
    assert reading.iso is None
    assert reading.reason == (
        f"'{written}' is not a plausible date: equitrack reads dates in the years 1900 to 2100"
    )
    assert read_one("01/01/1900", ("day_first",)).iso == "1900-01-01"


def test_skip_invalid_loads_the_plausible_rows_only(tmp_path: Path, db_path: Path) -> None:
    folder = small_system(tmp_path / "data")
    leave = {
        "request_id": "L1",
        "person_id": "10000001",
        "org_code": "RWE",
        "leave_type": "annual",
        "requested_date": "2024-01-01",
        "start_date": "2024-01-02",
        "days": "5",
        "decision": "approved",
    }
    write_csv(
        folder / "leave.csv",
        [leave, {**leave, "request_id": "L2", "days": "1e26"},
         {**leave, "request_id": "L3", "start_date": "9999-12-31"}],
    )  # fmt: skip
    result = import_paths([folder], connect(str(db_path)), skip_invalid=True, rejects_dir=tmp_path)
    (got,) = [r for r in result.sources if r.source.table == "leave"]
    assert (got.rows_read, got.rows_loaded, got.rows_rejected) == (3, 1, 2)
    with (tmp_path / "leave.rejects.csv").open() as fh:
        rejected = {r["line"]: r["problems"] for r in csv.DictReader(fh)}
    assert rejected == {
        "3": "column 7 (days): days 1e+26 is not possible: it is more than 1830",
        "4": "column 6 (start_date): '9999-12-31' is not a plausible date: equitrack reads dates "
        "in the years 1900 to 2100",
    }


def test_an_export_with_a_header_and_no_rows_is_reported(tmp_path: Path, db_path: Path) -> None:
    """Through a profile too: each table the ESR export gives says there was nothing to load."""
    path = tmp_path / "esr_export.csv"
    path.write_text(",".join(ESR_HEADER) + "\n")
    result = import_paths([path], connect(str(db_path)))
    assert not result.ok
    assert {r.source.table: r.file_problems for r in result.sources} == {
        t: ["there are no data rows below the header, so there is nothing to load"]
        for t in ("people", "assignments")
    }


def test_an_empty_column_without_a_header_is_not_a_problem(tmp_path: Path) -> None:
    """Excel leaves a trailing comma on every line of some exports: nothing there, no header."""
    path = tmp_path / "people.csv"
    path.write_text("person_id,ethnic_code,\n1,A,\n2,B, \n")
    raw = read(Source(path, "csv", "people"))
    assert raw.data.column("ethnic_code").to_pylist() == ["A", "B"]
    path.write_text("person_id,ethnic_code,\n1,A,\n2,B,x\n")
    with pytest.raises(
        ReadError, match=r"column 3 \(C\) has no header but has values \(line 3: 'x'\)"
    ):
        read(Source(path, "csv", "people"))
