"""One engine for every declared measure: Ibis queries return counts, Python adds statistics.

The heavy part (scanning assignments, cases, applications) runs in the engine and returns a
few hundred rows of counts per measure; everything after that is pure functions of integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from equitrack.measures import calendar
from equitrack.measures.calendar import Interval
from equitrack.measures.categories import evaluate_categories
from equitrack.measures.comparison import evaluate_comparison
from equitrack.measures.counting import DIMENSIONS
from equitrack.measures.covered import gate
from equitrack.measures.declare import Attribute, Frame, Kind, Measure, Shared, with_earlier_periods
from equitrack.measures.gaps import evaluate_gap
from equitrack.measures.pay import evaluate_pay_gap
from equitrack.measures.populations import Scope
from equitrack.measures.progression import evaluate_parity_gap
from equitrack.measures.representation import evaluate_representation
from equitrack.measures.result import Result
from equitrack.measures.shares import evaluate_share
from equitrack.measures.survey import evaluate_survey
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.store import Store

EVALUATORS = {
    Kind.COMPARISON: evaluate_comparison,
    Kind.REPRESENTATION: evaluate_representation,
    Kind.SURVEY: evaluate_survey,
    Kind.GAP: evaluate_gap,
    Kind.PARITY_GAP: evaluate_parity_gap,
    Kind.SHARE: evaluate_share,
    Kind.CATEGORIES: evaluate_categories,
    Kind.PAY_GAP: evaluate_pay_gap,
}


@dataclass
class Request:
    """What the caller asked for."""

    years: tuple[int, ...]
    scope: Scope = field(default_factory=Scope)
    by: str = "wres"
    options: Mapping[str, Any] | None = None
    grouping: EthnicGrouping = DEFAULT_GROUPING
    shared: Shared | None = None  # populations reused across the measures of one run
    interval: Interval = Interval.YEAR  # months give a series for SPC charts


#: Kinds measured once a year whatever is asked: the staff survey runs each autumn and pay is
#: a 31 March snapshot.
YEARLY_ONLY = frozenset({Kind.SURVEY, Kind.PAY_GAP})


def has_interval(measure: Measure, interval: Interval) -> bool:
    return interval is Interval.YEAR or measure.kind not in YEARLY_ONLY


def evaluate(store: Store, measure: Measure, request: Request) -> list[Result]:
    """One measure's results. Pass `Request.shared` to reuse populations across measures."""
    if request.shared is None:
        with Shared() as shared:
            return evaluate(store, measure, replace(request, shared=shared))
    if request.by not in DIMENSIONS:
        raise ValueError(f"--by must be one of {', '.join(DIMENSIONS)}")
    if not has_interval(measure, request.interval):
        raise ValueError(f"{measure.id} is measured once a year; there is no monthly series")
    options = measure.resolve(request.options)
    window = int(options.get("window", measure.window))
    wanted = calendar.periods(request.years, request.interval)
    if request.interval is Interval.MONTH:
        # each month stands alone: pooling months would blur the changes a chart is for
        window = 1
        if "window" in options:
            options = {**options, "window": 1}
    frame = Frame(
        store,
        request.scope,
        with_earlier_periods(wanted, window),
        options,
        request.grouping,
        request.shared,
        request.interval,
    )
    recorded = {
        **options,
        "scope": request.scope.as_option(),
        **({"interval": str(request.interval)} if request.interval is Interval.MONTH else {}),
        **(
            {"ethnic_grouping": request.grouping.as_option()}
            if measure.attribute is Attribute.ETHNICITY
            else {}
        ),
    }
    results = EVALUATORS[measure.kind](frame, measure, request.by, wanted, window, recorded)
    return gate(
        store, measure, request.scope, request.by, wanted, results, recorded, request.shared
    )
