"""Hand-worked examples for the recommendation 1, 2 and 9 measures: progression, the Model
Employer gap and parity headcount, senior representation, bank conversion, racist abuse, action
on it, and incidents by contract. Every expected count is worked in the comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitrack.measures import Request, evaluate, measure
from equitrack.measures.progression import headcount_for_parity
from equitrack.stats import format_points, format_ratio
from tests.factories import write_csv
from tests.measures.builders import ORG, System


def row(results, group, breakdown=None, period=2026):
    return next(
        r for r in results if r.group == group and r.breakdown == breakdown and r.period == period
    )


def test_promotion_within_the_year(tmp_path: Path) -> None:
    s = System()
    # White: 49 on Band 5 all along, one of them demoted from Band 6 (not a promotion) ...
    white = s.people_of("A", 48)
    demoted = s.person("A", end="2025-08-31", pay_band="Band 6")
    s.assign(demoted, "2025-09-01", pay_band="Band 5")
    # ... and 10 of the 48 promoted to Band 6 in the year, one of them twice (5 -> 6 -> 7)
    for pid in white[:10]:
        _end(s, pid, "2025-09-30")
        s.assign(pid, "2025-10-01", pay_band="Band 6")
    _end(s, white[0], "2026-01-31")
    s.assign(white[0], "2026-02-01", pay_band="Band 7")
    s.people_of("A", 1)  # one more White on Band 5
    # promoted before the year: Band 6 on both snapshots, so not promoted in the year
    early = s.person("A", end="2024-06-30")
    s.assign(early, "2024-07-01", pay_band="Band 6")
    # BME: 40 on Band 5, 4 of them promoted in the year
    bme = s.people_of("H", 40)
    for pid in bme[:4]:
        _end(s, pid, "2025-12-31")
        s.assign(pid, "2026-01-01", pay_band="Band 6")
    # outside the population: promoted then left, joined in the year, a doctor, a bank worker
    leaver = s.person("H", end="2025-10-31")
    s.assign(leaver, "2025-11-01", end="2026-02-28", pay_band="Band 7")
    s.person("A", start="2025-06-01")
    s.person("A", pay_band="Consultant")
    s.person("H", start="2024-01-01", contract="bank")
    results = evaluate(s.load(tmp_path), measure("promotion"), Request(years=(2026,)))
    white_row, bme_row = row(results, "White"), row(results, "BME")
    # White: 48 + 1 + demoted + early = 51 in post both years on AfC bands; 10 promoted
    assert (white_row.numerator, white_row.denominator) == (10, 51)
    assert (bme_row.numerator, bme_row.denominator) == (4, 40)
    # ratio = White rate / BME rate = (10/51) / (4/40) = 1.9608 -> "1.96"
    assert format_ratio(bme_row.ratio) == "1.96" and bme_row.band == "adverse"
    assert bme_row.too_few  # 4 events: too few to tell


def counts(results, group, breakdown=None) -> tuple[int, int]:
    r = row(results, group, breakdown)
    return r.numerator, r.denominator


def _end(s: System, pid: str, end: str) -> None:
    """End the person's current (last) assignment on `end`."""
    spells = [a for a in s.assignments if a["person_id"] == pid]
    spells[-1]["end_date"] = end


def test_model_employer_gap_and_headcount_for_parity(tmp_path: Path) -> None:
    s = System()
    s.people_of("A", 60)
    s.people_of("A", 20, pay_band="Band 8a")
    s.people_of("A", 5, pay_band="VSM")
    s.people_of("H", 30)
    s.people_of("H", 3, pay_band="Band 8b")
    s.people_of("H", 1, pay_band="Band 9")
    s.people_of("N", 10)
    s.people_of("N", 1, pay_band="Band 8c")
    s.people_of("Z", 4)
    s.people_of("Z", 1, pay_band="Band 8a")
    s.person("N", start="2024-01-01", contract="bank", pay_band="Band 8a")  # bank: not staff
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    store = s.load(tmp_path)
    # Workforce 135: White 85, Asian (H) 34, Black (N) 11, Unknown 5; BME 45 = 1/3.
    # Band 8a and above: 31 = White 25, H 4, N 1, Unknown 1; BME 5.
    wres = evaluate(store, measure("model_employer"), Request(years=(2026,)))
    cell = "Band 8a and above"
    bme = row(wres, "BME", cell)
    assert (bme.numerator, bme.denominator) == (5, 31)
    # gap: 5/31 - 45/135 = 16.129% - 33.333% = -17.20 points
    assert format_points(bme.difference) == "-17.20"
    # parity, posts as now: ceil(31/3 - 5) = ceil(5.33) = 6; a year to 2028: ceil(6/2) = 3
    needed = row(wres, "BME", f"Needed for parity ({cell})")
    assert (needed.numerator, needed.denominator) == (6, 31)
    assert "6 more needed for parity, about 3 a year to reach it by 2028" in bme.reason
    assert row(wres, "White", f"Needed for parity ({cell})").numerator == 0
    assert "at or above parity" in row(wres, "White", cell).reason
    # each band on its own, against the same workforce share (1/3 BME):
    # Band 8a: 21 = White 20, Unknown 1, BME 0: ceil(21/3 - 0) = 7 needed
    band_8a = row(wres, "BME", "Needed for parity (Band 8a)")
    assert (band_8a.numerator, band_8a.denominator) == (7, 21)
    # Band 8b: 3, all Asian (BME): at parity; Band 8c: 1 Black: 1 of 1, at parity
    assert row(wres, "BME", "Needed for parity (Band 8b)").numerator == 0
    assert (row(wres, "BME", "Band 8c").numerator, row(wres, "BME", "Band 8c").denominator) == (
        1,
        1,
    )
    # VSM: 5 White: ceil(5/3) = 2 needed
    assert row(wres, "BME", "Needed for parity (VSM)").numerator == 2
    assert needed.options["parity"] == "replace" and needed.options["target_year"] == 2028
    # posts added: (45·31 - 5·135) / (135 - 45) = 720 / 90 = 8 exactly
    added = evaluate(
        store, measure("model_employer"), Request(years=(2026,), options={"parity": "add"})
    )
    assert row(added, "BME", f"Needed for parity ({cell})").numerator == 8
    broad = evaluate(store, measure("model_employer"), Request(years=(2026,), by="broad"))
    black = row(broad, "Black", cell)
    # Black: 1 of 31 at 8a+, 11 of 135 of the workforce: ceil(11·31/135 - 1) = ceil(1.53) = 2
    assert (black.numerator, black.denominator) == (1, 31)
    assert row(broad, "Black", f"Needed for parity ({cell})").numerator == 2
    assert format_points(black.difference) == "-4.92"  # 3.226% - 8.148%
    with pytest.raises(ValueError, match="parity must be one of"):
        evaluate(store, measure("model_employer"), Request((2026,), options={"parity": "x"}))


def test_headcount_for_parity_is_exact() -> None:
    # 30% of 1,000 staff, 300 posts: 90 needed to hold 90 (0.3 × 300 is not exactly 90.0 in
    # floating point; the integers decide)
    assert headcount_for_parity(0, 300, 300, 1000) == 90
    assert headcount_for_parity(90, 300, 300, 1000) == 0
    assert headcount_for_parity(91, 300, 300, 1000) == 0
    assert headcount_for_parity(89, 300, 300, 1000) == 1
    assert headcount_for_parity(0, 300, 300, 1000, "add") == 129  # ceil(90 / 0.7) = 129
    assert headcount_for_parity(0, 0, 300, 1000) == 0
    assert headcount_for_parity(0, 10, 0, 0) == 0


def test_senior_representation_by_band_group(tmp_path: Path) -> None:
    s = System()
    s.people_of("A", 10)
    s.people_of("A", 20, pay_band="Band 8a")
    s.people_of("A", 5, pay_band="VSM")
    s.people_of("H", 3, pay_band="Band 8b")
    s.people_of("H", 1, pay_band="Band 9")
    s.people_of("N", 1, pay_band="Band 8c")
    s.people_of("Z", 1, pay_band="Band 8a")
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    cells = {
        (r.breakdown, r.group): (r.numerator, r.denominator)
        for r in evaluate(s.load(tmp_path), measure("senior_representation"), Request((2026,)))
    }
    # 8a-8b: White 20, BME 3, Unknown 1 of 24; 8c-9: BME 2 of 2; VSM: White 5 of 5; All 31
    assert cells[("Band 8a-8b", "White")] == (20, 24)
    assert cells[("Band 8a-8b", "BME")] == (3, 24)
    assert cells[("Band 8a-8b", "Unknown")] == (1, 24)
    assert cells[("Band 8c-9", "BME")] == (2, 2)
    assert cells[("VSM", "White")] == (5, 5)
    assert cells[("All", "BME")] == (5, 31) and cells[("All", "White")] == (25, 31)
    assert not any(b == "Band 5" for b, _ in cells)


def test_bank_conversion_within_the_year(tmp_path: Path) -> None:
    s = System()
    s.people_of("A", 100)  # substantive staff: not bank workers
    white = s.people_of("A", 20, start="2024-01-01", contract="bank")
    bme = s.people_of("H", 20, start="2024-01-01", contract="bank")
    for pid in white[:5]:  # bank ends, a permanent post starts the next day
        _end(s, pid, "2025-06-30")
        s.assign(pid, "2025-07-01")
    for pid in bme[:2]:
        _end(s, pid, "2025-09-30")
        s.assign(pid, "2025-10-01")
    # bank work ended in December (still an active bank worker at 31 March 2025, within six
    # months), then a post in May: converted
    lapsed = s.person("H", start="2023-01-01", end="2024-12-01", contract="bank")
    s.assign(lapsed, "2025-05-01")
    # a substantive member of staff with bank shifts too is not bank-only: not in the population
    dual = s.person("N")
    s.assign(dual, "2024-01-01", contract="bank")
    # bank work ended more than six months before 31 March 2025: not an active bank worker
    gone = s.person("N", start="2020-01-01", end="2024-08-31", contract="bank")
    s.assign(gone, "2025-05-01")
    # converted, then left before 31 March 2026: not in post, so not converted at 31 March
    left = s.person("N", start="2024-01-01", end="2025-04-30", contract="bank")
    s.assign(left, "2025-05-01", end="2026-01-31")
    results = evaluate(s.load(tmp_path), measure("bank_conversion"), Request(years=(2026,)))
    white_row, bme_row = row(results, "White"), row(results, "BME")
    # White 5 of 20; BME: 2 + lapsed of 20 + lapsed + left = 3 of 22
    assert (white_row.numerator, white_row.denominator) == (5, 20)
    assert (bme_row.numerator, bme_row.denominator) == (3, 22)
    # ratio = (5/20) / (3/22) = 1.8333 -> "1.83"
    assert format_ratio(bme_row.ratio) == "1.83" and bme_row.reference_group == "White"


def _incidents(folder: Path, rows: list[tuple[str | None, str, str, str]]) -> None:
    """(person, date, category, action) rows as incidents.csv at the builder's organisation."""
    write_csv(
        folder / "incidents.csv",
        [
            {"incident_id": f"I{n}", "org_code": ORG, "incident_date": day,
             "person_id": pid or "", "source": "patient_or_public", "category": category,
             "action": action}
            for n, (pid, day, category, action) in enumerate(rows, start=1)
        ],
    )  # fmt: skip


@pytest.fixture
def abuse(tmp_path: Path):
    s = System()
    w1, w2, w3, *_ = s.people_of("A", 100)
    bme = s.people_of("H", 50)
    b1, *_ = s.people_of("A", 20, start="2024-01-01", contract="bank")
    bank_bme = s.people_of("H", 20, start="2024-01-01", contract="bank")
    # c1: on the bank when abused in July, substantive from September
    c1 = s.person("A", start="2024-01-01", end="2025-08-31", contract="bank")
    s.assign(c1, "2025-09-01")
    racist = "racist_abuse"
    _incidents(
        tmp_path,
        [
            (w1, "2025-05-01", racist, "police"),
            (w1, "2025-11-01", racist, "none"),  # a second incident: w1 is counted once
            (w2, "2025-06-01", racist, ""),
            (w3, "2025-06-01", "verbal_abuse", "warning_letter"),  # not racist abuse
            (b1, "2025-07-01", racist, "warning_letter"),
            (c1, "2025-07-01", racist, "police"),
            *((pid, "2025-08-01", racist, a) for pid, a in zip(
                bme[:5], ("none", "none", "local_resolution", " None ", "hr_investigation"),
                strict=True,
            )),
            *((pid, "2025-09-01", racist, a) for pid, a in zip(
                bank_bme[:4], ("police", "none", "", "verbal_warning"), strict=True,
            )),
            (None, "2025-10-01", racist, "police"),  # no person recorded
            (bme[10], "2025-03-31", racist, "police"),  # the year before
        ],
    )  # fmt: skip
    return s.load(tmp_path)


def test_racist_abuse_by_contract(abuse) -> None:
    results = evaluate(abuse, measure("racist_abuse"), Request(years=(2026,)))
    # Substantive: White 100 + c1 = 101, abused w1, w2, c1 = 3; BME 5 of 50
    assert counts(results, "White", "Substantive") == (3, 101)
    sub = row(results, "BME", "Substantive")
    assert (sub.numerator, sub.denominator) == (5, 50)
    assert format_ratio(sub.ratio) == "3.37"  # (5/50) / (3/101) = 3.3667, group / White
    # Bank: White 1 of 20 (b1; c1 is substantive at 31 March), BME 4 of 20: (4/20)/(1/20) = 4
    bank = row(results, "BME", "Bank")
    assert (bank.numerator, bank.denominator) == (4, 20) and format_ratio(bank.ratio) == "4.00"
    # All: White 4 of 121, BME 9 of 70: (9/70) / (4/121) = 3.8893
    both = row(results, "BME")
    assert (both.numerator, both.denominator) == (9, 70) and format_ratio(both.ratio) == "3.89"
    assert both.options == sub.options


def test_action_on_racist_abuse(abuse) -> None:
    results = evaluate(abuse, measure("incident_action"), Request(years=(2026,)))
    # All: White w1 x2 (police, none), w2 (blank), b1 (warning_letter), c1 (police) = 3 of 5;
    # BME: local_resolution, hr_investigation, police, verbal_warning = 4 of 9
    white, bme = row(results, "White"), row(results, "BME")
    assert (white.numerator, white.denominator) == (3, 5)
    assert (bme.numerator, bme.denominator) == (4, 9)
    assert format_ratio(bme.ratio) == "1.35"  # (3/5) / (4/9) = 1.35, White / group
    assert bme.excluded == 1  # the incident with no person recorded
    # by contract on the day: c1 was on the bank when abused
    assert counts(results, "White", "Substantive") == (1, 3)
    assert counts(results, "White", "Bank") == (2, 2)
    assert counts(results, "BME", "Bank") == (2, 4)
    assert counts(results, "Unknown", "Not known") == (1, 1)


def test_incidents_by_contract_and_category(abuse) -> None:
    cells = {
        (r.breakdown, r.group): (r.numerator, r.denominator)
        for r in evaluate(abuse, measure("bank_incidents"), Request(years=(2026,)))
    }
    # Substantive: racist White 3 (w1 x2, w2) + BME 5 = 8; verbal White 1; all 9
    assert cells[("Substantive | racist_abuse", "White")] == (3, 8)
    assert cells[("Substantive | racist_abuse", "BME")] == (5, 8)
    assert cells[("Substantive | verbal_abuse", "White")] == (1, 1)
    assert cells[("Substantive | All", "BME")] == (5, 9)
    # Bank: White b1 and c1, BME 4: 6, every one racist abuse
    assert cells[("Bank | racist_abuse", "White")] == (2, 6)
    assert cells[("Bank | All", "BME")] == (4, 6)
    assert cells[("Not known | racist_abuse", "Unknown")] == (1, 1)
    # All: 16 incidents in the year (the one in March 2025 is not)
    assert sum(n for (b, _), (n, _) in cells.items() if b == "All") == 16
