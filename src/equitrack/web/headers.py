"""Security headers on every response the dashboard sends, errors included.

Applied around the whole app (`Dashboard.build_middleware_stack`), outside even the handler of
unexpected errors, so a 500 carries them as a page does. HSTS is sent only over HTTPS: to a
browser, over plain HTTP it means nothing, and behind a reverse proxy the app knows it is HTTPS
only from X-Forwarded-Proto, which it believes from the proxies it is told to trust
(`trusted_proxies`) and no one else.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

#: Headers on every response: no framing, no sniffing, nothing loaded from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cache-Control": "no-store",
}
#: Two years, the subdomains too (the HSTS preload list's minimum is one).
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(path: str, https: bool) -> dict[str, str]:
    """The headers for a response to `path`; static files may be cached, pages never."""
    headers = dict(SECURITY_HEADERS)
    if path.startswith("/static/"):
        del headers["Cache-Control"]
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """ASGI middleware: adds `security_headers` to each response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                https = scope.get("scheme") == "https"
                for name, value in security_headers(scope["path"], https).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_secured)


class Dashboard(FastAPI):
    """FastAPI with the security headers outermost, and X-Forwarded-For and -Proto believed
    only from `trusted_proxies` (addresses; none by default)."""

    def __init__(self, *, trusted_proxies: Sequence[str] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.trusted_proxies = list(trusted_proxies)

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = SecurityHeaders(super().build_middleware_stack())
        if self.trusted_proxies:
            app = ProxyHeadersMiddleware(app, trusted_hosts=self.trusted_proxies)  # type: ignore[arg-type]
        return app
