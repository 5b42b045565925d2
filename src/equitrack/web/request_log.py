"""A log line for every request the dashboard answers (`equitrack.logs`).

The line names the route by its template (`/organisations/{org}`, never the path with its ids,
nor the query string), the status, the time taken and the role of the signed-in user (never
who they are): enough to see load, errors and slow pages without personal data.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from equitrack.logs import log

LOG = logging.getLogger("equitrack.requests")


def _route(scope: Scope) -> str:
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static/{path}"
    return "(no such route)"


def _role(scope: Scope) -> str:
    principal: Any = scope.get("state", {}).get("principal")
    return str(principal.role) if principal is not None else "-"


class RequestLog:
    """ASGI middleware: wraps the app (outermost, so refusals by other middleware count too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        scope.setdefault("state", {})  # the guard's request.state, shared with the app below

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            log(
                LOG,
                "request",
                logging.WARNING if status >= 500 else logging.INFO,
                method=scope["method"],
                route=_route(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                role=_role(scope),
            )
