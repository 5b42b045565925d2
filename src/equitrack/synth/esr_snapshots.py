"""The generated workforce as a series of ESR staff-in-post snapshots with leavers reports.

What a trust's analyst receives over the years: each organisation's staff-in-post report as at
each 31 March (or each month end), and a leavers report for each financial year, saved from
ESR BI as CSV with the report's title block above the header ("Staff in Post", "As at date:
31/03/2024", the run date). A snapshot lists the assignments in post on its date, in their
state then; a leavers report lists the assignments that ended in its year, with the
termination date and the leaving reason.

ESR keeps an assignment's number through a change of band or hours, so the canonical rows of
one person in one organisation that follow on from each other (the next starting the day after
the last ended, no leaving reason between, neither bank) are one ESR assignment here: its
number is the first row's, its start date the first row's. An assignment that ends without a
leaving reason while the person stays (a move to another post) is in no leavers report, so a
loaded series ends it "between snapshots".

A person who never appears in any snapshot or leavers report (their only assignment began and
ended between two snapshots without a leaving reason) is written to the leavers report of the
year it ended all the same, so that every person the other tables refer to is loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from equitrack.synth.esr import esr_export

#: Columns of the single export a staff-in-post report does not have.
NOT_IN_POST = ("Assignment End Date", "Termination Date", "Leaving Reason")


def snapshot_dates(tables: dict[str, pa.Table], monthly: bool = False) -> list[dt.date]:
    """Each 31 March of the history (the generator's pay snapshots are taken on them; without
    them, from the first year an assignment ended), or each month end between the first and
    the last."""
    if "pay" in tables and tables["pay"].num_rows:
        days = tables["pay"]["snapshot_date"]
        first, last = pc.min(days).as_py(), pc.max(days).as_py()
    else:
        a = tables["assignments"]
        first = pc.min(a["end_date"]).as_py()
        last = max(pc.max(a["end_date"]).as_py(), pc.max(a["start_date"]).as_py())
    years = range(first.year + (first.month > 3), last.year + (last.month > 3) + 1)
    yearly = [dt.date(y, 3, 31) for y in years]
    if not monthly:
        return yearly
    months, day = [], yearly[0]
    while day <= yearly[-1]:
        months.append(day)
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        day = dt.date(following.year + following.month // 12, following.month % 12 + 1, 1)
        day -= dt.timedelta(days=1)
    return months


def esr_numbers(assignments: pa.Table) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Each canonical row's ESR assignment number and start date (the first row of the run of
    rows it continues), and whether it is the last row of its run."""
    a = assignments
    n = a.num_rows
    start = a["start_date"].combine_chunks().cast(pa.int32()).to_numpy(zero_copy_only=False)
    end_col = a["end_date"].combine_chunks().cast(pa.int32())
    end = pc.fill_null(end_col, np.int32(2**31 - 1)).to_numpy(zero_copy_only=False).astype(np.int64)
    key = pc.binary_join_element_wise(a["person_id"], a["org_code"], "|").to_numpy(
        zero_copy_only=False
    )
    bank = pc.equal(a["contract"], "bank").to_numpy(zero_copy_only=False)
    reason = pc.is_valid(a["leaving_reason"]).to_numpy(zero_copy_only=False)
    order = np.lexsort((start, key))
    head = np.arange(n)
    last = np.ones(n, bool)
    for i, j in itertools.pairwise(order):
        if (
            key[i] == key[j]
            and end[i] + 1 == start[j]
            and not reason[i]
            and not bank[i]
            and not bank[j]
        ):
            head[j] = head[i]
            last[i] = False
    ids = a["assignment_id"].combine_chunks().take(pa.array(head))
    starts = a["start_date"].combine_chunks().take(pa.array(head))
    return ids, starts, last


#: The share of people whose ethnicity the early snapshots have as not stated: they declared it
#: later (the latest recorded applies to every year, so the loaded people are the canonical).
LATE_DECLARERS = 0.02


def _late_declarations(
    people: pa.Table, snapshots: list[tuple[dt.date, pa.Table]], seed: int
) -> dict[str, dt.date]:
    """Some people with a stated ethnicity, and the snapshot date from which it is recorded:
    one of the later snapshots they are in, so that the last one they are in has it."""
    rng = np.random.default_rng(seed + 1)
    seen: dict[str, list[dt.date]] = {}
    for day, rows in snapshots:
        for person in pc.unique(rows["person_id"]).to_pylist():
            seen.setdefault(person, []).append(day)
    ids = people["person_id"].to_pylist()
    stated = pc.fill_null(pc.invert(pc.is_in(people["ethnic_code"], pa.array(["Z", "99"]))), False)
    draws = rng.random(len(ids))
    declares = {}
    for i in np.flatnonzero(stated.to_numpy(zero_copy_only=False) & (draws < LATE_DECLARERS)):
        days = seen.get(ids[i], [])
        if len(days) > 1:
            declares[ids[i]] = days[1 + int(draws[i] / LATE_DECLARERS * (len(days) - 1))]
    return declares


def _not_yet_stated(export: pa.Table, declares: dict[str, dt.date], day: dt.date) -> pa.Table:
    """The export with "Z Not Stated" for the people who declare their ethnicity after `day`."""
    later = [p for p, since in declares.items() if day < since]
    if not later:
        return export
    mask = pc.is_in(export["Employee Number"], pa.array(later, export["Employee Number"].type))
    column = export.schema.get_field_index("Ethnic Origin")
    origin = pc.if_else(mask, pa.scalar("Z Not Stated"), export["Ethnic Origin"])
    return export.set_column(column, "Ethnic Origin", origin)


def _as_esr(tables: dict[str, pa.Table], rows: pa.Table, seed: int) -> pa.Table:
    return esr_export({**tables, "assignments": rows}, seed)


def _write(path: Path, title: list[str], table: pa.Table) -> Path:
    """A CSV as ESR BI saves it: the title block, a blank line, then the header and rows."""
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\r\n")
    for line in title:
        out.writerow([line])
    out.writerow([])
    with path.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
        pcsv.write_csv(table, fh, pcsv.WriteOptions(include_header=True, quoting_style="needed"))
    return path


def write_series(
    tables: dict[str, pa.Table], out_dir: Path, seed: int = 7, monthly: bool = False
) -> list[Path]:
    """`esr_<org>_staff_in_post_<date>.csv` for each organisation and snapshot date, and
    `esr_<org>_leavers_<year>.csv` for each financial year; the first path is the first file."""
    a = tables["assignments"]
    ids, starts, last = esr_numbers(a)
    esr = a.set_column(a.schema.get_field_index("assignment_id"), "assignment_id", ids)
    esr = esr.set_column(esr.schema.get_field_index("start_date"), "start_date", starts)
    dates = snapshot_dates(tables, monthly)
    end = esr["end_date"].combine_chunks()
    seen = np.zeros(esr.num_rows, bool)
    snapshots: list[tuple[dt.date, pa.Table]] = []
    for day in dates:
        d = pa.scalar(day, pa.date32())
        active = pc.and_(
            pc.less_equal(a["start_date"], d), pc.fill_null(pc.greater_equal(end, d), True)
        )
        mask = np.asarray(pc.fill_null(active, False).to_numpy(zero_copy_only=False))
        seen |= mask
        snapshots.append((day, esr.filter(pa.array(mask))))
    in_snapshot = set(pc.unique(a["person_id"].filter(pa.array(seen))).to_pylist())
    person = a["person_id"].combine_chunks()
    never = ~pc.is_in(person, pa.array(sorted(in_snapshot), person.type)).to_numpy(
        zero_copy_only=False
    )
    ended = pc.is_valid(end).to_numpy(zero_copy_only=False)
    reason = pc.is_valid(esr["leaving_reason"]).to_numpy(zero_copy_only=False)
    leaving = ended & last & (reason | never)
    written: list[Path] = []
    out_dir = Path(out_dir)
    orgs = tables["organisations"]["org_code"].to_pylist()
    declares = _late_declarations(tables["people"], snapshots, seed)
    for day, rows in snapshots:
        export = _as_esr(tables, rows, seed).drop_columns(list(NOT_IN_POST))
        export = _not_yet_stated(export, declares, day)
        for org in orgs:
            mine = export.filter(pc.equal(export["Org Code"], org))
            if mine.num_rows:
                title = [
                    "Staff in Post - Assignment Level",
                    f"As at date: {day:%d/%m/%Y}",
                    f"Run date: {day + dt.timedelta(days=5):%d/%m/%Y} 09:12",
                    f"Organisation: {org}",
                ]
                name = f"esr_{org}_staff_in_post_{day.isoformat()}.csv"
                written.append(_write(out_dir / name, title, mine))
    years = sorted({d.year for d in dates if d.month == 3})
    for i, year in enumerate(years):
        lo = dt.date(1900 if i == 0 else year - 1, 4, 1)
        within = pc.and_(
            pc.greater_equal(end, pa.scalar(lo, pa.date32())),
            pc.less_equal(end, pa.scalar(dt.date(year, 3, 31), pa.date32())),
        )
        pick = leaving & np.asarray(pc.fill_null(within, False).to_numpy(zero_copy_only=False))
        export = _as_esr(tables, esr.filter(pa.array(pick)), seed)
        export = export.drop_columns(["Assignment End Date"])
        export = export.set_column(
            export.schema.get_field_index("Termination Date"),
            "Termination Date",
            pc.strftime(esr["end_date"].filter(pa.array(pick)).cast(pa.timestamp("s")), "%d/%m/%Y"),
        )
        for org in orgs:
            mine = export.filter(pc.equal(export["Org Code"], org))
            if mine.num_rows:
                since = "the start of the records" if i == 0 else f"01/04/{year - 1}"
                title = [
                    "Leavers - Assignment Level",
                    f"Termination date from {since} to 31/03/{year}",
                    f"Run date: 05/04/{year} 09:30",
                    f"Organisation: {org}",
                ]
                name = f"esr_{org}_leavers_{year - 1}-{year % 100:02d}.csv"
                written.append(_write(out_dir / name, title, mine))
    return written


def write_export(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """A snapshot each 31 March and a leavers report each year."""
    return write_series(tables, out_dir, seed)


def write_monthly(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """A snapshot each month end and a leavers report each year."""
    return write_series(tables, out_dir, seed, monthly=True)


def series(folder: Path) -> list[tuple[dt.date, list[Path]]]:
    """The snapshot and leavers files `write_series` wrote, grouped by date in date order: each
    31 March's (or month end's) snapshots, with the leavers reports of the year ending then
    first. How the demo imports them, one date after another."""
    groups: dict[dt.date, list[Path]] = {}
    for path in sorted(Path(folder).glob("esr_*_*.csv")):
        stem = path.stem
        if "_staff_in_post_" in stem:
            day = dt.date.fromisoformat(stem.rsplit("_", 1)[1])
        elif "_leavers_" in stem:
            day = dt.date(int(stem.rsplit("_", 1)[1][:4]) + 1, 3, 31)
        else:
            continue
        groups.setdefault(day, []).append(path)
    return [
        (day, sorted(paths, key=lambda p: "_staff_in_post_" in p.stem))
        for day, paths in sorted(groups.items())
    ]
