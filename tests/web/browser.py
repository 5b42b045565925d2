"""A real browser for the dashboard's tests: the app served by uvicorn on loopback, Debian's
Chromium driven headless by Playwright, axe-core for accessibility, and a check that no request
leaves the app.

The pieces are plain context managers and functions, for a conftest to wrap in fixtures:

    with serve(app) as base_url, browser() as chromium, new_page(chromium, base_url) as page:
        with assert_no_external_requests(page, base_url):
            page.goto("/")
        assert not axe_violations(page), format_violations(axe_violations(page))

Chromium comes from the machine (Debian's chromium package, which `make system-deps`
installs); Playwright's own browser downloads are never used. Where Chromium or Playwright is
missing the tests skip, unless EQUITRACK_REQUIRE_ENGINES is set (as `.ci/run` does), when the
absence is a failure. The axe-core script is the one `scripts/web-assets` copies from
web/package-lock.json into src/equitrack/web/static/test/, read from disk.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

import equitrack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

REQUIRE_ENV = "EQUITRACK_REQUIRE_ENGINES"
CHROMIUM_ENV = "EQUITRACK_CHROMIUM"
CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(equitrack.__file__).resolve().parent / "web" / "static"
AXE_JS = STATIC / "test" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no rule tagged wcag22a yet; the tag is there
# for when it does)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
SERIOUS = ("serious", "critical")

# Chromium as root in a container, with nothing of its own reaching out: no sandbox (root), no
# proxy, no GPU, none of its background traffic (update checks, sync, QUIC probes), and every
# host name but loopback unresolvable, so a page that asks for something outside fails at once
# rather than waiting on the network (assert_no_external_requests still sees the request).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--no-proxy-server",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)


def unavailable(reason: str) -> None:
    """Skip, or fail where the engines (here the browser) are required."""
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set, so the browser is required)")
    pytest.skip(reason)


@contextmanager
def serve(app: Any, *, timeout: float = 15.0, ready_path: str | None = "/") -> Iterator[str]:
    """Run an ASGI app with uvicorn in a background thread on a free loopback port.

    Yields the base URL (``http://127.0.0.1:PORT``) once uvicorn has started (the app's
    lifespan startup included) and a GET of ``ready_path`` has had an answer, any status (None:
    no request, started is enough). Stops the server, and its thread, on exit.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    base_url = f"http://{host}:{port}"
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="auto",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the waiting thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        _wait_until_answering(base_url, ready_path, server, thread, failure, timeout)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        sock.close()


def _wait_until_answering(
    base_url: str,
    ready_path: str | None,
    server: Any,
    thread: threading.Thread,
    failure: list,
    timeout: float,
) -> None:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    deadline = time.monotonic() + timeout
    while True:
        if failure or not thread.is_alive():
            raise RuntimeError(f"uvicorn stopped before serving {base_url}") from (
                failure[0] if failure else None
            )
        if server.started:
            if ready_path is None:
                return
            try:
                with direct.open(base_url + ready_path, timeout=2):
                    return
            except urllib.error.HTTPError:  # any status means it is answering
                return
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"uvicorn did not answer on {base_url} within {timeout:g}s")
        time.sleep(0.02)


def chromium_path() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV) or CHROMIUM)


@contextmanager
def browser(*, args: Iterable[str] = CHROMIUM_ARGS) -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright; closed on exit.

    Skips (or fails, with EQUITRACK_REQUIRE_ENGINES set) when Chromium or Playwright is
    missing. EQUITRACK_CHROMIUM names another Chromium binary.
    """
    executable = chromium_path()
    if not executable.is_file() or not os.access(executable, os.X_OK):
        unavailable(f"no Chromium at {executable} (Debian package chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(executable),
                headless=True,
                args=list(args),
                chromium_sandbox=False,
            )
        except Error as exc:
            unavailable(f"could not start Chromium at {executable}: {exc}")
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def new_page(
    chromium: Browser, base_url: str | None = None, **context_options: Any
) -> Iterator[Page]:
    """A page in a fresh browser context (its own cookies and storage), closed on exit.

    With ``base_url``, ``page.goto("/path")`` is relative to it.
    """
    if base_url is not None:
        context_options.setdefault("base_url", base_url)
    context = chromium.new_context(**context_options)
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(
    page: Page, impacts: Iterable[str] | None = SERIOUS, *, tags: Iterable[str] = AXE_TAGS
) -> list[dict]:
    """Run axe-core on the page as it is now, against WCAG 2.0, 2.1 and 2.2 A and AA.

    Returns one dict per violated rule whose impact is in ``impacts`` (None for every impact):
    ``id``, ``impact``, ``help``, ``help_url`` and ``targets`` (a CSS selector per failing
    element; parts inside frames or shadow roots joined by " >>> "). The script is read from
    disk and evaluated in the page, so it asks for nothing over the network and works under a
    Content-Security-Policy that forbids inline scripts.
    """
    if not AXE_JS.is_file():
        pytest.fail(f"no {AXE_JS}: run scripts/web-assets (make assets) first")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    found = page.evaluate(
        """async (options) => {
            const results = await window.axe.run(document, options);
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                help_url: v.helpUrl,
                targets: v.nodes.map((n) =>
                    n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" >>> ")
                ),
            }));
        }""",
        options,
    )
    wanted = None if impacts is None else set(impacts)
    return [v for v in found if wanted is None or v["impact"] in wanted]


def format_violations(violations: list[dict]) -> str:
    """The violations one per line, for an assertion message."""
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in violations
    )


_LOCAL_SCHEMES = ("data", "blob", "about")


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme)


@contextmanager
def assert_no_external_requests(page: Page, base_url: str | None = None) -> Iterator[list[str]]:
    """Record every request the page makes inside the block; on leaving it, assert that each
    went to ``base_url``'s origin (scheme, host and port).

    Yields the list of request URLs as it grows. Without ``base_url``, the origin is that of
    the page's URL when the block ends. data:, blob: and about: URLs never leave the page and
    are allowed.
    """
    seen: list[str] = []

    def record(request: Request) -> None:
        seen.append(request.url)

    page.on("request", record)
    try:
        yield seen
    finally:
        page.remove_listener("request", record)
    origin = _origin(base_url or page.url)
    outside = [
        url for url in seen if urlsplit(url).scheme not in _LOCAL_SCHEMES and _origin(url) != origin
    ]
    assert not outside, f"requests left {origin[0]}://{origin[1]}:{origin[2]}:\n" + "\n".join(
        outside
    )
