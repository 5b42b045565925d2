"""Small hand-made results in the shapes measures return, for checking the gate by hand."""

from __future__ import annotations

from collections.abc import Mapping

from equitrack.measures.result import Result, compared, rated
from equitrack.stats import compare, proportion
from equitrack.stats.reasons import Code, Reason

ORG = "RX1"
YEAR = 2026
SCOPE = {"scope": {"orgs": [], "system": False}}


def representation(
    cells: Mapping[str, Mapping[str, int]],
    *,
    org: str = ORG,
    group_type: str = "wres",
    measure: str = "wres1",
) -> list[Result]:
    """WRES 1 rows: each cell's groups as shares of the cell's total (cells given in full)."""
    out = []
    for cell, groups in cells.items():
        total = sum(groups.values())
        for group, n in groups.items():
            out.append(
                rated(
                    n,
                    total,
                    measure=measure,
                    org=org,
                    period=YEAR,
                    group_type=group_type,
                    group=group,
                    breakdown=cell,
                    options=dict(SCOPE),
                )
            )
    return out


def comparison(
    counts: Mapping[str, tuple[int, int]],
    *,
    org: str = ORG,
    measure: str = "wres3",
    reference: str = "White",
    orientation: str = "harm",
) -> list[Result]:
    """A comparison's rows (events, members per group) with each group's ratio to White."""
    ref_events, ref_members = counts[reference]
    excluded = counts.get("Unknown", (0, 0))[1]
    out = []
    for group, (events, members) in counts.items():
        r = rated(
            events,
            members,
            measure=measure,
            org=org,
            period=YEAR,
            group_type="wres",
            group=group,
            excluded=excluded,
            options={**SCOPE, "window": 1, "pooling": "pooled"},
        )
        if group not in (reference, "Unknown"):
            c = compare(events, members, ref_events, ref_members, orientation=orientation)
            r.reference_group = reference
            for name, value in compared(c).items():
                setattr(r, name, value)
            r.verdict_adjusted = r.verdict
        out.append(r)
    return out


def survey(
    counts: Mapping[str, tuple[int, int]], *, org: str = ORG, measure: str = "wres5"
) -> list[Result]:
    """Survey rows (positive, respondents per group) with each group's difference from White."""
    ref_rate = proportion(*counts["White"]).rate
    out = []
    for group, (positive, responses) in counts.items():
        r = rated(
            positive,
            responses,
            measure=measure,
            org=org,
            period=YEAR,
            group_type="wres",
            group=group,
            too_few=responses < 11,
            options={**SCOPE, "survey_measure": measure, "instrument": "nss"},
        )
        if responses < 11:
            r.say(Reason(Code.FEW_RESPONDENTS, {"floor": 11}))
        if group != "White" and r.rate is not None and ref_rate is not None:
            r.reference_group = "White"
            r.difference = 100 * (r.rate - ref_rate)
        out.append(r)
    return out


def by(results: list[Result], **where: object) -> Result:
    """The one result matching every field given."""
    found = [r for r in results if all(getattr(r, k) == v for k, v in where.items())]
    assert len(found) == 1, f"{len(found)} results match {where}"
    return found[0]
