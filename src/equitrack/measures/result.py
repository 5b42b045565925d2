"""The one result shape every measure returns; the CLI, API, reports and exports render it."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pyarrow as pa

from equitrack.stats import Comparison, Proportion, proportion


@dataclass
class Result:
    """One figure: a group's count and rate, and where it is compared, its ratio to the reference.

    `breakdown` says which cell of a table this is when a measure has more than one (WRES 1's
    "clinical | Band 5", WRES 9's "voting"). `excluded` counts records left out of the
    comparison (unknown ethnicity, out of window), so nothing is dropped silently.
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
    orientation: str | None = None  # of a comparison: "harm" or "benefit" (which way is worse)
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

    def record(self) -> dict[str, Any]:
        return asdict(self)

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


def outnumbered_reason(words: str, group: str | None = None) -> str:
    """The reason a result carries when it has counts but no rate or ratio: `words` say why the
    events outnumber the population (of `group`, when it is another group's, the reference's)."""
    whose = f"for {group} staff, " if group else ""
    return f"{whose}{words}, so no rate or ratio is given"


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
        "reason": c.reason,
    }


def rated(
    numerator: int, denominator: int, outnumbered: str = OUTNUMBERED, **values: Any
) -> Result:
    """A result whose rate and 95% Wilson interval come from its own counts; where the events
    outnumber the population (entrants who have since left, say), the counts alone, and why."""
    if numerator > denominator:
        values.setdefault("reason", outnumbered_reason(outnumbered))
        return Result(numerator=numerator, denominator=denominator, **values)
    p = _proportion(numerator, denominator)
    values.setdefault("reason", p.reason)
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
    ]
)
assert tuple(SCHEMA.names) == FIELDS, "Result and SCHEMA must list the same fields in order"


def to_arrow(results: Iterable[Result]) -> pa.Table:
    rows = []
    for r in results:
        row = r.record()
        row["options"] = json.dumps(row["options"], sort_keys=True)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMA)
