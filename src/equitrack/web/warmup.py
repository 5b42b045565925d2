"""The dashboard's first pages, put together at start-up by the pages' own code.

A page's first request measures its figures, protects them and draws its charts; later ones
answer from the app's memory (`WebState.cached`). So that the first visitor waits for none of
that, `equitrack serve` has each page below put together once in the background, as a
whole-system viewer (board figures) and a whole-system analyst (exact figures) would ask for
it (`WebState.warm`). The pages' own functions do it, found by their route names, so what is
kept is exactly what a visitor's request looks up: nothing is measured twice, and a page
changed later is warmed as it is then. Organisation-scoped readers share what is measured
per organisation (each organisation's page).

Nothing is sent anywhere: each page is rendered and dropped. No session is made and no guard
is passed, because no one is asking: the readers are made up here and never leave this module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import FastAPI, Request

from equitrack.web.access import WHOLE_SYSTEM, Principal, Role

#: The pages a visitor opens first, by route name: the menu's figures and the forms.
FIRST_PAGES = ("overview", "recommendations", "journeys", "data", "downloads")
#: The page of an organisation (its path names it).
ORGANISATION_PAGE = "organisation"
#: Organisations whose page is warmed, in code order: each keeps its figures and charts in
#: memory until the data changes, so a national store warms a few, not hundreds.
ORGANISATIONS_WARMED = 12
#: Who the pages are put together for: the two ways a whole-system reader sees figures.
READERS = (
    Principal("warm-up viewer", Role.VIEWER, (WHOLE_SYSTEM,)),
    Principal("warm-up analyst", Role.ANALYST, (WHOLE_SYSTEM,)),
)


def routes_of(app: FastAPI) -> list[Any]:
    """Every route the app answers. FastAPI 0.16x keeps an included router as one entry of
    ``app.routes`` (its routes behind ``effective_route_contexts``); older versions copy each
    route into the list."""
    found = []
    for route in app.routes:
        expand = getattr(route, "effective_route_contexts", None)
        found += list(expand()) if expand else [route]
    return found


def _request(app: FastAPI, reader: Principal, path: str, params: dict[str, str]) -> Request:
    """A GET of `path` as `reader`, as the guard leaves it for the page (no session)."""
    scope = {
        "type": "http", "method": "GET", "scheme": "http", "server": ("warm-up", 0),
        "client": None, "root_path": "", "path": path, "raw_path": path.encode(),
        "query_string": b"", "headers": [], "app": app, "path_params": params,
        "state": {"principal": reader, "session": None},
    }  # fmt: skip
    return Request(scope)


def _page(app: FastAPI, name: str, reader: Principal, **params: str) -> None:
    """Route `name`'s page put together for `reader` (looked up now: a page missing is this
    step's failure, logged, never the server's)."""
    page = next(r.endpoint for r in routes_of(app) if getattr(r, "name", None) == name)
    page(_request(app, reader, app.url_path_for(name, **params), params), **params)


def first_pages(app: FastAPI) -> list[tuple[str, Callable[[], object]]]:
    """Each first page for each reader, then the first organisations' pages, as steps for
    `WebState.warm` (the organisations are read when that step runs, not now)."""
    steps: list[tuple[str, Callable[[], object]]] = [
        (f"{name} ({reader.role})", partial(_page, app, name, reader))
        for reader in READERS
        for name in FIRST_PAGES
    ]
    steps.append(("organisation pages", partial(_organisations, app)))
    return steps


def _organisations(app: FastAPI) -> None:
    codes = sorted(o.code for o in app.state.web.organisations())[:ORGANISATIONS_WARMED]
    for code in codes:
        for reader in READERS:
            _page(app, ORGANISATION_PAGE, reader, org=code)
