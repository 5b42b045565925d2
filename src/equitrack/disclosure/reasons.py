"""Reasons in words, made safe to show: a reason must not carry the exact count the figures
beside it were rounded or suppressed to hide.

Measures write counts into their reasons ("too few to tell: focus group events 3 (below 10)",
WRES 9's "12.5% of 1,234 staff", Model Employer's "7 more needed for parity"). Each part of a
reason (parts are joined by "; ") is kept when it holds no number but zero, rewritten from the
shown figures when its form is known, and otherwise withheld.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from equitrack.stats import format_share

TOO_FEW_TO_SHOW = "too few to show"
SUPPRESSED = "suppressed to protect small numbers"
WITHHELD = "detail withheld (exact figures)"


@dataclass(frozen=True)
class Shown:
    """The shown figures a reason may be rebuilt from (None: not shown)."""

    period: int = 0
    workforce_share: float | None = None  # WRES 9: the group's shown share of the workforce
    workforce_total: int | None = None
    needed: int | None = None  # Model Employer: headcount needed for parity, from shown figures
    share: float | None = None  # the result's own rate from shown counts
    people: float | None = None  # pay quarters: people of the group in the quarter, rounded
    quarter_size: float | None = None


def _too_few(m: re.Match[str], shown: Shown) -> str:
    return f"{m['lead'] or ''}{m['what']} below {m['floor']}"


def _workforce(m: re.Match[str], shown: Shown) -> str:
    if shown.workforce_share is None or shown.workforce_total is None:
        return "workforce share not shown (small numbers)"
    return f"{format_share(shown.workforce_share)} of {shown.workforce_total:,} staff"


def _pace(shown: Shown, target: str | None) -> str:
    if not target or not shown.needed:
        return ""
    years_left = int(target) - shown.period
    if years_left <= 0:
        return ""
    return f", about {-(-shown.needed // years_left):,} a year to reach it by {target}"


def _needed(m: re.Match[str], shown: Shown) -> str:
    if shown.needed is None:
        return "headcount for parity not shown (small numbers)"
    if shown.needed == 0:
        return "at or above parity"
    return f"{shown.needed:,} more needed for parity{_pace(shown, m['target'])}"


def _needed_row(m: re.Match[str], shown: Shown) -> str:
    return f"{m['text']}{_pace(shown, m['target'])}"


def _not_known(m: re.Match[str], shown: Shown) -> str:
    return f"{format_share(shown.share, missing='–')} of staff not known"


def _quarter(m: re.Match[str], shown: Shown) -> str:
    if shown.people is None or shown.quarter_size is None:
        return "people in the quarter not shown (small numbers)"
    return f"about {shown.people:.0f} of {shown.quarter_size:.0f} people"


def _kept(m: re.Match[str], shown: Shown) -> str:
    return m[0]


_PACE = r"(?:, about [\d,]+ a year to reach it by (?P<target>\d{4}))?"
#: Parts of reasons measures write with numbers in them, and how each is made safe.
_REWRITES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], Shown], str]], ...] = (
    (
        re.compile(
            r"(?P<lead>too few to tell: )?(?P<what>(?:focus|reference) group "
            r"(?:events|population)) [\d,]+ \(below (?P<floor>\d+)\)"
        ),
        _too_few,
    ),
    (re.compile(r"[\d.]+% of [\d,]+ staff"), _workforce),
    (re.compile(r"[\d,]+ more needed for parity" + _PACE), _needed),
    (re.compile(r"(?P<text>more .+ needed at this level .+\))" + _PACE), _needed_row),
    (re.compile(r"(?:[\d.]+|–)% of staff not known"), _not_known),
    (re.compile(r"[\d.]+ of [\d.]+ people"), _quarter),
    (re.compile(r"fewer than \d+ respondents"), _kept),  # a threshold, not a count
    # declared words (measures' `outnumbered`): the only number is a date ("31 March")
    (
        re.compile(
            r"(?:for [^;\d]+ staff, )?more [^;\d]+ than [^;\d]+(?:\d+ March)?[^;\d]*, so no rate or ratio is given"
        ),
        _kept,
    ),
    (re.compile(r"(?:mean|median) (?:£[\d,.]+|–) against (?:£[\d,.]+|–)"), _kept),  # pay
)


def _only_zeros(text: str) -> bool:
    return all(set(number) <= {"0", "."} for number in re.findall(r"\d[\d.,]*", text))


def safe_reason(reason: str | None, shown: Shown) -> str | None:
    """`reason` with every count in it either rebuilt from the shown figures or withheld."""
    if reason is None:
        return None
    parts = []
    for part in reason.split("; "):
        for pattern, rewrite in _REWRITES:
            m = pattern.fullmatch(part)
            if m is not None:
                parts.append(rewrite(m, shown))
                break
        else:
            parts.append(part if _only_zeros(part) else WITHHELD)
    return "; ".join(dict.fromkeys(parts))
