"""ESR staff-in-post snapshots and leavers reports, loaded as received and turned into the
organisation's assignments (and the people) when the import finishes.

An export read by a profile that gives people and assignments is
- a **leavers report** when every row has an end (termination) date;
- a **staff-in-post snapshot** when its date is known: `--as-at`, or its title block's "as at";
- otherwise an ordinary export, loaded as rows of the tables as before (the single ESR export
  with staff in post and leavers together).

A snapshot's or leavers report's rows go to `snapshot_rows` as one batch (journalled like every
batch). When the whole import has passed, the assignments of each organisation it touched, and
the people, are derived again from all their rows (`spells.py`) and replace those derived
before, in the transaction that makes the import visible: so re-importing a file changes
nothing, a corrected re-export of a snapshot (same organisation and as-at date) replaces the
earlier one, and the order the files arrive in does not matter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack import __version__
from equitrack.ingest import spells
from equitrack.ingest.asat import AsAtError, as_at_in_title
from equitrack.ingest.readers import RawData, ReadError, Source, contiguous, title_of
from equitrack.ingest.validate import Checked, Problems
from equitrack.store import Store, pseudonyms
from equitrack.store.pseudonyms import PSEUDONYM, arrow_schema
from equitrack.store.schema import BATCHES, DERIVED_BATCHES, SNAPSHOT_ROWS

IN_POST, LEAVER = spells.IN_POST, spells.LEAVER


@dataclass(frozen=True)
class Mode:
    """How an export is loaded: `kind` in_post (with its date) or leaver."""

    kind: str
    as_at: dt.date | None = None

    def describe(self) -> str:
        if self.kind == LEAVER:
            return "a leavers report"
        assert self.as_at is not None
        return f"a staff-in-post snapshot as at {self.as_at:%d %B %Y}"


def can_hold(source: Source) -> bool:
    """An export whose rows are assignments with their people (ESR's staff-in-post report)."""
    return source.mapped and {"people", "assignments"} <= set(source.profile.tables)


def mode_of(source: Source, assignments: RawData, as_at: dt.date | None) -> Mode | None:
    """Leavers report, snapshot (its date from --as-at or the title), or None: an ordinary
    export. A title whose date cannot be read, or differs from --as-at, is refused."""
    try:
        titled = as_at_in_title(title_of(source), source.profile.dates)
    except AsAtError as exc:
        raise ReadError(f"{source.label}: {exc}") from exc
    if as_at is not None and titled is not None and as_at != titled:
        raise ReadError(
            f"{source.label}: its title says it is as at {titled:%d/%m/%Y}, but --as-at says "
            f"{as_at:%d/%m/%Y}; leave --as-at out, or import the export for that date"
        )
    data = assignments.data
    if "end_date" in data.column_names and data.num_rows:
        ends = pc.utf8_trim_whitespace(contiguous(data.column("end_date")).cast(pa.string()))
        if pc.all(pc.fill_null(pc.not_equal(ends, ""), False)).as_py():
            return Mode(LEAVER)
    when = as_at or titled
    return Mode(IN_POST, when) if when is not None else None


def check_rows(checked: Checked, mode: Mode, store: Store) -> None:
    """Rows a snapshot cannot hold (starting after its date, ended before it), and assignments
    loaded from an ordinary file, which a snapshot cannot change: added to `checked`."""
    data, raw = checked.data, checked.raw
    if data is None:
        return
    problems = Problems()
    if mode.kind == IN_POST:
        assert mode.as_at is not None
        day = pa.scalar(mode.as_at, pa.date32())
        when = f"{mode.as_at:%d/%m/%Y}"
        late = pc.fill_null(pc.greater(data["start_date"], day), False)
        rows = np.flatnonzero(late.to_numpy(zero_copy_only=False))
        problems.add(
            raw, rows, "start_date", [f"starts after the snapshot's date ({when})"] * len(rows)
        )
        gone = pc.fill_null(pc.less(data["end_date"], day), False)
        rows = np.flatnonzero(gone.to_numpy(zero_copy_only=False))
        reason = f"ended before the snapshot's date ({when}): a staff-in-post report lists those in post on it"
        problems.add(raw, rows, "end_date", [reason] * len(rows))
    ordinary = _ordinary(store, "assignments", "assignment_id", data["assignment_id"])
    if len(ordinary):
        hit = pc.is_in(data["assignment_id"], ordinary).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(hit)
        reason = (
            "this assignment was loaded from an export that is not a snapshot or leavers report "
            "(a whole history, or canonical files), which a snapshot cannot change; load the "
            "organisation's exports as snapshots from the start (--as-at)"
        )
        problems.add(raw, rows, "assignment_id", [reason] * len(rows))
    extra = problems.table()
    if extra.num_rows:
        both = pa.concat_tables([checked.problems, extra])
        checked.problems = both.sort_by([("line", "ascending"), ("column", "ascending")])


def _ordinary(store: Store, table: str, key: str, values: pa.ChunkedArray) -> pa.Array:
    """The `key`s among `values` held by rows not derived from snapshots."""
    batches = store.table("batches")
    derived = store.table("derived_batches").select("batch_id")
    received = store.table("snapshot_rows").select("batch_id").distinct()
    others = batches.filter(
        batches.table_name == table,
        ~batches.batch_id.isin(derived.batch_id),
        ~batches.batch_id.isin(received.batch_id),
    )
    ids = others.select("batch_id").distinct().to_pyarrow().column("batch_id").to_pylist()
    if not ids:  # the usual case, and a quick one: no file loaded the table but snapshots
        return pa.array([], PSEUDONYM)
    stored = store.table(table)
    stored = stored.filter(stored.batch_id.isin(ids))
    with store.temporary(pa.table({key: pc.unique(values.combine_chunks())})) as wanted:
        found = stored.semi_join(wanted, key).select(key)
        return pseudonyms.read(found).column(key).combine_chunks()


def rows_of(
    people: Checked, people_keep: np.ndarray, assignments: Checked, keep: np.ndarray, mode: Mode
) -> pa.Table:
    """The rows stored for a snapshot or leavers report: each assignment with its person's
    fields; an assignment whose person was rejected is left out with them."""
    assert people.data is not None and assignments.data is not None
    folk = people.data.filter(pa.array(people_keep))
    rows = assignments.data.filter(pa.array(keep))
    index = pc.index_in(rows["person_id"], folk["person_id"])
    rows = rows.filter(pc.is_valid(index))
    index = index.drop_null()
    columns: dict[str, pa.Array] = {}
    n = rows.num_rows
    for name in SNAPSHOT_ROWS.names:
        if name == "kind":
            columns[name] = pa.array([mode.kind] * n, pa.string())
        elif name == "as_at":
            columns[name] = (
                pa.array([mode.as_at] * n, pa.date32())
                if mode.kind == IN_POST
                else contiguous(rows["end_date"])
            )
        elif name in rows.column_names:
            columns[name] = contiguous(rows[name])
        elif name in folk.column_names:
            columns[name] = contiguous(folk[name]).take(index)
    schema = arrow_schema(SNAPSHOT_ROWS)
    return pa.table({f.name: columns[f.name].cast(f.type) for f in schema if f.name in columns})


def snapshots_in(rows: pa.Table) -> set[tuple[str, dt.date]]:
    """The (organisation, as-at date) snapshots among stored rows."""
    picked = rows.filter(pc.equal(rows["kind"], IN_POST)).select(["org_code", "as_at"])
    return {
        (r["org_code"], r["as_at"])
        for r in picked.group_by(["org_code", "as_at"]).aggregate([]).to_pylist()
    }


@dataclass
class Rebuild:
    """What this import's snapshots and leavers reports touch, rebuilt when it finishes."""

    orgs: set[str] = field(default_factory=set)
    snapshots: dict[tuple[str, dt.date], str] = field(default_factory=dict)  # → file label
    batches: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def add(self, rows: pa.Table, batch_id: int | None, label: str) -> list[str]:
        """Remember a file's rows; a second snapshot of one organisation and date in the same
        import is a problem with the file."""
        problems = []
        for org, day in sorted(snapshots_in(rows)):
            other = self.snapshots.get((org, day))
            if other is not None:
                problems.append(
                    f"{other} is also a snapshot of {org} as at {day:%d/%m/%Y}: import one of them"
                )
            self.snapshots[(org, day)] = label
        self.orgs |= set(pc.unique(rows["org_code"]).to_pylist())
        if batch_id is not None:
            self.batches.add(batch_id)
        return problems

    def prepare(
        self, store: Store, batch_ids: Iterator[int], loaded_at: dt.datetime
    ) -> Callable[[], None] | None:
        """The derived tables, computed now (reading what this import sees), and the writes
        that put them in place, for the transaction that finishes the import.

        Only what the import touched is made again: the assignments of its organisations, and
        the people in its rows or in the snapshots it replaces (from all their rows, whichever
        organisation's), so the cost follows the import, not the store."""
        if not self.batches:
            return None
        own = sorted(self.batches)
        orgs = sorted(self.orgs)
        stored = store.table("snapshot_rows")
        current, replaced = _current(stored.filter(stored.org_code.isin(orgs)), own, self.snapshots)
        mine = pc.is_in(current["batch_id"], pa.array(own, pa.int64()))
        persons = pc.unique(
            pa.concat_arrays(
                [
                    current["person_id"].filter(mine).combine_chunks(),
                    replaced["person_id"].combine_chunks(),
                ]
            )
        )
        writes: list[tuple[str, pa.Table]] = []
        derived_rows: list[dict[str, object]] = []
        for org in orgs:
            rows = current.filter(pc.equal(current["org_code"], org))
            made = spells.derive_assignments(rows)
            batch_id = next(batch_ids)
            count = made.assignments.num_rows
            writes.append(("assignments", _with_batch(made.assignments, batch_id)))
            writes.append(("batches", _batch(batch_id, "assignments", org, count, loaded_at)))
            q = made.quality
            dates = len(snapshots_in(rows))
            self.notes.append(_derived_note(org, dates, rows, made))
            derived_rows.append(
                {"batch_id": batch_id, "org_code": org, "snapshots": dates,
                 "ended_between": q.ended_between, "leaver_conflicts": q.leaver_conflicts}
            )  # fmt: skip
        with store.temporary(pa.table({"person_id": persons})) as wanted:
            theirs = stored.semi_join(wanted, "person_id")
            theirs = pseudonyms.read(theirs.select("person_id", "as_at", "kind", "org_code",
                                                   "batch_id", *spells.PERSON_FIELDS))  # fmt: skip
        people = spells.derive_people(_current_rows(theirs, own, self.snapshots)[0])
        ordinary = _ordinary(store, "people", "person_id", people["person_id"])
        if len(ordinary):
            people = people.filter(pc.invert(pc.is_in(people["person_id"], ordinary)))
        batch_id = next(batch_ids)
        writes.append(("people", _with_batch(people, batch_id)))
        writes.append(("batches", _batch(batch_id, "people", None, people.num_rows, loaded_at)))
        derived_rows.append({"batch_id": batch_id, "org_code": None})
        schema = DERIVED_BATCHES.to_pyarrow()
        writes.append(("derived_batches", pa.Table.from_pylist(derived_rows, schema)))
        snapshots = sorted(self.snapshots)
        gone = sorted(pc.unique(replaced["batch_id"]).to_pylist())

        def write() -> None:
            _remove_replaced(store, own, snapshots, gone)
            _remove_derived(store, orgs, persons)
            for name, rows in writes:
                store.insert(name, rows)

        return write


def _current(
    rows: ir.Table, own: list[int], snapshots: dict[tuple[str, dt.date], str]
) -> tuple[pa.Table, pa.Table]:
    """Stored snapshot and leavers rows but those of the snapshots this import replaces (an
    earlier export of one organisation as at one date), and those replaced."""
    return _current_rows(pseudonyms.read(rows), own, snapshots)


def _current_rows(
    rows: pa.Table, own: list[int], snapshots: dict[tuple[str, dt.date], str]
) -> tuple[pa.Table, pa.Table]:
    replaced = np.zeros(rows.num_rows, bool)
    mine = pc.is_in(rows["batch_id"], pa.array(own, pa.int64())).to_numpy(zero_copy_only=False)
    in_post = pc.equal(rows["kind"], IN_POST).to_numpy(zero_copy_only=False)
    for org, day in snapshots:
        same = pc.and_(
            pc.equal(rows["org_code"], org), pc.equal(rows["as_at"], pa.scalar(day, pa.date32()))
        )
        replaced |= pc.fill_null(same, False).to_numpy(zero_copy_only=False) & in_post & ~mine
    return rows.filter(pa.array(~replaced)), rows.filter(pa.array(replaced))


def _derived_note(org: str, dates: int, rows: pa.Table, made: spells.Derived) -> str:
    leavers = pc.sum(pc.equal(rows["kind"], LEAVER)).as_py() or 0
    q = made.quality
    said = (
        f"{org}: {made.assignments.num_rows:,} assignment rows derived from {dates} "
        f"snapshot(s) and {leavers:,} leavers row(s)"
    )
    if q.ended_between:
        said += f"; {q.ended_between:,} ended between snapshots with no leavers record"
    if q.leaver_conflicts:
        said += f"; {q.leaver_conflicts:,} leavers record(s) the snapshots contradict (not used)"
    return said


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _remove_replaced(
    store: Store, own: list[int], snapshots: list[tuple[str, dt.date]], gone: list[int]
) -> None:
    """The rows of the snapshots this import replaces, and their batches once they hold none."""
    if not gone:
        return
    mine = ", ".join(str(b) for b in own)
    for org, day in snapshots:
        store.con.raw_sql(
            f"DELETE FROM snapshot_rows WHERE kind = '{IN_POST}' AND org_code = {_text(org)} "
            f"AND as_at = DATE '{day.isoformat()}' AND batch_id NOT IN ({mine})"
        )
    ids = ", ".join(str(int(b)) for b in gone)
    store.con.raw_sql(
        f"DELETE FROM batches WHERE batch_id IN ({ids}) "
        "AND batch_id NOT IN (SELECT batch_id FROM snapshot_rows)"
    )


def _remove_derived(store: Store, orgs: list[str], persons: pa.Array) -> None:
    """The assignments derived before for `orgs`, the people derived before among `persons`,
    and the bookkeeping of derived batches left with no rows."""
    listed = ", ".join(_text(o) for o in orgs)
    which = f"SELECT batch_id FROM derived_batches WHERE org_code IN ({listed})"
    for name in ("assignments", "batches", "derived_batches"):
        store.con.raw_sql(f"DELETE FROM {name} WHERE batch_id IN ({which})")
    people = "SELECT batch_id FROM derived_batches WHERE org_code IS NULL"
    name = "equitrack_snapshot_people"
    with store.temporary(pa.table({"person_id": persons})) as wanted:
        store.con.raw_sql(
            f"DELETE FROM people WHERE batch_id IN ({people}) "
            f"AND person_id IN (SELECT person_id FROM ({store.sql(wanted)}) AS {name})"
        )
    empty = f"({people}) AND batch_id NOT IN (SELECT batch_id FROM people)"
    for name in ("batches", "derived_batches"):
        store.con.raw_sql(f"DELETE FROM {name} WHERE batch_id IN {empty}")


def _with_batch(table: pa.Table, batch_id: int) -> pa.Table:
    return table.append_column("batch_id", pa.array(np.full(table.num_rows, batch_id, np.int64)))


def _batch(
    batch_id: int, table: str, org: str | None, rows: int, loaded_at: dt.datetime
) -> pa.Table:
    what = f"derived: the {table} of {org}" if org else f"derived: the {table}"
    source = f"{what}, from its ESR snapshots and leavers reports"
    row = {
        "batch_id": batch_id,
        "source_file": source,
        "sheet": None,
        "sha256": hashlib.sha256(f"{source}|{batch_id}|{loaded_at}".encode()).hexdigest(),
        "table_name": table,
        "rows_read": rows,
        "rows_loaded": rows,
        "rows_rejected": 0,
        "loaded_at": loaded_at,
        "equitrack_version": __version__,
    }
    return pa.Table.from_pylist([row], schema=BATCHES.to_pyarrow())


def batch_rows(
    batch_id: int, source: Source, sha256: str, counts: dict[str, tuple[int, int, int]],
    loaded_at: dt.datetime,
) -> pa.Table:  # fmt: skip
    """The batches rows of a snapshot or leavers report: one per table it gives (people,
    assignments), sharing its batch id, so that re-importing it is recognised per table."""
    rows = [
        {
            "batch_id": batch_id,
            "source_file": str(source.path.resolve()),
            "sheet": source.sheet,
            "sha256": sha256,
            "table_name": table,
            "rows_read": read,
            "rows_loaded": loaded,
            "rows_rejected": rejected,
            "loaded_at": loaded_at,
            "equitrack_version": __version__,
        }
        for table, (read, loaded, rejected) in counts.items()
    ]
    return pa.Table.from_pylist(rows, schema=BATCHES.to_pyarrow())
