"""Assignments and people derived from ESR staff-in-post snapshots and leavers reports.

A snapshot says which assignments an organisation had on one date and in what state (band,
staff group, contract, FTE, board seat); a leavers report says when and why assignments ended.
The canonical tables are made from all of them together, in date order, so that the same files
give the same tables whatever order they arrived in:

- an assignment's spell starts at its start date, as first seen;
- a change of state between two snapshots is recorded from the later snapshot's date: the
  earlier row ends the day before and a new row (its id the assignment's, then `~` and the date)
  starts on it, so each snapshot date sees the state that snapshot reported;
- an assignment missing from the next snapshot ended: on the leavers report's termination date
  and reason when one falls between its last snapshot and the next, otherwise on the last date
  it was seen, with the reason `ended between snapshots` (counted in data quality);
- an assignment in the latest snapshot is current, unless a leavers report ends it after;
- an assignment only a leavers report names (started and ended between snapshots) is the
  leavers report's row as it stands;
- a person's fields are those of the latest row (by as-at or termination date) that records
  them: a later snapshot's ethnicity applies to every year, earlier ones included (one row per
  person, as the data contract has it), and a person whose recorded ethnicity differs between
  rows is counted in data quality.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model.tables import TABLE_BY_NAME
from equitrack.store.types import ARROW_TYPES

IN_POST, LEAVER = "in_post", "leaver"
#: The leaving reason of an assignment that a later snapshot no longer has and no leavers
#: report ends; its end date is the last snapshot date it was seen on.
ENDED_BETWEEN = "ended between snapshots"
#: What a snapshot may change on an assignment: a change is a new row from the snapshot's date.
STATE = (
    "pay_band",
    "staff_group",
    "clinical",
    "contract",
    "fte",
    "board_member",
    "board_voting",
    "board_executive",
)
PERSON_FIELDS = tuple(c.name for c in TABLE_BY_NAME["people"].columns if c.name != "person_id")
ASSIGNMENT_COLUMNS = TABLE_BY_NAME["assignments"].column_names
ONE_DAY = dt.timedelta(days=1)


@dataclass
class Quality:
    """What the derivation could not know for sure, counted for `equitrack status`."""

    ended_between: int = 0  # assignments ended between snapshots without a leavers record
    leaver_conflicts: int = 0  # leavers records whose date the snapshots contradict


@dataclass
class Derived:
    assignments: pa.Table
    quality: Quality = field(default_factory=Quality)


def _schema(table: str) -> pa.Schema:
    declared = TABLE_BY_NAME[table]
    return pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in declared.columns])


def _same_as_previous(column: pa.ChunkedArray) -> np.ndarray:
    """Whether each value equals the one before it (blank equals blank)."""
    codes = pc.dictionary_encode(column.combine_chunks()).indices
    numbers = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)
    same = np.zeros(len(numbers), bool)
    same[1:] = numbers[1:] == numbers[:-1]
    return same


def _columns(table: pa.Table, kind: str) -> dict[str, list[Any]]:
    """The rows of one kind, by assignment then date, as Python lists column by column, with
    `continues` (the row is the same assignment on the next snapshot date after the row before
    it). Rows that tell nothing new (in a run, with the state of the rows on both sides) are
    left out first: most assignments stay the same for years."""
    picked = table.filter(pc.equal(table["kind"], kind))
    picked = picked.sort_by([("assignment_id", "ascending"), ("as_at", "ascending")])
    n = picked.num_rows
    same_aid = _same_as_previous(picked["assignment_id"])
    dates = sorted(set(pc.unique(picked["as_at"]).to_pylist()))
    rank = pc.index_in(picked["as_at"], pa.array(dates, pa.date32())).to_numpy(zero_copy_only=False)
    cont = same_aid.copy()
    cont[1:] &= rank[1:] == rank[:-1] + 1
    same = cont.copy()
    for name in STATE:
        same &= _same_as_previous(picked[name])
    interior = np.zeros(n, bool)
    if n > 2:
        interior[1:-1] = same[1:-1] & same[2:]
    keep = pa.array(~interior)
    picked = picked.filter(keep)
    out = {c: picked[c].to_pylist() for c in ("as_at", "end_date", *ASSIGNMENT_COLUMNS)}
    out["continues"] = cont[~interior].tolist()
    return out


def _bounds(ids: list[str]) -> Iterator[tuple[int, int]]:
    """Each assignment's rows: [first, end) positions in `ids`, which is sorted."""
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            yield start, i
            start = i


def _spell(cols: dict[str, list[Any]], i: int, start: dt.date, suffix: bool) -> dict[str, Any]:
    out = {c: cols[c][i] for c in ASSIGNMENT_COLUMNS}
    aid = out["assignment_id"]
    out["assignment_id"] = f"{aid}~{start:%Y%m%d}" if suffix else aid
    out["start_date"], out["end_date"], out["leaving_reason"] = start, None, None
    return out


def _leaver(
    ends: list[tuple[dt.date, str | None, int]], last_seen: dt.date, following: dt.date | None
) -> tuple[dt.date, str | None, int] | None:
    """The leavers record that ends a run last seen on `last_seen` (before the next snapshot):
    the latest such termination date, then the last reason."""
    fits = [e for e in ends if e[0] >= last_seen and (following is None or e[0] < following)]
    return max(fits, key=lambda e: (e[0], e[1] or "")) if fits else None


def derive_assignments(rows: pa.Table) -> Derived:
    """One organisation's assignments from its snapshot and leavers rows (see the module)."""
    snap, left = _columns(rows, IN_POST), _columns(rows, LEAVER)
    dates = sorted(set(snap["as_at"]))
    index = {d: i for i, d in enumerate(dates)}
    ends: dict[str, list[tuple[dt.date, str | None, int]]] = {}
    for i, aid in enumerate(left["assignment_id"]):
        ends.setdefault(aid, []).append((left["end_date"][i], left["leaving_reason"][i], i))
    states = list(zip(*(snap[c] for c in STATE), strict=True))
    position = [index[d] for d in snap["as_at"]]
    quality = Quality()
    out: list[dict[str, Any]] = []
    for first, stop in _bounds(snap["assignment_id"]):
        aid = snap["assignment_id"][first]
        used = False
        previous_end: dt.date | None = None
        i = first
        while i < stop:  # one run of consecutive snapshot dates at a time
            j = i
            while j + 1 < stop and snap["continues"][j + 1]:
                j += 1
            start = snap["start_date"][i]
            if previous_end is not None and start <= previous_end:
                start = snap["as_at"][i]
            spell = _spell(snap, i, start, suffix=i != first)
            for k in range(i + 1, j + 1):
                if states[k] != states[k - 1]:
                    spell["end_date"] = snap["as_at"][k] - ONE_DAY
                    out.append(spell)
                    spell = _spell(snap, k, snap["as_at"][k], suffix=True)
            last_seen = snap["as_at"][j]
            following = dates[position[j] + 1] if position[j] + 1 < len(dates) else None
            leaver = _leaver(ends.get(aid, []), last_seen, following)
            if leaver is not None:
                spell["end_date"], spell["leaving_reason"] = leaver[0], leaver[1]
                used = True
            elif following is not None:
                spell["end_date"], spell["leaving_reason"] = last_seen, ENDED_BETWEEN
                quality.ended_between += 1
            out.append(spell)
            previous_end = spell["end_date"]
            i = j + 1
        if aid in ends and not used:
            quality.leaver_conflicts += 1
    in_snapshots = set(snap["assignment_id"])
    for aid, records in ends.items():
        if aid not in in_snapshots:  # started and ended between snapshots
            latest = max(records, key=lambda e: (e[0], e[1] or ""))[2]
            out.append({c: left[c][latest] for c in ASSIGNMENT_COLUMNS})
    table = pa.Table.from_pylist(out, schema=_schema("assignments"))
    return Derived(table.sort_by([("assignment_id", "ascending")]), quality)


def derive_people(rows: pa.Table) -> pa.Table:
    """One row per person from every snapshot and leavers row: each field the latest recorded
    (by date; on one date, an in-post row after a leaver's, then by value)."""
    t = rows.select(["person_id", "as_at", *PERSON_FIELDS])
    t = t.append_column("_post", pc.equal(rows["kind"], IN_POST).cast(pa.int8()))
    keys = ["person_id", "as_at", "_post", *PERSON_FIELDS]
    t = t.sort_by([(k, "ascending", "at_start") for k in keys])
    latest = t.group_by("person_id", use_threads=False).aggregate(
        [(f, "last") for f in PERSON_FIELDS]
    )
    latest = latest.rename_columns(
        [n.removesuffix("_last") if n != "person_id" else n for n in latest.column_names]
    )
    table = latest.select(_schema("people").names).cast(_schema("people"))
    return table.sort_by([("person_id", "ascending")])
