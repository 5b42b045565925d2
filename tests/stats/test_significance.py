"""p-values: the log-scale z test normally, Fisher's exact test when counts are small."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import fisher_exact, norm

from equitrack.stats import SignificanceTest, two_sided_p_value
from equitrack.stats.significance import expected_counts, log_z_p_value


def test_large_counts_use_the_log_scale_z_test_with_the_katz_se() -> None:
    # WRES 2: z = ln 1.6 / sqrt(0.00775) = 5.3388825 (bc -l)
    s = two_sided_p_value(150, 800, 300, 1000)
    assert s.test is SignificanceTest.Z_LOG
    assert s.p_value == pytest.approx(2 * norm.sf(5.33888246738), rel=1e-9)
    assert s.p_value == pytest.approx(9.3521e-8, rel=1e-4)


def test_an_expected_count_below_five_switches_to_fisher() -> None:
    # 50 and 50 staff, 9 events in all: expected events 4.5 in each group
    s = two_sided_p_value(4, 50, 5, 50)
    assert min(expected_counts(4, 50, 5, 50)) == 4.5
    assert s.test is SignificanceTest.FISHER
    assert s.p_value == pytest.approx(fisher_exact([[4, 46], [5, 45]]).pvalue, rel=1e-10)


def test_an_expected_count_of_exactly_five_keeps_the_z_test() -> None:
    # 10 events over two groups of 50: expected 5.0 each, which is not below 5
    assert min(expected_counts(4, 50, 6, 50)) == 5.0
    assert two_sided_p_value(4, 50, 6, 50).test is SignificanceTest.Z_LOG


def test_min_expected_is_a_parameter() -> None:
    assert two_sided_p_value(4, 50, 6, 50, min_expected=6).test is SignificanceTest.FISHER


def test_fisher_matches_published_ritland_example() -> None:
    # Fagerland et al. (2017) ch. 4: Fisher's exact test on [[0, 16], [15, 57]] gives P = 0.06287
    s = two_sided_p_value(0, 16, 15, 72)
    assert s.test is SignificanceTest.FISHER
    assert round(s.p_value or -1, 5) == 0.06287


def test_zero_events_with_large_expected_counts_still_uses_fisher() -> None:
    # expected focus events 30·1000/6000 = 5 and over, but ln 0 has no z test
    s = two_sided_p_value(0, 1000, 30, 5000)
    assert min(expected_counts(0, 1000, 30, 5000)) >= 5
    assert s.test is SignificanceTest.FISHER
    assert s.p_value is not None and s.p_value < 0.05


def test_empty_group_has_no_p_value_and_says_why() -> None:
    s = two_sided_p_value(0, 0, 3, 10)
    assert s.p_value is None and s.test is None
    assert s.reason is not None and "empty" in s.reason


def test_identical_rates_give_p_of_one() -> None:
    assert log_z_p_value(30, 100, 60, 200) == 1.0


@st.composite
def group(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=5_000))
    return draw(st.integers(min_value=0, max_value=n)), n


@settings(max_examples=300, deadline=None)
@given(group(), group())
def test_p_value_is_a_probability_and_the_test_follows_the_rule(
    focus: tuple[int, int], reference: tuple[int, int]
) -> None:
    s = two_sided_p_value(*focus, *reference)
    assert s.p_value is not None and 0.0 <= s.p_value <= 1.0
    small = min(expected_counts(*focus, *reference)) < 5
    no_events = focus[0] == 0 or reference[0] == 0
    expected_test = SignificanceTest.FISHER if small or no_events else SignificanceTest.Z_LOG
    assert s.test is expected_test
    # the test does not care which group is the focus
    swapped = two_sided_p_value(*reference, *focus)
    assert swapped.test is s.test
    assert math.isclose(swapped.p_value or 0, s.p_value, rel_tol=1e-9, abs_tol=1e-300)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 600).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 6000).flatmap(lambda n: st.tuples(st.integers(0, min(n, 60)), st.just(n))),
)
def test_fisher_agrees_with_scipy(first: tuple[int, int], second: tuple[int, int]) -> None:
    """equitrack's own Fisher's exact test (no scipy import) against scipy.stats.fisher_exact."""
    from equitrack.stats.significance import fisher_p_value

    (a, n1), (c, n2) = first, second
    expected = fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue
    assert fisher_p_value(a, n1, c, n2) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_a_p_value_does_not_import_scipy() -> None:
    """The statistics a suite calls thousands of times start without scipy.stats's second."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from equitrack.stats.compare import compare\n"
        "compare(3, 40, 20, 3000, orientation='harm'); compare(150, 800, 300, 1000, "
        "orientation='benefit')\n"
        "print('scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
