"""Survey measures: results the survey provider already counted, per organisation and group.

WRES year Y uses the survey that ran in the autumn of Y-1. A system figure adds up its
organisations' respondents. Each group's share is compared with the reference group's as a
difference in percentage points (positive = more of the group said yes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from equitrack.measures.counting import group_type, ordered
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.populations import units
from equitrack.measures.result import Result, rated
from equitrack.stats import proportion

#: How each --by dimension is found in the survey table's group_type.
SURVEY_GROUP_TYPES = {"wres": "wres", "broad": "ethnic_group", "disability": "disability"}


def evaluate_survey(
    frame: Frame, measure: Measure, dimension: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    code = options["survey_measure"]
    instrument = options.get("instrument", "nss")
    gtype = group_type(measure.attribute, dimension)
    stored_type = SURVEY_GROUP_TYPES.get(gtype)
    if stored_type is None:
        return []  # survey providers do not break results down by detailed ethnic code
    s = frame.store.table("survey")
    s = s.filter(
        s.measure == code,
        s.instrument == instrument,
        s.group_type == stored_type,
        s.survey_year.isin([y - 1 for y in years]),
    ).join(units(frame.store, frame.scope), "org_code")
    counted = (
        s.group_by(["survey_year", "unit", "group_value"])
        .aggregate(responses=s.responses.sum(), positive=s.positive.sum())
        .to_pyarrow()
        .to_pylist()
    )
    cells: dict[tuple[int, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in counted:
        cells[(int(row["survey_year"]) + 1, row["unit"])][row["group_value"]] = (
            int(row["positive"]),
            int(row["responses"]),
        )
    reference = measure.options.get("reference", "White")
    results = []
    for (period, unit), groups in sorted(cells.items()):
        ref = groups.get(reference)
        ref_rate = proportion(*ref).rate if ref else None
        for group in ordered(groups):
            positive, responses = groups[group]
            result = rated(
                positive,
                responses,
                measure=measure.id,
                org=unit,
                period=period,
                group_type=gtype,
                group=group,
                too_few=responses < 11,
                options=options,
            )
            if responses < 11:
                result.reason = "fewer than 11 respondents"
            if ref_rate is not None and result.rate is not None and group != reference:
                result.reference_group = reference
                result.difference = 100 * (result.rate - ref_rate)
            results.append(result)
    return results
