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
    ethnicity_changed: int = 0  # people whose recorded ethnicity differs between rows


@dataclass
class Derived:
    assignments: pa.Table
    quality: Quality = field(default_factory=Quality)


def _schema(table: str) -> pa.Schema:
    declared = TABLE_BY_NAME[table]
    return pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in declared.columns])


def _rows(table: pa.Table, kind: str) -> list[dict[str, Any]]:
    picked = table.filter(pc.equal(table["kind"], kind))
    order = [("assignment_id", "ascending"), ("as_at", "ascending")]
    return picked.sort_by(order).to_pylist()


def _grouped(rows: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["assignment_id"] != rows[start]["assignment_id"]:
            yield rows[start]["assignment_id"], rows[start:i]
            start = i


def _state(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in STATE)


def _runs(seen: list[dict[str, Any]], index: dict[dt.date, int]) -> list[list[dict[str, Any]]]:
    """Appearances on consecutive snapshot dates (an assignment may be missing from one)."""
    runs: list[list[dict[str, Any]]] = [[seen[0]]]
    for row in seen[1:]:
        if index[row["as_at"]] == index[runs[-1][-1]["as_at"]] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _spell(row: dict[str, Any], aid: str, start: dt.date, first: bool) -> dict[str, Any]:
    out = {c: row.get(c) for c in ASSIGNMENT_COLUMNS}
    out["assignment_id"] = aid if first else f"{aid}~{start:%Y%m%d}"
    out["start_date"], out["end_date"], out["leaving_reason"] = start, None, None
    return out


def derive_assignments(rows: pa.Table) -> Derived:
    """One organisation's assignments from its snapshot and leavers rows (see the module)."""
    in_post, leavers = _rows(rows, IN_POST), _rows(rows, LEAVER)
    dates = sorted({r["as_at"] for r in in_post})
    index = {d: i for i, d in enumerate(dates)}
    ends: dict[str, list[dict[str, Any]]] = {}
    for aid, group in _grouped(leavers):  # latest termination first, then by reason
        ends[aid] = sorted(group, key=lambda r: (r["end_date"], r["leaving_reason"] or ""))[::-1]
    quality = Quality()
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for aid, seen in _grouped(in_post):
        previous_end: dt.date | None = None
        for run in _runs(seen, index):
            start = run[0]["start_date"]
            if previous_end is not None and (start is None or start <= previous_end):
                start = run[0]["as_at"]
            spell = _spell(run[0], aid, start, first=not out or out[-1]["_aid"] != aid)
            for row in run[1:]:
                if _state(row) != _state(spell):
                    spell["end_date"] = row["as_at"] - ONE_DAY
                    out.append({**spell, "_aid": aid})
                    spell = _spell(row, aid, row["as_at"], first=False)
            last_seen = run[-1]["as_at"]
            position = index[last_seen]
            following = dates[position + 1] if position + 1 < len(dates) else None
            leaver = next(
                (
                    r
                    for r in ends.get(aid, [])
                    if r["end_date"] >= last_seen
                    and (following is None or r["end_date"] < following)
                ),
                None,
            )
            if leaver is not None:
                spell["end_date"], spell["leaving_reason"] = (
                    leaver["end_date"],
                    leaver["leaving_reason"],
                )
                used.add(aid)
            elif following is not None:
                spell["end_date"], spell["leaving_reason"] = last_seen, ENDED_BETWEEN
                quality.ended_between += 1
            out.append({**spell, "_aid": aid})
            previous_end = spell["end_date"]
        if aid in ends and aid not in used:
            quality.leaver_conflicts += 1
    snapshot_ids = {r["assignment_id"] for r in in_post}
    for aid, group in ends.items():
        if aid not in snapshot_ids:  # started and ended between snapshots
            row = group[0]
            out.append({**{c: row.get(c) for c in ASSIGNMENT_COLUMNS}, "_aid": aid})
    for row in out:
        del row["_aid"]
    table = pa.Table.from_pylist(out, schema=_schema("assignments"))
    return Derived(table.sort_by([("assignment_id", "ascending")]), quality)


def derive_people(rows: pa.Table) -> tuple[pa.Table, int]:
    """One row per person from every snapshot and leavers row: each field the latest recorded
    (by date; on one date, an in-post row before a leaver's, then the larger value), and how
    many people's recorded ethnicity differs between rows."""
    ordered = rows.select(["person_id", "as_at", "kind", *PERSON_FIELDS]).to_pylist()
    ordered.sort(
        key=lambda r: (
            r["person_id"],
            r["as_at"],
            r["kind"] == IN_POST,
            tuple((r[n] is not None, str(r[n])) for n in PERSON_FIELDS),
        )
    )
    people: dict[str, dict[str, Any]] = {}
    codes: dict[str, set[str]] = {}
    for row in ordered:
        person = people.setdefault(row["person_id"], {"person_id": row["person_id"]})
        for name in PERSON_FIELDS:
            if row[name] is not None:
                person[name] = row[name]
        if row["ethnic_code"] is not None:
            codes.setdefault(row["person_id"], set()).add(row["ethnic_code"])
    changed = sum(1 for c in codes.values() if len(c) > 1)
    table = pa.Table.from_pylist(list(people.values()), schema=_schema("people"))
    return table.sort_by([("person_id", "ascending")]), changed
