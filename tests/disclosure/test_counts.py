"""The one rule for a count, checked by hand."""

import pytest

from equitrack.disclosure import Policy, rounded, shown_count
from equitrack.disclosure.counts import shown_amount

PUBLIC = Policy()


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, None), (5, None), (7, None), (8, 10), (12, 10), (13, 15), (15, 15), (17, 15),
     (18, 20), (22, 20), (23, 25), (1002, 1000), (1003, 1005)],
)  # fmt: skip
def test_public_counts(count: int, shown: int | None) -> None:
    assert shown_count(count, PUBLIC) == shown


def test_halves_round_up_and_exact_policies_change_nothing() -> None:
    assert rounded(15, 10) == 20 and rounded(25, 10) == 30 and rounded(14, 10) == 10
    assert rounded(7, 1) == 7
    assert shown_count(3, Policy(exact=True)) == 3


def test_a_count_never_rounds_to_zero() -> None:
    loose = Policy(smallest_shown=1, rounding_base=5)
    assert shown_count(1, loose) is None and shown_count(3, loose) == 5


def test_fractional_people_are_treated_as_counts() -> None:
    assert shown_amount(0.0, PUBLIC) == 0
    assert shown_amount(7.5, PUBLIC) is None
    assert shown_amount(212.5, PUBLIC) == 215.0
