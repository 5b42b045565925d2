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
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model.tables import TABLE_BY_NAME
from equitrack.store.pseudonyms import PSEUDONYM
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
    return pa.schema(
        [(c.name, PSEUDONYM if c.identifier else ARROW_TYPES[c.kind]) for c in declared.columns]
    )


def _same_as_previous(column: pa.ChunkedArray) -> np.ndarray:
    """Whether each value equals the one before it (blank equals blank)."""
    codes = pc.dictionary_encode(column.combine_chunks()).indices
    numbers = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)
    same = np.zeros(len(numbers), bool)
    same[1:] = numbers[1:] == numbers[:-1]
    return same


@dataclass
class _Runs:
    """One kind's rows by assignment then date, those that tell nothing new left out (in a run,
    with the state of the rows on both sides: most assignments stay the same for years), and
    what the walk over them needs as Python lists."""

    table: pa.Table
    ids: list[bytes]
    as_at: list[dt.date]
    start: list[dt.date]
    continues: list[bool]  # the same assignment, on the snapshot date after the row before's
    changed: list[bool]  # ... and in another state


def _runs(table: pa.Table, kind: str) -> _Runs:
    picked = table.filter(pc.equal(table["kind"], kind)).select(["as_at", *ASSIGNMENT_COLUMNS])
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
    kept = picked.filter(pa.array(~interior))
    return _Runs(
        kept,
        kept["assignment_id"].to_pylist(),
        kept["as_at"].to_pylist(),
        kept["start_date"].to_pylist(),
        cont[~interior].tolist(),
        (cont & ~same)[~interior].tolist(),
    )


def later_spell_id(aid: bytes, start: dt.date) -> bytes:
    """The id of an assignment's second or later spell (from `start`): 16 bytes, as every
    assignment id. It is the MD5 of the text id stores of schema 1 gave it (the assignment's
    pseudonym in hex, `~`, the start as YYYYMMDD), so `store.migrate` turns those into the same
    ids in SQL (`md5(text)`). Not a secret: it is made from a pseudonym, never from a raw id."""
    return hashlib.md5(f"{aid.hex()}~{start:%Y%m%d}".encode(), usedforsecurity=False).digest()


def _bounds(ids: list[bytes]) -> Iterator[tuple[int, int]]:
    """Each assignment's rows: [first, end) positions in `ids`, which is sorted."""
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            yield start, i
            start = i


def _leaver(
    ends: list[tuple[dt.date, str | None, int]], last_seen: dt.date, following: dt.date | None
) -> tuple[dt.date, str | None, int] | None:
    """The leavers record that ends a run last seen on `last_seen` (before the next snapshot):
    the latest such termination date, then the last reason."""
    fits = [e for e in ends if e[0] >= last_seen and (following is None or e[0] < following)]
    return max(fits, key=lambda e: (e[0], e[1] or "")) if fits else None


@dataclass
class _Spells:
    """The spells found: the row each takes its state from, and its id, dates and reason."""

    rows: list[int] = field(default_factory=list)
    ids: list[bytes] = field(default_factory=list)
    starts: list[dt.date] = field(default_factory=list)
    ends: list[dt.date | None] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)

    def open(self, row: int, aid: bytes, start: dt.date, suffix: bool) -> None:
        self.rows.append(row)
        self.ids.append(later_spell_id(aid, start) if suffix else aid)
        self.starts.append(start)
        self.ends.append(None)
        self.reasons.append(None)

    def close(self, end: dt.date, reason: str | None = None) -> None:
        self.ends[-1], self.reasons[-1] = end, reason

    def table(self, source: pa.Table) -> pa.Table:
        t = source.take(pa.array(self.rows, pa.int64())).select(list(ASSIGNMENT_COLUMNS))
        for name, values, kind in (
            ("assignment_id", self.ids, PSEUDONYM),
            ("start_date", self.starts, pa.date32()),
            ("end_date", self.ends, pa.date32()),
            ("leaving_reason", self.reasons, pa.string()),
        ):
            t = t.set_column(t.schema.get_field_index(name), name, pa.array(values, kind))
        return t


def derive_assignments(rows: pa.Table) -> Derived:
    """One organisation's assignments from its snapshot and leavers rows (see the module)."""
    snap = _runs(rows, IN_POST)
    left = rows.filter(pc.equal(rows["kind"], LEAVER))
    dates = sorted(set(snap.as_at))
    following_of = {d: dates[i + 1] if i + 1 < len(dates) else None for i, d in enumerate(dates)}
    ends: dict[str, list[tuple[dt.date, str | None, int]]] = {}
    for i, (aid, end, reason) in enumerate(
        zip(
            *(left[c].to_pylist() for c in ("assignment_id", "end_date", "leaving_reason")),
            strict=True,
        )
    ):
        ends.setdefault(aid, []).append((end, reason, i))
    quality = Quality()
    spells = _Spells()
    for first, stop in _bounds(snap.ids):
        aid = snap.ids[first]
        used = False
        previous_end: dt.date | None = None
        i = first
        while i < stop:  # one run of consecutive snapshot dates at a time
            j = i
            while j + 1 < stop and snap.continues[j + 1]:
                j += 1
            start = snap.start[i]
            if previous_end is not None and start <= previous_end:
                start = snap.as_at[i]
            spells.open(i, aid, start, suffix=i != first)
            for k in range(i + 1, j + 1):
                if snap.changed[k]:
                    spells.close(snap.as_at[k] - ONE_DAY)
                    spells.open(k, aid, snap.as_at[k], suffix=True)
            last_seen = snap.as_at[j]
            following = following_of[last_seen]
            leaver = _leaver(ends.get(aid, []), last_seen, following)
            if leaver is not None:
                spells.close(leaver[0], leaver[1])
                used = True
            elif following is not None:
                spells.close(last_seen, ENDED_BETWEEN)
                quality.ended_between += 1
            previous_end = spells.ends[-1]
            i = j + 1
        if aid in ends and not used:
            quality.leaver_conflicts += 1
    in_snapshots = set(snap.ids)
    only = [  # started and ended between snapshots: the latest leavers row as it stands
        max(records, key=lambda e: (e[0], e[1] or ""))[2]
        for aid, records in ends.items()
        if aid not in in_snapshots
    ]
    leavers = left.take(pa.array(only, pa.int64())).select(list(ASSIGNMENT_COLUMNS))
    schema = _schema("assignments")
    table = pa.concat_tables([spells.table(snap.table).cast(schema), leavers.cast(schema)])
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
