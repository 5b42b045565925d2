"""Authentication, authorisation and CSRF for every route, decided here and nowhere else.

Each route is registered with the permission it needs (`allow`); the app runs `guard` before
every route. A route with no rule is refused (fail closed). A path naming an organisation, or
an object that belongs to one (an action), is checked against the user's scope; a request that
changes anything must carry the session's CSRF token.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request

from equitrack.web.access import Permission, Principal
from equitrack.web.audit import Event
from equitrack.web.sessions import COOKIE, Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: The cookie of the double-submit token that protects the sign-in form (no session yet).
SIGN_IN_CSRF_COOKIE = "equitrack_sign_in"


@dataclass(frozen=True)
class Rule:
    permission: Permission | None  # None: open to anyone (signing in, the health check)
    restricted: bool = False  # views of it are written to the audit log


RULES: dict[str, Rule] = {}


def allow(name: str, permission: Permission | None, *, restricted: bool = False) -> str:
    """Register route `name`'s rule; returns the name, for the route decorator."""
    RULES[name] = Rule(permission, restricted)
    return name


class NotSignedIn(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


#: How a path parameter names the organisation it is, or that its object belongs to.
OrgOf = Callable[[Request, str], str | None]
OWNERS: dict[str, OrgOf] = {
    "org": lambda request, value: value,
    "action_id": lambda request, value: request.app.state.web.action_owner(value),
}


async def _csrf_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content = request.headers.get("content-type", "")
    if content.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def guard(request: Request) -> None:
    """Run before every route (an app-wide dependency)."""
    web = request.app.state.web
    route = request.scope.get("route")
    rule = RULES.get(getattr(route, "name", ""))
    if rule is None:
        raise Forbidden("this address has no access rule")
    session: Session | None = web.sessions.get(request.cookies.get(COOKIE))
    request.state.session = session
    request.state.principal = session.principal if session else None
    if rule.permission is None:
        return
    if session is None:
        raise NotSignedIn()
    principal: Principal = session.principal
    if not principal.may(rule.permission):
        raise _denied(request, principal, f"your role ({principal.role}) cannot do this")
    for name, value in request.path_params.items():
        org = OWNERS[name](request, value) if name in OWNERS else None
        if org is not None and not principal.sees(org):
            raise _denied(request, principal, "this organisation is outside your access")
    if request.method not in SAFE_METHODS:
        token = await _csrf_token(request)
        if not hmac.compare_digest(token, session.csrf):
            raise Forbidden("the form has expired or did not come from this site; try again")
    if rule.restricted:
        web.audit(principal.username, Event.RESTRICTED_VIEW, request.url.path, request)


def _denied(request: Request, principal: Principal, why: str) -> Forbidden:
    """The refusal, written to the audit log first."""
    detail = f"{request.method} {request.url.path}"
    request.app.state.web.audit(principal.username, Event.DENIED, detail, request)
    return Forbidden(why)


def principal_of(request: Request) -> Principal:
    """The signed-in user of a guarded route (the guard has made sure there is one)."""
    principal = request.state.principal
    if principal is None:
        raise HTTPException(500, "route reached without a signed-in user")
    return principal
