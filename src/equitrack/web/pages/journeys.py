"""Journeys: time to first promotion, and the measures that follow staff through their
careers, for the user's organisation (or the whole system)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from equitrack.charts import kaplan_meier_chart
from equitrack.disclosure import Audience, gate_journey, policy_for
from equitrack.measures import calendar
from equitrack.measures.registry import JOURNEYS, MEASURES
from equitrack.reports.narrative import describe
from equitrack.web.access import Permission
from equitrack.web.guard import allow, principal_of
from equitrack.web.pages.shared import chosen_year, scope_name, web_of
from equitrack.web.render import page
from equitrack.web.state import Drawn, drawn

router = APIRouter()

JOURNEY_MEASURES = (
    ("promotion", "Promotion within the year"),
    ("bank1", "Bank and substantive staff"),
    ("development_appointment", "Development opportunities"),
    ("leave_declined", "Leave requests declined"),
    ("wres3", "Entering a formal disciplinary process"),
    ("suspension", "Suspension"),
)


@router.get("/journeys", name=allow("journeys", Permission.VIEW))
def journeys(request: Request, year: int | None = None) -> Response:
    from equitrack.measures.populations import Scope

    promotion = JOURNEYS["time_to_promotion"]
    web, principal = web_of(request), principal_of(request)
    year, _ = chosen_year(request, year)
    org = web.tracker_scope(principal)
    scope = Scope((org,), False) if org else Scope((), True)
    sections: list[dict] = []
    policy = policy_for(Audience.ANALYST if principal.may(Permission.EXACT) else Audience.BOARD)

    def draw() -> list[Drawn]:
        curves = web.cached(
            ("journey", year, org), lambda s: promotion.follow(s, scope, by="broad", end_year=year)
        )
        return [drawn(kaplan_meier_chart(gate_journey(j, policy)), web.names()) for j in curves]

    # drawn from the data version's people (the kept charts' key says which) as asked here:
    # a restarted server shows them without following the careers again
    charts = web.cached(
        ("journey charts", year, org, policy.name),
        lambda _: web.drawings(("journey", promotion.id, year, org, policy, web.names()), draw),
    )
    sections.append(
        {
            "id": promotion.section,
            "title": promotion.title,
            "sentences": [],
            "charts": charts,
            "results": [],
        }
    )
    for measure_id, title in JOURNEY_MEASURES:
        m = MEASURES[measure_id]
        found = web.results(
            m.family,
            (year,),
            orgs=(org,) if org else (),
            system=org is None,
            by="broad",
            measures=[measure_id],
        )
        shown = [r for r in web.shown(principal, found) if r.period == year]
        said = [describe(r) for r in shown if r.reference_group and r.group == "Black"][:2]
        sections.append(
            {"id": measure_id, "title": title, "sentences": said, "charts": [], "results": shown}
        )
    return page(
        request, "journeys.html", "Journeys", sections=sections, names=web.names(),
        where=scope_name(web, org), year_label=calendar.label(year),
    )  # fmt: skip
