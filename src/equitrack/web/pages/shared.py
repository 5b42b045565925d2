"""What every area of the dashboard's pages needs: the app's state, the year asked for, and a
message carried to the next page."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from equitrack.web.state import WebState


def web_of(request: Request) -> WebState:
    """The app's state (store, caches, sessions) behind a request."""
    return request.app.state.web


def chosen_year(request: Request, asked: int | None) -> tuple[int, list[int]]:
    """The year asked for if it is one of the five latest, else the latest; and those five."""
    latest = web_of(request).latest_year() or dt.date.today().year
    years = list(range(latest, latest - 5, -1))
    return (asked if asked in years else latest), years


def told(request: Request, target: str, message: str) -> Response:
    """Back to `target`, with `message` shown there: kept in the session, never in the URL,
    so no link can put words on the dashboard."""
    request.state.session.flash(message)
    return RedirectResponse(target, status_code=303)


def scope_name(web: WebState, org: str | None) -> str:
    """A tracker scope's name, for the recommendations and journeys pages."""
    return web.names().get(org, org) if org else "the whole system"
