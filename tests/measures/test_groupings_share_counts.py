"""A run asked by several groupings with one `Shared` (as the release asks its questions) counts
each measure once: the engine counts by ethnic code whatever the grouping, so the second and
third grouping only group those counts their own way, and come out as asked alone. (A survey's
results are counted by its provider in the group type asked, so it is counted once for each.)"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pytest

from equitrack import api, release
from equitrack.ingest import import_paths
from equitrack.measures.calendar import Interval
from equitrack.measures.declare import Kind, Shared
from equitrack.measures.registry import FAMILIES
from equitrack.store import connect
from tests.factories import small_system

GROUPINGS = ("wres", "broad", "detailed")
#: The kinds whose counts are made once for every grouping: every kind but a journey (its
#: people are followed over time in Python, `careers`).
ONCE = set(Kind) - {Kind.JOURNEY}


def test_a_run_asked_by_every_grouping_counts_each_measure_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = connect(str(tmp_path / "small.duckdb"))
    assert import_paths([small_system(tmp_path / "data")], store).ok
    made: Counter[Hashable] = Counter()
    asked: dict[Hashable, set[str]] = defaultdict(set)  # by which groupings
    grouping = ""
    once = Shared.once

    def counting(self: Shared, key: Hashable, make: Callable[[], Any]) -> Any:
        asked[key].add(grouping)

        def making() -> Any:
            made[key] += 1
            return make()

        return once(self, key, making)

    monkeypatch.setattr(Shared, "once", counting)
    years = release.released_years(store)
    chosen = api.measures_of(FAMILIES)
    with api.sharing(chosen, years, Interval.YEAR) as shared:
        together = {}
        for grouping in GROUPINGS:
            together[grouping] = api.run(FAMILIES, years, store=store, by=grouping, shared=shared)
    counts = {key: n for key, n in made.items() if key[0] == "counted"}
    measured = {key[1] if isinstance(key[1], str) else key[1][0] for key in counts}
    assert measured == {m.id for m in chosen if m.kind in ONCE}
    assert set(counts.values()) == {1}, counts
    askers = {key: len(asked[key]) for key in counts}
    assert max(askers.values()) == len(GROUPINGS)

    made.clear()
    apart = {by: api.run(FAMILIES, years, store=store, by=by) for by in GROUPINGS}
    counts = {key: n for key, n in made.items() if key[0] == "counted"}
    assert counts == askers  # each run apart counts its own
    for by in GROUPINGS:
        assert together[by] == apart[by] != []
        ethnic = {r.group_type for r in together[by] if r.measure in measured}
        assert ethnic - {"disability", "sex"} == {by}  # the WDES groups are not by ethnicity
    store.close()
