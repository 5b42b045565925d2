"""Request bodies have a size limit, enforced while they arrive.

A body declared larger than the limit is refused before any of it is read; one that turns out
larger (no length declared, or a false one) is cut off as soon as it passes the limit. Either
way the answer is `too_large`'s, never what the app made of half a body. The upload form has
its own limit (a setting); everything else is small.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Any request but an upload: forms and the JSON API send a few kilobytes at most.
DEFAULT_LIMIT = 1024 * 1024
#: Room for a multipart body's boundaries and fields around the file itself.
MULTIPART_ROOM = 64 * 1024

TooLargeAnswer = Callable[[Request, int], Awaitable[Response]]


class _Exceeded(Exception):
    pass


class BodyLimit:
    """ASGI middleware: `limits` maps a path to its body limit in bytes (others get
    DEFAULT_LIMIT); `too_large` makes the answer to a body over its limit."""

    def __init__(self, app: ASGIApp, limits: dict[str, int], too_large: TooLargeAnswer) -> None:
        self.app = app
        self.limits = limits
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], DEFAULT_LIMIT)
        headers = Headers(scope=scope)
        room = MULTIPART_ROOM if headers.get("content-type", "").startswith("multipart/") else 0
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + room:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit + room:
                    exceeded = True
                    raise _Exceeded
            return message

        async def unless_exceeded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a cut-off body is replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_Exceeded):
            await self.app(scope, counted, unless_exceeded)
        if exceeded and not started:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        request = Request(scope, receive)
        response = await self.too_large(request, limit)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def megabytes(limit: int) -> str:
    """A limit in words: '100 MB'."""
    return f"{limit / 1_000_000:,.0f} MB" if limit >= 1_000_000 else f"{limit:,} bytes"
