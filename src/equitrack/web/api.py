"""The JSON API: the dashboard's figures for other tools, behind the same rules and gate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from equitrack.measures.counting import DIMENSIONS
from equitrack.measures.registry import FAMILIES
from equitrack.reports.recommendation import level_text
from equitrack.tracker import actions as tracked
from equitrack.tracker.plan import STATUSES, PlanProblem, load_plan
from equitrack.web.access import Permission
from equitrack.web.audit import Event
from equitrack.web.guard import Forbidden, Name, ObjectId, OrgCode, allow, principal_of

router = APIRouter(prefix="/api", tags=["api"])

#: An organisation you can see, by its ODS code.
Org = Annotated[OrgCode, Path(description="An organisation's ODS code (RT5); one you can see")]
#: A family of measures.
Family = Annotated[
    Name,
    Path(
        description="The family of measures: "
        + ", ".join(FAMILIES)
        + " (`equitrack measures` lists their measures)"
    ),
]
#: How groups are drawn.
By = Annotated[
    str,
    Query(
        description="The ethnic grouping: " + ", ".join(DIMENSIONS) + " (WRES groups by default)"
    ),
]
#: An action, by its number.
Action = Annotated[ObjectId, Path(description="The action's number, as /api/actions lists it")]

#: A reporting year, bounded: a year the calendar cannot place (0, 99999) was a server error.
Year = Annotated[
    int | None,
    Query(
        ge=2000,
        le=2100,
        description="The reporting year, by the year it ends in, as WRES counts it at 31 "
        "March (2026: 2025/26, staff in post at 31 March 2026); the latest loaded if left out",
    ),
]


class OrganisationOut(BaseModel):
    code: str
    name: str
    system: str


class ResultOut(BaseModel):
    """One figure after the disclosure gate (counts are null where too small to show)."""

    measure: str
    org: str
    period: int
    group_type: str
    group: str
    breakdown: str | None
    numerator: int | None
    denominator: int | None
    rate: float | None
    rate_ci_low: float | None
    rate_ci_high: float | None
    reference_group: str | None
    ratio: float | None
    ratio_ci_low: float | None
    ratio_ci_high: float | None
    verdict: str | None
    verdict_adjusted: str | None
    difference: float | None
    reason: str | None
    suppressed: bool
    options: dict[str, Any]


class RecommendationOut(BaseModel):
    number: int
    title: str
    status: str
    key_figure: str | None
    population: str | None = Field(None, description="Whom the headline (key figure) is about")
    level: str | None = Field(None, description="How far what was asked is happening")
    baseline: int | None = Field(None, description="The reporting year change is measured from")


class StatusIn(BaseModel):
    status: str = Field(description=f"One of {', '.join(STATUSES)}")
    note: str | None = None


class ActionOut(BaseModel):
    action_id: int
    recommendation: int
    text: str
    owner: str
    status: str
    status_date: str
    lead: str | None = None
    started: int | None = None
    due: str | None = None
    milestone: str | None = None
    rag: str | None = None
    measures: list[str] = []


class AuditOut(BaseModel):
    at: str
    username: str
    event: str
    detail: str
    address: str


def _out(results) -> list[ResultOut]:
    return [ResultOut(**{k: getattr(r, k) for k in ResultOut.model_fields}) for r in results]


def _year(request: Request, year: int | None) -> int:
    return year if year is not None else request.app.state.web.latest_year()


def _check(family: str, by: str) -> None:
    """Refuse a family or a grouping the measures do not have."""
    if family not in FAMILIES or by not in DIMENSIONS:
        raise Forbidden(
            f"family is one of {', '.join(FAMILIES)}; by is {', '.join(DIMENSIONS[:-1])} "
            f"or {DIMENSIONS[-1]}"
        )


@router.get("/organisations", name=allow("api_organisations", Permission.VIEW))
def organisations(request: Request) -> list[OrganisationOut]:
    """The organisations loaded that you can see, with their systems."""
    return [
        OrganisationOut(code=o.code, name=o.name, system=o.system)
        for o in request.app.state.web.visible(principal_of(request))
    ]


@router.get(
    "/organisations/{org}/measures/{family}",
    name=allow("api_organisation_measures", Permission.VIEW),
)
def organisation_measures(
    request: Request, org: Org, family: Family, year: Year = None, by: By = "wres"
) -> list[ResultOut]:
    """A family's results for one organisation you can see, through the disclosure gate."""
    web = request.app.state.web
    _check(family, by)
    chosen = _year(request, year)
    found = web.results(family, (chosen,), orgs=(org,), by=by)
    return _out(web.shown(principal_of(request), found))


@router.get("/system/measures/{family}", name=allow("api_system_measures", Permission.VIEW))
def system_measures(
    request: Request, family: Family, year: Year = None, by: By = "wres"
) -> list[ResultOut]:
    """A family's results for the whole system (for users with access to the whole system)."""
    web, principal = request.app.state.web, principal_of(request)
    if not principal.whole_system:
        raise Forbidden("system figures are for users with access to the whole system")
    _check(family, by)
    found = web.results(family, (_year(request, year),), system=True, by=by)
    return _out(web.shown(principal, found))


@router.get("/recommendations", name=allow("api_recommendations", Permission.VIEW))
def recommendations(request: Request, year: Year = None) -> list[RecommendationOut]:
    """Each recommendation's status and key figure, for your organisation or the whole system."""
    web, principal = request.app.state.web, principal_of(request)
    chosen = _year(request, year)
    return [
        RecommendationOut(
            number=e.recommendation.number,
            title=e.recommendation.title,
            status=str(e.status),
            key_figure=e.key_figure,
            population=e.recommendation.headline and e.recommendation.headline.population,
            level=level_text(e),
            baseline=e.baseline,
        )
        for e in web.evidence(principal, chosen, load_plan())
    ]


def _action(a) -> ActionOut:
    return ActionOut(
        action_id=a.action_id, recommendation=a.recommendation, text=a.text, owner=a.owner,
        status=a.status, status_date=a.status_date.isoformat(), lead=a.lead, started=a.started,
        due=a.due and a.due.isoformat(), milestone=a.milestone, rag=a.rag,
        measures=list(a.measures),
    )  # fmt: skip


@router.get("/actions", name=allow("api_actions", Permission.VIEW))
def actions(request: Request) -> list[ActionOut]:
    """The actions of the organisations you can see."""
    return [_action(a) for a in request.app.state.web.actions(principal_of(request))]


@router.post(
    "/actions/{action_id}/status", name=allow("api_action_status", Permission.EDIT_ACTIONS)
)
def action_status(request: Request, action_id: Action, change: StatusIn) -> ActionOut:
    """A new status for an action of your organisation (send the X-CSRF-Token header)."""
    web, principal = request.app.state.web, principal_of(request)
    try:
        action = web.store_do(
            lambda s: tracked.set_status(
                s, load_plan(), action_id, change.status, by=principal.username, note=change.note
            )
        )
    except PlanProblem as exc:
        raise Forbidden(str(exc)) from None
    web.audit(principal.username, Event.ACTION_STATUS, f"{action_id}: {change.status}", request)
    return _action(action)


@router.get("/audit", name=allow("api_audit", Permission.ADMIN, restricted=True))
def audit(
    request: Request,
    limit: Annotated[int, Query(description="The most recent entries, at most 5,000")] = 200,
) -> list[AuditOut]:
    """The audit log, newest first: all of it for the whole system, else your organisations'
    users' entries (administrators only)."""
    web = request.app.state.web
    found = web.audit_entries(principal_of(request), max(1, min(limit, 5000)))
    return [
        AuditOut(
            at=e.at.isoformat(),
            username=e.username,
            event=e.event,
            detail=e.detail,
            address=e.address,
        )
        for e in found
    ]
