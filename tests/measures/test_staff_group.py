"""WRES 1 and 4 for one staff group: the groups' figures add up to the whole workforce's."""

from __future__ import annotations

from collections import Counter

from equitrack import api
from equitrack.store import Store


def _counts(results) -> Counter:
    """Each group's headcount (WRES 1) and trained and staff in post (WRES 4). WRES 1's
    denominators are cell totals, shown only beside a group present in the cell, so they are
    not additive across staff groups; the group counts are."""
    total: Counter = Counter()
    for r in results:
        total[(r.measure, r.group, r.breakdown, "n")] += r.numerator or 0
        if r.measure == "wres4":
            total[(r.measure, r.group, r.breakdown, "d")] += r.denominator or 0
    return +total


def test_staff_groups_partition_the_workforce(llr: Store) -> None:
    a = llr.table("assignments")
    groups = sorted(a.select("staff_group").distinct().to_pyarrow().column(0).to_pylist())
    assert len(groups) > 3
    whole = api.run("wres", (2026,), store=llr, orgs=("RWE",), measures=["wres1", "wres4"])
    parts: Counter = Counter()
    seen = 0
    for g in groups:
        one = api.run(
            "wres", (2026,), store=llr, orgs=("RWE",), measures=["wres1", "wres4"],
            options={"staff_group": g},
        )  # fmt: skip
        assert all(r.options["staff_group"] == g for r in one)
        seen += bool(one)
        parts.update(_counts(one))
    assert seen > 3
    assert parts == _counts(whole)
