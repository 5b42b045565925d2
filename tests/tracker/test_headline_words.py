"""A recommendation's headline, level, change since the baseline and claims in words: hand-worked
examples, from results made by the measures' own statistics."""

from __future__ import annotations

from dataclasses import replace

from equitrack.measures.result import Result, compared, rated
from equitrack.reports.narrative import (
    change_short,
    claim_sentence,
    key_figure,
    level_sentence,
    since_sentence,
)
from equitrack.stats import Verdict, compare
from equitrack.tracker.evidence import Compared, Status, headline_of, headline_status
from equitrack.tracker.plan import Claim, Headline, Level

BANK = Headline("bank3", "bank workers", "entered a formal disciplinary process",
                noun="bank workers")  # fmt: skip
IR = Headline("leave_declined", "international recruits against other staff",
              "had a leave request declined", cell="IR", against="Others",
              names=("international recruits", "other staff"))  # fmt: skip


def pair(n: int, d: int, rn: int, rd: int, period: int = 2026, **extra: object) -> Compared:
    """Black against White bank workers: Black's result carries the comparison."""
    base = {"measure": "bank3", "org": "system:QK1", "period": period, "group_type": "broad"}
    c = compare(n, d, rn, rd, orientation="harm")
    focus = rated(n, d, group="Black", reference_group="White", **base)
    focus = replace(focus, **{**compared(c), **extra})
    return Compared(focus, rated(rn, rd, group="White", **base))


def test_the_headline_gives_both_groups_rates_and_the_ratio_the_right_way_round() -> None:
    p = pair(14, 747, 32, 3790)  # 1.87% against 0.84%: ratio 2.22
    text = key_figure(BANK, p.focus, p.reference)
    assert text.startswith(
        "1.9% of Black bank workers (14 of 747) entered a formal disciplinary process, against "
        "0.8% of White bank workers (32 of 3,790): relative likelihood 2.22 (95% interval "
    )
    assert "above 1 means Black bank workers fare worse), an adverse gap" in text
    assert headline_status(p, True) is Status.ADVERSE
    noted = replace(BANK, note="This is not adjusted for band.")
    assert key_figure(noted, p.focus, p.reference) == f"{text} This is not adjusted for band."


def test_comparisons_that_depend_on_band_say_they_are_not_adjusted_for_it() -> None:
    from equitrack.tracker.plan import load_plan

    plan = load_plan()
    for number in (1, 6):  # promotion and the succession pool
        headline = plan.recommendation(number).headline
        assert headline and "not adjusted for band" in (headline.note or ""), number


PROMOTION = Headline("promotion", "substantive staff in post", "were promoted within the year",
                     within="promotion_by_band")  # fmt: skip


def by_band(cells: dict[str, tuple[int, int, int, int]]) -> list[Result]:
    """promotion_by_band's results for Black and White staff in each band, from the counts
    (Black promoted, Black staff, White promoted, White staff), adjusted together as the
    measure adjusts its cells."""
    from equitrack.measures.comparison import Comparisons

    made, comparisons = [], Comparisons()
    base = {"measure": "promotion_by_band", "org": "system:QK1", "period": 2026,
            "group_type": "broad"}  # fmt: skip
    for band, (n, d, rn, rd) in cells.items():
        black = rated(n, d, group="Black", breakdown=band, **base)
        comparisons.add(black, "White", compare(n, d, rn, rd, orientation="benefit"))
        made += [black, rated(rn, rd, group="White", breakdown=band, **base)]
    comparisons.adjust()
    return made


def test_a_comparison_that_depends_on_band_is_also_made_within_each_band() -> None:
    """Promotion is less common from higher bands, so the headline is made again band by band:
    the bands with enough people are named, and a band whose rates differ significantly after
    the adjustment gives both groups' rates there."""
    p = pair(60, 1000, 300, 5000)
    alike = by_band({"Band 5": (40, 400, 200, 2000), "Band 6": (20, 300, 100, 1500),
                     "Band 8a": (1, 20, 9, 150)})  # fmt: skip
    text = key_figure(PROMOTION, p.focus, p.reference, within=alike)
    assert text.endswith(
        "Made within each band where there are enough to tell (Band 5 and Band 6), the rates "
        "do not differ significantly at any of them."
    ), text
    apart = by_band({"Band 6": (20, 300, 100, 1500), "Band 5": (10, 400, 200, 2000)})
    text = key_figure(PROMOTION, p.focus, p.reference, within=apart)
    assert text.endswith(
        "(Band 5 and Band 6), the rates differ significantly at Band 5, 2.5% of Black staff "
        "(10 of 400) were promoted within the year, against 10.0% of White staff (200 of "
        "2,000): an adverse gap."
    ), text
    few = by_band({"Band 7": (2, 25, 10, 90)})
    assert key_figure(PROMOTION, p.focus, p.reference, within=few).endswith(
        "Made within each band, there are too few Black staff at any band to tell."
    )
    undefined = pair(0, 100, 30, 500)  # no ratio overall: the bands are still said
    assert key_figure(PROMOTION, undefined.focus, undefined.reference, within=alike).endswith(
        "the rates do not differ significantly at any of them."
    )


def test_the_tracker_says_the_within_band_comparison_from_both_groups_rows() -> None:
    """Through `summarise_results`, as the command line, dashboard and report call it: the
    by-band results of every group reach the words (an Unknown row beside White's in a band
    does not stand in for White's)."""
    from equitrack.tracker.evidence import summarise_results
    from equitrack.tracker.plan import load_plan

    whole = pair(60, 1000, 300, 5000)
    headline = [replace(r, measure="promotion") for r in (whole.focus, whole.reference)]
    banded = by_band({"Band 6": (20, 300, 100, 1500), "Band 5": (10, 400, 200, 2000)})
    unknown = [
        rated(1, 3, measure="promotion_by_band", org="system:QK1", period=2026,
              group_type="broad", group="Unknown", breakdown=band)
        for band in ("Band 5", "Band 6")
    ]  # fmt: skip
    found = summarise_results(load_plan(), 2026, [*headline, *banded, *unknown])
    said = next(e for e in found if e.recommendation.number == 1).key_figure or ""
    assert "(Band 5 and Band 6), the rates differ significantly at Band 5, 2.5% of Black" in said
    assert "against 10.0% of White staff (200 of 2,000)" in said, said


def test_the_plan_compares_promotion_and_succession_within_band() -> None:
    from equitrack.tracker.plan import load_plan

    plan = load_plan()
    for number, within in ((1, "promotion_by_band"), (6, "succession_pool_by_band")):
        rec = plan.recommendation(number)
        assert rec.headline is not None and rec.headline.within == within
        assert within in rec.evidence  # measured with the rest, and shown in the appendix


def test_a_gap_not_confirmed_after_adjustment_is_possible_and_two_years_are_said() -> None:
    demoted = {"verdict_adjusted": str(Verdict.ADVERSE_NOT_SIGNIFICANT)}
    now, before = pair(14, 747, 32, 3790, **demoted), pair(13, 700, 30, 3700, 2025, **demoted)
    text = key_figure(BANK, now.focus, now.reference, before.focus)
    assert "a possible gap, not confirmed after allowing for the number of comparisons" in text
    assert text.endswith("it was so in 2024/25 too: two years in a row.")
    assert "adverse gap" not in text
    assert headline_status(now, True) is Status.POSSIBLE


def test_too_few_is_never_treated_differently() -> None:
    p = pair(2, 40, 30, 3000)
    text = key_figure(BANK, p.focus, p.reference)
    assert "too few to tell whether the rates differ" in text
    assert "treated differently" not in text and "gap" not in text


def test_two_cells_are_compared_from_the_totals_shown() -> None:
    """International recruits against other staff: 153 of 506 against 830 of 8,460."""
    base = {"measure": "leave_declined", "org": "system:QK1", "period": 2026,
            "group_type": "all", "group": "All"}  # fmt: skip
    shown = [rated(153, 506, breakdown="IR", **base), rated(830, 8460, breakdown="Others", **base),
             rated(40, 100, breakdown="IR", **{**base, "group_type": "broad", "group": "Black"})]  # fmt: skip
    got = headline_of(IR, shown)
    assert got is not None and got.reference is not None
    assert got.focus.ratio is not None and abs(got.focus.ratio - (153 / 506) / (830 / 8460)) < 1e-9
    text = key_figure(IR, got.focus, got.reference)
    assert text.startswith(
        "30.2% of international recruits (153 of 506) had a leave request declined, against "
        "9.8% of other staff (830 of 8,460): relative likelihood 3.08"
    )
    hidden = [replace(shown[0], numerator=None, denominator=None, suppressed=True), shown[1]]
    none = headline_of(IR, hidden)
    assert none is not None and none.focus.ratio is None
    assert "no comparison is shown" in key_figure(IR, none.focus, none.reference)
    assert headline_status(none, True) is Status.TOO_FEW
    # a total whose members are withheld (its events shown): no comparison, and no crash
    unknown = [replace(shown[0], denominator=None), shown[1]]
    got = headline_of(IR, unknown)
    assert got is not None and got.focus.ratio is None and got.focus.verdict is None


def test_level_change_since_the_baseline_and_claims() -> None:
    base = {"measure": "racist_abuse", "org": "system:QK1", "group_type": "all", "group": "All"}
    per_1000 = Level("racist_abuse", "bank workers were affected by racist abuse", per=1000)
    now = rated(41, 3781, period=2026, **base)
    assert level_sentence(per_1000, now) == (
        "10.8 per 1,000 bank workers were affected by racist abuse (41 of 3,781)."
    )
    share = Level("racist_abuse", "bank workers were affected by racist abuse")
    assert level_sentence(share, now).startswith("1.1% of bank workers")
    series = [rated(8, 4000, period=2023, **base), now]
    # no 2022 figure: the first year with one is said, and the change is judged on intervals
    said = since_sentence(series, 2022, 2026)
    assert said.startswith("There is no figure for 2021/22, the baseline; since 2022/23")
    assert "rose from 0.2% in 2022/23 to 1.1% in 2025/26" in said
    assert change_short(series, 2022, 2026) == "0.2% in 2022/23, 1.1% in 2025/26: rose"
    assert change_short([now], 2022, 2026) == "no earlier figure"
    claim = Claim("80% of panels", "panel_diversity", "RT5", 2024, 0.80)
    panels = rated(962, 1223, measure="panel_diversity", org="RT5", period=2024,
                   group_type="all", group="All")  # fmt: skip
    assert claim_sentence(claim, panels).endswith("consistent with the 80.0% stated.")
    low = rated(700, 1223, measure="panel_diversity", org="RT5", period=2024,
                group_type="all", group="All")  # fmt: skip
    assert claim_sentence(claim, low).endswith("not consistent with the 80.0% stated.")
    assert "no figure for RT5 in 2023/24" in claim_sentence(claim, None)


def test_a_level_from_results_is_the_cell_s_everyone() -> None:
    from equitrack.tracker.evidence import cell_totals, level_of
    from equitrack.tracker.plan import load_plan

    plan = load_plan()
    rec3 = plan.recommendation(3)
    base = {"measure": "edi_training_delivery", "org": "RT5", "period": 2026,
            "group_type": "broad", "breakdown": "EDI"}  # fmt: skip
    rows = [rated(770, 5072, group="White", **base), rated(102, 712, group="Black", **base),
            rated(51, 346, group="Unknown", **base),
            rated(5, 50, group="Black", **{**base, "breakdown": None})]  # fmt: skip
    totals = cell_totals(plan, rows)
    assert [(t.breakdown, t.numerator, t.denominator) for t in totals] == [("EDI", 923, 6130)]
    got = level_of(rec3.level, rows + totals)
    assert isinstance(got, Result) and got.group == "All" and got.numerator == 923
