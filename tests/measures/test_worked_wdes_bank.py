"""Hand-worked WDES and Bank WRES examples: directions, populations and counts."""

from pathlib import Path

from equitrack.measures import Request, evaluate, measure
from equitrack.stats import format_ratio
from tests.measures.builders import System


def row(results, group, period=2026, breakdown=None):
    return next(
        r for r in results if r.group == group and r.period == period and r.breakdown == breakdown
    )


def test_wdes3_capability_is_disabled_over_non_disabled(tmp_path: Path) -> None:
    s = System()
    disabled = s.people_of("A", 400, disability="Y")
    others = s.people_of("A", 1600, disability="N")
    s.people_of("A", 50, disability="U")
    for pid in disabled[:12]:
        s.case(pid, "2025-10-01", case_type="capability")
    for pid in others[:16]:
        s.case(pid, "2025-10-01", case_type="capability")
    s.case(others[-1], "2025-10-01", case_type="conduct")  # conduct is WRES 3, not WDES 3
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    results = evaluate(
        s.load(tmp_path), measure("wdes3"), Request(years=(2026,), options={"window": 1})
    )
    r = row(results, "Disabled")
    assert (r.numerator, r.denominator) == (12, 400)
    assert r.reference_group == "Not disabled" and row(results, "Not disabled").numerator == 16
    assert format_ratio(r.ratio) == "3.00"  # (12/400) / (16/1600)
    assert r.excluded == 50  # unknown disability is left out of the ratio, and counted


def test_bank_wres_compares_bank_only_workers_with_substantive_staff(tmp_path: Path) -> None:
    s = System()
    s.people_of("A", 300)  # substantive White
    s.people_of("N", 100)  # substantive Black
    bank_white = s.people_of("A", 100, start="2024-01-01", contract="bank")
    bank_bme = s.people_of("N", 100, start="2024-01-01", contract="bank")
    dual = s.person("N")  # substantive with a bank assignment too: not bank-only
    s.assign(dual, "2024-01-01", contract="bank")
    lapsed = s.person(
        "H", start="2020-01-01", end="2025-06-30", contract="bank"
    )  # left > 6 months before
    for pid in bank_bme[:20]:
        s.case(pid, "2025-10-01")
    for pid in bank_white[:10]:
        s.case(pid, "2025-10-01")
    store = s.load(tmp_path)

    cells = {
        (r.breakdown, r.group): (r.numerator, r.denominator)
        for r in evaluate(store, measure("bank1"), Request(years=(2026,)))
    }
    assert cells[("Bank", "BME")] == (100, 200) and cells[("Bank", "White")] == (100, 200)
    assert cells[("Substantive", "BME")] == (101, 401)
    assert lapsed and ("Bank", "Unknown") not in cells

    bank3 = row(
        evaluate(store, measure("bank3"), Request(years=(2026,), options={"window": 1})), "BME"
    )
    assert (bank3.numerator, bank3.denominator) == (20, 100) and format_ratio(bank3.ratio) == "2.00"
    wres3 = evaluate(store, measure("wres3"), Request(years=(2026,), options={"window": 1}))
    assert sum(r.numerator for r in wres3) == 0  # bank-only workers' cases are not in WRES 3


def test_bank4_is_wres4_for_bank_only_workers(tmp_path: Path) -> None:
    """30 of 100 White and 15 of 100 BME bank-only workers trained: ratio White / BME = 2.00.
    Substantive staff's training is WRES 4's, not Bank WRES 4's; mandatory training is neither."""
    s = System()
    staff = s.people_of("N", 50)
    bank_white = s.people_of("A", 100, start="2024-01-01", contract="bank")
    bank_bme = s.people_of("N", 100, start="2024-01-01", contract="bank")
    for pid in bank_white[:30]:
        s.trained(pid, "2025-06-01")
    for pid in bank_bme[:15]:
        s.trained(pid, "2025-06-01")
    for pid in bank_bme[15:40]:
        s.trained(pid, "2025-06-01", mandatory=True)
    for pid in staff[:20]:
        s.trained(pid, "2025-06-01")
    s.reaches("2026-03-31")  # the data is current to 31 March 2026 (no year is filled)
    results = evaluate(s.load(tmp_path), measure("bank4"), Request(years=(2026,)))
    bme, white = row(results, "BME"), row(results, "White")
    assert (bme.numerator, bme.denominator) == (15, 100)
    assert (white.numerator, white.denominator) == (30, 100)
    assert format_ratio(bme.ratio) == "2.00" and bme.verdict == "adverse, significant"
