"""Published percentages back to the counts they were worked out from (`percent_of`).

A survey breakdown publishes "27.5% of 284"; the measures need the 78 respondents behind it.
The arithmetic is exact (integers only), and honest about rounding: a percentage rounded to
few decimals of a large base fits several counts, and says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from equitrack.ingest.profile import PERCENT_DECIMALS

_PERCENT = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)\s*%?")
_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")


@dataclass(frozen=True)
class Counted:
    """The counts of a base whose share, rounded as it was published, is the published value."""

    count: int  # the one nearest percentage × base / 100: the one loaded
    low: int
    high: int


def read_percent(value: str) -> tuple[int, int]:
    """`'27.3%'` → `(273, 1)`: the percentage in units of its last written decimal place, and
    the number of decimals written (which say how it was rounded). ValueError says why not."""
    match = _PERCENT.fullmatch(value.strip())
    if not match:
        raise ValueError(f"'{value}' is not a percentage (a number such as 27.3 or 27.3%)")
    whole, _, decimals = match.group(2).partition(".")
    if len(decimals) > PERCENT_DECIMALS:
        raise ValueError(
            f"'{value}' has more than {PERCENT_DECIMALS} decimal places, more than a published "
            "percentage has"
        )
    units = int((whole or "0") + decimals)
    if (match.group(1) == "-" and units) or units > 100 * 10 ** len(decimals):
        raise ValueError(f"'{value}' is not a percentage: it is outside 0–100")
    return units, len(decimals)


def counts_for(units: int, decimals: int, base: int) -> Counted | None:
    """The whole numbers k of `base` whose k / base × 100, rounded to `decimals` places, is the
    percentage (`units` / 10^decimals); None when there is none. A half may have been rounded
    either way, so a percentage exactly half a unit from k fits it. Exact integer arithmetic:

        |k × 100 / base − units / 10^d| ≤ ½ / 10^d  ⇔  |200·10^d·k − 2·units·base| ≤ base
    """
    if base == 0:
        return Counted(0, 0, 0) if units == 0 else None
    scale = 200 * 10**decimals
    twice = 2 * units * base
    low = max(0, -((base - twice) // scale))  # ceil((twice - base) / scale)
    high = min(base, (twice + base) // scale)
    if low > high:
        return None
    nearest = (twice + scale // 2) // scale  # percentage × base / 100, a half rounded up
    return Counted(min(max(nearest, low), high), low, high)


def count_of(percent: str, base: str | None, base_label: str) -> Counted | str:
    """The counts a published percentage of a base can stand for, or why it stands for none."""
    try:
        units, decimals = read_percent(percent)
    except ValueError as exc:
        return str(exc)
    if base is None:
        return f"'{percent}' cannot be turned into a count: {base_label} is blank"
    if not _WHOLE.fullmatch(base) or base.lstrip().startswith("-"):
        return f"'{percent}' cannot be turned into a count: {base_label} '{base}' is not a count"
    n = int(base.split(".")[0])
    fit = counts_for(units, decimals, n)
    if fit is not None:
        return fit
    if n == 0:
        return f"'{percent}' cannot be a percentage of 0 ({base_label}): only 0 can"
    below = units * n // (100 * 10**decimals)
    shown = [f"{k} of {n} is {_percent_text(k, n, decimals)}" for k in (below, below + 1) if k <= n]
    places = "whole numbers" if not decimals else f"{decimals} decimal place(s)"
    return (
        f"'{percent}' cannot be a percentage of {n} ({base_label}): no whole number of them "
        f"gives it, rounded to {places} ({' and '.join(shown)})"
    )


def _percent_text(k: int, n: int, decimals: int) -> str:
    """k of n as a percentage to `decimals` places, a half rounded up."""
    units = (200 * 10**decimals * k + n) // (2 * n)
    text_ = str(units).rjust(decimals + 1, "0")
    return f"{text_[:-decimals]}.{text_[-decimals:]}%" if decimals else f"{text_}%"
