"""Reasons are data: every reason has a code, the gate reads no words, and imports no measure."""

from __future__ import annotations

import ast
import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path

import pytest

from equitrack import api
from equitrack.disclosure import gate, systems_of
from equitrack.measures.registry import FAMILIES
from equitrack.measures.result import Result
from equitrack.stats.reasons import Code, codes_of, words
from equitrack.store import Store

YEAR = 2026


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store]) -> Store:
    return loaded_system("mini")


@pytest.fixture(scope="module")
def suite(mini: Store) -> list[Result]:
    """Every measure of every family, for each organisation and the system (by WRES group: the
    broad groups give the same kinds of reason)."""
    return api.run(FAMILIES, (YEAR,), store=mini) + api.run(
        FAMILIES, (YEAR,), store=mini, system=True
    )


@pytest.mark.parametrize("module", ["gate", "secondary", "reasons"])
def test_the_gate_imports_no_measure_module_and_reads_no_text(module: str) -> None:
    """What the gate needs of a measure comes from `figures` and the results' reason values."""
    source = importlib.import_module(f"equitrack.disclosure.{module}").__file__
    assert source is not None
    tree = ast.parse(Path(source).read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    measures = {m for m in imported if m and m.startswith("equitrack.measures")}
    assert measures <= {"equitrack.measures.result"}
    assert module != "gate" or measures == {"equitrack.measures.result"}  # the test sees imports
    assert not {"re", "regex"} & {m.split(".")[0] for m in imported if m}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert "re" not in names


def test_every_reason_of_the_whole_suite_has_a_code_and_is_made_from_it(
    suite: list[Result], mini: Store
) -> None:
    """Exact (analyst) and gated (public): no reason without a code, and its words are the
    words of its code and values, so nothing is said that the data does not hold."""
    shown = gate(suite, "public", systems=systems_of(mini))
    said: set[Code] = set()
    for r in (*suite, *shown):
        assert (r.reason is None) == (r.reason_code is None), r
        if r.reason is not None:
            assert r.reason == words(r.reason_code, r.reason_values), r  # type: ignore[arg-type]
            said.update(codes_of(r.reason_code))
    # the suite exercises the kinds of reason the gate rebuilds or drops numbers from
    assert {
        Code.TOO_FEW,
        Code.WORKFORCE_SHARE,
        Code.NEEDED_FOR_PARITY,
        Code.NEEDED_ROW,
        Code.QUARTER_PEOPLE,
        Code.NOT_KNOWN,
        Code.SUPPRESSED,
        Code.TOO_FEW_TO_SHOW,
    } <= said


def test_rewording_a_reason_changes_nothing_the_gate_shows(
    suite: list[Result], mini: Store
) -> None:
    """The gate works from codes and values: reasons garbled into other words (with numbers
    in them) give the very same public output."""
    systems = systems_of(mini)
    garbled = [
        dataclasses.replace(r, reason=None if r.reason is None else "12 of 34 people; 56% of 78")
        for r in suite
    ]
    assert gate(garbled, "public", systems=systems) == gate(suite, "public", systems=systems)


def test_no_exact_count_is_left_in_a_public_reason(suite: list[Result], mini: Store) -> None:
    """Too-few counts are dropped, workforce, parity and quarter figures are the shown ones."""
    shown = gate(suite, "public", systems=systems_of(mini))
    for before, after in zip(suite, shown, strict=True):
        codes = codes_of(after.reason_code)
        values = after.reason_values
        if Code.TOO_FEW in codes:
            assert not {"focus_events", "reference_events"} & set(values)
            assert not {"focus_population", "reference_population"} & set(values)
        if Code.QUARTER_PEOPLE in codes and "people" in values:
            assert float(values["people"]) % 5 == 0 and float(values["quarter_size"]) % 5 == 0
            assert after.reason.startswith("about ")  # type: ignore[union-attr]
        if Code.WORKFORCE_SHARE in codes and "workforce" in values:
            assert int(values["staff"]) % 5 == 0 and int(values["workforce"]) % 5 == 0
        if Code.NEEDED_ROW in codes:
            assert values["cell"] == before.reason_values["cell"]
            assert values.get("needed") in (after.numerator, 0)


def test_a_reason_without_a_code_is_withheld_not_read() -> None:
    r = Result("wres1", "RX1", YEAR, "wres", "BME", 20, 100, reason="only 3 people; at parity")
    (shown,) = gate([r], "public")
    assert shown.reason_code == Code.WITHHELD and shown.reason == "detail withheld (exact figures)"
