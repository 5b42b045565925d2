"""The dashboard's pages. Each route names its access rule (`allow`); `guard` enforces it."""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
import mimetypes
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from equitrack.charts import kaplan_meier_chart, ratio_chart
from equitrack.disclosure import Audience, gate_journey, policy_for
from equitrack.measures import calendar
from equitrack.measures.registry import MEASURES, family
from equitrack.measures.result import Result
from equitrack.reports import recommendation as parts
from equitrack.reports.cells import cell
from equitrack.reports.evidence import chart_for
from equitrack.reports.narrative import describe, ratio_direction, trend_sentence
from equitrack.reports.wres import RATIO_INDICATORS
from equitrack.store import Store
from equitrack.tracker import actions as tracked
from equitrack.tracker import commentary
from equitrack.tracker.plan import STATUSES, PlanProblem, load_plan
from equitrack.web import uploads
from equitrack.web.access import Permission, Principal
from equitrack.web.audit import Event
from equitrack.web.guard import (
    SIGN_IN_CSRF_COOKIE,
    Forbidden,
    Name,
    NotFound,
    ObjectId,
    OrgCode,
    allow,
    principal_of,
)
from equitrack.web.jobs import Job, JobProgress, Jobs, TooManyJobs
from equitrack.web.render import page
from equitrack.web.sessions import COOKIE
from equitrack.web.state import Drawn, WebState, address_of, drawn

if TYPE_CHECKING:
    from equitrack.ingest import ImportResult

router = APIRouter()
LOG = logging.getLogger(__name__)
OVERVIEW = RATIO_INDICATORS  # the verdicts at a glance: the indicators compared as ratios
BYS = (("wres", "White, BME, Unknown"), ("broad", "Broad groups"), ("detailed", "Detailed groups"))
SIDES = (
    ("all", "All staff"),
    ("Clinical", "Clinical staff"),
    ("Non-clinical", "Non-clinical staff"),
)


def _web(request: Request) -> WebState:
    return request.app.state.web


def _year(request: Request, asked: int | None) -> tuple[int, list[int]]:
    latest = _web(request).latest_year() or dt.date.today().year
    years = list(range(latest, latest - 5, -1))
    return (asked if asked in years else latest), years


# --- signing in ----------------------------------------------------------------------------


@router.get("/sign-in", name=allow("sign_in_form", None))
def sign_in_form(request: Request, next: str = "/") -> Response:
    return _sign_in_page(request, next)


def _safe_next(target: str) -> str:
    """Only a path on this site, so signing in never sends anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/sign-in", name=allow("sign_in", None))
def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    web = _web(request)
    address = address_of(request)
    cookie = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise Forbidden("the sign-in form has expired; open it again")
    ticket = web.throttle.attempt(username, address)
    if ticket is None:
        web.audit(username, Event.SIGN_IN_THROTTLED, "", request)
        too_many = "Too many failed attempts. Wait 15 minutes and try again."
        return _sign_in_page(request, next, username, too_many, status=429)
    from equitrack.web.users import account, check_password

    # the store is read under its lock; the (deliberately slow) hashing is done outside it
    principal = check_password(web.store_do(lambda s: account(s, username)), password)
    if principal is None:
        web.audit(username, Event.SIGN_IN_FAILED, "", request)
        wrong = "The username or password is not right."
        return _sign_in_page(request, next, username, wrong, status=401)
    web.throttle.succeeded(username, address, ticket)
    token, _ = web.sessions.start(principal)
    web.audit(principal.username, Event.SIGN_IN, principal.role, request)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=web.secure_cookies)
    response.delete_cookie(SIGN_IN_CSRF_COOKIE)
    return response


def _sign_in_page(
    request: Request, next: str, username: str = "", error: str = "", status: int = 200
) -> Response:
    """The sign-in form with a fresh double-submit token, in the page and in its cookie."""
    token = secrets.token_urlsafe(24)
    response = page(
        request, "sign_in.html", "Sign in", next=_safe_next(next), username=username,
        error=error, sign_in_csrf=token,
    )  # fmt: skip
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=_web(request).secure_cookies, max_age=3600,
    )  # fmt: skip
    response.status_code = status
    return response


@router.post("/sign-out", name=allow("sign_out", Permission.VIEW))
def sign_out(request: Request) -> Response:
    web = _web(request)
    web.audit(principal_of(request).username, Event.SIGN_OUT, "", request)
    web.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/health", name=allow("health", None), include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


# --- the overview ----------------------------------------------------------------------------


@dataclass
class Glance:
    ratio: str
    verdict: str
    direction: str | None


def _glance(now: Result | None, before: Result | None) -> Glance | None:
    """One indicator for one unit this year, and which way it went since last year."""
    if now is None:
        return None
    return Glance(cell(now, "ratio"), cell(now, "verdict") or "–", ratio_direction(before, now))


def _overview_results(web: WebState, principal: Principal, years: tuple[int, ...]) -> list[Result]:
    """The ratio indicators for the user's organisations, and their systems if they see those
    (never every organisation's for a user none of whose organisations is loaded)."""
    found = web.results("wres", years, orgs=web.scope(principal).orgs, measures=OVERVIEW)
    if principal.whole_system:  # a new list: the cached one is left as it is
        found = found + web.results("wres", years, system=True, measures=OVERVIEW)
    return web.shown(principal, found)


@router.get("/", name=allow("overview", Permission.VIEW))
def overview(request: Request, year: int | None = None) -> Response:
    web, principal = _web(request), principal_of(request)
    year, years = _year(request, year)
    shown = _overview_results(web, principal, (year - 1, year))
    focus = {
        (r.measure, r.org, r.period): r for r in shown if r.group == "BME" and r.breakdown is None
    }
    units = sorted({r.org for r in shown}, key=lambda u: (u.startswith("system:"), u))
    rows = [
        (
            unit,
            [_glance(focus.get((m, unit, year)), focus.get((m, unit, year - 1))) for m in OVERVIEW],
        )
        for unit in units
    ]
    charts = web.cached(
        ("overview charts", year, web.exact_orgs(principal), tuple(units)),
        lambda _: _overview_charts(shown, year, web.names()),
    )
    return page(
        request, "overview.html", "Overview", year=year, years=years, year_label=calendar.label(year),
        indicators=[MEASURES[m] for m in OVERVIEW], rows=rows, names=web.names(), charts=charts,
    )  # fmt: skip


def _overview_charts(shown: list[Result], year: int, names: dict[str, str]) -> list[Drawn]:
    """Each ratio indicator across the organisations, drawn once until the data changes."""
    charts: list[Drawn] = []
    for m in OVERVIEW:
        mine = [
            r
            for r in shown
            if r.measure == m
            and r.period == year
            and r.breakdown is None
            and not r.org.startswith("system:")
        ]
        if len({r.org for r in mine}) > 1:
            with contextlib.suppress(ValueError):  # a shape the chart does not take
                chart = ratio_chart([r for r in mine if r.group in ("BME", "White")], by="org")
                charts.append(drawn(chart, names))
    return charts


# --- an organisation ---------------------------------------------------------------------------


@dataclass
class Shown:
    id: str
    title: str
    results: list[Result]
    sentences: list[str] = field(default_factory=list)
    chart: Drawn | None = None


def _section(measure_id: str, results: list[Result], year: int, names: dict[str, str]) -> Shown:
    m = MEASURES[measure_id]
    now = [r for r in results if r.period == year]
    before = {
        (r.org, r.group, r.breakdown, r.group_type): r for r in results if r.period == year - 1
    }
    sentences = []
    for r in [r for r in now if r.reference_group][:3]:
        sentences.append(describe(r))
        sentences.append(trend_sentence(before.get((r.org, r.group, r.breakdown, r.group_type)), r))
    chart = chart_for(measure_id, now)
    return Shown(m.id, f"{m.id.upper()}: {m.title}", now, sentences, chart and drawn(chart, names))


@router.get("/organisations/{org}", name=allow("organisation", Permission.VIEW))
def organisation(
    request: Request,
    org: OrgCode,
    year: int | None = None,
    by: str = "wres",
    side: str = "all",
    group: str = "all",
) -> Response:
    web, principal = _web(request), principal_of(request)
    year, years = _year(request, year)
    by = by if by in dict(BYS) else "wres"
    side = side if side in dict(SIDES) else "all"
    groups = web.staff_groups()  # the NWD groups loaded: the release holds these
    group = group if group in groups else "all"
    found = web.shown(
        principal,
        web.results("wres", (year - 1, year), orgs=(org,), by=by, options={"staff_group": group}),
    )
    if side != "all":
        found = [
            r for r in found if r.measure != "wres1" or (r.breakdown or "").startswith(side + " |")
        ]
    sections = web.cached(
        ("organisation page", org, year, by, side, group, web.exact_orgs(principal)),
        lambda _: [
            _section(m.id, [r for r in found if r.measure == m.id], year, web.names())
            for m in family("wres")
        ],
    )
    return page(
        request, "organisation.html", f"{org} WRES", org=org, year=year, years=years,
        year_label=calendar.label(year), by=by, bys=BYS, side=side, sides=SIDES,
        group=group, groups=groups,
        sections=sections, names=web.names(),
    )  # fmt: skip


# --- the recommendations -------------------------------------------------------------------------


@router.get("/recommendations", name=allow("recommendations", Permission.VIEW))
def recommendations(request: Request, year: int | None = None) -> Response:
    web, principal = _web(request), principal_of(request)
    year, _ = _year(request, year)
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
        where=_where(web, web.tracker_scope(principal)), year_label=calendar.label(year),
        year=year, said=web.store_do(
            lambda s: commentary.read(s, web.tracker_scope(principal), year)
        ),
    )  # fmt: skip


def _told(request: Request, target: str, message: str) -> Response:
    """Back to `target`, with `message` shown there: kept in the session, never in the URL,
    so no link can put words on the dashboard."""
    request.state.session.flash(message)
    return RedirectResponse(target, status_code=303)


def _where(web: WebState, org: str | None) -> str:
    """A tracker scope's name, for the recommendations and journeys pages."""
    return web.names().get(org, org) if org else "the whole system"


@router.post("/recommendations/{number}/actions", name=allow("add_action", Permission.EDIT_ACTIONS))
def add_action(
    request: Request, number: ObjectId, text: str = Form(""), owner: str = Form("")
) -> Response:
    web, principal = _web(request), principal_of(request)
    if not web.loaded(owner) or not principal.sees(owner):
        raise Forbidden("you can add actions only for your own organisations")
    text = text.strip()
    if not text:
        return _told(request, "/recommendations", "An action needs a description.")
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
    return _told(request, f"/recommendations#rec{number}", f"Action {action_id} added.")


@router.post("/actions/{action_id}/status", name=allow("action_status", Permission.EDIT_ACTIONS))
def action_status(
    request: Request, action_id: ObjectId, status: str = Form(""), note: str = Form("")
) -> Response:
    web, principal = _web(request), principal_of(request)
    if status not in STATUSES:
        return _told(request, "/recommendations", "Choose a status from the list.")
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
    return _told(request, "/recommendations", f"Action {action_id} is now {said}.")


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
    web, principal = _web(request), principal_of(request)
    if field not in tracked.FIELDS:
        return _told(request, "/recommendations", "Choose a field from the list.")
    plan = load_plan()
    try:
        web.store_do(
            lambda s: tracked.set_field(
                s, plan, action_id, field, value, by=principal.username, note=note or None
            )
        )
    except PlanProblem as exc:  # a value the field does not take: said on the page
        return _told(request, "/recommendations", str(exc))
    web.audit(principal.username, Event.ACTION_FIELD, f"{action_id}: {field}", request)
    return _told(request, "/recommendations", f"Action {action_id}: {field} saved.")


@router.post("/commentary", name=allow("commentary", Permission.EDIT_ACTIONS))
def write_commentary(
    request: Request, part: str = Form(""), year: int = Form(0), text: str = Form("")
) -> Response:
    """Officers' words on a part of the user's paper (their organisation's, or the system's
    for a whole-system editor), kept as a draft until approved."""
    web, principal = _web(request), principal_of(request)
    year, _ = _year(request, year)
    org = web.tracker_scope(principal)
    try:
        kept = web.store_do(
            lambda s: commentary.write(
                s, load_plan(), org=org, year=year, part=part, text=text, by=principal.username
            )
        )
    except PlanProblem as exc:  # no words, too many, or no such part: said on the page
        return _told(request, f"/recommendations?year={year}", str(exc))
    web.audit(principal.username, Event.COMMENTARY, f"{kept.scope} {year} {kept.part}", request)
    return _told(
        request,
        f"/recommendations?year={year}#{_anchor(kept.part)}",
        "Commentary saved as a draft: a public paper prints it once it is approved.",
    )


@router.post("/commentary/approve", name=allow("approve_commentary", Permission.EDIT_ACTIONS))
def approve_commentary(request: Request, part: str = Form(""), year: int = Form(0)) -> Response:
    """Approve the newest draft of a part of the user's paper for publication."""
    web, principal = _web(request), principal_of(request)
    year, _ = _year(request, year)
    org = web.tracker_scope(principal)
    try:
        kept = web.store_do(
            lambda s: commentary.approve(
                s, load_plan(), org=org, year=year, part=part, by=principal.username
            )
        )
    except PlanProblem as exc:  # nothing to approve: said on the page
        return _told(request, f"/recommendations?year={year}", str(exc))
    detail = f"{kept.scope} {year} {kept.part}"
    web.audit(principal.username, Event.COMMENTARY_APPROVED, detail, request)
    return _told(
        request, f"/recommendations?year={year}#{_anchor(kept.part)}", "Commentary approved."
    )


def _anchor(part: str) -> str:
    return "commentary-paper" if part == commentary.PAPER else part


# --- journeys --------------------------------------------------------------------------------


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
    from equitrack.measures.careers import time_to_promotion
    from equitrack.measures.populations import Scope

    web, principal = _web(request), principal_of(request)
    year, _ = _year(request, year)
    org = web.tracker_scope(principal)
    scope = Scope((org,), False) if org else Scope((), True)
    sections: list[dict] = []
    curves = web.cached(
        ("journey", year, org), lambda s: time_to_promotion(s, scope, by="broad", end_year=year)
    )
    policy = policy_for(Audience.ANALYST if principal.may(Permission.EXACT) else Audience.BOARD)
    charts = web.cached(
        ("journey charts", year, org, policy.name),
        lambda _: [drawn(kaplan_meier_chart(gate_journey(j, policy)), web.names()) for j in curves],
    )
    sections.append(
        {
            "id": "time-to-promotion",
            "title": "Time to first promotion",
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
        where=_where(web, org), year_label=calendar.label(year),
    )  # fmt: skip


# --- data ------------------------------------------------------------------------------------


def _data_page(request: Request, **context: object) -> Response:
    web, principal = _web(request), principal_of(request)
    summary = web.quality(principal)
    shown = {"problems": [], "message": "", "upload_name": "", **context}
    return page(
        request, "data.html", "Data", quality=summary.sentences(), batches=summary.batches,
        can_upload=principal.may(Permission.UPLOAD), **shown,
    )  # fmt: skip


@router.get("/data", name=allow("data", Permission.VIEW))
def data(request: Request) -> Response:
    return _data_page(request)


@router.post("/data/upload", name=allow("upload", Permission.UPLOAD))
def upload(request: Request, file: UploadFile) -> Response:
    """Take a file and check and load it in the background (`_check_and_load`): the uploader
    is sent to the upload's own page, which shows its progress and then what became of it."""
    web, principal = _web(request), principal_of(request)
    try:
        name = uploads.safe_name(file.filename)
    except uploads.UploadProblem as exc:
        return _rejected(request, uploads.refused(file.filename or "The file", str(exc)))
    path = uploads.keep_privately(file.file, name)

    def import_file(store: Store, job: Job) -> ImportResult:
        from equitrack.ingest import import_paths

        return import_paths(
            [path],
            store,
            rejects_dir=path.parent / "rejects",
            allowed_orgs=web.upload_scope(principal),
            progress=JobProgress(job),
        )

    try:
        job = _jobs(request).submit(
            principal.username, name, lambda job: _check_and_load(request, job, path, import_file)
        )
    except TooManyJobs as exc:
        uploads.discard(path)
        response = _rejected(request, uploads.refused(name, str(exc)))
        response.status_code = 429
        return response
    return RedirectResponse(f"/data/uploads/{job.id}", status_code=303)


def _check_and_load(
    request: Request, job: Job, path: Path, import_file: Callable[[Store, Job], ImportResult]
) -> uploads.Outcome:
    """The upload's job: the import on a connection of its own (no lock of the app's held),
    audited; the file and anything written beside it removed whatever happens."""
    from equitrack.ingest import ReadError
    from equitrack.ingest.pseudonymise import KeyProblem
    from equitrack.store import StoreError

    web, principal, name = _web(request), principal_of(request), path.name
    try:
        outcome = uploads.outcome_of(name, uploads.apart(web, lambda s: import_file(s, job)))
    except (StoreError, ReadError, KeyProblem) as exc:
        outcome = uploads.refused(name, str(exc))
    except Exception:  # a fault of equitrack's, not the file's: logged, and refused in words
        LOG.exception("checking the upload %s failed", name)
        outcome = uploads.refused(name, uploads.OUR_FAULT)
    finally:
        uploads.discard(path)
    if outcome.ok:
        web.audit(principal.username, Event.IMPORT, outcome.detail, request)
        web.changed()
    else:
        _audit_rejection(request, outcome)
    return outcome


#: How long an upload's page waits for the job before showing its progress instead: a small
#: file's answer comes straight back.
ANSWER_WAIT = 5.0


@router.get("/data/uploads/{upload_id}", name=allow("upload_job", Permission.VIEW))
def upload_job(request: Request, upload_id: str) -> Response:
    """An upload's progress (the page refreshes itself) and then its outcome; only for the
    person who uploaded it, or an administrator (no such upload is 404, another's 403)."""
    web, principal = _web(request), principal_of(request)
    job = _jobs(request).get(upload_id)
    if job is None:
        raise NotFound("there is no such upload (an upload's page is kept for an hour)")
    if not Jobs.may_see(job, principal):
        web.audit(principal.username, Event.DENIED, f"GET {request.url.path}", request)
        raise Forbidden("this upload is someone else's")
    if not job.finished.wait(ANSWER_WAIT):
        return page(request, "upload_job.html", f"Checking {job.title}", job=job)
    outcome: uploads.Outcome | None = job.result
    if job.failed or outcome is None:
        failure = uploads.refused(job.title, uploads.OUR_FAULT)
        response = _data_page(request, problems=failure.problems, upload_name=job.title)
        response.status_code = 500
        return response
    if outcome.ok:
        return _data_page(
            request, message=f"{outcome.name}: {outcome.loaded:,} rows checked and loaded."
        )
    response = _data_page(request, problems=outcome.problems, upload_name=outcome.name)
    response.status_code = 422
    return response


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def _audit_rejection(request: Request, outcome: uploads.Outcome) -> None:
    """A refused upload in the audit log, with the first of its problems (a file outside the
    uploader's scope: the organisation and line)."""
    said = "; ".join(
        (f"line {p.line}{f', {p.column}' if p.column else ''}: " if p.line else "") + p.message
        for p in outcome.problems[:3]
    )
    detail = outcome.detail
    detail = f"{detail}: {said}"[:1000] if said and said not in detail else detail
    _web(request).audit(principal_of(request).username, Event.IMPORT_REJECTED, detail, request)


def _rejected(request: Request, outcome: uploads.Outcome) -> Response:
    """The data page with a file refused before it was read (422), the refusal audited."""
    _audit_rejection(request, outcome)
    response = _data_page(request, problems=outcome.problems, upload_name=outcome.name)
    response.status_code = 422
    return response


async def too_large(request: Request, limit: int) -> Response:
    """The answer to a body over its limit (413): for an upload, the data page saying so,
    audited; for anything else, a line."""
    from equitrack.web.body_limit import megabytes

    if request.url.path != "/data/upload":
        return PlainTextResponse(f"The request is larger than {megabytes(limit)}.", 413)
    web = _web(request)
    session = web.sessions.get(request.cookies.get(COOKIE))
    why = (
        f"the file is larger than the upload limit of {megabytes(limit)}: split it (by year, "
        "for example) or ask whoever runs the dashboard to raise the limit "
        "(equitrack serve --max-upload-mb)"
    )
    if session is None or not session.principal.may(Permission.UPLOAD):
        return PlainTextResponse(f"Not loaded: {why}.", status_code=413)
    request.state.session, request.state.principal = session, session.principal
    outcome = uploads.refused("The file", why)
    response = await run_in_threadpool(_rejected, request, outcome)
    response.status_code = 413
    return response


# --- downloads -------------------------------------------------------------------------------


@router.get("/downloads", name=allow("downloads", Permission.VIEW))
def downloads(request: Request) -> Response:
    web, principal = _web(request), principal_of(request)
    links = []
    if principal.whole_system:
        for fmt in ("html", "pdf", "xlsx"):
            links.append(
                (
                    f"/downloads/scrutiny.{fmt}",
                    f"The scrutiny update on the ten recommendations ({fmt.upper()})",
                )
            )
            links.append((f"/downloads/system.{fmt}", f"The system view ({fmt.upper()})"))
    for o in web.visible(principal):
        for fmt in ("html", "pdf", "xlsx"):
            links.append(
                (f"/downloads/{o.code}/wres.{fmt}", f"WRES report for {o.name} ({fmt.upper()})")
            )
    return page(request, "downloads.html", "Downloads", links=links)


def _report(request: Request, kind: str, org: str | None, fmt: str) -> Response:
    from equitrack.reports.write import FORMATS, ReportKind, build, write

    web, principal = _web(request), principal_of(request)
    if fmt not in FORMATS or kind not in {k.value for k in ReportKind}:
        raise Forbidden("there is no such report")
    exact = org is not None and principal.may(Permission.EXACT)
    audience = Audience.ANALYST if exact else Audience.BOARD
    policy = policy_for(audience)
    year = web.latest_year()
    made = web.store_do(
        lambda s: build(ReportKind(kind), s, year, org=org, policy=policy, audience=audience.value)
    )
    # written to a folder that goes as soon as the file is read: no report stays on disk
    with tempfile.TemporaryDirectory(prefix="equitrack-report-") as folder:
        (path,) = write(made, Path(folder), f"{kind}-{org or 'system'}-{year}", [fmt], web.names())
        content, name = path.read_bytes(), path.name
    web.audit(principal.username, Event.EXPORT, f"{name} ({audience})", request)
    return _attachment(content, name)


def _attachment(content: bytes, name: str) -> Response:
    """A file to save, sent from memory."""
    quoted = quote(name)
    disposition = (
        f'attachment; filename="{name}"'
        if quoted == name
        else f"attachment; filename*=utf-8''{quoted}"
    )
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/downloads/{kind}.{fmt}", name=allow("download_system", Permission.VIEW))
def download_system(request: Request, kind: Name, fmt: Name) -> Response:
    if not principal_of(request).whole_system or kind == "wres":
        raise Forbidden("system reports are for users with access to the whole system")
    return _report(request, kind, None, fmt)


@router.get("/downloads/{org}/wres.{fmt}", name=allow("download_wres", Permission.VIEW))
def download_wres(request: Request, org: OrgCode, fmt: Name) -> Response:
    return _report(request, "wres", org, fmt)


# --- administration --------------------------------------------------------------------------


@router.get("/audit", name=allow("audit", Permission.ADMIN, restricted=True))
def audit(request: Request) -> Response:
    found = _web(request).audit_entries(principal_of(request))
    return page(request, "audit.html", "Audit log", entries=found)
