"""One engine for every declared measure: Ibis queries return counts, Python adds statistics.

The heavy part (scanning assignments, cases, applications) runs in the engine and returns a
few hundred rows of counts per measure; everything after that is pure functions of integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from equitrack.measures.categories import evaluate_categories
from equitrack.measures.comparison import evaluate_comparison
from equitrack.measures.counting import DIMENSIONS
from equitrack.measures.declare import Attribute, Frame, Kind, Measure, Shared, with_earlier_years
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
    dimension: str = "wres"
    options: Mapping[str, Any] | None = None
    grouping: EthnicGrouping = DEFAULT_GROUPING
    shared: Shared | None = None  # populations reused across the measures of one run


def evaluate(store: Store, measure: Measure, request: Request) -> list[Result]:
    """One measure's results. Pass `Request.shared` to reuse populations across measures."""
    if request.shared is None:
        with Shared() as shared:
            return evaluate(store, measure, replace(request, shared=shared))
    if request.dimension not in DIMENSIONS:
        raise ValueError(f"--by must be one of {', '.join(DIMENSIONS)}")
    options = measure.resolve(request.options)
    window = int(options.get("window", measure.window))
    wanted = tuple(sorted(set(request.years)))
    frame = Frame(
        store,
        request.scope,
        with_earlier_years(wanted, window),
        options,
        request.grouping,
        request.shared,
    )
    recorded = {
        **options,
        "scope": request.scope.as_option(),
        **(
            {"ethnic_grouping": request.grouping.as_option()}
            if measure.attribute is Attribute.ETHNICITY
            else {}
        ),
    }
    return EVALUATORS[measure.kind](frame, measure, request.dimension, wanted, window, recorded)
