"""Signing in and out, and the health check: the pages open to anyone."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from equitrack.web.access import Permission
from equitrack.web.audit import Event
from equitrack.web.guard import SIGN_IN_CSRF_COOKIE, Forbidden, allow, principal_of
from equitrack.web.pages.shared import web_of
from equitrack.web.render import page
from equitrack.web.sessions import COOKIE
from equitrack.web.state import STORE_WAIT, address_of

router = APIRouter()


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
    web = web_of(request)
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

    # read on the sessions' connection (never behind a page measuring); the (deliberately
    # slow) hashing is done outside its lock
    principal = check_password(
        web.sessions_do(lambda s: account(s, username), STORE_WAIT), password
    )
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
        secure=web_of(request).secure_cookies, max_age=3600,
    )  # fmt: skip
    response.status_code = status
    return response


@router.post("/sign-out", name=allow("sign_out", Permission.VIEW))
def sign_out(request: Request) -> Response:
    web = web_of(request)
    web.audit(principal_of(request).username, Event.SIGN_OUT, "", request)
    web.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/health", name=allow("health", None), include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
