"""The ethnicity pay gap, hand-worked on nine people, through the engine and the CLI."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equitrack import config
from equitrack.cli import app
from equitrack.measures import Request, Scope, evaluate, measure, pay
from equitrack.measures.counting import group_key
from equitrack.measures.declare import Attribute, Frame
from equitrack.measures.pay import pay_gap_report
from equitrack.model import codes
from equitrack.stats import format_points, pay_gap
from tests.measures.casework_builders import CaseSystem

# Nine paid at 31 March 2026, ranked: 9 (N), 10 (A), 11 (H), 12 (A), 12 (N), 13 (unknown, on
# the bank), 14 (A), 16 (A), 20 (B).
#   White British (A): mean 52/4 = 13, median (12 + 14)/2 = 13
#   White (A, B, C): mean 72/5 = 14.4, median 14
#   BME (H, N): mean 32/3 = 10.667, median 11
# Gaps, (reference - group) / reference: BME vs White British mean 17.95%, median 15.38%;
# BME vs White mean 25.93%, median 21.43%; White vs White British mean -10.77%, median -7.69%.
# Quarters hold 9/4 = 2.25 people: Q1 = 9, 10 and a quarter of 11; Q2 = the rest of 11 and
# 1.5 places of the tied 12s (0.75 each); Q3 = 0.25 of each 12, 13, and 0.75 of 14; Q4 = the
# rest of 14, 16, 20. So BME has 1.25, 1.5, 0.25, 0 people in Q1 to Q4 (shares 55.6%, 66.7%,
# 11.1%, 0%), and White has all of Q4.
# Bonus: the A on 16 got 1,000, the N on 9 got 500: receipt White 1 of 5, BME 1 of 3; the
# bonus gap of BME against White British is (1000 - 500) / 1000 = 50%.


@pytest.fixture(scope="module")
def paid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("pay")
    s = CaseSystem()
    for code, hourly, bonus in (
        ("A", 10, None), ("A", 12, None), ("A", 14, None), ("A", 16, 1000.0), ("B", 20, None),
        ("N", 9, 500.0), ("N", 12, None), ("H", 11, None),
    ):  # fmt: skip
        pid = s.person(code)
        s.paid(pid, hourly, bonus)
        s.paid(pid, 99, snapshot="2025-09-30")  # an earlier snapshot in the year: not used
        s.paid(pid, 5, snapshot="2025-03-31")  # the year before
    s.paid(s.person("", start="2025-06-01", contract="bank"), 13)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(tmp / "pseudonymisation.key"))
        mp.delenv(config.KEY_ENV, raising=False)
        s.load(tmp).close()
    return tmp / "test.duckdb"


@pytest.fixture
def store(paid: Path):
    from equitrack.store import connect

    s = connect(str(paid), create=False)
    yield s
    s.close()


def by_cell(results):
    return {(r.breakdown, r.group, r.reference_group): r for r in results}


def test_gaps_quarters_bonus_and_unknown(store) -> None:
    results = evaluate(store, measure("pay_gap"), Request(years=(2026,)))
    got = by_cell(results)
    mean = got[("Hourly pay: mean", "BME", "White British")]
    assert (mean.numerator, mean.denominator) == (3, 4)
    assert format_points(mean.difference) == "17.95"
    assert format_points(got[("Hourly pay: median", "BME", "White British")].difference) == "15.38"
    assert format_points(got[("Hourly pay: mean", "BME", "White")].difference) == "25.93"
    assert format_points(got[("Hourly pay: median", "BME", "White")].difference) == "21.43"
    assert format_points(got[("Hourly pay: mean", "White", "White British")].difference) == (
        "-10.77"
    )
    assert format_points(got[("Hourly pay: median", "White", "White British")].difference) == (
        "-7.69"
    )
    quarters = [got[(f"Pay quarter {q} ({n})", "BME", None)].rate for q, n in (
        (1, "lowest paid"), (2, "lower middle"), (3, "upper middle"), (4, "highest paid"))]  # fmt: skip
    assert quarters == pytest.approx([1.25 / 2.25, 1.5 / 2.25, 0.25 / 2.25, 0.0])
    assert got[("Pay quarter 4 (highest paid)", "White", None)].rate == pytest.approx(1.0)
    bonus = got[("Received bonus pay", "BME", None)]
    assert (bonus.numerator, bonus.denominator) == (1, 3)
    assert got[("Bonus pay: mean", "BME", "White British")].difference == pytest.approx(50.0)
    unknown = got[("Ethnicity not known", "Unknown", None)]
    assert (unknown.numerator, unknown.denominator) == (1, 9)
    assert mean.options["snapshots"] == {"RX1": "2026-03-31"}
    assert mean.options["staff"] == "all"


def test_by_broad_group_and_staff_option(store) -> None:
    broad = by_cell(evaluate(store, measure("pay_gap"), Request(years=(2026,), by="broad")))
    # Black (N): mean (9 + 12)/2 = 10.5 against 13: 19.23%; Asian (H): 11 against 13: 15.38%
    assert format_points(broad[("Hourly pay: mean", "Black", "White British")].difference) == (
        "19.23"
    )
    assert format_points(broad[("Hourly pay: mean", "Asian", "White British")].difference) == (
        "15.38"
    )
    assert ("Hourly pay: mean", "BME", "White") in broad  # all minority groups together
    [report] = pay_gap_report(store, 2026, Scope(), options={"staff": "substantive"})
    assert report.report.headcount == 8 and report.report.unknown.unknown == 0  # bank left out
    [earlier] = pay_gap_report(store, 2025, Scope())
    assert earlier.snapshots == {"RX1": "2025-03-31"}
    assert earlier.report.gap("BME", "White British").mean_gap == pytest.approx(0.0)


def test_pay_gap_command(paid: Path) -> None:
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(
            app, ["pay-gap", "--year", "2026", "--db", str(paid), *args], terminal_width=200
        )
        assert result.exit_code == 0, result.output
        return result.output

    shown = invoke()
    assert "White British" in shown and "17.9%" in shown and "2026-03-31" in shown
    [report] = json.loads(invoke("--format", "json"))
    assert report["org"] == "RX1" and report["headcount"] == 9
    assert {(g["measure"], g["group"], g["reference"]) for g in report["gaps"]} >= {
        ("hourly", "BME", "White British"),
        ("bonus", "BME", "White"),
    }
    rows = list(csv.DictReader(io.StringIO(invoke("--format", "csv"))))
    assert {r["measure"] for r in rows} == {"pay_gap"}
    assert any(r["breakdown"] == "Hourly pay: median" and r["group"] == "BME" for r in rows)
    assert "staff" in json.loads(rows[0]["options"])
    bad = runner.invoke(
        app, ["pay-gap", "--year", "2026", "--db", str(paid), "--option", "staff=x"]
    )
    assert bad.exit_code == 2 and "staff must be one of" in bad.output


# Twenty people on two pay points, as NHS pay sits on Agenda for Change points: on 12.50, four
# White British (A) without a bonus and two with 500, five of any other White background
# (two C and three C3, both keyed C), three Asian (H); on 10.25, four Black (N) and two not
# known.
ON_POINTS = (
    ("A", 12.5, None, 4), ("A", 12.5, 500.0, 2), ("C", 12.5, None, 2), ("C3", 12.5, None, 3),
    ("H", 12.5, None, 3), ("N", 10.25, None, 4), ("", 10.25, None, 2),
)  # fmt: skip


@pytest.fixture(scope="module")
def on_points(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("points")
    s = CaseSystem()
    for code, hourly, bonus, people in ON_POINTS:
        for _ in range(people):
            s.paid(s.person(code), hourly, bonus)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(tmp / "pseudonymisation.key"))
        mp.delenv(config.KEY_ENV, raising=False)
        s.load(tmp).close()
    return tmp / "test.duckdb"


def test_the_engine_sends_counts_that_give_the_figures_of_the_people(on_points: Path) -> None:
    """One row per ethnic code and pay comes back, not one per person; the report made from
    those counts is the report made from the people one by one, figure for figure."""
    from equitrack.store import connect

    store = connect(str(on_points), create=False)
    try:
        frame = Frame(store, Scope(), (2026,), pay.MEASURE.resolve(None))
        members = pay.MEASURE.population(frame)
        counted = pay.pay_counts(members).to_pyarrow()
        assert sorted(zip(counted["_key"].to_pylist(), counted["people"].to_pylist(), strict=True)) == [
            ("", 2), ("A", 2), ("A", 4), ("C", 2), ("C", 3), ("H", 3), ("N", 4)
        ]  # fmt: skip
        [unit] = pay.unit_reports(frame, pay.MEASURE, "wres")
        people = members.select(
            "hourly_pay", "bonus_pay", key=group_key(members, Attribute.ETHNICITY)
        ).to_pyarrow()
        labels = [k or codes.UNKNOWN for k in people["key"].to_pylist()]
        groups, references = pay._definitions("wres", frame.grouping, set(labels))
        one_by_one = pay_gap(
            people["hourly_pay"], labels, references=references, groups=groups,
            bonus=people["bonus_pay"],
        )  # fmt: skip
        assert unit.report == one_by_one
        assert unit.report.headcount == 20 and unit.snapshots == {"RX1": "2026-03-31"}
        bme = unit.report.gap("BME", "White British")
        assert (bme.group_headcount, bme.reference_headcount) == (7, 6)
    finally:
        store.close()
