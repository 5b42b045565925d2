"""Figures only where the data is: a year after the data's last date is "no data for 2025/26"
(never last year's figures again), and a measure whose table holds nothing says "no data
loaded" (never a measured zero), in the engine, the CLI's table and JSON, reports and status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from ibis.expr.types.relations import Table
from typer.testing import CliRunner

from equitrack import api
from equitrack.cli import app
from equitrack.measures.calendar import Interval
from equitrack.measures.covered import is_no_data
from equitrack.reports import evidence
from equitrack.store import Store, coverage
from tests.measures.builders import ORG, System

runner = CliRunner()
LAST_DAY = "2025-02-01"  # the data's latest date: reporting year 2025 (2024/25)


def staff_only() -> System:
    """7 White and 4 Asian staff in post; nothing is dated after 1 February 2025."""
    s = System()
    s.people_of("A", 6, start="2019-05-01")
    s.people_of("H", 4, start="2019-06-01")
    s.person("A", start=LAST_DAY)
    return s


def invoke(*args: str) -> str:
    """The command's output, its lines joined (the console wraps at its own width)."""
    result = runner.invoke(app, list(args), catch_exceptions=False, terminal_width=250)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_year_after_the_data_is_no_data_and_never_last_years_figures(tmp_path: Path) -> None:
    store = staff_only().load(tmp_path)
    results = api.run("wres", (2025, 2026), store=store, measures=["wres1", "wres9"])
    before = {
        r.group: (r.numerator, r.denominator)
        for r in results
        if r.period == 2025 and r.measure == "wres1" and r.breakdown == "All"
    }
    assert before["White"] == (7, 11) and before["BME"] == (4, 11)
    after = [r for r in results if r.period == 2026]
    assert {r.measure for r in after} == {"wres1", "wres9"}
    assert len(after) == 2 and all(is_no_data(r) for r in after)
    assert all(r.rate is None and r.numerator is None for r in after)
    assert after[0].reason == (
        "no data for 2025/26: the assignments loaded for RX1 run from 1 May 2019 to 1 February 2025"
    )
    store.close()
    shown = json.loads(
        invoke("measure", "wres1", "--year", "2026", "--db", store.url, "--format", "json")
    )
    assert [(r["period"], r["numerator"], r["denominator"]) for r in shown] == [(2026, None, None)]
    assert shown[0]["reason"].startswith("no data for 2025/26")
    table = invoke("wres", "--year", "2026", "--db", store.url)
    assert "RX1: no data for 2025/26: the assignments loaded for RX1" in table
    assert "7 / 11" not in table and "4 / 11" not in table  # 2024/25's figures are not repeated


def test_a_month_after_the_data_has_no_figures(tmp_path: Path) -> None:
    store = staff_only().load(tmp_path)
    months = api.run("wres", (2025,), store=store, measures=["wres1"], interval=Interval.MONTH)
    store.close()
    february = [
        r for r in months if r.period == 202502 and r.group == "White" and r.breakdown == "All"
    ]
    assert [(r.numerator, r.denominator) for r in february] == [(7, 11)]
    march = [r for r in months if r.period == 202503]
    assert len(march) == 1 and march[0].reason.startswith("no data for Mar 2025")


def test_an_empty_source_table_says_no_data_loaded_not_zero(tmp_path: Path) -> None:
    store = staff_only().load(tmp_path)
    store.close()
    shown = json.loads(invoke("wres", "--year", "2025", "--db", store.url, "--format", "json"))
    wres3 = [r for r in shown if r["measure"] == "wres3"]
    assert [(r["numerator"], r["denominator"], r["rate"]) for r in wres3] == [(None, None, None)]
    assert wres3[0]["reason"] == "no data loaded: no disciplinary cases are loaded for RX1"
    surveyed = {r["measure"]: r["reason"] for r in shown if r["measure"] in ("wres5", "wres8")}
    assert surveyed == dict.fromkeys(
        ("wres5", "wres8"), "no data loaded: no staff survey results are loaded for RX1"
    )
    table = invoke("wres", "--year", "2025", "--db", store.url)
    assert "RX1: no data loaded: no disciplinary cases are loaded for RX1" in table
    assert "0 / 11" not in table and "0 / 4" not in table and "undefined" not in table


def test_reports_say_why_there_are_no_figures(tmp_path: Path) -> None:
    store = staff_only().load(tmp_path)
    results = api.run("wres", (2025,), store=store, measures=["wres3"])
    store.close()
    (said,) = evidence.blocks("wres3", results, 2025)
    assert "no data loaded: no disciplinary cases are loaded for RX1" in said.text


def test_a_covered_year_is_measured_as_before(tmp_path: Path) -> None:
    """With conduct cases dated in the year, WRES 3 is measured: 2 of 4 Asian staff entered
    the formal process, none of 7 White staff; zero is then a measured zero."""
    s = staff_only()
    asian = [p["person_id"] for p in s.people if p["ethnic_code"] == "H"]
    for pid in asian[:2]:
        s.case(pid, "2024-10-01")
    store = s.load(tmp_path)
    results = api.run("wres", (2025,), store=store, measures=["wres3"], options={"window": 1})
    store.close()
    got = {r.group: (r.numerator, r.denominator) for r in results}
    assert got["BME"] == (2, 4) and got["White"] == (0, 7)
    assert not any(is_no_data(r) for r in results)


def test_status_lists_the_dates_each_table_covers(tmp_path: Path) -> None:
    s = staff_only()
    s.case(s.people[0]["person_id"], "2023-07-14")
    store: Store = s.load(tmp_path)
    store.close()
    info = json.loads(invoke("status", "--db", store.url, "--format", "json"))
    assert [(c["org"], c["table"], c["first"], c["last"]) for c in info["coverage"]] == [
        (ORG, "assignments", "2019-05-01", LAST_DAY),
        (ORG, "disciplinary", "2023-07-14", "2023-07-14"),
    ]
    table = invoke("status", "--db", store.url)
    assert "Dates covered" in table
    assert f"{ORG} │ assignments │ 11 │ 2019-05-01 │ {LAST_DAY}" in table


def test_every_tables_span_comes_from_one_query_over_all_its_date_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hand-worked spans: the assignments' run from the earliest start to the latest date of
    either column (an end after every start), the survey's by its years; read in one query
    besides the batches' version (on Spark each query has a fixed cost of seconds)."""
    s = System()
    s.people_of("A", 2, start="2019-05-01")
    ended = s.person("H", start="2019-06-01", end="2025-03-01")
    s.case(ended, "2021-07-01")
    s.applicants("A", shortlisted=2, appointed=1, applied="2024-05-01")
    s.surveyed("q14", "BME", positive=3, responses=10, year=2023)
    store = s.load(tmp_path)
    queries = []
    fetch = Table.to_pyarrow
    monkeypatch.setattr(Table, "to_pyarrow", lambda t, *a, **k: queries.append(t) or fetch(t))
    found = {
        key: (span.rows, span.first, span.last, span.first_year, span.last_year)
        for key, span in coverage.spans(store).items()
    }
    store.close()
    day = dt.date.fromisoformat
    assert found == {
        ("assignments", ORG): (3, day("2019-05-01"), day("2025-03-01"), 2020, 2025),
        ("disciplinary", ORG): (1, day("2021-07-01"), day("2021-07-01"), 2022, 2022),
        ("vacancies", ORG): (1, day("2024-04-01"), day("2024-04-01"), 2025, 2025),
        ("applications", ORG): (2, day("2024-05-01"), day("2024-05-01"), 2025, 2025),
        ("survey", ORG): (1, None, None, 2024, 2024),
    }
    assert len(queries) == 2  # the version, then every table's spans at once


def test_a_run_reads_the_coverage_of_its_measures_tables_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WRES 1 and 3 read the assignments and the disciplinary cases: their coverage is read in
    one query for both measures, and no other table's (training, pay, leave are not scanned)."""
    s = staff_only()
    s.case(s.person("H", start="2019-06-01"), "2021-07-01")
    s.trained(s.person("A", start="2019-06-01"), "2021-07-01")
    store = s.load(tmp_path)
    asked: list[list[str]] = []
    read = coverage._spans
    monkeypatch.setattr(
        coverage, "_spans", lambda st, tables: asked.append(tables) or read(st, tables)
    )
    results = api.run("wres", (2025,), store=store, measures=["wres1", "wres3"])
    assert asked == [["assignments", "disciplinary"]]
    # the case of 2021 does not reach 2024/25; the staff do
    assert {r.measure for r in results if is_no_data(r)} == {"wres3"}
    assert any(r.measure == "wres1" and r.numerator for r in results)
    store.close()


def test_a_unit_with_data_only_in_tables_a_measure_does_not_read_says_no_data_loaded(
    tmp_path: Path,
) -> None:
    """The survey measures read the survey alone; staff loaded and no survey is still "no data
    loaded" for the organisation (it has data: only a unit with none anywhere gets nothing)."""
    store = staff_only().load(tmp_path)
    results = api.run("wres", (2025,), store=store, measures=["wres5"])
    store.close()
    assert [(r.org, r.reason) for r in results] == [
        (ORG, "no data loaded: no staff survey results are loaded for RX1")
    ]
