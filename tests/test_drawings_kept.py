"""Charts kept on disk with a data version's releases (`release_files.Shelf.drawn`): read back
exactly as drawn, only for exactly what they were drawn from, never once changed on disk."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack import release_files
from equitrack.disclosure import policy_for
from equitrack.measures.result import Result
from equitrack.release_files import Drawing, Shelf

KEY = "a" * 32
DRAWN = [Drawing("WRES 2: shortlisting", "BME staff were less likely…", "<svg><g/></svg>")]


def _result(**changed: object) -> Result:
    base = Result(
        measure="wres2", org="RXA", period=2025, group_type="wres", group="BME", numerator=10,
        denominator=40, rate=0.25, options={"staff_group": "all"},
    )  # fmt: skip
    return replace(base, **changed)


def _shelf(tmp_path: Path, key: str = KEY) -> Shelf:
    return Shelf(tmp_path / "kept", key)


def _files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "kept").glob("drawn-*"))


def test_charts_read_back_as_drawn_in_the_owners_folder(tmp_path: Path) -> None:
    shelf = _shelf(tmp_path)
    what = ("section", "wres2", [_result()], {"RXA": "Trust A"})
    assert shelf.drawn(what) is None
    shelf.keep_drawn(what, DRAWN)
    assert shelf.drawn(what) == DRAWN
    assert shelf.drawn(("section", "wres2", [_result()], {"RXA": "Trust A"})) == DRAWN
    (path,) = _files(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert KEY in path.name  # pruned with the version's other files


def test_no_charts_kept_is_kept_too(tmp_path: Path) -> None:
    shelf = _shelf(tmp_path)
    shelf.keep_drawn(("section", "wres9"), [])
    assert shelf.drawn(("section", "wres9")) == []


@pytest.mark.parametrize(
    "other",
    [
        ("section", "wres2", [_result(numerator=11)], {"RXA": "Trust A"}),
        ("section", "wres2", [_result(rate=0.250001)], {"RXA": "Trust A"}),
        ("section", "wres2", [_result(options={"staff_group": "Nursing"})], {"RXA": "Trust A"}),
        ("section", "wres2", [_result(), _result()], {"RXA": "Trust A"}),
        ("section", "wres2", [_result()], {"RXA": "Trust B"}),
        ("section", "wres3", [_result()], {"RXA": "Trust A"}),
        ("overview", "wres2", [_result()], {"RXA": "Trust A"}),
    ],
)
def test_a_chart_is_never_read_for_anything_else(tmp_path: Path, other: tuple) -> None:
    shelf = _shelf(tmp_path)
    shelf.keep_drawn(("section", "wres2", [_result()], {"RXA": "Trust A"}), DRAWN)
    assert shelf.drawn(other) is None


def test_another_version_or_policy_never_reads_them(tmp_path: Path) -> None:
    board, analyst = policy_for("board"), policy_for("analyst")
    _shelf(tmp_path).keep_drawn(("journey", 2025, board), DRAWN)
    assert _shelf(tmp_path, "b" * 32).drawn(("journey", 2025, board)) is None
    assert _shelf(tmp_path).drawn(("journey", 2025, analyst)) is None
    assert _shelf(tmp_path).drawn(("journey", 2025, board)) == DRAWN


@given(
    st.lists(st.integers(0, 50), max_size=4),
    st.lists(st.integers(0, 50), max_size=4),
)
def test_two_charts_share_a_file_only_when_drawn_from_the_same(
    tmp_path_factory: pytest.TempPathFactory, xs: list[int], ys: list[int]
) -> None:
    shelf = _shelf(tmp_path_factory.mktemp("kept"))
    shelf.keep_drawn(("counts", [_result(numerator=x) for x in xs]), DRAWN)
    found = shelf.drawn(("counts", [_result(numerator=y) for y in ys]))
    assert found == (DRAWN if xs == ys else None)


@pytest.mark.parametrize("harm", ["svg changed", "truncated", "garbage", "other format"])
def test_a_kept_file_changed_or_unfit_is_drawn_again_never_shown(tmp_path: Path, harm: str) -> None:
    shelf = _shelf(tmp_path)
    shelf.keep_drawn(("section", "wres2"), DRAWN)
    (path,) = _files(tmp_path)
    text = path.read_text()
    if harm == "svg changed":  # its digest no longer says what it holds
        path.write_text(text.replace("<g/>", "<g><text>hacked</text></g>"))
    elif harm == "truncated":
        path.write_text(text[: len(text) // 2])
    elif harm == "garbage":
        path.write_bytes(b"\x00not json" * 20)
    else:
        found = json.loads(text)
        found["format"] = release_files.FORMAT + 1
        path.write_text(json.dumps(found))
    assert shelf.drawn(("section", "wres2")) is None
    assert not path.exists()  # removed: drawn and kept again
    shelf.keep_drawn(("section", "wres2"), DRAWN)
    assert shelf.drawn(("section", "wres2")) == DRAWN


def test_what_has_no_exact_text_is_not_kept(tmp_path: Path) -> None:
    shelf = _shelf(tmp_path)
    what = ("section", object())
    shelf.keep_drawn(what, DRAWN)
    assert shelf.drawn(what) is None
    assert _files(tmp_path) == []


def test_another_versions_charts_go_with_its_files(tmp_path: Path) -> None:
    old, new = _shelf(tmp_path), _shelf(tmp_path, "b" * 32)
    old.keep_drawn(("section", "wres2"), DRAWN)
    new.keep_drawn(("section", "wres2"), DRAWN)
    new._prune()  # as when the new version's answers are kept
    assert all("b" * 32 in p.name for p in _files(tmp_path))
    assert old.drawn(("section", "wres2")) is None
    assert new.drawn(("section", "wres2")) == DRAWN
