"""Survey measures: results the survey provider already counted, per organisation and group.

WRES year Y uses the survey that ran in the autumn of Y-1. A system figure adds up its
organisations' respondents. Each group's share is compared with the reference group's as a
difference in percentage points (positive = more of the group said yes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pyarrow as pa

from equitrack.measures.comparison import Comparisons
from equitrack.measures.counting import group_type, once_for_every_grouping, ordered
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.populations import units
from equitrack.measures.result import Result, rated
from equitrack.stats import Orientation, compare, proportion
from equitrack.stats.reasons import Code, Reason

#: How each `by` grouping is found in the survey table's group_type.
SURVEY_GROUP_TYPES = {"wres": "wres", "broad": "ethnic_group", "disability": "disability"}
#: Survey items where saying yes is the harm (harassment, discrimination, pressure to work
#: when unwell); on the others (equal opportunities, feeling valued, adjustments, recommending
#: the organisation) yes is the benefit.
HARMFUL_ITEMS = frozenset({"wres5", "wres6", "wres8", "wdes4", "wdes6"})
#: What respondents counted by each item said, as a sentence continues "12.0% of Black staff …".
ITEM_PHRASES = {
    "wres5": "said they had experienced harassment, bullying or abuse from patients, relatives "
    "or the public in the last 12 months",
    "wres6": "said they had experienced harassment, bullying or abuse from staff in the last 12 "
    "months",
    "wres7": "believed their organisation provides equal opportunities for career progression "
    "or promotion",
    "wres8": "said they had experienced discrimination at work from a manager, team leader or "
    "other colleagues in the last 12 months",
    "wdes4": "said they had experienced harassment, bullying or abuse from managers or other "
    "colleagues in the last 12 months",
    "wdes5": "believed their organisation provides equal opportunities for career progression "
    "or promotion",
    "wdes6": "said they had felt pressure from their manager to come to work when not feeling "
    "well enough to perform their duties",
    "wdes7": "were satisfied with the extent to which their organisation values their work",
    "wdes8": "said their employer had made adequate adjustments to enable them to carry out "
    "their work",
    "wdes9": "would recommend their organisation as a place to work",
}
#: Respondents a group needs before its result is shown or compared (the survey's own rule).
FEWEST_RESPONDENTS = 11


def orientation(item: str) -> Orientation:
    return Orientation.HARM if item in HARMFUL_ITEMS else Orientation.BENEFIT


def _counted(frame: Frame, instrument: str, stored_type: str, years: Sequence[int]) -> pa.Table:
    """Every survey item's respondents and yeses per survey year, unit and group, in one query
    for all the survey measures of a run (WRES 5 to 8 read the same rows for four items; each
    query has a fixed cost larger than these few hundred rows), and once for both groupings
    that read the same group type."""
    s = frame.store.table("survey")
    s = s.filter(
        s.instrument == instrument,
        s.group_type == stored_type,
        s.survey_year.isin([y - 1 for y in years]),
    ).join(units(frame.store, frame.scope), "org_code")
    return frame.shared.fetched(
        s.group_by(["measure", "survey_year", "unit", "group_value"]).aggregate(
            responses=s.responses.sum(), positive=s.positive.sum()
        )
    )


def evaluate_survey(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    code = options["survey_measure"]
    instrument = options.get("instrument", "nss")
    gtype = group_type(measure.attribute, by)
    stored_type = SURVEY_GROUP_TYPES.get(gtype)
    if stored_type is None:
        return []  # survey providers do not break results down by detailed ethnic code
    counted = once_for_every_grouping(
        frame, (measure.id, stored_type, tuple(years)), lambda: [
            row
            for row in _counted(frame, instrument, stored_type, years).to_pylist()
            if row["measure"] == code
        ],
    )  # fmt: skip
    cells: dict[tuple[int, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in counted:
        cells[(int(row["survey_year"]) + 1, row["unit"])][row["group_value"]] = (
            int(row["positive"]),
            int(row["responses"]),
        )
    reference = measure.options.get("reference", "White")
    results = []
    comparisons = Comparisons()
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
                too_few=responses < FEWEST_RESPONDENTS,
                options=options,
            )
            if responses < FEWEST_RESPONDENTS:
                result.say(Reason(Code.FEW_RESPONDENTS, {"floor": FEWEST_RESPONDENTS}))
            elif ref is not None and ref[1] >= FEWEST_RESPONDENTS and group != reference:
                # the same relative likelihood, interval and verdict as every other comparison,
                # beside the difference in points that survey reports lead with
                c = compare(positive, responses, *ref, orientation=measure.orientation)
                comparisons.add(result, reference, c)
            if ref_rate is not None and result.rate is not None and group != reference:
                result.reference_group = reference
                result.difference = 100 * (result.rate - ref_rate)
            results.append(result)
    comparisons.adjust()
    return results
