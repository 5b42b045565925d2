"""The dashboard's first pages, put together at start-up by the pages' own code.

A page's first request reads its figures (from the release's answers where it asked them,
else measured), protects them and draws its charts; later ones answer from the app's memory
(`WebState.cached`). So that the first visitor waits for none of
that, `equitrack serve` has each page below put together once in the background, at start-up
and again after the data change (`WebState.warm`), as each way the app's users see figures
would ask for it: a whole-system viewer (board figures) always, then the scopes of the users
there are (`readers`): exact figures for the whole system (an analyst or administrator with
`*`), an organisation's analyst (exact for theirs, a release of its own), an organisation's
viewer. If no user sees exact figures, no exact release is built. The pages' own
functions do it, found by their route names, so what is kept is exactly what a visitor's
request looks up: nothing is measured twice, and a page changed later is warmed as it is
then. Every reader shares what is measured per organisation (each organisation's page).

Nothing is sent anywhere: each page is rendered and dropped. No session is made and no guard
is passed, because no one is asking: the readers are made up here and never leave this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from fastapi import FastAPI, Request

from equitrack.progress import Progress
from equitrack.store import Store
from equitrack.web.access import WHOLE_SYSTEM, Permission, Principal, Role
from equitrack.web.state import run_steps
from equitrack.web.users import User, list_users

#: The pages a visitor opens first, by route name: the menu's figures and the forms.
FIRST_PAGES = ("overview", "recommendations", "journeys", "data", "downloads")
#: The page of an organisation (its path names it).
ORGANISATION_PAGE = "organisation"
#: Organisations whose page is warmed, in code order: each keeps its figures and charts in
#: memory until the data changes, so a national store warms a few, not hundreds.
ORGANISATIONS_WARMED = 12
#: Who the pages are always put together for: board figures for the whole system.
VIEWER = Principal("warm-up viewer", Role.VIEWER, (WHOLE_SYSTEM,))
#: Ways of seeing figures warmed, the viewer's included: each with exact figures for a scope
#: of its own is a release of its own to build, so a store with many scopes warms the first.
SCOPES_WARMED = 6


def readers(users: Iterable[User]) -> list[Principal]:
    """Who the pages are put together for: the whole-system viewer, then each scope the users
    see figures with (exact or not, which organisations), whole-system ones first, at most
    `SCOPES_WARMED` in all. Made-up readers stand for them: no user's name is used."""
    scopes: dict[tuple[bool, tuple[str, ...]], Principal] = {(False, VIEWER.orgs): VIEWER}
    for user in users:
        exact = user.principal().may(Permission.EXACT)
        orgs = (WHOLE_SYSTEM,) if WHOLE_SYSTEM in user.orgs else tuple(sorted(user.orgs))
        role = Role.ANALYST if exact else Role.VIEWER
        scopes.setdefault((exact, orgs), Principal(f"warm-up {role}", role, orgs))
    ranked = sorted(
        scopes.items(), key=lambda kv: (kv[1] != VIEWER, kv[0][1] != VIEWER.orgs, kv[0])
    )
    return [reader for _, reader in ranked][:SCOPES_WARMED]


def releases_of(users: Iterable[User], codes: Sequence[str]) -> list[frozenset[str]]:
    """The exact organisations of each release the readers' pages read (`readers`), the
    board's (none exact) first: what `equitrack import` builds, so that no reader waits."""
    return list(dict.fromkeys([frozenset(), *(r.exact_orgs(list(codes)) for r in readers(users))]))


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
    """Each first page for each reader of the app's users now, then the first organisations'
    pages, as steps for `WebState.warm` (the organisations are read when that step runs)."""
    who = readers(app.state.web.store_do(list_users))
    steps: list[tuple[str, Callable[[], object]]] = [
        (f"{name} ({reader.role}, {', '.join(reader.orgs)})", partial(_page, app, name, reader))
        for reader in who
        for name in FIRST_PAGES
    ]
    steps.append(("organisation pages", partial(_organisations, app, who)))
    return steps


def _organisations(app: FastAPI, who: list[Principal]) -> None:
    codes = sorted(o.code for o in app.state.web.organisations())[:ORGANISATIONS_WARMED]
    for code in codes:
        for reader in who:
            if reader.sees(code):
                _page(app, ORGANISATION_PAGE, reader, org=code)


def keep_first_pages(store: Store, progress: Progress) -> int:
    """Each first page put together once over `store`, as `serve`'s warm-up would
    (`first_pages`), so that the charts they draw are kept on disk with the data version's
    releases (`WebState.drawings`). `equitrack import` runs it after keeping the releases:
    the first start after new data then reads everything back, as a restart does, instead of
    drawing beside its own warm-up while the first visitors wait. The store stays open (it is
    the caller's). Returns how many steps failed (each logged)."""
    from equitrack.web.app import create_app

    app = create_app(store)
    steps = first_pages(app)
    advance = progress.task("Drawing the dashboard's first pages", len(steps))
    return run_steps(steps, threading.Event(), advance)
