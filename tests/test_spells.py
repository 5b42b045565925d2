"""The derivation of assignments from snapshot rows, on hand-made rows (no files, no store):
an assignment missing from one snapshot and back in the next, a leavers record the snapshots
contradict, a leaver after the latest snapshot, two leavers records for one assignment."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from equitrack.ingest.spells import (
    ENDED_BETWEEN,
    derive_assignments,
    derive_people,
    later_spell_id,
)
from equitrack.store.pseudonyms import arrow_schema
from equitrack.store.schema import SNAPSHOT_ROWS

D = dt.date
START = D(2020, 1, 1)


def ID(name: str) -> bytes:
    """A hand-made assignment (and person) id: 16 bytes, as stored pseudonyms are."""
    return name.encode().ljust(16, b"\0")


def LATER(name: str, start: dt.date) -> bytes:
    """The id of the assignment's spell from `start` (not its first)."""
    return later_spell_id(ID(name), start)


def rows(*records: dict[str, object]) -> pa.Table:
    base = {"org_code": "RWE", "staff_group": "Nursing and Midwifery Registered",
            "contract": "permanent", "pay_band": "Band 5", "fte": 1.0, "batch_id": 1}  # fmt: skip
    filled = [
        {**base, **r, "assignment_id": ID(r["assignment_id"]), "person_id": ID(r["assignment_id"])}
        for r in records
    ]
    return pa.Table.from_pylist(filled, schema=arrow_schema(SNAPSHOT_ROWS))


def seen(aid: str, day: dt.date, start: dt.date = START, **more: object) -> dict[str, object]:
    return {"kind": "in_post", "as_at": day, "assignment_id": aid, "start_date": start, **more}


def left(aid: str, end: dt.date, reason: str, start: dt.date = START) -> dict[str, object]:
    return {"kind": "leaver", "as_at": end, "assignment_id": aid, "start_date": start,
            "end_date": end, "leaving_reason": reason}  # fmt: skip


Y21, Y22, Y23 = D(2021, 3, 31), D(2022, 3, 31), D(2023, 3, 31)


def spells(table: pa.Table) -> dict[bytes, tuple[object, ...]]:
    cols = ("start_date", "end_date", "leaving_reason", "pay_band")
    return {r["assignment_id"]: tuple(r[c] for c in cols) for r in table.to_pylist()}


def test_the_hand_worked_cases() -> None:
    made = derive_assignments(
        rows(
            seen("A", Y21), seen("A", Y23),  # missing on 31/03/2022
            seen("B", Y21), seen("B", Y22), seen("B", Y23), left("B", D(2021, 6, 30), "Moved"),
            seen("C", Y23, pay_band="Band 6"), left("C", D(2023, 9, 30), "Retired"),
            left("D", D(2022, 5, 1), "First"), left("D", D(2022, 7, 1), "Second"),
        )
    )  # fmt: skip
    assert spells(made.assignments) == {
        ID("A"): (D(2020, 1, 1), Y21, ENDED_BETWEEN, "Band 5"),
        LATER("A", D(2023, 3, 31)): (
            Y23,
            None,
            None,
            "Band 5",
        ),  # back: from the snapshot that shows it
        ID("B"): (D(2020, 1, 1), None, None, "Band 5"),  # in post after the leavers record's date
        ID("C"): (D(2020, 1, 1), D(2023, 9, 30), "Retired", "Band 6"),
        ID("D"): (D(2020, 1, 1), D(2022, 7, 1), "Second", "Band 5"),
    }
    assert made.quality.ended_between == 1
    assert made.quality.leaver_conflicts == 1


def test_a_change_back_and_forth_is_three_rows() -> None:
    made = derive_assignments(rows(seen("E", Y21), seen("E", Y22, fte=0.5), seen("E", Y23)))
    assert spells(made.assignments) == {
        ID("E"): (D(2020, 1, 1), D(2022, 3, 30), None, "Band 5"),
        LATER("E", D(2022, 3, 31)): (Y22, D(2023, 3, 30), None, "Band 5"),
        LATER("E", D(2023, 3, 31)): (Y23, None, None, "Band 5"),
    }
    fte = {r["assignment_id"]: r["fte"] for r in made.assignments.to_pylist()}
    assert fte == {ID("E"): 1.0, LATER("E", D(2022, 3, 31)): 0.5, LATER("E", D(2023, 3, 31)): 1.0}


def test_people_take_the_latest_recorded_value() -> None:
    made = derive_people(
        rows(
            seen("P", Y21, ethnic_code="Z", sex="F"),
            seen("P", Y22, ethnic_code="H"),  # sex not recorded: F stays
            left("P", D(2022, 12, 31), "Left") | {"ethnic_code": None},
        )
    )
    (person,) = made.to_pylist()
    assert (person["ethnic_code"], person["sex"]) == ("H", "F")
