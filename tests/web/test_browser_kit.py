"""The browser kit itself, on a page of its own: the NHS.UK frontend built by scripts/web-assets
loads and styles the page in Chromium, nothing is asked of any other host, and axe-core finds
no serious or critical WCAG failure there but does find one planted on a second page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.browser import (
    STATIC,
    assert_no_external_requests,
    axe_violations,
    browser,
    format_violations,
    new_page,
    serve,
)

fastapi = pytest.importorskip("fastapi")
from fastapi.responses import HTMLResponse, Response  # noqa: E402
from fastapi.staticfiles import StaticFiles  # noqa: E402

NHS_BLUE = "rgb(0, 94, 184)"
# what a dashboard page should be able to live with: nothing but its own origin
CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"

# The NHS logo as the NHS.UK frontend header draws it
NHS_LOGO = """<svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" role="img" aria-label="NHS">
<title>NHS</title>
<path fill="currentcolor" d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"/>
</svg>"""


def page_html(title: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{title} – equitrack</title>
<link rel="stylesheet" href="/static/nhsuk/nhsuk-frontend.min.css">
<link rel="icon" href="/static/nhsuk/assets/images/favicon.ico" sizes="48x48">
<link rel="icon" href="/static/nhsuk/assets/images/favicon.svg" sizes="any" type="image/svg+xml">
<link rel="manifest" href="/static/nhsuk/assets/manifest.json">
<script type="module" src="/init.js"></script>
</head>
<body>
<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="nhsuk-header" data-module="nhsuk-header" role="banner">
  <div class="nhsuk-header__container nhsuk-width-container">
    <div class="nhsuk-header__service">
      <a class="nhsuk-header__service-logo" href="/" aria-label="equitrack homepage">
        {NHS_LOGO}
        <span class="nhsuk-header__service-name">equitrack</span>
      </a>
    </div>
  </div>
  <nav class="nhsuk-header__navigation" aria-label="Menu">
    <div class="nhsuk-header__navigation-container nhsuk-width-container">
      <ul class="nhsuk-header__navigation-list">
        <li class="nhsuk-header__navigation-item">
          <a class="nhsuk-header__navigation-link" href="/" aria-current="page">Overview</a>
        </li>
        <li class="nhsuk-header__navigation-item">
          <a class="nhsuk-header__navigation-link" href="/broken">Recommendations</a>
        </li>
      </ul>
    </div>
  </nav>
</header>
<div class="nhsuk-width-container">
  <main class="nhsuk-main-wrapper" id="maincontent" role="main">
    <h1 class="nhsuk-heading-l">{title}</h1>
    {content}
  </main>
</div>
<footer class="nhsuk-footer" role="contentinfo">
  <div class="nhsuk-width-container">
    <div class="nhsuk-footer__meta">
      <h2 class="nhsuk-u-visually-hidden">Support links</h2>
      <ul class="nhsuk-footer__list">
        <li class="nhsuk-footer__list-item">
          <a class="nhsuk-footer__list-item-link" href="/">Accessibility statement</a>
        </li>
      </ul>
      <p class="nhsuk-body-s">© NHS England</p>
    </div>
  </div>
</footer>
</body>
</html>"""


GOOD = page_html(
    "Workforce Race Equality Standard",
    """<p class="nhsuk-body-l">Whether Black and minority ethnic staff are treated fairly.</p>
    <div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span>
      <p>Figures pass the disclosure gate.</p></div>
    <table class="nhsuk-table">
      <caption class="nhsuk-table__caption">Relative likelihood of appointment from shortlisting</caption>
      <thead class="nhsuk-table__head"><tr>
        <th scope="col" class="nhsuk-table__header">Organisation</th>
        <th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric">Ratio</th>
      </tr></thead>
      <tbody class="nhsuk-table__body"><tr class="nhsuk-table__row">
        <td class="nhsuk-table__cell">RWE</td>
        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">1.41</td>
      </tr></tbody>
    </table>
    <button class="nhsuk-button" data-module="nhsuk-button" type="button">Download</button>""",
)

# an image with no text alternative and a button with no name, both WCAG A failures
BROKEN = page_html(
    "Recommendations",
    """<img src="/static/nhsuk/assets/images/nhsuk-icon-180.png" width="90" height="90">
    <button class="nhsuk-button" type="button"></button>""",
)

# a page that asks another host for something
LEAKY = page_html(
    "Leaky", '<img src="https://fonts.example.com/logo.png" alt="A logo from elsewhere">'
)

INIT_JS = """import { initAll } from "/static/nhsuk/nhsuk-frontend.min.js";
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
"""


def make_app() -> fastapi.FastAPI:
    app = fastapi.FastAPI()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def csp(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        return response

    @app.get("/", response_class=HTMLResponse)
    def good() -> str:
        return GOOD

    @app.get("/broken", response_class=HTMLResponse)
    def broken() -> str:
        return BROKEN

    @app.get("/leaky", response_class=HTMLResponse)
    def leaky() -> str:
        return LEAKY

    @app.get("/init.js")
    def init_js() -> Response:
        return Response(INIT_JS, media_type="text/javascript")

    return app


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    if not (STATIC / "nhsuk" / "nhsuk-frontend.min.css").is_file():
        pytest.fail("the NHS.UK frontend is not built: run scripts/web-assets (make assets)")
    with serve(make_app()) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(base_url: str):  # type: ignore[no-untyped-def]
    with browser() as launched:
        yield launched


@pytest.fixture
def page(chromium, base_url: str):  # type: ignore[no-untyped-def]
    with new_page(chromium, base_url) as page:
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems  # type: ignore[attr-defined]
        yield page


def test_nhsuk_page_loads_styled_and_stays_local(page, base_url: str) -> None:
    with assert_no_external_requests(page, base_url) as requests:
        response = page.goto("/", wait_until="load")
        page.wait_for_selector("body.nhsuk-frontend-supported [data-nhsuk-header-init]")
    assert response is not None and response.ok
    assert page.title() == "Workforce Race Equality Standard – equitrack"
    # the stylesheet, the JS bundle (through init.js) and the icons all came from the app
    assert f"{base_url}/static/nhsuk/nhsuk-frontend.min.css" in requests
    assert f"{base_url}/static/nhsuk/nhsuk-frontend.min.js" in requests
    style = page.eval_on_selector(
        ".nhsuk-header",
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color]; }",
    )
    assert style[0] == NHS_BLUE
    assert page.eval_on_selector(
        ".nhsuk-width-container", "el => getComputedStyle(el).maxWidth"
    ) == ("960px")
    assert page.eval_on_selector(".nhsuk-footer", "el => getComputedStyle(el).backgroundColor") == (
        "rgb(216, 221, 224)"
    )
    assert page.problems == []  # type: ignore[attr-defined]
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_axe_finds_planted_failures(page) -> None:
    page.goto("/broken")
    violations = axe_violations(page)
    by_id = {v["id"]: v for v in violations}
    assert {"image-alt", "button-name"} <= set(by_id), format_violations(violations)
    assert by_id["image-alt"]["impact"] == "critical"
    assert by_id["image-alt"]["targets"] == ["img"]
    assert by_id["button-name"]["targets"] == ["button"]
    assert by_id["image-alt"]["help"]
    # impacts filters: nothing here is only minor, and None gives everything
    assert not {"image-alt", "button-name"} & {v["id"] for v in axe_violations(page, ("minor",))}
    assert {"image-alt", "button-name"} <= {v["id"] for v in axe_violations(page, None)}


def test_external_request_is_caught(page, base_url: str) -> None:
    with (
        pytest.raises(AssertionError, match=r"fonts\.example\.com"),
        assert_no_external_requests(page, base_url),
    ):
        page.goto("/leaky", wait_until="load")
    # and without a base URL, the page's own origin is the one allowed
    with assert_no_external_requests(page) as requests:
        page.goto("/")
    assert f"{base_url}/" in requests
