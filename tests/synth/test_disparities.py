"""Disparities set in the generator come back out of its tables, by plain pandas arithmetic.

With the defaults each ratio is clearly adverse (its 95% interval excludes 1); with
`Disparities.none()` it is compatible with parity. Seeds are fixed, so these are exact
regression checks, and the sizes leave wide margins either way.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from equitrack.synth import ByGroup, Disparities

from .checks import broad_group, mantel_haenszel_rr, relative_likelihood, workforce_at, wres_group

Tables = dict[str, pa.Table]
FY = range(2019, 2027)


def at_parity(estimate: tuple[float, float, float], tolerance: float = 0.1) -> bool:
    rl, lo, hi = estimate
    return lo <= 1 <= hi or abs(rl - 1) < tolerance


def appointment_white_vs_black(tables: Tables) -> tuple[float, float, float]:
    """WRES 2 style, all years: appointed / shortlisted, White over Black."""
    apps = tables["applications"].select(["ethnic_code", "shortlisted", "appointed"]).to_pandas()
    short = apps[apps.shortlisted].assign(group=lambda d: broad_group(d.ethnic_code))
    white, black = short[short.group == "White"], short[short.group == "Black"]
    return relative_likelihood(white.appointed.sum(), len(white), black.appointed.sum(), len(black))


def formal_entry_bme_vs_white(tables: Tables) -> tuple[float, float, float]:
    """WRES 3 style, all years: people entering formal conduct process per 31-March headcount."""
    cases = (
        tables["disciplinary"]
        .select(["person_id", "org_code", "case_type", "formal_date"])
        .to_pandas()
    )
    cases = cases[(cases.case_type == "conduct") & cases.formal_date.notna()]
    cases["fy"] = [d.year + (d.month >= 4) for d in cases.formal_date]
    people = tables["people"].select(["person_id", "ethnic_code"]).to_pandas()
    entrants = cases.drop_duplicates(["person_id", "org_code", "fy"]).merge(people, on="person_id")
    entrants = wres_group(entrants.ethnic_code).value_counts()
    heads = sum(workforce_at(tables, f"{y}-03-31").wres.value_counts() for y in FY)
    return relative_likelihood(entrants["BME"], heads["BME"], entrants["White"], heads["White"])


def leave_declined_international(tables: Tables) -> tuple[float, float, float]:
    """Leave requests declined, international recruits vs others, within each leave type."""
    leave = tables["leave"].select(["person_id", "leave_type", "decision"]).to_pandas()
    people = tables["people"].select(["person_id", "international_recruit"]).to_pandas()
    leave = leave.merge(people, on="person_id")
    leave["declined"] = leave.decision == "declined"
    leave["ir"] = leave.international_recruit.astype(bool)
    return mantel_haenszel_rr(leave, "leave_type", "ir", "declined")


def discrimination_bme_vs_white(tables: Tables) -> tuple[float, float, float]:
    """WRES 8 pooled over organisations and years."""
    s = tables["survey"].to_pandas()
    s = s[(s.instrument == "nss") & (s.measure == "wres8") & (s.group_type == "wres")]
    g = s.groupby("group_value")[["positive", "responses"]].sum()
    return relative_likelihood(g.loc["BME", "positive"], g.loc["BME", "responses"],
                               g.loc["White", "positive"], g.loc["White", "responses"])  # fmt: skip


MEASURES = {
    "appointment": appointment_white_vs_black,
    "formal disciplinary": formal_entry_bme_vs_white,
    "leave declined": leave_declined_international,
    "discrimination": discrimination_bme_vs_white,
}


@pytest.mark.parametrize("measure", list(MEASURES))
def test_default_disparity_is_recovered(llr: Tables, measure: str) -> None:
    rl, lo, hi = MEASURES[measure](llr)
    assert lo > 1.15, (measure, rl, lo, hi)


@pytest.mark.parametrize("measure", list(MEASURES))
def test_no_disparity_means_parity(llr_fair: Tables, measure: str) -> None:
    estimate = MEASURES[measure](llr_fair)
    assert at_parity(estimate), (measure, estimate)


def test_recovered_sizes_match_the_parameters(llr: Tables) -> None:
    d = Disparities()
    rl, lo, hi = appointment_white_vs_black(llr)
    assert lo <= 1 / d.appointment_odds.black * 1.1 and hi >= 1 / d.appointment_odds.black * 0.85
    rl, lo, hi = leave_declined_international(llr)
    assert 1.6 < rl < 3.0  # an odds ratio of 2.5 on declines of 3-22%


def test_wres2_and_wres3_resemble_national_patterns(llr: Tables) -> None:
    apps = llr["applications"].select(["ethnic_code", "shortlisted", "appointed"]).to_pandas()
    short = apps[apps.shortlisted].assign(group=lambda d: wres_group(d.ethnic_code))
    rate = short.groupby("group").appointed.mean()
    assert 1.4 < rate["White"] / rate["BME"] < 1.9
    rl, _, _ = formal_entry_bme_vs_white(llr)
    assert 1.1 < rl < 1.8


def test_none_is_parity_everywhere() -> None:
    fair = Disparities.none()
    for name, value in vars(fair).items():
        if isinstance(value, ByGroup):
            assert list(value.vector()) == [1.0] * 6, name
        else:
            assert value == 1.0, name
    assert Disparities().appointment_odds.black == 0.5
    assert Disparities().formal_disciplinary_risk.of("Black") == 2.0


def test_staff_in_post_by_band_after_parity(llr_fair: Tables) -> None:
    """Without the senior-band disparity, the 8a+ gap shrinks (the band mix remains)."""
    staff = workforce_at(llr_fair, "2026-03-31")
    known = staff[staff.wres != "Unknown"]
    senior = known.pay_band.isin(["Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM"])
    assert (known[senior].wres == "BME").mean() > 0.6 * (known.wres == "BME").mean()


def test_every_parameter_is_documented() -> None:
    described = Disparities.describe()
    assert set(described) == set(vars(Disparities()))
    for name, (default, doc) in described.items():
        assert isinstance(default, ByGroup | float), name
        assert len(doc) > 20, name
