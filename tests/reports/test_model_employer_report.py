"""The scrutiny update's Model Employer section: BME and Black staff at every senior band, for
the system and each organisation, with the headcount needed for parity and the yearly path to
2028 that a plain recomputation from the staff tables gives, and a chart with its words."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from equitrack.disclosure import Audience, load_policies
from equitrack.reports.content import Picture, Rows, Section, walk
from equitrack.reports.write import ReportKind, build
from equitrack.store import Store
from equitrack.store.names import unit_names
from tests.reference import plain_progression

YEAR = 2026
TARGET = 2028
POLICIES = load_policies()
BANDS = ("Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM")


def model_employer_section(report) -> Section:
    return next(s for s in walk(report.sections) if s.id == "model-employer")


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store], mini_measured: None) -> Store:
    return loaded_system("mini")


@pytest.fixture(scope="module")
def analyst_section(mini: Store) -> Section:
    policy = POLICIES[Audience.ANALYST]
    report = build(ReportKind.scrutiny, mini, YEAR, org=None, policy=policy, audience="analyst")
    return model_employer_section(report)


def plain_needed(mini: Store) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(unit, band, group) -> (headcount at the band, needed for parity), from the stored
    tables by the plain pandas reference, for BME (WRES grouping) and Black (broad)."""
    names = ("organisations", "people", "assignments", "incidents")
    tables = plain_progression.prepare({n: mini.table(n).to_pandas() for n in names})
    out: dict[tuple[str, str, str], tuple[int, int]] = {}
    for group, by in (("BME", "wres"), ("Black", "broad")):
        for system in (False, True):
            rows = plain_progression.model_employer(tables, YEAR, system, by)
            rows = rows[rows["group"] == group]
            counts = {(r.unit, r.breakdown): int(r.numerator) for r in rows.itertuples()}
            for r in rows.itertuples():
                band = r.breakdown
                if band.startswith("Needed for parity ("):
                    cell = band.removeprefix("Needed for parity (").removesuffix(")")
                    out[(r.unit, cell, group)] = (counts[(r.unit, cell)], int(r.numerator))
    return out


def test_every_band_and_unit_has_the_plainly_recomputed_headcount_needed_and_pace(
    mini: Store, analyst_section: Section
) -> None:
    expected = plain_needed(mini)
    units = {unit for unit, _, _ in expected}
    assert any(u.startswith("system:") for u in units) and len(units) >= 3
    tables = [b for b in analyst_section.blocks if isinstance(b, Rows)]
    codes = {name: code for code, name in unit_names(mini).items()}  # the report names them
    assert {codes[t.caption.split(", ")[1]] for t in tables} == units  # the system, every org
    checked = 0
    for t in tables:
        unit = codes[t.caption.split(", ")[1]]
        at = {name: i for i, name in enumerate(t.columns)}
        bands = {row[at["Band"]] for row in t.rows}
        assert set(BANDS) & bands, t.caption
        for row in t.rows:
            headcount, needed = expected[(unit, row[at["Band"]], row[at["Group"]])]
            assert row[at["Staff at the band"]].split(" of ")[0] == f"{headcount:,}"
            assert row[at["Needed for parity"]] == f"{needed:,}"
            pace = math.ceil(needed / (TARGET - YEAR))
            assert row[at[f"A year to reach it by {TARGET}"]] == f"{pace:,}"
            checked += 1
    # every pair of (unit, cell, group) the plain reference has for a cell with staff is shown
    assert checked == len(expected)
    assert any(needed > 0 for _, needed in expected.values())


def test_each_unit_has_a_trajectory_chart_whose_words_give_the_path(
    analyst_section: Section,
) -> None:
    charts = [b.chart for b in analyst_section.blocks if isinstance(b, Picture)]
    tables = [b for b in analyst_section.blocks if isinstance(b, Rows)]
    assert len(charts) == len(tables)
    for chart, table in zip(charts, tables, strict=True):
        at = {name: i for i, name in enumerate(table.columns)}
        for row in table.rows:
            band, group, needed = row[at["Band"]], row[at["Group"]], row[at["Needed for parity"]]
            if band not in BANDS or needed in ("0", "–"):
                continue
            a_year = row[at[f"A year to reach it by {TARGET}"]]
            said = f"{needed} more needed for parity, about {a_year} a year to reach it by {TARGET}"
            assert f"{group} staff at {band}: " in chart.alt and said in chart.alt
            last = [
                r["Staff"]
                for r in chart.rows()
                if r["Band"] == band and r["Group"] == group and r["Line"] == "Path to parity"
            ]
            start = int(row[at["Staff at the band"]].split(" of ")[0].replace(",", ""))
            assert max(last) == start + int(needed)  # the path ends at parity
        assert "<desc" in chart.svg()


def test_a_board_report_shows_no_small_count_in_the_model_employer_tables(mini: Store) -> None:
    policy = POLICIES[Audience.BOARD]
    report = build(ReportKind.scrutiny, mini, YEAR, org=None, policy=policy, audience="board")
    section = model_employer_section(report)
    tables = [b for b in section.blocks if isinstance(b, Rows)]
    assert tables
    for t in tables:
        at = {name: i for i, name in enumerate(t.columns)}
        for row in t.rows:
            for text in row[at["Staff at the band"]].split(" of "):
                if text != "*":
                    assert not 1 <= int(text.replace(",", "")) <= 7, (t.caption, row)
