"""Hand-worked examples for recommendations 7, 8 and 10: leave, suspension, outcomes, duration
and the just-culture measures, built as canonical files and measured end to end."""

from pathlib import Path

import pytest

from equitrack import config
from equitrack.measures import Request, evaluate, measure
from equitrack.stats import format_ratio
from tests.measures.casework_builders import A_PATH, B_PATH, D_PATH, G_PATH, PAST_B, CaseSystem

YEAR = (2026,)  # April 2025 to 31 March 2026


def cells(results) -> dict[tuple[str | None, str], tuple[int, int]]:
    return {(r.breakdown, r.group): (r.numerator, r.denominator) for r in results}


def row(results, group, breakdown=None):
    return next(r for r in results if r.group == group and r.breakdown == breakdown)


def run(store, measure_id: str, **options):
    return evaluate(store, measure(measure_id), Request(years=YEAR, options=options))


def test_leave_declined_by_group_for_international_recruits_and_others(tmp_path: Path) -> None:
    s = CaseSystem()
    for i, pid in enumerate(s.people_of("A", 10)):  # White, not international: 8 of 100
        s.requests(pid, "annual", "declined", 1 if i < 8 else 0)
        s.requests(pid, "annual", "approved", 9 if i < 8 else 10)
        s.requests(pid, "annual", "withdrawn", 1)  # neither approved nor declined: left out
    s.requests(s.person("A"), "annual", "declined", 1, requested="2025-03-31")  # FY 2025
    for i, pid in enumerate(s.people_of("N", 5)):  # Black, not international: 6 of 50
        s.requests(pid, "annual", "declined", 2 if i == 0 else 1)
        s.requests(pid, "annual", "approved", 8 if i == 0 else 9)
        s.requests(pid, "annual", "pending", 1)
    intl = [s.recruit("N", international=True) for _ in range(5)]
    for pid in intl:  # international: 40 annual (10 declined) and 10 extended (5 declined)
        s.requests(pid, "annual", "approved", 6)
        s.requests(pid, "annual", "declined", 2)
        s.requests(pid, "extended", "approved", 1)
        s.requests(pid, "extended", "declined", 1)
    unknown = s.person("")
    s.requests(unknown, "annual", "approved", 3)
    s.requests(unknown, "annual", "declined", 1)
    results = run(s.load(tmp_path), "leave_declined")
    got = cells(results)
    # everyone: White 8 of 100; BME 6 + 10 + 5 = 21 of 50 + 50 = 100; ratio 0.21 / 0.08
    assert got[(None, "White")] == (8, 100) and got[(None, "BME")] == (21, 100)
    assert format_ratio(row(results, "BME").ratio) == "2.63"  # 2.625, half up
    assert row(results, "BME").excluded == 4  # the unknown requests, counted not dropped
    # others: BME 6 of 50 against White 8 of 100 = 1.50
    assert got[("Others | All types", "BME")] == (6, 50)
    assert format_ratio(row(results, "BME", "Others | All types").ratio) == "1.50"
    # international recruits: all BME, so no White rate to compare with
    assert got[("International recruit | All types", "BME")] == (15, 50)
    assert got[("International recruit | extended", "BME")] == (5, 10)
    assert row(results, "BME", "International recruit | All types").ratio is None
    # everyone by type: annual BME 6 + 10 = 16 of 90 against White 8 of 100 = 2.22
    assert got[("All staff | annual", "BME")] == (16, 90)
    assert format_ratio(row(results, "BME", "All staff | annual").ratio) == "2.22"
    assert row(results, "BME").options["split"] == "international"


def test_leave_declined_split_by_contract(tmp_path: Path) -> None:
    s = CaseSystem()
    bank = s.person("N", start="2025-01-01", contract="bank")
    s.requests(bank, "annual", "declined", 2)
    s.requests(bank, "annual", "approved", 2)
    staff = s.person("N")
    s.requests(staff, "annual", "approved", 4)
    got = cells(run(s.load(tmp_path), "leave_declined", split="contract"))
    assert got[("Bank | All types", "BME")] == (2, 4)
    assert got[("Substantive | annual", "BME")] == (0, 4)
    assert got[(None, "BME")] == (2, 8)


def test_suspension_per_case_split_by_contract(tmp_path: Path) -> None:
    s = CaseSystem()
    white = s.people_of("A", 20)
    for i, pid in enumerate(white):  # 4 suspended, one blank (counts as not), 15 not
        s.formal_case(pid, "2025-10-01", suspended=True if i < 4 else None if i == 4 else False)
    black = s.people_of("N", 9)
    for i, pid in enumerate(black):  # 4 suspended of 10 cases: one person has two
        s.formal_case(pid, "2025-10-01", suspended=i < 3)
    s.formal_case(black[0], "2026-01-10", suspended=True)
    bank = s.people_of("N", 5, start="2025-01-01", contract="bank")
    for i, pid in enumerate(bank):  # bank-only on the formal date: 3 of 5 suspended
        s.formal_case(pid, "2025-10-01", suspended=i < 3)
    s.formal_case(white[0], "2025-10-01", case_type="capability", suspended=True)  # not conduct
    s.formal_case(white[1], "2025-03-31", suspended=True)  # formal in FY 2025
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    store = s.load(tmp_path)
    results = run(store, "suspension")
    got = cells(results)
    # everyone: White 4 of 20; BME 4 + 3 = 7 of 15; ratio (7/15) / (4/20) = 2.33
    assert got[(None, "White")] == (4, 20) and got[(None, "BME")] == (7, 15)
    assert format_ratio(row(results, "BME").ratio) == "2.33"
    # substantive: BME 4 of 10 against White 4 of 20 = 2.00; bank: BME 3 of 5, no White
    assert got[("Substantive", "BME")] == (4, 10) and got[("Substantive", "White")] == (4, 20)
    assert format_ratio(row(results, "BME", "Substantive").ratio) == "2.00"
    assert got[("Bank", "BME")] == (3, 5) and ("Bank", "White") not in got
    excluded = cells(run(store, "suspension", suspension_unknown="exclude"))
    assert excluded[(None, "White")] == (4, 19)  # the blank flag left out
    every_type = cells(run(store, "suspension", case_type="all"))
    assert every_type[(None, "White")] == (5, 21)
    combined = cells(run(store, "suspension", contract="combined"))
    assert set(b for b, _ in combined) == {None}


def test_severe_outcome_and_long_cases_closed_in_the_year(tmp_path: Path) -> None:
    s = CaseSystem()
    closed = "2025-12-01"
    long_, short, edge = "2025-06-01", "2025-09-01", "2025-06-02"  # 183, 91 and 182 days
    white = s.people_of("A", 10)
    outcomes = ["final_written_warning"] * 2 + ["dismissal"] + ["first_written_warning"] * 3
    outcomes += ["no_case_to_answer"] * 4
    for i, (pid, outcome) in enumerate(zip(white, outcomes, strict=True)):
        formal = long_ if i < 4 else edge if i == 4 else short  # 4 longer than 182 days
        s.formal_case(pid, formal, closed=closed, outcome=outcome)
    black = s.people_of("N", 6)
    black_outcomes = ["dismissal", "dismissal", "final_written_warning", "informal_action"]
    black_outcomes += ["informal_action", ""]  # the last has no outcome recorded
    for i, (pid, outcome) in enumerate(zip(black, black_outcomes, strict=True)):
        s.formal_case(pid, long_ if i % 2 else short, closed=closed, outcome=outcome)
    s.formal_case(white[0], "2024-01-01", closed="2025-03-31", outcome="dismissal")  # FY 2025
    s.formal_case(white[1], "2025-10-01")  # still open
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    store = s.load(tmp_path)
    severe = run(store, "severe_outcome")
    got = cells(severe)
    # final warning or dismissal: White 3 of 10, BME 3 of 5 (one case has no outcome): 2.00
    assert got[(None, "White")] == (3, 10) and got[(None, "BME")] == (3, 5)
    assert format_ratio(row(severe, "BME").ratio) == "2.00"
    assert cells(run(store, "severe_outcome", severe="any_warning_or_dismissal"))[
        (None, "White")
    ] == (6, 10)
    assert cells(run(store, "severe_outcome", severe="dismissal"))[(None, "BME")] == (2, 5)
    long_cases = run(store, "long_case")
    got = cells(long_cases)
    # longer than 182 days: White 4 of 10 (182 days exactly is not longer), BME 3 of 6: 1.25
    assert got[(None, "White")] == (4, 10) and got[(None, "BME")] == (3, 6)
    assert format_ratio(row(long_cases, "BME").ratio) == "1.25"
    assert row(long_cases, "BME").options["threshold_days"] == 182
    shorter = cells(run(store, "long_case", threshold_days=90))
    assert shorter[(None, "White")] == (10, 10)


@pytest.fixture(scope="module")
def just_culture(tmp_path_factory: pytest.TempPathFactory):
    """Built once for the three just-culture tests (module scope: its own key, as the
    function-scoped key isolation has not run yet)."""
    tmp = tmp_path_factory.mktemp("just_culture")
    s = CaseSystem()
    formal = "2025-10-01"
    white = s.people_of("A", 8)
    for pid in white[:3]:
        s.formal_case(pid, formal, answers=G_PATH, assessed=True)
    # the same path written another way: the outcome is derived, so it is still G
    s.formal_case(white[3], formal, answers=G_PATH.lower().replace("=", " = ").replace(";", ", "))
    for pid in white[4:6]:
        s.formal_case(pid, formal, answers=D_PATH, assessed=True)
    s.formal_case(white[6], formal, assessed=True)  # flagged as assessed, no path recorded
    s.formal_case(white[7], formal)  # nothing at all
    black = s.people_of("H", 6)
    for pid, answers in zip(black, (A_PATH, G_PATH, B_PATH, PAST_B, "", ""), strict=True):
        s.formal_case(pid, formal, answers=answers)
    s.formal_case(black[0], formal, case_type="capability", answers=G_PATH)  # not conduct
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(tmp / "pseudonymisation.key"))
        mp.delenv(config.KEY_ENV, raising=False)
        store = s.load(tmp)
    yield store
    store.close()


def test_jc_assessed(just_culture) -> None:
    results = run(just_culture, "jc_assessed")
    got = cells(results)
    # White 7 of 8 (a flag alone counts), BME 4 of 6 (an invalid path was still recorded)
    assert got[(None, "White")] == (7, 8) and got[(None, "BME")] == (4, 6)
    assert format_ratio(row(results, "BME").ratio) == "1.31"  # (7/8) / (4/6), a benefit


def test_jc_outcomes_derived_from_the_answers(just_culture) -> None:
    results = run(just_culture, "jc_outcomes")
    got = cells(results)
    # assessed (a path recorded): White 6 (G 4, D 2), BME 4 (A, G, B and one invalid)
    assert got[("Outcome G", "White")] == (4, 6) and got[("Outcome D", "White")] == (2, 6)
    assert got[("Outcome A", "BME")] == (1, 4) and got[("Outcome B", "BME")] == (1, 4)
    assert got[("Invalid path", "BME")] == (1, 4) and got[("Outcome E", "BME")] == (0, 4)
    individual = row(results, "BME", "Individual action (A or G)")
    assert (individual.numerator, individual.denominator) == (2, 4)
    assert format_ratio(individual.ratio) == "0.75"  # (2/4) / (4/6), a harm
    learning = row(results, "BME", "System learning (D or E)")
    assert (learning.numerator, learning.denominator) == (0, 4)
    assert learning.ratio is None and "undefined" in learning.reason  # White 2/6, BME 0/4
    assert row(results, "BME", "Outcome A").ratio is None  # single outcomes: shares only
    assert {b for b, _ in got} >= {f"Outcome {c}" for c in "ABCDEFG"}


def test_jc_unsupported_flags_paths_that_do_not_support_individual_action(just_culture) -> None:
    results = run(just_culture, "jc_unsupported")
    got = cells(results)
    # White: D twice, a flag with no path, nothing: 4 of 8; BME: B, invalid, two none: 4 of 6
    assert got[(None, "White")] == (4, 8) and got[(None, "BME")] == (4, 6)
    assert format_ratio(row(results, "BME").ratio) == "1.33"
    assert got[("No assessment", "White")] == (2, 8) and got[("Outcome B to F", "White")] == (2, 8)
    assert got[("Invalid path", "BME")] == (1, 4 + 2) and got[("No assessment", "BME")] == (2, 6)
    assert got[("Substantive", "BME")] == (4, 6)
