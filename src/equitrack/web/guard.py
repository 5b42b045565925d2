"""Authentication, authorisation and CSRF for every route, decided here and nowhere else.

Each route is registered with the permission it needs (`allow`); the app runs `guard` before
every route. A route with no rule is refused (fail closed). Every path parameter is read here,
by the rule of its name in `PATH_PARAMS` (a name with no rule is refused too): an id has one
spelling only (`43`, never `43.0`, `+43`, `043` or `٤٣`; anything else is malformed, 422), so
the guard and the route always mean the same object. A path naming an organisation, or an
object that belongs to one (an action), is checked against the owner as stored: no such object
is 404, another organisation's is 403. A request that changes anything must carry the
session's CSRF token.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

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
    """Register route `name`'s rule; returns the name, for the route decorator. A name given
    twice is refused: the second rule would silently replace the first."""
    if name in RULES:
        raise ValueError(f"route name {name!r} has a rule already: give each route its own name")
    RULES[name] = Rule(permission, restricted)
    return name


class NotSignedIn(Exception):
    pass


class Forbidden(Exception):
    """A refusal the user is told about: 403 unless a subclass says otherwise."""

    status = 403

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class NotFound(Forbidden):
    """The path names an object that is not there (never a reason to skip a check)."""

    status = 404


#: An id: plain ASCII digits, no sign, no leading zero, no spaces, small enough for int64.
ID_DIGITS = re.compile(r"[1-9][0-9]{0,17}")
#: An organisation's code as the data contract keeps it (ODS codes: capitals and digits).
ORG_CODE = re.compile(r"[A-Z0-9]{1,16}")
#: A name from a fixed list the route checks (a measure family, a report kind, a format).
NAME = re.compile(r"[a-z0-9_]{1,40}")


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return parse


parse_org = _matching(ORG_CODE, "an organisation code (capital letters and digits)")
parse_name = _matching(NAME, "a name (lower-case letters, digits and _)")
#: An id the app made unguessable (an upload's), as `secrets.token_urlsafe` writes it.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
parse_token = _matching(TOKEN, "an upload's id")


def parse_id(value: object) -> int:
    """The one reading of an id, used by the guard and (through `ObjectId`) by the route."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a number given by Python code is held to the same spelling
    return int(_matching(ID_DIGITS, "an id written in plain digits, like 43")(value))


#: The types routes give their path parameters: the same readings the guard makes.
ObjectId = Annotated[int, BeforeValidator(parse_id)]
OrgCode = Annotated[str, BeforeValidator(parse_org)]
Name = Annotated[str, BeforeValidator(parse_name)]


def _loaded_org(request: Request, org: str) -> str:
    if not request.app.state.web.loaded(org):
        raise NotFound(f"no organisation {org} is loaded")
    return org


def _action_owner(request: Request, action_id: int) -> str:
    owner = request.app.state.web.action_owner(action_id)
    if owner is None:
        raise NotFound(f"there is no action {action_id}")
    return owner


def _uploader(request: Request, upload_id: str) -> str:
    job = request.app.state.jobs.get(upload_id)
    if job is None:
        raise NotFound("there is no such upload (an upload's page is kept for an hour)")
    return job.owner


@dataclass(frozen=True)
class PathParam:
    """How a path parameter is read, and whose its object is, as stored: `owner` returns the
    organisation of an organisation's object, `person` the user of a person's own object (an
    upload: theirs, and whole-system administrators', to see); either raises NotFound."""

    parse: Callable[[object], Any]
    owner: Callable[[Request, Any], str] | None = None
    person: Callable[[Request, Any], str] | None = None


#: Every path parameter any route has, by name. A route whose path has a name not here is
#: refused: a new kind of object needs its rule (and its owner) before it can be reached.
PATH_PARAMS: dict[str, PathParam] = {
    "org": PathParam(parse_org, _loaded_org),
    "action_id": PathParam(parse_id, _action_owner),
    "number": PathParam(parse_id),  # a recommendation: the same ten for every organisation
    "family": PathParam(parse_name),
    "kind": PathParam(parse_name),
    "fmt": PathParam(parse_name),
    # a person's own upload: only they and whole-system administrators see it
    "upload_id": PathParam(parse_token, person=_uploader),
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
        _check_path_param(request, principal, name, value)
    if request.method not in SAFE_METHODS:
        token = await _csrf_token(request)
        if not hmac.compare_digest(token, session.csrf):
            raise Forbidden("the form has expired or did not come from this site; try again")
    if rule.restricted:
        web.audit(principal.username, Event.RESTRICTED_VIEW, request.url.path, request)


def _check_path_param(request: Request, principal: Principal, name: str, value: str) -> None:
    """Read one path parameter by its rule; refuse another organisation's object."""
    param = PATH_PARAMS.get(name)
    if param is None:
        raise _denied(request, principal, f"this address's {name} has no access rule")
    try:
        parsed = param.parse(value)
    except ValueError as exc:  # 422, in the shape FastAPI gives any other invalid parameter
        error = {"type": "value_error", "loc": ("path", name), "msg": str(exc), "input": value}
        raise RequestValidationError([error]) from None
    if param.owner is not None and not principal.sees(param.owner(request, parsed)):
        raise _denied(request, principal, "this organisation is outside your access")
    holder = principal.username if param.person is None else param.person(request, parsed)
    administers = principal.may(Permission.ADMIN) and principal.whole_system
    if holder != principal.username and not administers:
        raise _denied(request, principal, "this is someone else's")


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
