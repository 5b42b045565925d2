"""What `equitrack status` says about ESR snapshots: each organisation's snapshot dates, its
leavers rows, and what the history derived from them could not know for sure (assignments
that ended between snapshots with no leavers record, leavers records the snapshots contradict,
people whose recorded ethnicity changed between snapshots)."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from equitrack.store.connection import Store


def snapshot_quality(store: Store) -> dict[str, Any]:
    """Per organisation with snapshots, and the people's ethnicity changes."""
    if not {"snapshot_rows", "derived_batches"} <= set(store.con.list_tables()):
        return {"by_org": [], "ethnicity_changed": 0}
    rows = store.table("snapshot_rows")
    dates = rows.filter(rows.kind == "in_post").select("org_code", "as_at").distinct()
    left = rows.filter(rows.kind == "leaver")
    leavers = left.group_by("org_code").aggregate(n=left.count())
    derived = store.table("derived_batches").to_pyarrow().to_pylist()
    by_org: dict[str, dict[str, Any]] = {}
    for r in dates.order_by(["org_code", "as_at"]).to_pyarrow().to_pylist():
        entry = by_org.setdefault(r["org_code"], _entry(r["org_code"]))
        entry["snapshot_dates"].append(r["as_at"].isoformat())
    for r in leavers.to_pyarrow().to_pylist():
        by_org.setdefault(r["org_code"], _entry(r["org_code"]))["leavers_rows"] = int(r["n"])
    for d in derived:
        if d["org_code"] in by_org:
            by_org[d["org_code"]]["ended_between_snapshots"] += int(d["ended_between"] or 0)
            by_org[d["org_code"]]["leaver_conflicts"] += int(d["leaver_conflicts"] or 0)
    return {"by_org": [by_org[o] for o in sorted(by_org)], "ethnicity_changed": _changed(rows)}


def _changed(rows: ir.Table) -> int:
    """People whose recorded ethnicity (blank is not a record) differs between their rows."""
    known = rows.filter(rows.ethnic_code.notnull())
    codes = known.group_by("person_id").aggregate(n=known.ethnic_code.nunique())
    return int(codes.filter(codes.n > 1).count().to_pyarrow().as_py())


def _entry(org: str) -> dict[str, Any]:
    return {
        "org": org,
        "snapshot_dates": [],
        "leavers_rows": 0,
        "ended_between_snapshots": 0,
        "leaver_conflicts": 0,
    }
