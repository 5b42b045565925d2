"""The one result shape every measure returns; the CLI, API, reports and exports render it."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pyarrow as pa

from equitrack.stats import (
    Band,
    Comparison,
    Orientation,
    Proportion,
    adjusted_verdict,
    benjamini_hochberg,
    proportion,
    verdict,
)
from equitrack.stats.reasons import Code, Reason, Value, words


@dataclass
class Result:
    """One figure: a group's count and rate, and where it is compared, its ratio to the reference.

    `breakdown` says which cell of a table this is when a measure has more than one (WRES 1's
    "clinical | Band 5", WRES 9's "voting"). `excluded` counts records left out of the
    comparison (unknown ethnicity, out of window), so nothing is dropped silently.

    `reason` is in words; `reason_code` and `reason_values` are what the words are made of
    (`equitrack.stats.reasons`), so the disclosure gate can rebuild or drop the numbers a
    reason quotes without reading its words. Set all three with `say`.
    """

    measure: str
    org: str
    period: int
    group_type: str
    group: str
    numerator: int | None
    denominator: int | None
    rate: float | None = None
    rate_ci_low: float | None = None
    rate_ci_high: float | None = None
    reference_group: str | None = None
    orientation: str | None = None  # of a comparison: "harm", "benefit" or "neutral"
    ratio: float | None = None
    ratio_ci_low: float | None = None
    ratio_ci_high: float | None = None
    p_value: float | None = None
    test: str | None = None
    band: str | None = None
    verdict: str | None = None
    verdict_adjusted: str | None = None
    too_few: bool | None = None
    difference: float | None = None  # percentage points, where a measure is a gap in shares
    reason: str | None = None
    breakdown: str | None = None
    suppressed: bool = False
    excluded: int | None = 0  # None once the disclosure gate has hidden it
    options: dict[str, Any] = field(default_factory=dict)
    reason_code: str | None = None  # a `Code`, or several joined by "+"
    reason_values: dict[str, Value] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def why(self) -> Reason | None:
        """The reason as data (None when the result has no code)."""
        return None if self.reason_code is None else Reason(self.reason_code, self.reason_values)

    def say(self, why: Reason | None) -> None:
        """Give the result `why`, in words and as data."""
        for name, value in because(why).items():
            setattr(self, name, value)

    @property
    def outnumbered(self) -> bool:
        """Events outnumber members (entrants who have left): counts to show, but no rate."""
        n, d = self.numerator, self.denominator
        return n is not None and d is not None and n > d


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _proportion(numerator: int, denominator: int) -> Proportion:
    """`proportion`, worked out once for each pair of counts: a suite of results repeats many
    pairs (small cells especially), and the interval is the costliest part of a result."""
    return proportion(numerator, denominator)


#: Why a cell has no rate when its events outnumber its members, for a measure that can say
#: no better (a measure declares its own words in `Measure.outnumbered`).
OUTNUMBERED = "more events were counted than people in the population"


def because(why: Reason | None) -> dict[str, Any]:
    """The fields of a result that say why: the words, and the code and numbers of `why`."""
    if why is None:
        return {"reason": None, "reason_code": None, "reason_values": {}}
    return {
        "reason": words(why.code, why.values),
        "reason_code": str(why.code),
        "reason_values": dict(why.values),
    }


def outnumbered_reason(said: str, group: str | None = None) -> Reason:
    """The reason a result carries when it has counts but no rate or ratio: `said` says why the
    events outnumber the population (of `group`, when it is another group's, the reference's)."""
    return Reason(Code.OUTNUMBERED, {"words": said, **({"group": group} if group else {})})


def compared(c: Comparison) -> dict[str, Any]:
    """The fields of a result that a comparison fills (all but the reference's name and the
    verdict allowing for many comparisons, which needs the whole family)."""
    return {
        "orientation": str(c.orientation),
        "ratio": c.ratio,
        "ratio_ci_low": c.ci_low,
        "ratio_ci_high": c.ci_high,
        "p_value": c.p_value,
        "test": c.test and str(c.test),
        "band": c.band and str(c.band),
        "verdict": str(c.verdict),
        "too_few": c.too_few,
        **because(c.why),
    }


def readjusted(results: Sequence[Result]) -> list[str | None]:
    """Each result's verdict allowing for many comparisons, made again over the comparisons
    among `results` alone (Benjamini-Hochberg over their p-values), as a run reporting just
    these would make it: part of a run (its units with data, one organisation's figures read
    from the whole release) is adjusted for the comparisons reported with it. The family is the
    results a measure adjusted (those with an adjusted verdict); adjusting can only take a
    verdict's significance away (`adjusted_verdict`)."""
    family = [i for i, r in enumerate(results) if r.verdict_adjusted is not None]
    out = [r.verdict_adjusted for r in results]
    adjusted = benjamini_hochberg([results[i].p_value for i in family])
    for i, p in zip(family, adjusted, strict=True):
        r = results[i]
        band, too_few = Band(r.band) if r.band else None, bool(r.too_few)
        neutral = r.orientation == Orientation.NEUTRAL
        significant = r.verdict == verdict(band, True, too_few, neutral=neutral)
        out[i] = str(adjusted_verdict(band, significant, too_few, p, neutral=neutral))
    return out


def rated(
    numerator: int,
    denominator: int,
    outnumbered: str = OUTNUMBERED,
    why: Reason | None = None,
    **values: Any,
) -> Result:
    """A result whose rate and 95% Wilson interval come from its own counts; where the events
    outnumber the population (entrants who have since left, say), the counts alone, and why
    (`why`, when given, says why instead)."""
    if numerator > denominator:
        values.update(because(why or outnumbered_reason(outnumbered)))
        return Result(numerator=numerator, denominator=denominator, **values)
    p = _proportion(numerator, denominator)
    values.update(because(why or p.why))
    return Result(
        numerator=numerator,
        denominator=denominator,
        rate=p.rate,
        rate_ci_low=p.ci_low,
        rate_ci_high=p.ci_high,
        **values,
    )


FIELDS = tuple(f.name for f in fields(Result))

SCHEMA = pa.schema(
    [
        ("measure", pa.string()),
        ("org", pa.string()),
        ("period", pa.int64()),
        ("group_type", pa.string()),
        ("group", pa.string()),
        ("numerator", pa.int64()),
        ("denominator", pa.int64()),
        ("rate", pa.float64()),
        ("rate_ci_low", pa.float64()),
        ("rate_ci_high", pa.float64()),
        ("reference_group", pa.string()),
        ("orientation", pa.string()),
        ("ratio", pa.float64()),
        ("ratio_ci_low", pa.float64()),
        ("ratio_ci_high", pa.float64()),
        ("p_value", pa.float64()),
        ("test", pa.string()),
        ("band", pa.string()),
        ("verdict", pa.string()),
        ("verdict_adjusted", pa.string()),
        ("too_few", pa.bool_()),
        ("difference", pa.float64()),
        ("reason", pa.string()),
        ("breakdown", pa.string()),
        ("suppressed", pa.bool_()),
        ("excluded", pa.int64()),
        ("options", pa.string()),  # JSON: Arrow and spreadsheets want one type per column
        ("reason_code", pa.string()),
        ("reason_values", pa.string()),  # JSON, as options
    ]
)
assert tuple(SCHEMA.names) == FIELDS, "Result and SCHEMA must list the same fields in order"


def to_arrow(results: Iterable[Result]) -> pa.Table:
    rows = []
    for r in results:
        row = r.record()
        row["options"] = json.dumps(row["options"], sort_keys=True)
        row["reason_values"] = json.dumps(row["reason_values"], sort_keys=True)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMA)
