"""An import restricted to a set of organisations (the dashboard uploader's scope).

Which organisation a row belongs to follows the data contract:

- a table with `org_code` (organisations itself, assignments, vacancies, disciplinary, training,
  development, appraisals, leave, incidents, pay, survey): that code. A development record's
  `host_org_code` says where it took place, not whose record it is, so it is not checked;
- applications: the organisation of their vacancy, as loaded (vacancies load before
  applications, and each file's batch is in the store before the next file is checked);
- people: the organisations of their assignments, in the store or in this import. They are
  known only once the whole import has been read (assignments load after people), so they are
  checked last, before the import is finished. A person with no assignment anywhere belongs to
  no organisation yet: the assignment that gives them one is checked when it is loaded.

A row outside the scope refuses the whole import, even with --skip-invalid: skipping it would
load the rest of a file the uploader had no right to load. Each organisation outside the scope
is named once, with the first line it is on, as a file problem; the import then ends as every
failed import does, with the store as it was.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest.validate import Checked
from equitrack.store import Store, pseudonyms


@dataclass
class _People:
    """A people file of this import: its pseudonyms and the line of each (checked last)."""

    checked: Checked
    ids: pa.Array
    lines: np.ndarray


@dataclass
class OrgScope:
    """The organisations an import may load rows of, and the checks that keep it to them."""

    allowed: frozenset[str]
    store: Store
    _people: dict[Hashable, _People] = field(default_factory=dict)

    @classmethod
    def of(cls, orgs: Iterable[str], store: Store) -> OrgScope:
        return cls(frozenset(o.strip().upper() for o in orgs if o.strip()), store)

    def check(self, checked: Checked, key: Hashable) -> list[str]:
        """Problems with a checked file's rows; people are remembered under `key` for `finish`."""
        data = checked.data
        if data is None:
            return []
        if "org_code" in data.column_names:
            orgs = data.column("org_code").combine_chunks()
            return self._outside(checked, orgs, "org_code", "")
        if checked.table.name == "applications":
            orgs = self._org_of(
                data.column("vacancy_id").combine_chunks(), "vacancies", "vacancy_id"
            )
            return self._outside(checked, orgs, "vacancy_id", " (the organisation of its vacancy)")
        if checked.table.name == "people":
            ids = data.column("person_id").combine_chunks()
            self._people[key] = _People(checked, ids, checked.raw.lines)
        return []

    def finish(self) -> dict[Hashable, list[str]]:
        """Problems with the people of this import, by the key each file was checked under."""
        found: dict[Hashable, list[str]] = {}
        for key, people in self._people.items():
            assignments = self._assignments_of(people.ids)
            ids = assignments.column("person_id").to_pylist()
            orgs = assignments.column("org_code").to_pylist()
            outside: dict[str, str] = {}  # person → an organisation of theirs outside the scope
            for person, org in zip(ids, orgs, strict=True):
                if org is not None and _code(org) not in self.allowed:
                    outside.setdefault(person, org)
            if not outside:
                continue
            rows = pa.array([outside.get(p) for p in people.ids.to_pylist()], pa.string())
            how = " (the organisation of their assignment)"
            if problems := self._outside(people.checked, rows, "person_id", how):
                found[key] = problems
        return found

    def _outside(self, checked: Checked, orgs: pa.Array, column: str, how: str) -> list[str]:
        """One problem per organisation outside the scope: its first line and how many rows."""
        codes = pc.utf8_upper(pc.utf8_trim_whitespace(orgs.cast(pa.string())))
        allowed = pa.array(sorted(self.allowed), pa.string())
        out = pc.and_(pc.is_valid(codes), pc.invert(pc.is_in(codes, allowed)))
        rows = np.flatnonzero(pc.fill_null(out, False).to_numpy(zero_copy_only=False))
        if not len(rows):
            return []
        raw = checked.raw
        first: dict[str, list[int]] = {}  # organisation → [first row, rows]
        for row, code in zip(rows, codes.take(pa.array(rows)).to_pylist(), strict=True):
            first.setdefault(code, [int(row), 0])[1] += 1
        scope = ", ".join(sorted(self.allowed)) or "none"
        problems = []
        for row, count in sorted(first.values()):
            shown = orgs[row].as_py()
            more = f" and {count - 1:,} more row(s) of it" if count > 1 else ""
            problems.append(
                f"{raw.line_word} {raw.lines[row]} ({raw.where(column)}) belongs to "
                f"'{_short(shown)}'{how}{more}, outside the organisations this import may load "
                f"({scope}): the whole import is refused and nothing was loaded"
            )
        return problems

    def _org_of(self, ids: pa.Array, table: str, key: str) -> pa.Array:
        """The organisation of each id in a loaded table (null where it is not loaded)."""
        distinct = pc.unique(ids.drop_null())
        t = self.store.table(table)
        with self.store.temporary(pa.table({key: distinct})) as wanted:
            found = pseudonyms.read(t.join(wanted, key).select(key, "org_code").distinct())
        index = pc.index_in(ids, found.column(key))
        return pc.take(found.column("org_code"), index)

    def _assignments_of(self, ids: pa.Array) -> pa.Table:
        distinct = pc.unique(ids.drop_null())
        a = self.store.table("assignments")
        with self.store.temporary(pa.table({"person_id": distinct})) as wanted:
            return pseudonyms.read(a.join(wanted, "person_id").select("person_id", "org_code"))


def _code(org: str) -> str:
    return org.strip().upper()


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
