"""Display rounding: half up on the decimal value the number stands for."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.stats import (
    format_interval,
    format_points,
    format_ratio,
    format_share,
    round_half_up,
)


def test_python_round_is_not_what_we_want() -> None:
    # the reason this module exists: banker's rounding on binary floats
    assert round(1.125, 2) == 1.12
    assert round(2.675, 2) == 2.67


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (1.125, 2, "1.13"),
        (2.675, 2, "2.68"),  # the float is 2.67499999…, the decimal value is 2.675
        ("2.675", 2, "2.68"),
        (Decimal("2.675"), 2, "2.68"),
        (Fraction(9, 8), 2, "1.13"),
        (1.6, 2, "1.60"),
        (0.3 / 0.1875, 2, "1.60"),  # 1.5999999999999999
        (3.2075085, 1, "3.2"),
        (0.05, 1, "0.1"),
        (0.045, 2, "0.05"),
        (-4.315, 2, "-4.32"),  # ties away from zero
        (-0.004, 2, "0.00"),  # no negative zero
        (7, 2, "7.00"),
        (1234567.125, 2, "1234567.13"),
    ],
)
def test_round_half_up(value: object, places: int, text: str) -> None:
    assert str(round_half_up(value, places)) == text  # type: ignore[arg-type]


def test_round_half_up_rejects_what_is_not_a_finite_number() -> None:
    for bad in (float("inf"), float("nan")):
        with pytest.raises(ValueError):
            round_half_up(bad, 2)
    with pytest.raises(ValueError):
        round_half_up(1.0, -1)


def test_formatters() -> None:
    assert format_ratio(1.125) == "1.13"
    assert format_ratio(Fraction(8, 5)) == "1.60"
    assert format_ratio(None) == "undefined"
    assert format_ratio(None, missing="–") == "–"
    assert format_share(Fraction(2, 14)) == "14.3%"
    assert format_share(0.186) == "18.6%"
    assert format_share(0.12345) == "12.3%"
    assert format_share(0.00125, places=2) == "0.13%"
    assert format_points(Fraction(-151, 35)) == "-4.31"
    assert format_interval(1.346434, 1.901317) == "1.35 to 1.90"
    assert format_interval(10.4203, None) == "10.42 to no upper limit"
    assert format_interval(None, None) == "no interval"


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=3),
)
def test_a_trailing_five_always_rounds_away_from_zero(whole: int, places: int) -> None:
    # a decimal string ending in 5 one place past the rounding point: e.g. 12.345 → 12.35
    digits = abs(whole) * 10 + 5
    text = ("-" if whole < 0 else "") + str(Decimal(digits).scaleb(-(places + 1)))
    expected = Decimal(abs(whole) + 1).scaleb(-places)
    expected = -expected if whole < 0 else expected
    assert round_half_up(text, places) == expected
    assert str(round_half_up(text, places)) == str(expected)
    as_float = float(text)
    if len(text.lstrip("-").replace(".", "").lstrip("0")) <= 15:  # float keeps every digit
        assert round_half_up(as_float, places) == expected


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
)
def test_floats_round_like_decimal_half_up_on_their_repr(value: float, places: int) -> None:
    oracle = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    got = round_half_up(value, places)
    assert got == oracle
    assert got.as_tuple().exponent == -places
