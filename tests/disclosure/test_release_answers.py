"""A release's answers after new data: only the measures reading a changed table are asked
again, and what comes out is what asking everything again would give."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from equitrack import config, release
from equitrack.ingest import import_paths
from equitrack.measures.registry import MEASURES
from equitrack.measures.sources import tables_read
from equitrack.store import Store
from tests.web.conftest import cases_csv, mini_copy


@pytest.fixture()
def small_release(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The release's questions cut down to two families, one grouping and one staff group (the
    suite's time), with every run of measures recorded."""
    monkeypatch.setattr(release, "FAMILIES", ("wres", "wdes"))
    monkeypatch.setattr(release, "GROUPINGS", ("wres",))
    monkeypatch.setattr(release, "staff_groups", lambda store: ["Medical and Dental"])
    asked: list[tuple[str, ...]] = []
    ask = release.Question.ask

    def recorded(self, store, measures=None, shared=None):  # type: ignore[no-untyped-def]
        asked.append(tuple(measures or self.measures_asked()))
        return ask(self, store, measures, shared)

    monkeypatch.setattr(release.Question, "ask", recorded)
    return asked


def _rows(found: list) -> list:
    return sorted(repr(r) for r in found)


def test_new_cases_ask_again_only_what_counts_cases(
    loaded_system: Callable[..., Store], tmp_path_factory, small_release, monkeypatch
) -> None:
    store = mini_copy(loaded_system, tmp_path_factory, {})
    before = release.answers(store)
    everything = {m for run in small_release for m in run}
    small_release.clear()

    key = Path(loaded_system("mini").url).parents[1] / "key"  # the key it was loaded with
    monkeypatch.setenv(config.KEY_FILE_ENV, str(key))
    path = tmp_path_factory.mktemp("cases") / "disciplinary.csv"
    path.write_bytes(cases_csv(loaded_system, ["RXA"], "AGAIN-"))
    assert import_paths([path], store, table="disciplinary").ok

    after = release.answers(store, before=before)
    again = {m for run in small_release for m in run}
    reading = {m.id for m in MEASURES.values() if "disciplinary" in tables_read(m)}
    assert again and again == reading & everything
    assert len(again) < len(everything) / 2

    fresh = release.answers(store)
    assert _rows(after.results()) == _rows(fresh.results())
    store.close()


def test_nothing_changed_asks_nothing_and_new_years_ask_everything(
    loaded_system: Callable[..., Store], tmp_path_factory, small_release, monkeypatch
) -> None:
    store = mini_copy(loaded_system, tmp_path_factory, {})
    before = release.answers(store)
    small_release.clear()
    same = release.answers(store, before=before)
    assert small_release == []
    assert _rows(same.results()) == _rows(before.results())

    later = tuple(y + 1 for y in before.years)
    monkeypatch.setattr(release, "released_years", lambda store: later)
    release.answers(store, before=before)
    assert {m for run in small_release for m in run} == {
        m for q in before.asked for m in q.measures_asked()
    }
    store.close()
