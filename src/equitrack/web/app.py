"""The dashboard app: pages and a JSON API over one store, every route behind `guard`."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from equitrack.disclosure import Audience, policy_for
from equitrack.measures import calendar
from equitrack.reports.cells import cell, used_columns
from equitrack.reports.html import NUMERIC
from equitrack.store import Store
from equitrack.web.access import Permission, Principal
from equitrack.web.body_limit import BodyLimit
from equitrack.web.guard import Forbidden, NotSignedIn, allow, guard
from equitrack.web.headers import Dashboard
from equitrack.web.jobs import Jobs
from equitrack.web.request_log import RequestLog
from equitrack.web.state import WebState

NAV = (
    ("/", "Overview"),
    ("/recommendations", "Recommendations"),
    ("/journeys", "Journeys"),
    ("/data", "Data"),
    ("/downloads", "Downloads"),
)
ADMIN_NAV = (("/audit", "Audit log"),)


def _templates() -> Jinja2Templates:
    folder = resources.files("equitrack.web").joinpath("templates")
    templates = Jinja2Templates(directory=str(folder))
    templates.env.globals.update(
        cell=cell, columns=used_columns, numeric=NUMERIC, label=calendar.label
    )
    return templates


TEMPLATES = _templates()


def page(request: Request, template: str, title: str, **context: object) -> HTMLResponse:
    """A page in the NHS.UK layout, with the user, their CSRF token and the menu."""
    session = request.state.session
    principal = session.principal if session else None
    nav = list(NAV)
    if principal is not None and principal.may(Permission.ADMIN):
        nav += ADMIN_NAV
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "principal": principal,
            "csrf": session.csrf if session else "",
            "flashes": session.take_flashes() if session else [],
            "nav": nav,
            "here": request.url.path,
            "rule": policy_for(Audience.BOARD).describe(),
            "notice": _notice(principal),
            **context,
        },
    )


def _notice(principal: Principal | None) -> str:
    """What a signed-in reader is told first about the numbers, in the rules file's words."""
    if principal is None:
        return ""
    board = policy_for(Audience.BOARD).plain()
    if principal.may(Permission.EXACT):
        return (
            f"Numbers for your own organisations are exact, for analysts only. Elsewhere: {board}"
        )
    return board


#: The upload limit unless the server is told otherwise (`equitrack serve --max-upload-mb`).
DEFAULT_UPLOAD_LIMIT = 100 * 1_000_000


def create_app(
    store: Store,
    *,
    secure_cookies: bool = True,
    trusted_proxies: Sequence[str] = (),
    upload_limit: int = DEFAULT_UPLOAD_LIMIT,
) -> FastAPI:
    """The app over an open store (read and written under the app's lock; an upload's import
    on a connection of its own, in the background).

    `secure_cookies` False sends the session cookie over plain HTTP too (for this machine
    only); `trusted_proxies` are the addresses of reverse proxies whose X-Forwarded-Proto and
    X-Forwarded-For are believed (over HTTPS, responses then carry HSTS); `upload_limit` is
    the largest file, in bytes, the upload form takes."""
    from equitrack.web import api, pages

    app = Dashboard(
        trusted_proxies=trusted_proxies,
        title="equitrack",
        summary="Race equality evidence for NHS organisations: the JSON API behind the dashboard.",
        dependencies=[Depends(guard)],
        # no interactive API page (it would load its script from a CDN); the description
        # itself is for signed-in users, below
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.web = WebState(store, secure_cookies=secure_cookies)
    app.state.jobs = Jobs()
    static = resources.files("equitrack.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.add_middleware(BodyLimit, limits={"/data/upload": upload_limit}, too_large=pages.too_large)
    app.add_middleware(RequestLog)  # added last, so outermost: every answer is logged

    @app.get("/api/openapi.json", name=allow("openapi", Permission.VIEW), include_in_schema=False)
    def openapi() -> JSONResponse:
        """The API's OpenAPI description, for signed-in users."""
        return JSONResponse(app.openapi())

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.why}, status_code=exc.status)
        response = page(request, "error.html", "You cannot see this page", message=exc.why)
        response.status_code = exc.status
        return response

    return app
