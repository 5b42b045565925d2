"""One six-month bank window wherever bank-only is decided, and no stop when entrants outnumber
the staff in post.

The spec: bank-only on a day D means a bank assignment held on at least one day of the six
months ending on D, from the day after D minus six calendar months to D. Each use below puts a
bank spell ending the day before, on, and the day after the window's first day (worked out by
hand from the spec, not by the code under test) against that use's own date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equitrack import api, config
from equitrack.cli import app
from equitrack.measures.calendar import Interval
from equitrack.measures.result import Result
from tests.measures.builders import ORG, System

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first


@dataclass(frozen=True)
class Use:
    """A place bank-only is decided: its date, the first day of its window (by hand), how to
    give the bank worker an event on that date, and how to read whether they counted as bank."""

    day: str
    opens: str
    event: Callable[[System, str], None]
    families: tuple[str, ...]
    counted_as_bank: Callable[[list[Result]], bool]
    interval: Interval = Interval.YEAR
    options: dict | None = None
    year: int = 2024  # the reporting year run (a month's is the one it falls in)


def _numerator(results: list[Result], measure: str, breakdown: str | None, period: int) -> int:
    return sum(
        r.numerator or 0
        for r in results
        if r.measure == measure
        and r.breakdown == breakdown
        and r.group == "BME"
        and r.period == period
    )


def _no_event(system: System, pid: str) -> None:
    pass


USES = {
    "31 March": Use(
        "2024-03-31", "2023-10-01", _no_event, ("bank-wres",),
        lambda rs: _numerator(rs, "bank1", "Bank", 2024) == 1,
    ),
    "month end, 30 days": Use(
        "2024-09-30", "2024-03-31", _no_event, ("bank-wres",),
        lambda rs: _numerator(rs, "bank1", "Bank", 202409) == 1, interval=Interval.MONTH,
        year=2025,
    ),
    "month end, leap February": Use(
        "2024-02-29", "2023-08-30", _no_event, ("bank-wres",),
        lambda rs: _numerator(rs, "bank1", "Bank", 202402) == 1, interval=Interval.MONTH,
    ),
    "formal date, 31 March": Use(
        "2024-03-31", "2023-10-01", lambda s, pid: s.case(pid, "2024-03-31"), ("bank-wres",),
        lambda rs: _numerator(rs, "bank3", None, 2024) == 1,
    ),
    "formal date, mid-year": Use(
        "2024-01-15", "2023-07-16", lambda s, pid: s.case(pid, "2024-01-15"), ("bank-wres",),
        lambda rs: _numerator(rs, "bank3", None, 2024) == 1,
    ),
    "incident date": Use(
        "2023-11-30", "2023-05-31", lambda s, pid: s.incident(pid, "2023-11-30"), ("scrutiny",),
        lambda rs: _numerator(rs, "bank_incidents", "Bank | All", 2024) == 1,
    ),
    "leave date": Use(
        "2024-02-29", "2023-08-30", lambda s, pid: s.asked_leave(pid, "2024-02-29", "declined"),
        ("scrutiny",), lambda rs: _numerator(rs, "leave_declined", "Bank | All types", 2024) == 1,
        options={"split": "contract"},
    ),
}  # fmt: skip

#: A spell ending this many days after the window's first day counts as bank (the first day is
#: in the window, both ends included).
ENDS = {-1: False, 0: True, 1: True}


@pytest.mark.parametrize("ends", sorted(ENDS))
@pytest.mark.parametrize("use", sorted(USES))
def test_a_bank_spell_counts_from_the_windows_first_day(
    use: str, ends: int, tmp_path: Path
) -> None:
    u = USES[use]
    end = dt.date.fromisoformat(u.opens) + dt.timedelta(days=ends)
    system = System()
    system.people_of("A", 3)
    pid = system.person("H", start="2022-01-01", end=end.isoformat(), contract="bank")
    u.event(system, pid)
    system.reaches(u.day)  # the data is current to the day (no month is filled)
    store = system.load(tmp_path)
    try:
        results = api.run(
            list(u.families), (u.year,), store=store, interval=u.interval, options=u.options
        )
    finally:
        store.close()
    assert u.counted_as_bank(results) is ENDS[ends], f"{use}: spell ending {end}"


def test_the_issues_example_is_decided_the_same_way_on_31_march_and_the_formal_date(
    tmp_path: Path,
) -> None:
    """Bank only from 2023-01-01 to 2023-09-30, conduct and capability cases formal on
    2024-03-31: not bank-only on either date, so not in the 31 March bank headcount, not a Bank
    WRES entrant, and the capability case counts in WDES 3."""
    system = System()
    system.people_of("A", 3)
    pid = system.person("H", start="2023-01-01", end="2023-09-30", contract="bank")
    system.case(pid, "2024-03-31")
    system.case(pid, "2024-03-31", "capability")
    store = system.load(tmp_path)
    try:
        results = api.run(["bank-wres", "wres", "wdes"], (2024,), store=store)
    finally:
        store.close()
    assert _numerator(results, "bank1", "Bank", 2024) == 0
    assert _numerator(results, "bank3", None, 2024) == 0
    assert _numerator(results, "wres3", None, 2024) == 1
    wdes3 = [r for r in results if r.measure == "wdes3" and r.period == 2024]
    assert sum(r.numerator or 0 for r in wdes3) == 1


# --- entrants who outnumber the staff in post ---------------------------------------------------


def _outnumbered_system() -> System:
    """The issue's case: a White member of staff left on 2023-06-30 after a case went formal on
    2023-05-01, and no White staff remain in post; BME staff in post with no cases. The leaver
    is disabled, and no disabled staff remain either (WDES 3)."""
    system = System()
    system.people_of("H", 10)
    white = system.person("A", start="2015-01-01", end="2023-06-30", disability="Y")
    system.case(white, "2023-05-01")
    system.case(white, "2023-05-01", "capability")
    bank = system.person("A", start="2023-01-01", end="2023-09-30", contract="bank")
    system.case(bank, "2024-03-31")
    return system


def test_entrants_outnumbering_staff_in_post_are_counts_with_a_reason(tmp_path: Path) -> None:
    store = _outnumbered_system().load(tmp_path)
    try:
        results = api.run(["wres"], (2024,), store=store, options={"window": 1})
    finally:
        store.close()
    wres3 = {r.group: r for r in results if r.measure == "wres3" and r.period == 2024}
    white, bme = wres3["White"], wres3["BME"]
    assert (white.numerator, white.denominator) == (2, 0)
    assert white.rate is None and white.rate_ci_low is None
    assert "because leavers count" in (white.reason or "")
    # BME staff cannot be compared with a reference whose rate does not exist
    assert (bme.numerator, bme.denominator) == (0, 10)
    assert bme.rate == 0.0
    assert bme.ratio is None and bme.verdict is None and bme.reference_group == "White"
    assert (bme.reason or "").startswith("for White staff, more people entered")


@pytest.mark.parametrize(
    "command",
    [
        ["wres", "--year", "2024", "--option", "window=1"],
        ["wres", "--year", "2024", "--option", "window=1", "--format", "csv"],
        ["wdes", "--year", "2024", "--option", "window=1"],
        ["bank-wres", "--year", "2024"],
        ["measure", "wres3", "--year", "2024", "--since", "2023", "--interval", "month"],
        ["report", "--kind", "system", "--audience", "analyst", "--year", "2024"],
        ["report", "--kind", "wres", "--org", ORG, "--audience", "board", "--year", "2024"],
        ["report", "--kind", "scrutiny", "--audience", "analyst", "--year", "2024"],
    ],
    ids=lambda c: " ".join(c[:3]),
)
def test_no_output_stops_when_entrants_outnumber_staff(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    monkeypatch.delenv(config.KEY_ENV, raising=False)
    _outnumbered_system().load(tmp_path).close()
    if command[0] == "report":
        command = [*command, "--out", str(tmp_path / "out"), "--format", "html"]
    result = CliRunner().invoke(app, [*command, "--db", str(tmp_path / "test.duckdb")])
    assert result.exit_code == 0, result.output
    if command[0] in ("wres", "wdes") and "csv" not in command:
        assert "because leavers count" in " ".join(result.output.split())
    if command[0] == "report":
        (page,) = (tmp_path / "out").glob("*.html")
        assert "leavers count" in page.read_text()


def test_a_year_that_outnumbers_its_staff_stops_only_a_mean_of_yearly_rates(
    tmp_path: Path,
) -> None:
    """WRES 3 pools two years by summing: one BME entrant in 2022/23, when no BME staff were in
    post, over 0 + 10 staff is 1 in 10, and is compared. Averaged year by year, 2022/23 has no
    rate, so the mean of yearly rates is not."""
    system = System()
    white = system.people_of("A", 20)
    system.case(white[0], "2024-01-10")
    system.people_of("H", 10, start="2023-06-01")
    leaver = system.person("H", start="2015-01-01", end="2022-12-31")
    system.case(leaver, "2022-06-01")
    store = system.load(tmp_path)
    try:
        pooled = api.run(["wres"], (2024,), store=store, measures=["wres3"])
        mean = api.run(
            ["wres"], (2024,), store=store, measures=["wres3"],
            options={"pooling": "mean_of_rates"},
        )  # fmt: skip
    finally:
        store.close()
    (bme,) = [r for r in pooled if r.group == "BME" and r.period == 2024]
    assert (bme.numerator, bme.denominator) == (1, 10)
    assert bme.ratio is not None and bme.verdict is not None
    (bme,) = [r for r in mean if r.group == "BME" and r.period == 2024]
    assert bme.ratio is None and bme.verdict is None
    assert "because leavers count" in (bme.reason or "")
