"""Wilson score intervals: published values, an independent derivation, and the edges."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.stats import Z95, proportion, wilson_interval


def wilson_by_quadratic(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Independent re-derivation: the p with (k/n − p)² = z² p(1 − p)/n, by the quadratic formula.

    (1 + z²/n) p² − (2k/n + z²/n) p + (k/n)² = 0.
    """
    p_hat = k / n
    qa = 1 + z * z / n
    qb = -(2 * p_hat + z * z / n)
    qc = p_hat * p_hat
    root = math.sqrt(qb * qb - 4 * qa * qc)
    return (-qb - root) / (2 * qa), (-qb + root) / (2 * qa)


# Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no
# continuity correction).
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_1998)
def test_wilson_matches_newcombe_1998(k: int, n: int, low: float, high: float) -> None:
    got_low, got_high = wilson_interval(k, n)
    assert round(got_low, 4) == low
    assert round(got_high, 4) == high


def test_zero_events_runs_from_exactly_zero_to_z2_over_n_plus_z2() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z95**2 / (10 + Z95**2), rel=1e-12)
    assert round(high, 4) == 0.2775


def test_all_events_reaches_exactly_one() -> None:
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(10 / (10 + Z95**2), rel=1e-12)
    assert round(low, 4) == 0.7225


def test_empty_population_has_no_rate_and_says_why() -> None:
    p = proportion(0, 0)
    assert p.rate is None and p.ci_low is None and p.ci_high is None
    assert p.exact is None
    assert "empty" in (p.reason or "")
    with pytest.raises(ValueError, match="empty"):
        wilson_interval(0, 0)


def test_rate_is_reported_with_its_interval() -> None:
    p = proportion(150, 800)
    assert p.rate == 0.1875
    assert p.ci_low is not None and p.ci_high is not None
    assert p.ci_low < 0.1875 < p.ci_high
    assert p.reason is None


@pytest.mark.parametrize(("k", "n"), [(5, 4), (-1, 4), (1, -4)])
def test_impossible_counts_are_rejected(k: int, n: int) -> None:
    with pytest.raises(ValueError):
        proportion(k, n)


@pytest.mark.parametrize("bad", [1.0, "3", True])
def test_counts_must_be_whole_numbers(bad: object) -> None:
    with pytest.raises(TypeError):
        proportion(bad, 10)  # type: ignore[arg-type]


counts = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(counts)
def test_wilson_agrees_with_the_quadratic_and_is_a_score_interval(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = wilson_interval(k, n)
    ref_low, ref_high = wilson_by_quadratic(k, n)
    # the textbook quadratic loses ~1e-12 to cancellation near 0 and 1, hence 1e-9
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)
    assert 0.0 <= low <= k / n <= high <= 1.0
    # at each interior limit the score statistic equals z²
    for limit in (low, high):
        if 0.0 < limit < 1.0:
            score = (k / n - limit) ** 2 / (limit * (1 - limit) / n)
            assert score == pytest.approx(Z95**2, rel=1e-6)
