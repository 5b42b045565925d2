"""Careers over time: time to first promotion and from the bank to a substantive post.

A hand-made fixture whose Kaplan–Meier and cumulative incidence values are worked by hand, the
rules of who is on each journey, the journeys command, and on generated data: the promotion
hazard disparity is found by the log-rank test, and without disparities nothing adverse is
found beyond chance.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import ibis
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from scipy.stats import binom
from typer.testing import CliRunner

from equitrack.cli import app
from equitrack.measures import Scope, careers
from equitrack.measures.careers import Journey, bank_to_substantive, time_to_promotion
from equitrack.measures.populations import snapshot, year_start
from equitrack.outputs import journeys as render
from equitrack.stats.survival import durations_from_dates
from equitrack.store import Store
from tests.measures.builders import System

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

START = dt.date(2020, 4, 1)
END = dt.date(2026, 3, 31)


def day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


def before(offset: int) -> str:
    return day(offset - 1)


def promoted(s: System, code: str, after: int) -> str:
    pid = s.person(code, start=START.isoformat(), end=before(after))
    s.assign(pid, day(after), pay_band="Band 6")
    return pid


@pytest.fixture
def careers_store(tmp_path: Path) -> Store:
    s = System()
    # White, all starting on Band 5 on 1 April 2020:
    promoted(s, "A", 100)  # promoted after 100 days
    s.person("A", start=START.isoformat(), end=day(200))  # left after 200 days
    promoted(s, "A", 300)  # two promoted on day 300
    promoted(s, "A", 300)
    s.person("A", start=START.isoformat())  # still waiting at 31 March 2026: censored
    # BME (Indian), on Band 5 from the same day:
    promoted(s, "H", 50)
    s.person("H", start=START.isoformat(), end=day(150))
    promoted(s, "H", 400)
    s.person("H", start=START.isoformat())
    # Not on the journey: started before the cohort (April 2018 on), started at VSM, bank only
    old = s.person("A", start="2016-01-01", end="2020-12-31")
    s.assign(old, "2021-01-01", pay_band="Band 6")
    s.person("A", start="2021-01-01", pay_band="VSM")
    s.person("A", start="2021-01-01", contract="bank")
    # A demotion is not a promotion: on the journey from 1 January 2021, censored
    down = s.person("A", start="2021-01-01", pay_band="Band 6", end="2021-06-30")
    s.assign(down, "2021-07-01", pay_band="Band 5")
    # Unknown ethnicity: counted, left out of the curves and tests
    promoted(s, "Z", 10)
    return s.load(tmp_path)


@pytest.fixture
def bank_store(tmp_path: Path) -> Store:
    s = System()
    # White bank workers from 1 January 2021:
    b1 = s.person("A", start="2021-01-01", end="2021-06-30", contract="bank")
    s.assign(b1, "2021-07-01")  # converted the day after the bank ended: 181 days
    b2 = s.person("A", start="2021-01-01", end="2021-03-31", contract="bank")
    s.assign(b2, "2021-04-20")  # 20 days after: within the 31-day grace: 109 days
    b3 = s.person("A", start="2021-01-01", end="2021-05-31", contract="bank")
    s.assign(b3, "2021-09-01")  # 93 days after: left the bank first, after 150 days
    s.person("A", start="2021-01-01", contract="bank")  # still on the bank: censored
    dual = s.person("H", start="2015-01-01")  # substantive first: not a bank journey
    s.assign(dual, "2021-01-01", contract="bank")
    return s.load(tmp_path)


def only(journeys: list[Journey]) -> Journey:
    assert len(journeys) == 1
    return journeys[0]


def test_time_to_promotion_worked_by_hand(careers_store: Store) -> None:
    j = only(time_to_promotion(careers_store, end_year=2026))
    assert j.end_of_data == END and j.cohort_from == dt.date(2018, 4, 1)
    # White: the five from April 2020 and the demoted one (`old` started before the cohort):
    # 3 promoted, 1 left, 2 still waiting
    white = j.counts["White"]
    assert (white.people, white.events, white.competing, white.censored) == (6, 3, 1, 2)
    bme = j.counts["BME"]
    assert (bme.people, bme.events, bme.competing, bme.censored) == (4, 2, 1, 1)
    assert j.counts["Unknown"].people == 1 and j.excluded == 1
    km = j.analysis.kaplan_meier
    curve = km.curve("White")
    # Kaplan–Meier (leaving censored). White: 6 at risk at day 100, 1 promoted: S = 5/6.
    # Day 200: one leaves (censored). Day 300: 4 at risk (the demoted one and the one still
    # waiting are followed on), 2 promoted: S = 5/6 × 2/4 = 5/12. Then flat.
    assert curve.value_at(99) == 1.0
    assert curve.value_at(100) == pytest.approx(5 / 6)
    assert curve.value_at(300) == pytest.approx(5 / 12)
    assert km.summary("White").median == 300  # first time S <= 1/2
    # BME: day 50, 4 at risk, 1 promoted: 3/4; day 150 one leaves; day 400, 2 at risk, 1
    # promoted: 3/4 × 1/2 = 3/8; median 400 days.
    assert km.curve("BME").value_at(400) == pytest.approx(3 / 8)
    assert km.summary("BME").median == 400
    # Cumulative incidence (Aalen–Johansen, leaving competing). White: day 100: 1/6; day 200:
    # left = S(200-) × 1/5 = 5/6 × 1/5 = 1/6, S = 5/6 × 4/5 = 2/3; day 300: promoted +=
    # 2/3 × 2/4 = 1/3, so 1/6 + 1/3 = 1/2 promoted, 1/6 left, 1/3 still waiting.
    ci = j.analysis.cumulative_incidence
    assert ci.curve("White", "event").value_at(300) == pytest.approx(1 / 2)
    assert ci.curve("White", "competing").value_at(300) == pytest.approx(1 / 6)
    assert ci.curve("White", "neither").value_at(300) == pytest.approx(1 / 3)
    # BME: day 50: 1/4; day 150: left 3/4 × 1/3 = 1/4, S = 1/2; day 400: + 1/2 × 1/2 = 1/4,
    # so 1/2 promoted by 400 days, 1/4 left.
    assert ci.curve("BME", "event").value_at(399) == pytest.approx(1 / 4)
    assert ci.curve("BME", "event").value_at(400) == pytest.approx(1 / 2)
    assert ci.curve("BME", "competing").value_at(400) == pytest.approx(1 / 4)
    test = j.analysis.log_rank.against("BME")
    assert test.reference == "White" and test.too_few  # 4 and 6 people: too few to tell
    assert test.p_value is not None and 0 < test.p_value <= 1


def test_bank_to_substantive_worked_by_hand(bank_store: Store) -> None:
    j = only(bank_to_substantive(bank_store, end_year=2026))
    white = j.counts["White"]
    # b1 (181 days) and b2 (109 days) converted; b3 left the bank after 150 days; one censored
    assert (white.people, white.events, white.competing, white.censored) == (4, 2, 1, 1)
    assert "BME" not in j.counts  # the dual-contract person held a post first
    km = j.analysis.kaplan_meier.curve("White")
    # Day 109: 4 at risk, 1 converted: 3/4. Day 150: b3 censored. Day 181: 2 at risk, 1: 3/8.
    assert km.value_at(109) == pytest.approx(3 / 4)
    assert km.value_at(181) == pytest.approx(3 / 8)
    ci = j.analysis.cumulative_incidence
    # Converted 1/4 at 109; left at 150: 3/4 × 1/3 = 1/4, S = 1/2; at 181: + 1/2 × 1/2 = 1/4.
    assert ci.curve("White", "event").value_at(181) == pytest.approx(1 / 2)
    assert ci.curve("White", "competing").value_at(181) == pytest.approx(1 / 4)
    assert j.options["grace_days"] == 31
    strict = only(bank_to_substantive(bank_store, end_year=2026, grace_days=0))
    # with no grace, b1 (a day later) and b2 (20 days later) left the bank first too
    assert (strict.counts["White"].events, strict.counts["White"].competing) == (0, 3)


def test_end_of_data_and_cohort_are_choices(careers_store: Store) -> None:
    early = only(time_to_promotion(careers_store, end_year=2021))  # to 31 March 2021
    assert early.end_of_data == dt.date(2021, 3, 31)
    # the eight years to 2021 start in April 2013, so `old` (from 2016, promoted 1 January
    # 2021) is on the journey too; the demoted one is still on Band 6 at the end: censored
    white = early.counts["White"]
    assert early.cohort_from == dt.date(2013, 4, 1)
    assert (white.people, white.events, white.competing, white.censored) == (7, 4, 1, 2)
    since_2019 = only(time_to_promotion(careers_store, end_year=2021, first_year=2019))
    assert since_2019.counts["White"].people == 6
    assert time_to_promotion(careers_store, end_year=2026, first_year=2022) == []
    with pytest.raises(ValueError, match="by must be one of"):
        time_to_promotion(careers_store, by="detailed")


def test_renderer_rows_and_json(careers_store: Store) -> None:
    found = time_to_promotion(careers_store, end_year=2026) + bank_to_substantive(
        careers_store, end_year=2026
    )
    rows = render.records(found)
    white = next(r for r in rows if r["journey"] == "promotion" and r["group"] == "White")
    assert white["median_years"] == pytest.approx(300 / 365.25)
    assert white["by_3_years"] == pytest.approx(1 / 2) and white["by_5_years"] == pytest.approx(
        1 / 2
    )
    bme = next(r for r in rows if r["journey"] == "promotion" and r["group"] == "BME")
    assert bme["reference_group"] == "White" and bme["too_few"]
    assert "too few to tell" in bme["reason"]
    unknown = next(r for r in rows if r["group"] == "Unknown")
    assert unknown["median_years"] is None and "unknown ethnicity" in unknown["reason"]
    assert json.loads(render.to_json(found))[0]["journey"] == "promotion"
    screen = Console(file=io.StringIO(), width=200)
    render.show(found, screen)
    text = screen.file.getvalue()
    assert "p = " in text and "too few to tell" in text and "not compared" in text
    assert "0.8" in text  # White's median, 300 days = 0.82 years
    assert render.to_csv(found).splitlines()[0].startswith("journey,unit,group_type,group")


def test_journeys_command(careers_store: Store) -> None:
    runner = CliRunner()
    db = careers_store.url
    shown = runner.invoke(app, ["journeys", "--db", db, "--year", "2026"])
    assert shown.exit_code == 0, shown.output
    assert "Time to first promotion" in shown.output and "reference" in shown.output
    assert "From the bank to a substantive post" in shown.output
    as_json = runner.invoke(app, ["journeys", "--db", db, "--format", "json", "--by", "broad"])
    assert as_json.exit_code == 0, as_json.output
    groups = {r["group"] for r in json.loads(as_json.output)}
    assert {"White", "Asian", "Unknown"} <= groups and "BME" not in groups
    as_csv = runner.invoke(app, ["journeys", "--db", db, "--system", "--format", "csv"])
    assert as_csv.exit_code == 0 and "system:QX1" in as_csv.output
    missing = runner.invoke(app, ["journeys", "--db", str(Path(db).parent / "none.duckdb")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


# --- generated data -------------------------------------------------------------------------


def adverse_and_significant(j: Journey, group: str) -> bool:
    """The group waits longer than White for the event, and the log-rank test says so."""
    test = j.analysis.log_rank.against(group)
    if test.p_value is None or test.p_value >= 0.05:
        return False
    at = 3 * 365.25
    km = j.analysis.kaplan_meier
    return km.curve(group).value_at(at) > km.curve("White").value_at(at)


def test_promotion_disparity_is_found(llr: Store) -> None:
    system = only(time_to_promotion(llr, Scope(system=True)))
    test = system.analysis.log_rank.against("BME")
    assert test.p_value < 0.001 and not test.too_few
    assert adverse_and_significant(system, "BME")
    broad = only(time_to_promotion(llr, Scope(system=True), by="broad"))
    for group in ("Black", "Asian"):  # hazard ratios 0.6 and 0.75
        assert adverse_and_significant(broad, group), group
    rows = {r["group"]: r for r in render.records([broad])}
    assert rows["Black"]["by_5_years"] < rows["White"]["by_5_years"]
    for org in time_to_promotion(llr, Scope(("RWE", "RT5"))):
        assert adverse_and_significant(org, "BME"), org.unit


def test_bank_conversion_disparity_shows_in_time_to_conversion(llr: Store) -> None:
    system = only(bank_to_substantive(llr, Scope(system=True)))
    assert adverse_and_significant(system, "BME")


def test_no_disparity_means_no_adverse_journeys_beyond_chance(
    loaded_system: Callable[..., Store],
) -> None:
    fair = loaded_system("llr", parity=True)
    tests = []
    for journey in (time_to_promotion, bank_to_substantive):
        for scope in (Scope(system=True), Scope()):
            for by in ("wres", "broad"):
                for j in journey(fair, scope, by):
                    if j.analysis is None:
                        continue
                    tests += [
                        (j.journey, j.unit, row.group, adverse_and_significant(j, row.group))
                        for row in j.analysis.log_rank.pairwise
                    ]
    adverse = [t for t in tests if t[3]]
    # a two-sided 5% test calls about 2.5% adverse by chance; allow the 99.9th percentile
    assert len(tests) >= 30
    assert len(adverse) <= binom.ppf(0.999, len(tests), 0.025), adverse
    system = only(time_to_promotion(fair, Scope(system=True)))
    assert not adverse_and_significant(system, "BME")


# --- the engine counts the people: durations as durations_from_dates makes them -------------


def _one_by_one(rows: list[dict], end: dt.date, grace_days: int | None) -> Counter:
    """(unit, key, days, outcome) of each person, worked out in Python from their dates."""
    starts, events, leaving = [], [], []
    for r in rows:
        start, event, left = (r[c] for c in ("start", "event", "competing"))
        if grace_days is not None and event is not None:  # the bank's grace after leaving
            if left is not None and event > left + dt.timedelta(days=grace_days):
                event = None
            else:
                left = None
        starts.append(start)
        events.append(event)
        leaving.append(None if left is None else max(left, start))  # ended before it began
    days, outcome = durations_from_dates(starts, events, leaving, end)
    return Counter(
        (r["unit"], r["key"], d, o)
        for r, d, o in zip(rows, days.tolist(), outcome.tolist(), strict=True)
    )


def _counted(table) -> Counter:
    return Counter(
        {(r["unit"], r["key"], r["days"], r["outcome"]): r["people"] for r in table.to_pylist()}
    )


@pytest.fixture
def edges_store(tmp_path: Path) -> Store:
    s = System()
    promoted_on_leaving = s.person("A", start="2021-01-01", end="2021-06-30")
    # promoted on the day they leave: counted as promoted
    s.assign(promoted_on_leaving, "2021-07-01", end="2021-07-01", pay_band="Band 6")
    s.person("H", start="2021-01-01", end="2026-06-30")  # leaves after the data end: censored
    bank_a = s.person("A", start="2021-01-01", end="2021-03-31", contract="bank")
    s.assign(bank_a, "2021-05-01")  # 31 days after the bank: within the grace
    bank_b = s.person("H", start="2021-01-01", end="2021-03-31", contract="bank")
    s.assign(bank_b, "2021-05-02")  # 32 days after: left the bank first
    return s.load(tmp_path)


@pytest.mark.parametrize("which", ["edges", "careers", "bank", "llr"])
def test_the_engine_counts_each_persons_duration_and_outcome(which: str, request) -> None:
    store = request.getfixturevalue(f"{which}_store" if which != "llr" else "llr")
    end, since = snapshot(2026), year_start(2019)
    scopes = (Scope(system=True),) if which == "llr" else (Scope(), Scope(system=True))
    for scope in scopes:
        rows = careers.promotion_rows(store, scope, end, since).to_pyarrow().to_pylist()
        expected = _one_by_one(rows, end, None)
        assert _counted(careers.promotion_counts(store, scope, end, since).to_pyarrow()) == expected
        for grace in (0, 31):
            rows = careers.bank_rows(store, scope, end, since).to_pyarrow().to_pylist()
            expected = _one_by_one(rows, end, grace)
            found = careers.bank_counts(store, scope, end, since, grace).to_pyarrow()
            assert _counted(found) == expected


DAY = st.integers(0, 50).map(lambda n: dt.date(2021, 1, 1) + dt.timedelta(days=n))


@settings(max_examples=20, deadline=None)
@given(
    people=st.lists(
        st.tuples(DAY, st.none() | st.integers(1, 15), st.none() | st.integers(-5, 15)),
        min_size=1,
        max_size=30,
    )
)
@example(people=[(dt.date(2021, 1, 1), 5, 5), (dt.date(2021, 2, 10), 9, 8)])
@example(people=[(dt.date(2021, 1, 1), None, -3), (dt.date(2021, 2, 10), None, 9)])
def test_the_engines_durations_are_those_of_durations_from_dates(people) -> None:
    """Events and leaving after the end of the data, on the same day, and leaving recorded
    before the start (which ends the spell on its first day)."""
    end = dt.date(2021, 2, 15)
    rows = [
        {
            "unit": "U",
            "key": "A",
            "start": min(start, end),
            "event": None if after is None else min(start, end) + dt.timedelta(days=after),
            "competing": None if gap is None else min(start, end) + dt.timedelta(days=gap),
        }
        for start, after, gap in people
    ]
    table = ibis.memtable(
        rows,
        schema={
            "unit": "string",
            "key": "string",
            "start": "date",
            "event": "date",
            "competing": "date",
        },
    )
    found = careers.counted_outcomes(table, end, table.event, table.competing)
    assert _counted(found.to_pyarrow()) == _one_by_one(rows, end, None)
