"""The dashboard app: pages and a JSON API over one store, every route behind `guard`."""

from __future__ import annotations

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
from equitrack.web.access import Permission
from equitrack.web.guard import Forbidden, NotSignedIn, guard
from equitrack.web.state import WebState

NAV = (
    ("/", "Overview"),
    ("/recommendations", "Recommendations"),
    ("/journeys", "Journeys"),
    ("/data", "Data"),
    ("/downloads", "Downloads"),
)
ADMIN_NAV = (("/audit", "Audit log"),)

#: Headers on every response: no framing, no sniffing, nothing loaded from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


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
            "nav": nav,
            "here": request.url.path,
            "rule": policy_for(Audience.BOARD).describe(),
            **context,
        },
    )


def create_app(store: Store, *, secure_cookies: bool = True) -> FastAPI:
    """The app over an open store (read and written under the app's lock)."""
    from equitrack.web import api, pages

    app = FastAPI(
        title="equitrack",
        summary="Race equality evidence for NHS organisations: the JSON API behind the dashboard.",
        dependencies=[Depends(guard)],
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = WebState(store, secure_cookies=secure_cookies)
    static = resources.files("equitrack.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.middleware("http")
    async def headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            if not (name == "Cache-Control" and request.url.path.startswith("/static/")):
                response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/docs"):
            # the interactive API page loads its own script and styles; only there
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response

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
