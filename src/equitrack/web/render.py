"""Pages in the NHS.UK layout: the templates, the menu and what every page is told.

A module of its own so that the app (which includes the pages' routes) and the pages (which
render) both import it, and neither imports the other.
"""

from __future__ import annotations

from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from equitrack.disclosure import Audience, policy_for
from equitrack.measures import calendar
from equitrack.reports.cells import cell, used_columns
from equitrack.reports.html import NUMERIC
from equitrack.web.access import Permission, Principal

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
