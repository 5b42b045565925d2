"""The dashboard in a real browser: Debian's Chromium, headless, against the app served by
uvicorn on loopback.

Each role signs in through the form and opens every page of the menu and an organisation page;
on every page axe-core finds no serious or critical WCAG 2.2 A/AA failure and nothing is asked
of any host but the app. An editor changes an action's status through its form, an analyst
uploads a bad file and reads its problems, a signed-out user is sent back to sign in, and the
skip link is the first stop for the keyboard and takes focus to the main content.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from equitrack import config, ingest
from equitrack.web.pages import data as data_pages
from equitrack.web.state import Preparing
from tests.charts.rendering import page_problems
from tests.web.browser import (
    STATIC,
    assert_no_external_requests,
    axe_violations,
    browser,
    format_violations,
    new_page,
    serve,
)
from tests.web.conftest import BAD_TRAINING, PASSWORD

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

if TYPE_CHECKING:
    from playwright.sync_api import Page

MENU = ["Overview", "Recommendations", "Journeys", "Data", "Downloads"]
ADMIN_MENU = [*MENU, "Audit log"]
#: The pages behind the menu, by label: (path, the start of the page's heading).
PAGES = {
    "Overview": ("/", "Overview"),
    "Recommendations": ("/recommendations", "The ten recommendations"),
    "Journeys": ("/journeys", "Journeys"),
    "Data": ("/data", "Data"),
    "Downloads": ("/downloads", "Downloads"),
    "Audit log": ("/audit", "Audit log"),
}
#: Pages are measured on first sight; on two shared cores that can take a while.
TIMEOUT_MS = 90_000
#: What Chromium logs for an answer the test expects (a refusal, a rejected upload).
EXPECTED_STATUS = re.compile(r"status of (401|403|422|503) ")


@pytest.fixture(scope="module")
def base_url(app) -> Iterator[str]:
    if not (STATIC / "nhsuk" / "nhsuk-frontend.min.css").is_file():
        pytest.fail("the NHS.UK frontend is not built: run scripts/web-assets (make assets)")
    with serve(app, ready_path="/health") as url:
        yield url


@pytest.fixture(scope="module")
def chromium(base_url: str):  # type: ignore[no-untyped-def]
    with browser() as launched:
        yield launched


@contextmanager
def fresh_page(chromium, base_url: str) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A page of its own (no cookies) that records script errors and failed loads."""
    with new_page(chromium, base_url) as page:
        page.set_default_timeout(TIMEOUT_MS)
        page.set_default_navigation_timeout(TIMEOUT_MS)
        problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not EXPECTED_STATUS.search(m.text)
                and problems.append(f"{page.url}: {m.text}")
            ),
        )
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.problems = problems  # type: ignore[attr-defined]
        yield page
        assert problems == [], "\n".join(problems)


def check(page: Page, what: str, found: list[str] | None = None) -> None:
    """No serious or critical WCAG 2.2 A/AA failure on the page as it is now: asserted at once,
    or, given ``found``, added to it (to assert after every page has been seen)."""
    violations = axe_violations(page)
    if violations:
        said = f"{what} ({page.url}):\n{format_violations(violations)}"
        if found is None:
            raise AssertionError(said)
        found.append(said)


def heading(page: Page) -> str:
    return page.locator("main h1").inner_text().strip()


def sign_in_with_form(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Open the sign-in page, fill in the form and send it, as a person would."""
    with assert_no_external_requests(page, base_url):
        page.goto("/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()


@contextmanager
def signed_in(chromium, base_url: str, username: str) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    with fresh_page(chromium, base_url) as page:
        sign_in_with_form(page, base_url, username)
        assert page.url == f"{base_url}/", f"{username} landed on {page.url}"
        assert heading(page).startswith("Overview")
        yield page


def assert_chart(page: Page) -> None:
    """At least one chart: an SVG image named by its <title>."""
    charts = page.locator("main svg[role='img']")
    assert charts.count() > 0, f"no chart on {page.url}"
    for i in range(charts.count()):
        svg = charts.nth(i)
        title = svg.locator(":scope > title")
        assert title.count() == 1, f"chart {i} on {page.url} has no <title>"
        assert (title.text_content() or "").strip(), f"chart {i} on {page.url}: empty <title>"
        title_id = title.get_attribute("id")
        assert title_id and title_id in (svg.get_attribute("aria-labelledby") or "").split()
    # and the browser gives the chart its title as its accessible name
    first = (charts.first.locator(":scope > title").text_content() or "").strip()
    assert page.get_by_role("img", name=first).count() >= 1


# --- signing in, and every page of the menu -------------------------------------------------


def test_the_sign_in_page_and_its_error_are_accessible(chromium, base_url: str) -> None:
    with fresh_page(chromium, base_url) as page:
        with assert_no_external_requests(page, base_url) as requests:
            response = page.goto("/sign-in")
            assert response is not None and response.ok
            assert heading(page) == "Sign in"
            assert page.locator("nav[aria-label='Menu']").count() == 0
            check(page, "the sign-in page")
            # a wrong password (an unknown user, so no real account's failures are counted)
            page.get_by_label("Username").fill("nobody-in-the-browser")
            page.get_by_label("Password").fill("not the password at all")
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            summary = page.locator(".nhsuk-error-summary")
            assert summary.is_visible()
            assert "The username or password is not right." in summary.inner_text()
            assert page.get_by_label("Username").input_value() == "nobody-in-the-browser"
            check(page, "the sign-in page with an error")
        assert f"{base_url}/static/nhsuk/nhsuk-frontend.min.css" in requests


@pytest.mark.parametrize("username", ["editor", "viewer", "analyst", "admin"])
def test_every_page_in_the_menu_is_accessible_and_stays_local(
    chromium, base_url: str, username: str
) -> None:
    violations: list[str] = []  # every page's, so one failure does not hide the others
    with signed_in(chromium, base_url, username) as page:
        assert f"Signed in as {username} ({username})" in page.locator("header").inner_text()
        if username in ("viewer", "admin"):
            # more than one organisation to compare, so the overview draws the comparison (for
            # a user of one organisation it has none: its charts are on the organisation page)
            assert_chart(page)
        menu = page.get_by_role("navigation", name="Menu")
        labels = [t.strip() for t in menu.get_by_role("link").all_inner_texts()]
        assert labels == (ADMIN_MENU if username == "admin" else MENU)
        for label in labels:
            path, title = PAGES[label]
            with assert_no_external_requests(page, base_url):
                with page.expect_navigation():
                    menu.get_by_role("link", name=label, exact=True).click()
                page.wait_for_load_state("load")
                assert page.url == f"{base_url}{path}"
                assert heading(page).startswith(title), heading(page)
                current = menu.locator("a[aria-current='page']")
                assert current.count() == 1 and current.inner_text().strip() == label
                check(page, f"{label} as {username}", violations)
        with assert_no_external_requests(page, base_url):
            response = page.goto("/organisations/RXA")
            assert response is not None and response.status == 200
            assert "WRES" in heading(page)
            assert_chart(page)
            check(page, f"the RXA page as {username}", violations)
    assert violations == [], "\n".join(violations)


def test_the_dashboards_charts_render_with_their_words_inside_and_apart(
    chromium, base_url: str
) -> None:
    """The overview's comparisons, an organisation's charts and the journeys' curves, drawn
    with the page's styles: no word off the chart's edge, none over another (issue 19)."""
    failures: list[str] = []
    checked = 0
    with signed_in(chromium, base_url, "admin") as page:
        for path in ("/", "/organisations/RXA", "/journeys"):
            if path != "/":
                response = page.goto(path)
                assert response is not None and response.status == 200, path
            found = page_problems(page)
            assert found, f"no chart on {path}"
            checked += len(found)
            failures += [f"{path}, chart {t!r}: {p}" for t, said in found for p in said]
    assert not failures, f"{len(failures)} problems in {checked} charts:\n" + "\n".join(failures)


def test_a_refusal_is_an_accessible_page(chromium, base_url: str) -> None:
    with (
        signed_in(chromium, base_url, "editor") as page,
        assert_no_external_requests(page, base_url),
    ):
        response = page.goto("/audit")
        assert response is not None and response.status == 403
        assert heading(page) == "You cannot see this page"
        assert "your role (editor) cannot do this" in page.locator("main").inner_text()
        check(page, "the 403 page")
        with page.expect_navigation():
            page.get_by_role("link", name="Go to the overview").click()
        assert heading(page).startswith("Overview")


def test_a_page_being_prepared_is_accessible_and_asks_for_itself_again(
    chromium, base_url: str, app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `serve` answers a page whose figures are still being prepared after new data
    (tests/web/test_preparing.py makes it so for real)."""
    web = app.state.web
    shown = web.shown

    def preparing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Preparing

    with (
        signed_in(chromium, base_url, "viewer") as page,
        assert_no_external_requests(page, base_url),
    ):
        monkeypatch.setattr(web, "shown", preparing)
        response = page.goto("/journeys")
        assert response is not None and response.status == 503
        assert heading(page) == "Figures are being prepared"
        check(page, "the page of figures being prepared")
        status = page.get_by_role("status")
        assert status.inner_text() == ""  # asked again now and then: not ready yet
        page.wait_for_timeout(6000)
        assert status.inner_text() == "" and page.url.endswith("/journeys")
        monkeypatch.setattr(web, "shown", shown)  # ready now
        # said in the status line at the next asking; the page itself is not reloaded
        page.get_by_text("The figures are ready.").wait_for(timeout=15_000)
        assert heading(page) == "Figures are being prepared"
        check(page, "the page of figures being prepared, once they are ready")
        with page.expect_navigation():
            page.get_by_role("link", name="Show the figures").click()
        assert heading(page).startswith("Journeys")

        # signed out meanwhile (in another tab): the page stops asking and says nothing wrong
        monkeypatch.setattr(web, "shown", preparing)
        page.goto("/journeys")
        other = page.context.new_page()
        other.goto("/")
        with other.expect_navigation():
            other.locator("header").get_by_role("button", name="Sign out").click()
        other.close()
        monkeypatch.setattr(web, "shown", shown)
        page.wait_for_timeout(5000)
        assert page.get_by_role("status").inner_text() == ""
        assert page.get_by_role("link", name="Try this page again").count() == 1


# --- changing things through the forms --------------------------------------------------------


def test_an_editor_changes_an_actions_status_through_its_form(chromium, base_url: str, app) -> None:
    from equitrack.tracker import actions as tracked
    from equitrack.tracker.plan import load_plan

    plan = load_plan()

    def add_one(store) -> int:  # type: ignore[no-untyped-def]
        tracked.seed(store, plan)
        return tracked.add(
            store, plan, recommendation=2, text="Browser: fair shortlisting", owner="RXA", by="test"
        )

    action_id = app.state.web.store_do(add_one)  # the app's own lock around its store
    with (
        signed_in(chromium, base_url, "editor") as page,
        assert_no_external_requests(page, base_url),
    ):
        page.goto("/recommendations")
        row = page.locator(f"tr[data-action='{action_id}']")
        assert row.locator("[data-field='status']").inner_text().strip() == "planned"
        row.get_by_label(f"New status for action {action_id}").select_option("in_progress")
        with page.expect_navigation():
            row.get_by_role("button", name=f"Save status of action {action_id}").click()
        assert page.url.startswith(f"{base_url}/recommendations")
        message = page.locator("main .nhsuk-inset-text")
        assert message.inner_text().strip() == f"Action {action_id} is now in progress."
        row = page.locator(f"tr[data-action='{action_id}']")
        assert row.locator("[data-field='status']").inner_text().strip() == "in progress"
        assert row.get_by_label(f"New status for action {action_id}").input_value() == (
            "in_progress"
        )
        check(page, "the recommendations after a change")
    history = app.state.web.store_do(lambda s: tracked.actions(s, plan))
    changed = next(a for a in history if a.action_id == action_id)
    assert changed.status == "in_progress"
    assert changed.history[-1].recorded_by == "editor"


def _send_bad_training(page: Page) -> None:
    """Choose BAD_TRAINING as training.csv on the data page's form, and send it."""
    page.get_by_label("File (CSV, Excel or Parquet)").set_input_files(
        files=[{"name": "training.csv", "mimeType": "text/csv", "buffer": BAD_TRAINING.encode()}]
    )
    page.get_by_role("button", name="Check and load").click()


def test_an_analyst_uploads_a_bad_file_and_reads_its_problems(
    chromium, base_url: str, app, web_key, monkeypatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(web_key))  # the server thread reads it too

    def counts(store) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        return tuple(store.table(t).count().to_pyarrow().as_py() for t in ("training", "batches"))

    before = app.state.web.store_do(counts)
    with (
        signed_in(chromium, base_url, "analyst") as page,
        assert_no_external_requests(page, base_url),
    ):
        page.goto("/data")
        with page.expect_navigation() as navigation:
            _send_bad_training(page)
        assert navigation.value is not None and navigation.value.status == 422
        summary = page.locator(".nhsuk-error-summary")
        assert summary.is_visible()
        assert "training.csv was not loaded" in summary.inner_text()
        assert "Nothing from this file was loaded" in summary.inner_text()
        rows = page.locator("#upload-problems tbody tr")
        problems = [
            tuple(c.strip() for c in rows.nth(i).locator("td").all_inner_texts())
            for i in range(rows.count())
        ]
        where = {(line, column) for line, column, _ in problems}
        assert ("3", "column 6 (mandatory)") in where, problems
        assert ("3", "column 8 (start_date)") in where, problems
        assert all(message for _, _, message in problems)
        check(page, "the data page with an upload's problems")
    assert app.state.web.store_do(counts) == before, "nothing from the file was loaded"


def test_an_upload_being_checked_shows_its_progress_and_says_when_it_is_done(
    chromium, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload's page while its file is checked (held part way here): it follows the check
    and, once the file is checked, says so and links to the outcome; it never refreshes itself
    on a timer (WCAG 2.2.1), and passes axe at both moments."""
    reached, go = threading.Event(), threading.Event()
    import_paths = ingest.import_paths

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        reached.set()
        go.wait(60)
        return import_paths(*args, **kwargs)

    monkeypatch.setattr(ingest, "import_paths", held)
    monkeypatch.setattr(data_pages, "ANSWER_WAIT", 0.2)  # its page shows progress at once
    try:
        with (
            signed_in(chromium, base_url, "analyst") as page,
            assert_no_external_requests(page, base_url),
        ):
            page.goto("/data")
            with page.expect_navigation():
                _send_bad_training(page)
            assert heading(page) == "Checking training.csv"
            assert reached.wait(30), "the file is being checked"
            check(page, "an upload's page while its file is checked")
            job = page.url
            page.wait_for_timeout(3000)
            assert page.url == job and heading(page) == "Checking training.csv"
            assert "The file has been checked." not in page.get_by_role("status").inner_text()
            go.set()
            page.get_by_text("The file has been checked.").wait_for(timeout=30_000)
            assert page.url == job and heading(page) == "Checking training.csv"
            check(page, "an upload's page once its file is checked")
            with page.expect_navigation() as navigation:
                page.get_by_role("link", name="See the result").click()
            assert navigation.value is not None and navigation.value.status == 422
            summary = page.locator(".nhsuk-error-summary")
            assert "training.csv was not loaded" in summary.inner_text()
    finally:
        go.set()


# --- signing out, and the keyboard -------------------------------------------------------------


def test_signing_out_with_the_header_button_closes_the_pages(chromium, base_url: str) -> None:
    with (
        signed_in(chromium, base_url, "viewer") as page,
        assert_no_external_requests(page, base_url),
    ):
        with page.expect_navigation():
            page.locator("header").get_by_role("button", name="Sign out").click()
        assert page.url == f"{base_url}/sign-in"
        assert heading(page) == "Sign in"
        assert "Signed in as" not in page.locator("header").inner_text()
        page.goto("/recommendations")
        assert page.url == f"{base_url}/sign-in?next=/recommendations"
        assert heading(page) == "Sign in"
        assert page.locator("input[name='next']").input_value() == "/recommendations"


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
    chromium, base_url: str
) -> None:
    with signed_in(chromium, base_url, "viewer") as page:
        for path in ("/", "/sign-in"):
            page.goto(path)
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => [document.activeElement.className, document.activeElement.textContent,"
                " document.activeElement.getAttribute('href')]"
            )
            assert focused == ["nhsuk-skip-link", "Skip to main content", "#maincontent"], path
            skip = page.locator(".nhsuk-skip-link")
            box = skip.bounding_box()
            assert box is not None and box["width"] > 1 and box["height"] > 1, (
                "the skip link shows when it has focus"
            )
            page.keyboard.press("Enter")
            page.wait_for_function(
                "() => document.activeElement.id === 'maincontent'", timeout=5_000
            )
            assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
            assert page.url.endswith("#maincontent")
            # and the next Tab goes on from the main content, not back to the header
            page.keyboard.press("Tab")
            inside = page.evaluate(
                "() => document.getElementById('maincontent').contains(document.activeElement)"
            )
            assert inside, path
