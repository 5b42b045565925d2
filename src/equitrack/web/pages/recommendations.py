"""The ten recommendations: the page (evidence, actions and commentary) and its edits, adding
and updating actions and writing and approving commentary."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from equitrack.measures import calendar
from equitrack.reports import recommendation as parts
from equitrack.tracker import actions as tracked
from equitrack.tracker import commentary
from equitrack.tracker.plan import STATUSES, PlanProblem, load_plan
from equitrack.web.access import Permission
from equitrack.web.audit import Event
from equitrack.web.guard import Forbidden, ObjectId, allow, principal_of
from equitrack.web.pages.shared import chosen_year, scope_name, told, web_of
from equitrack.web.render import page

router = APIRouter()


@router.get("/recommendations", name=allow("recommendations", Permission.VIEW))
def recommendations(request: Request, year: int | None = None) -> Response:
    web, principal = web_of(request), principal_of(request)
    year, _ = chosen_year(request, year)
    plan = load_plan()
    evidence = web.evidence(principal, year, plan)
    by_rec: dict[int, list[tracked.Action]] = {}
    for a in web.actions(principal):
        by_rec.setdefault(a.recommendation, []).append(a)
    return page(
        request, "recommendations.html", "The ten recommendations", evidence=evidence,
        actions=by_rec, parts=parts, can_edit=principal.may(Permission.EDIT_ACTIONS),
        editable=lambda a: principal.sees(a.owner), statuses=STATUSES, fields=tracked.FIELDS,
        owners=[o.code for o in web.visible(principal)], names=web.names(),
        where=scope_name(web, web.tracker_scope(principal)), year_label=calendar.label(year),
        year=year, said=web.store_do(
            lambda s: commentary.read(s, web.tracker_scope(principal), year)
        ),
    )  # fmt: skip


@router.post("/recommendations/{number}/actions", name=allow("add_action", Permission.EDIT_ACTIONS))
def add_action(
    request: Request, number: ObjectId, text: str = Form(""), owner: str = Form("")
) -> Response:
    web, principal = web_of(request), principal_of(request)
    if not web.loaded(owner) or not principal.sees(owner):
        raise Forbidden("you can add actions only for your own organisations")
    text = text.strip()
    if not text:
        return told(request, "/recommendations", "An action needs a description.")
    try:
        action_id = web.store_do(
            lambda s: tracked.add(
                s,
                load_plan(),
                recommendation=number,
                text=text,
                owner=owner,
                by=principal.username,
            )
        )
    except PlanProblem as exc:
        raise Forbidden(str(exc)) from None
    web.audit(
        principal.username, Event.ACTION_ADDED, f"{action_id}: recommendation {number}", request
    )
    return told(request, f"/recommendations#rec{number}", f"Action {action_id} added.")


@router.post("/actions/{action_id}/status", name=allow("action_status", Permission.EDIT_ACTIONS))
def action_status(
    request: Request, action_id: ObjectId, status: str = Form(""), note: str = Form("")
) -> Response:
    web, principal = web_of(request), principal_of(request)
    if status not in STATUSES:
        return told(request, "/recommendations", "Choose a status from the list.")
    plan = load_plan()
    try:
        web.store_do(
            lambda s: tracked.set_status(
                s, plan, action_id, status, by=principal.username, note=note or None
            )
        )
    except PlanProblem as exc:  # no such action: refused, as the API does, not a server error
        raise Forbidden(str(exc)) from None
    web.audit(principal.username, Event.ACTION_STATUS, f"{action_id}: {status}", request)
    said = status.replace("_", " ")
    return told(request, "/recommendations", f"Action {action_id} is now {said}.")


@router.post("/actions/{action_id}/fields", name=allow("action_fields", Permission.EDIT_ACTIONS))
def action_fields(
    request: Request,
    action_id: ObjectId,
    field: str = Form(""),
    value: str = Form(""),
    note: str = Form(""),
) -> Response:
    """A new lead, due date, next milestone, RAG rating or linked measures for an action of
    the editor's own organisation (the guard has checked whose it is); kept with its history."""
    web, principal = web_of(request), principal_of(request)
    if field not in tracked.FIELDS:
        return told(request, "/recommendations", "Choose a field from the list.")
    plan = load_plan()
    try:
        web.store_do(
            lambda s: tracked.set_field(
                s, plan, action_id, field, value, by=principal.username, note=note or None
            )
        )
    except PlanProblem as exc:  # a value the field does not take: said on the page
        return told(request, "/recommendations", str(exc))
    web.audit(principal.username, Event.ACTION_FIELD, f"{action_id}: {field}", request)
    return told(request, "/recommendations", f"Action {action_id}: {field} saved.")


@router.post("/commentary", name=allow("commentary", Permission.EDIT_ACTIONS))
def write_commentary(
    request: Request, part: str = Form(""), year: int = Form(0), text: str = Form("")
) -> Response:
    """Officers' words on a part of the user's paper (their organisation's, or the system's
    for a whole-system editor), kept as a draft until approved."""
    web, principal = web_of(request), principal_of(request)
    year, _ = chosen_year(request, year)
    org = web.tracker_scope(principal)
    try:
        kept = web.store_do(
            lambda s: commentary.write(
                s, load_plan(), org=org, year=year, part=part, text=text, by=principal.username
            )
        )
    except PlanProblem as exc:  # no words, too many, or no such part: said on the page
        return told(request, f"/recommendations?year={year}", str(exc))
    web.audit(principal.username, Event.COMMENTARY, f"{kept.scope} {year} {kept.part}", request)
    return told(
        request,
        f"/recommendations?year={year}#{_anchor(kept.part)}",
        "Commentary saved as a draft: a public paper prints it once it is approved.",
    )


@router.post("/commentary/approve", name=allow("approve_commentary", Permission.EDIT_ACTIONS))
def approve_commentary(request: Request, part: str = Form(""), year: int = Form(0)) -> Response:
    """Approve the newest draft of a part of the user's paper for publication."""
    web, principal = web_of(request), principal_of(request)
    year, _ = chosen_year(request, year)
    org = web.tracker_scope(principal)
    try:
        kept = web.store_do(
            lambda s: commentary.approve(
                s, load_plan(), org=org, year=year, part=part, by=principal.username
            )
        )
    except PlanProblem as exc:  # nothing to approve: said on the page
        return told(request, f"/recommendations?year={year}", str(exc))
    detail = f"{kept.scope} {year} {kept.part}"
    web.audit(principal.username, Event.COMMENTARY_APPROVED, detail, request)
    return told(
        request, f"/recommendations?year={year}#{_anchor(kept.part)}", "Commentary approved."
    )


def _anchor(part: str) -> str:
    return "commentary-paper" if part == commentary.PAPER else part
