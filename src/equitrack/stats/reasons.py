"""Why a figure is missing or qualified, as data: a code and its numbers, made into words here.

Measures and statistics say why with a `Reason` (a code and the numbers it quotes) and take
their words from `words`; the disclosure gate rebuilds the numbers from the figures it shows, or
drops those it cannot show, and calls `words` again. So the gate never reads a number back out
of a sentence, and rewording a message never changes what is protected.

A reason of several parts (a gap's workforce share and the headcount needed for parity) has
its codes joined by "+" and one set of values; its words are each part's, joined by "; ".
`COUNTS` names the values that are counts of people, which the gate must not pass on exact.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .differences import parity_pace
from .rounding import format_share

Value = float | int | str
Values = Mapping[str, Value]
#: How a result's codes are joined when its reason has several parts.
JOIN = "+"


class Code(StrEnum):
    """Every reason a result can carry."""

    TOO_FEW = "too_few"  # counts below the floors for telling (stats.verdicts)
    EMPTY_GROUPS = "empty_groups"  # a group of a ratio has no one in it
    NO_EVENTS_EITHER = "no_events_either"
    UNDEFINED_RATIO = "undefined_ratio"  # no events in the group the ratio divides by
    ZERO_RATIO = "zero_ratio"
    EMPTY_POPULATION = "empty_population"  # a rate of nobody
    WORKFORCE_SHARE = "workforce_share"  # WRES 9 / Model Employer: the group's staff share
    NO_WORKFORCE = "no_workforce"
    NEEDED_FOR_PARITY = "needed_for_parity"  # Model Employer: appended to a gap row
    NEEDED_ROW = "needed_row"  # Model Employer's row of the headcount needed for a cell
    NOT_KNOWN = "not_known"  # pay: the share of staff whose ethnicity is not known
    QUARTER_PEOPLE = "quarter_people"  # pay quarters: the group's people of the quarter's
    PAY_NO_DATA = "pay_no_data"
    PAY_REFERENCE_ZERO = "pay_reference_zero"
    PAY_CENTRES = "pay_centres"  # pay: the group's mean or median against the reference's
    FEW_RESPONDENTS = "few_respondents"  # survey groups below the reporting floor
    OUTNUMBERED = "outnumbered"  # more events than people: counts, but no rate or ratio
    MEAN_OF_RATES = "mean_of_rates"
    NO_DATA = "no_data"  # nothing loaded gives the figure (words fixed by the producer)
    TOO_FEW_TO_SHOW = "too_few_to_show"  # the gate: a comparison its shown counts cannot give
    SUPPRESSED = "suppressed"  # the gate: a leading figure not shown
    WITHHELD = "withheld"  # the gate: a reason it cannot make safe
    NOT_RELEASED = "not_released"  # a figure outside the audience's protected release


#: The values of each code that are counts of people (the gate rebuilds or drops them).
COUNTS: dict[Code, frozenset[str]] = {
    Code.TOO_FEW: frozenset(
        {"focus_events", "reference_events", "focus_population", "reference_population"}
    ),
    Code.WORKFORCE_SHARE: frozenset({"workforce", "staff"}),
    Code.NEEDED_FOR_PARITY: frozenset({"needed"}),
    Code.NEEDED_ROW: frozenset({"needed"}),
    Code.NOT_KNOWN: frozenset({"share"}),  # a share of counts, as good as them
    Code.QUARTER_PEOPLE: frozenset({"people", "quarter_size"}),
}

_TOO_FEW_ORDER = (
    ("focus_events", "focus group events", "min_events"),
    ("reference_events", "reference group events", "min_events"),
    ("focus_population", "focus group population", "min_population"),
    ("reference_population", "reference group population", "min_population"),
)


@dataclass(frozen=True)
class Reason:
    """A code (or several joined by `JOIN`) and the numbers its words quote."""

    code: str
    values: Mapping[str, Value] = field(default_factory=dict)

    @property
    def words(self) -> str:
        return words(self.code, self.values)

    def __add__(self, other: Reason) -> Reason:
        return Reason(f"{self.code}{JOIN}{other.code}", {**self.values, **other.values})


def codes_of(code: str | None) -> list[Code]:
    """The codes of a reason's parts (a code not listed raises ValueError)."""
    return [] if not code else list(_parsed(code))


@functools.lru_cache(maxsize=1024)
def _parsed(code: str) -> tuple[Code, ...]:
    """A reason's codes, read once for each joined code (a release reads each of a few dozen
    again for every result it gates)."""
    return tuple(Code(c) for c in code.split(JOIN))


def words(code: str, values: Values) -> str:
    """The words of a reason: each part's, joined by "; "."""
    return "; ".join(_WORDS[c](values) for c in codes_of(code))


def _too_few(v: Values) -> str:
    """Each count below its floor; once the gate has dropped a count, that it is below."""
    below = str(v.get("below", "")).split(",")
    parts = []
    for key, name, floor in _TOO_FEW_ORDER:
        if key in below:
            count = f" {v[key]}" if key in v else ""
            shown = f" (below {v[floor]})" if key in v else f" below {v[floor]}"
            parts.append(f"{name}{count}{shown}")
    return "too few to tell: " + "; ".join(parts)


def _empty_groups(v: Values) -> str:
    names = str(v["groups"]).split(",")
    verb = "are" if len(names) == 2 else "is"
    return f"the {' and the '.join(names)} {verb} empty (no staff), so there is no rate to compare"


def _workforce(v: Values) -> str:
    if "workforce" not in v or "staff" not in v or not v["staff"]:
        return "workforce share not shown (small numbers)"
    share = float(v["workforce"]) / float(v["staff"])
    return f"{format_share(share)} of {int(v['staff']):,} staff"


def _pace(v: Values) -> str:
    needed, target, year = v.get("needed"), v.get("target"), v.get("year")
    if not needed or target is None or year is None:
        return ""
    pace = parity_pace(int(needed), int(year), int(target))
    if pace is None:
        return ""
    return f", about {pace:,} a year to reach it by {target}"


def _needed(v: Values) -> str:
    if "needed" not in v:
        return "headcount for parity not shown (small numbers)"
    if not v["needed"]:
        return "at or above parity"
    return f"{int(v['needed']):,} more needed for parity{_pace(v)}"


def _needed_row(v: Values) -> str:
    if "needed" in v and not v["needed"]:
        return "at or above parity"
    posts = "senior posts as many as now" if v.get("parity") == "replace" else "posts added"
    return (
        f"more {v['group']} staff needed at this level for their share to equal their "
        f"workforce share ({posts}){_pace(v)}"
    )


def _quarter(v: Values) -> str:
    if "people" not in v or "quarter_size" not in v:
        return "people in the quarter not shown (small numbers)"
    if v.get("rounded"):
        return f"about {float(v['people']):.0f} of {float(v['quarter_size']):.0f} people"
    return f"{float(v['people']):.2f} of {float(v['quarter_size']):.2f} people"


def _money(v: Values, key: str) -> str:
    return f"£{float(v[key]):,.2f}" if key in v else "–"


def _outnumbered(v: Values) -> str:
    whose = f"for {v['group']} staff, " if v.get("group") else ""
    return f"{whose}{v['words']}, so no rate or ratio is given"


_WORDS: dict[Code, Callable[[Values], str]] = {
    Code.TOO_FEW: _too_few,
    Code.EMPTY_GROUPS: _empty_groups,
    Code.NO_EVENTS_EITHER: lambda v: "no events in either group, so the ratio is undefined (0/0)",
    Code.UNDEFINED_RATIO: lambda v: f"no events in the {v['group']}, so the ratio is undefined",
    Code.ZERO_RATIO: lambda v: f"no events in the {v['group']}, so the ratio is 0",
    Code.EMPTY_POPULATION: lambda v: "the population is empty, so there is no rate",
    Code.WORKFORCE_SHARE: _workforce,
    Code.NO_WORKFORCE: lambda v: "no workforce to compare with",
    Code.NEEDED_FOR_PARITY: _needed,
    Code.NEEDED_ROW: _needed_row,
    Code.NOT_KNOWN: lambda v: (
        f"{format_share(float(v['share']) if 'share' in v else None, missing='–')} "
        "of staff not known"
    ),
    Code.QUARTER_PEOPLE: _quarter,
    Code.PAY_NO_DATA: lambda v: (
        f"no data: no staff {v['who']} in {v['groups']}"
        if "groups" in v
        else f"no data: nobody {v['who']}"
    ),
    Code.PAY_REFERENCE_ZERO: lambda v: (
        f"the reference {v['which']} pay is 0, so the gap is undefined"
    ),
    Code.PAY_CENTRES: lambda v: (
        f"{v['stat']} {_money(v, 'group_pay')} against {_money(v, 'reference_pay')}"
    ),
    Code.FEW_RESPONDENTS: lambda v: f"fewer than {v['floor']} respondents",
    Code.OUTNUMBERED: _outnumbered,
    Code.MEAN_OF_RATES: lambda v: (
        "ratio of the mean of yearly rates; interval and test from pooled counts"
    ),
    Code.NO_DATA: lambda v: str(v["text"]),
    Code.TOO_FEW_TO_SHOW: lambda v: "too few to show",
    Code.SUPPRESSED: lambda v: "suppressed to protect small numbers",
    Code.WITHHELD: lambda v: "detail withheld (exact figures)",
    Code.NOT_RELEASED: lambda v: (
        "not released to this audience (outside the years and figures protected together)"
    ),
}
assert set(_WORDS) == set(Code), "every code has its words"


def too_few(counts: Mapping[str, int], min_events: int, min_population: int) -> Reason | None:
    """`Code.TOO_FEW` for the counts (keys as `_TOO_FEW_ORDER`) below their floors, or None."""
    floors = {"min_events": min_events, "min_population": min_population}
    below = [key for key, _, floor in _TOO_FEW_ORDER if counts[key] < floors[floor]]
    if not below:
        return None
    return Reason(
        Code.TOO_FEW, {"below": ",".join(below), **{k: counts[k] for k in below}, **floors}
    )


__all__ = ["COUNTS", "JOIN", "Code", "Reason", "Value", "Values", "codes_of", "too_few", "words"]
