"""Bands, significance, small numbers, verdict words and Benjamini–Hochberg."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.stats import (
    Band,
    Verdict,
    adjusted_verdict,
    benjamini_hochberg,
    compare,
    is_significant,
    parity_band,
    too_few_to_tell,
    verdict,
)
from equitrack.stats.verdicts import too_few_reason


@pytest.mark.parametrize(
    ("ratio", "band"),
    [
        (0.79, Band.FAVOURABLE),
        (0.80, Band.NON_ADVERSE),
        (1.0, Band.NON_ADVERSE),
        (1.25, Band.NON_ADVERSE),
        (1.2500001, Band.ADVERSE),
        (1.60, Band.ADVERSE),
        (Fraction(4, 5), Band.NON_ADVERSE),
        (Fraction(5, 4), Band.NON_ADVERSE),
        (Fraction(799, 1000), Band.FAVOURABLE),
        (0.0, Band.FAVOURABLE),
        (None, None),
    ],
)
def test_parity_band_boundaries_are_inclusive(ratio: float | None, band: Band | None) -> None:
    assert parity_band(ratio) is band


def test_band_is_decided_on_the_exact_ratio_not_the_float() -> None:
    # (25/30)/(40/60) is exactly 1.25, but in floating point it is 1.2500000000000002
    assert (25 / 30) / (40 / 60) > 1.25
    c = compare(25, 30, 40, 60, orientation="harm")
    assert c.ratio_exact == Fraction(5, 4)
    assert c.band is Band.NON_ADVERSE
    # (10/30)/(25/60) is exactly 0.8, but 0.7999999999999999 in floating point
    assert (10 / 30) / (25 / 60) < 0.8
    assert compare(25, 60, 10, 30, orientation="benefit").band is Band.NON_ADVERSE


def test_band_limits_are_parameters() -> None:
    assert parity_band(1.2, low=0.9, high=1.1) is Band.ADVERSE
    assert parity_band(0.85, low=0.9, high=1.1) is Band.FAVOURABLE
    with pytest.raises(ValueError):
        parity_band(1.0, low=1.25, high=0.8)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1.01, 2.0, True),
        (0.2, 0.99, True),
        (0.9, 1.1, False),
        (1.0, 2.0, False),  # touching 1 does not exclude it
        (0.5, 1.0, False),
        (1.06, None, True),  # no finite upper limit, lower limit above 1
        (0.0, None, False),
        (None, None, None),
    ],
)
def test_significant_means_the_interval_excludes_one(
    low: float | None, high: float | None, expected: bool | None
) -> None:
    assert is_significant(low, high) is expected


@pytest.mark.parametrize(
    ("counts", "too_few"),
    [
        ((10, 30, 10, 30), False),
        ((9, 30, 10, 30), True),
        ((10, 30, 9, 30), True),
        ((10, 29, 10, 30), True),
        ((10, 30, 10, 29), True),
        ((0, 1000, 500, 1000), True),
    ],
)
def test_too_few_to_tell_thresholds(counts: tuple[int, int, int, int], too_few: bool) -> None:
    assert too_few_to_tell(*counts) is too_few


def test_too_few_thresholds_are_parameters_and_the_reason_names_the_count() -> None:
    assert not too_few_to_tell(5, 20, 5, 20, min_events=5, min_population=20)
    reason = too_few_reason(7, 100, 40, 200)
    assert reason == "too few to tell: focus group events 7 (below 10)"


@pytest.mark.parametrize(
    ("band", "significant", "too_few", "word"),
    [
        (Band.ADVERSE, True, False, "adverse, significant"),
        (Band.ADVERSE, False, False, "adverse, not significant"),
        (Band.NON_ADVERSE, True, False, "non-adverse"),
        (Band.NON_ADVERSE, False, False, "non-adverse"),
        (Band.FAVOURABLE, True, False, "favourable, significant"),
        (Band.FAVOURABLE, False, False, "favourable, not significant"),
        (Band.ADVERSE, True, True, "too few to tell"),
        (Band.NON_ADVERSE, False, True, "too few to tell"),
        (None, None, True, "undefined"),
        (None, True, False, "undefined"),
    ],
)
def test_verdict_words(
    band: Band | None, significant: bool | None, too_few: bool, word: str
) -> None:
    assert verdict(band, significant, too_few) == word


def test_adjustment_can_demote_but_never_promote() -> None:
    assert adjusted_verdict(Band.ADVERSE, True, False, 0.01) is Verdict.ADVERSE_SIGNIFICANT
    assert adjusted_verdict(Band.ADVERSE, True, False, 0.2) is Verdict.ADVERSE_NOT_SIGNIFICANT
    assert adjusted_verdict(Band.ADVERSE, False, False, 0.001) is Verdict.ADVERSE_NOT_SIGNIFICANT
    assert adjusted_verdict(Band.ADVERSE, True, False, None) is Verdict.ADVERSE_NOT_SIGNIFICANT
    assert adjusted_verdict(Band.ADVERSE, True, False, 0.04, alpha=0.01) is (
        Verdict.ADVERSE_NOT_SIGNIFICANT
    )


# --- Benjamini–Hochberg ---------------------------------------------------------------------


def test_bh_hand_worked() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4): ×4/rank = 0.02, 0.02, 0.04, 0.04; step-up minimum
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_bh_takes_the_minimum_from_above() -> None:
    # sorted 0.01, 0.02, 0.021 (m = 3): 0.03, 0.03, 0.021 → cummin from the top 0.021 each
    assert benjamini_hochberg([0.02, 0.01, 0.021]) == pytest.approx([0.021, 0.021, 0.021])


def test_bh_skips_none_and_does_not_count_it() -> None:
    assert benjamini_hochberg([None, 0.01, None, 0.04]) == [None, pytest.approx(0.02), None, 0.04]
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([None]) == [None]


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_bh_rejects_values_that_are_not_probabilities(bad: float) -> None:
    with pytest.raises(ValueError):
        benjamini_hochberg([0.5, bad])


def bh_by_definition(p: list[float]) -> list[float]:
    """Brute force: adj(p_i) = min(1, min over p_j ≥ p_i of p_j·m/rank_j), rank_j = #{p ≤ p_j}."""
    m = len(p)
    rank = {value: sum(1 for q in p if q <= value) for value in p}
    return [min(1.0, min(q * m / rank[q] for q in p if q >= value)) for value in p]


probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(st.lists(st.one_of(st.none(), probabilities), max_size=40))
def test_bh_properties(p_values: list[float | None]) -> None:
    adjusted = benjamini_hochberg(p_values)
    assert len(adjusted) == len(p_values)
    tested = [(p, a) for p, a in zip(p_values, adjusted, strict=True) if p is not None]
    assert all(a is None for p, a in zip(p_values, adjusted, strict=True) if p is None)
    for p, a in tested:
        assert a is not None and p <= a <= 1.0
    ordered = sorted(tested, key=lambda pair: pair[0])
    adjusted_in_rank_order = [a for _, a in ordered]
    assert adjusted_in_rank_order == sorted(adjusted_in_rank_order)  # monotone in rank
    raw = [p for p, _ in tested]
    expected = bh_by_definition(raw)
    for (_, a), e in zip(tested, expected, strict=True):
        assert a == pytest.approx(e, rel=1e-12, abs=1e-300)
