"""The dashboard app: pages and a JSON API over one store, every route behind `guard`."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from equitrack.store import Store, StoreBusy
from equitrack.web import api
from equitrack.web.access import Permission
from equitrack.web.body_limit import BodyLimit
from equitrack.web.guard import Forbidden, NotSignedIn, allow, guard
from equitrack.web.headers import Dashboard
from equitrack.web.jobs import Jobs
from equitrack.web.pages import ROUTERS
from equitrack.web.pages.data import too_large
from equitrack.web.render import page
from equitrack.web.request_log import RequestLog
from equitrack.web.state import DataChanged, OneVersion, Preparing, WebState

#: The API's own description, for signed-in users (its rule registered once, for every app).
OPENAPI = allow("openapi", Permission.VIEW)

#: The upload limit unless the server is told otherwise (`equitrack serve --max-upload-mb`).
DEFAULT_UPLOAD_LIMIT = 100 * 1_000_000


def create_app(
    store: Store,
    *,
    secure_cookies: bool = True,
    trusted_proxies: Sequence[str] = (),
    upload_limit: int = DEFAULT_UPLOAD_LIMIT,
    lend: bool = False,
    patience: float | None = None,
) -> FastAPI:
    """The app over an open store (read and written under the app's lock; an upload's import
    on a connection of its own, in the background).

    `secure_cookies` False sends the session cookie over plain HTTP too (for this machine
    only); `trusted_proxies` are the addresses of reverse proxies whose X-Forwarded-Proto and
    X-Forwarded-For are believed (over HTTPS, responses then carry HSTS); `upload_limit` is
    the largest file, in bytes, the upload form takes. `lend` (a DuckDB file) holds the file
    only while it is used, so the command line can import and read while the app serves
    (`equitrack.store.lending`); the app then owns `store` and closes it. `patience` is how
    long a request waits for figures being prepared before the page says they are being
    prepared and to come back (`equitrack.web.state.Preparing`); None waits until they are
    ready."""
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
    app.state.web = WebState(store, secure_cookies=secure_cookies, lend=lend, patience=patience)
    app.state.jobs = Jobs()
    static = resources.files("equitrack.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(api.router)
    app.add_middleware(OneVersion)  # innermost: a page reads one version of the data
    app.add_middleware(BodyLimit, limits={"/data/upload": upload_limit}, too_large=too_large)
    app.add_middleware(RequestLog)  # added last, so outermost: every answer is logged

    @app.get("/api/openapi.json", name=OPENAPI, include_in_schema=False)
    def openapi() -> JSONResponse:
        """The API's OpenAPI description, for signed-in users."""
        return JSONResponse(app.openapi())

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)

    @app.exception_handler(DataChanged)
    async def data_changed(request: Request, exc: DataChanged) -> Response:
        # the data changed while the page was put together: it is asked for again, whole
        return RedirectResponse(_asked(request), status_code=307)

    @app.exception_handler(StoreBusy)
    async def store_busy(request: Request, exc: StoreBusy) -> Response:
        why = "New data is being loaded. Try again in a minute."
        return _instead(request, 503, "Data is being loaded", why, {"Retry-After": "30"})

    @app.exception_handler(Preparing)
    async def preparing(request: Request, exc: Preparing) -> Response:
        why = (
            "The figures for the latest data are being prepared. This takes a few minutes on "
            "a large system. Try this page again shortly."
        )
        title, headers = "Figures are being prepared", {"Retry-After": "15"}
        return _instead(request, 503, title, why, headers, again=_asked(request))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _instead(request, exc.status, "You cannot see this page", exc.why)

    return app


def _instead(
    request: Request,
    status: int,
    title: str,
    why: str,
    headers: dict[str, str] | None = None,
    **context: object,
) -> Response:
    """What is answered instead of the page or API answer asked for, saying `why`: JSON for
    the API, a page for a person."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": why}, status_code=status, headers=headers)
    response = page(request, "error.html", title, message=why, **context)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _asked(request: Request) -> str:
    """The path asked for, with its query: to ask for it again."""
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query
