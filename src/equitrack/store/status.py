"""What is in the store: batches, rows per table and organisation, the dates each
organisation's tables cover, ethnicity declaration."""

from __future__ import annotations

from typing import Any

from equitrack.model.tables import TABLES
from equitrack.store import coverage
from equitrack.store.connection import Store
from equitrack.store.ethnicity import is_known
from equitrack.store.snapshots import snapshot_quality


def _rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
        for r in records
    ]


def batches(store: Store) -> list[dict[str, Any]]:
    b = store.table("batches").order_by("batch_id")
    return _rows(b.to_pyarrow().to_pylist())


def rows_per_table(store: Store) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for t in TABLES:
        expr = store.table(t.name)
        entry: dict[str, Any] = {"rows": int(expr.count().to_pyarrow().as_py())}
        if "org_code" in t.column_names:
            by_org = expr.group_by("org_code").aggregate(rows=expr.count()).order_by("org_code")
            entry["by_org"] = {r["org_code"]: r["rows"] for r in by_org.to_pyarrow().to_pylist()}
        out[t.name] = entry
    return out


def declaration(store: Store) -> dict[str, Any]:
    """Share of people whose ethnicity is known: everyone, and staff in post per organisation.

    Staff in post are people with a non-bank assignment that has no end date. A low rate makes
    every figure about ethnicity doubtful, so it is shown beside them.
    """
    people = store.table("people")
    everyone = people.aggregate(people=people.count(), known=is_known(people.ethnic_code).sum())
    total = everyone.to_pyarrow().to_pylist()[0]
    a = store.table("assignments")
    current = a.end_date.isnull() & (a.contract != "bank")
    in_post = a.filter(current).select("org_code", "person_id").distinct()
    joined = in_post.join(people, "person_id")
    by_org = (
        joined.group_by("org_code")
        .aggregate(people=joined.count(), known=is_known(joined.ethnic_code).sum())
        .order_by("org_code")
    )
    return {
        "all_people": _rate(total),
        "staff_in_post_by_org": {r["org_code"]: _rate(r) for r in by_org.to_pyarrow().to_pylist()},
    }


def _rate(row: dict[str, Any]) -> dict[str, Any]:
    people, known = int(row["people"] or 0), int(row["known"] or 0)
    return {"people": people, "known": known, "rate": known / people if people else None}


def status(store: Store) -> dict[str, Any]:
    return {
        "database": store.url,
        "backend": store.backend,
        "batches": batches(store),
        "tables": rows_per_table(store),
        "coverage": coverage.by_org(store),
        "ethnicity_declaration": declaration(store),
        "snapshots": snapshot_quality(store),
    }


__all__ = ["batches", "declaration", "rows_per_table", "status"]
