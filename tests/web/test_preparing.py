"""After new data, a page whose figures are still being prepared says so at once (as `serve`
runs the app, with `patience`), instead of keeping its visitor (and any reverse proxy in
front) waiting a minute or more without a word; the figures are prepared once meanwhile, and
the page shows them when they are ready."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from equitrack import api, config, release
from equitrack.ingest import import_paths
from equitrack.store import StoreBusy, connect
from equitrack.web import state
from equitrack.web.app import create_app
from equitrack.web.users import add_user
from equitrack.web.warmup import first_pages
from tests.factories import small_system
from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_upload_jobs import RESPONSIVE
from tests.web.test_warm_up import Records

#: How long a page waits here for figures being prepared (`serve` waits `PAGE_PATIENCE`).
PATIENCE = 0.2


def _ready(client: TestClient, path: str, limit: float = 180.0) -> Any:
    """`path`'s answer once it is no longer "being prepared" (asked again as a reader would)."""
    deadline = time.monotonic() + limit
    while True:
        answer = client.get(path)
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def test_a_page_whose_figures_are_being_prepared_says_so_at_once_and_shows_them_when_ready(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    store = connect(str(tmp_path / "new.duckdb"))
    assert import_paths([small_system(tmp_path / "data")], store).ok
    for name, role, orgs in [("viewer", "viewer", ["*"]), ("admin", "admin", ["*"])]:
        add_user(store, name, PASSWORD, role, orgs, by="test")
    reached, go, mine = threading.Event(), threading.Event(), threading.Event()
    work: Counter[str] = Counter()
    answers, build, run = release.answers, release.build, api.run

    def held(*args: Any, **kwargs: Any) -> Any:  # the new data's answers, held part way
        work["answers"] += 1
        reached.set()
        assert go.wait(120)
        return answers(*args, **kwargs)

    def built(*args: Any, **kwargs: Any) -> Any:
        work[f"release built by {threading.current_thread().name}"] += 1
        return build(*args, **kwargs)

    def measured(*args: Any, **kwargs: Any) -> Any:
        work[f"measured by {threading.current_thread().name}"] += 1
        return run(*args, **kwargs)

    monkeypatch.setattr(release, "answers", held)
    monkeypatch.setattr(release, "build", built)
    monkeypatch.setattr(api, "run", measured)
    records = Records()
    logger = logging.getLogger(state.__name__)
    logger.addHandler(records)
    monkeypatch.setattr(logger, "level", logging.INFO)
    app = create_app(store, secure_cookies=False, lend=True, patience=PATIENCE)
    web = app.state.web
    try:
        # as `serve` starts: the warm-up measures the new data's answers
        warm_up = web.warm(partial(first_pages, app))
        assert reached.wait(60), "the warm-up measures the answers"
        viewer, admin = sign_in(TestClient(app), "viewer"), sign_in(TestClient(app), "admin")
        for path in ("/", "/recommendations", "/data", "/journeys", "/organisations/RWE"):
            began = time.monotonic()
            page = viewer.get(path)
            took = time.monotonic() - began
            assert page.status_code == 503 and took < RESPONSIVE, (path, page.status_code, took)
            assert "Figures are being prepared" in page.text
            assert page.headers["retry-after"].isdigit()
            assert f'<a href="{path}" data-again>Try this page again</a>' in page.text
        asked = viewer.get("/api/system/measures/wres")
        assert asked.status_code == 503 and "being prepared" in asked.json()["detail"]
        assert asked.headers["retry-after"].isdigit()
        assert admin.get("/audit").status_code == 200  # a page without figures answers
        go.set()
        page = _ready(viewer, "/")
        assert page.status_code == 200 and "Figures are being prepared" not in page.text
        warm_up.join(180)
        assert not warm_up.is_alive()
        assert [f["failed"] for f in records.finished()] == [0]  # the warm-up waited
        # measured and protected by the warm-up alone (the board's release and the
        # administrator's exact one), however many times readers asked meanwhile
        assert work["answers"] == 1, dict(work)
        assert {k for k in work if " by " in k} == {
            "measured by warm-up",
            "release built by warm-up",
        }, dict(work)
        assert work["release built by warm-up"] == 2, dict(work)
        # the figures shown are those a server that keeps its readers waiting shows
        patient = viewer.get("/api/system/measures/wres").json()
        waiting = sign_in(TestClient(create_app(store, secure_cookies=False)), "viewer")
        assert patient == waiting.get("/api/system/measures/wres").json() != []

        # an analyst of RWE, added after the warm-up: their own release is built once, for
        # them, in the background, while they are told it is being prepared
        add_user(store, "analyst", PASSWORD, "analyst", ["RWE"], by="test")
        analyst = sign_in(TestClient(app), "analyst")
        release_for = state.release_for

        def held_mine(store, policy, *, exact_orgs=frozenset(), **kwargs):  # type: ignore[no-untyped-def]
            if exact_orgs == {"RWE"}:
                assert mine.wait(120)  # on a small system it is protected in moments
            return release_for(store, policy, exact_orgs=exact_orgs, **kwargs)

        monkeypatch.setattr(state, "release_for", held_mine)
        for _ in range(3):
            began = time.monotonic()
            first = analyst.get("/")
            assert first.status_code == 503 and time.monotonic() - began < RESPONSIVE
        # the page's script asking whether it is ready is told at once, holding no server
        # thread for the app's patience, however long that is
        web.patience = 600.0
        began = time.monotonic()
        asked = analyst.get("/", headers={"X-Equitrack-Again": "1"})
        assert asked.status_code == 503 and time.monotonic() - began < RESPONSIVE
        assert "Figures are being prepared" in asked.text
        web.patience = PATIENCE
        mine.set()
        assert _ready(analyst, "/").status_code == 200
        assert work["answers"] == 1 and work["release built by preparing figures"] == 1, dict(work)
    finally:
        go.set()
        mine.set()
        logger.removeHandler(records)
        web.close()


def test_a_page_that_waited_too_long_for_a_command_using_the_store_says_so(
    app, as_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other answer instead of a page: a command (an import) had the file longer than a
    page waits (`StoreBusy`)."""

    def busy(*args: Any, **kwargs: Any) -> Any:
        raise StoreBusy("the store is in use")

    monkeypatch.setattr(app.state.web, "results", busy)
    viewer = as_user("viewer")
    page = viewer.get("/")
    assert page.status_code == 503 and page.headers["retry-after"] == "30"
    assert "Data is being loaded" in page.text and "Try this page again" not in page.text
    asked = viewer.get("/api/system/measures/wres")
    assert asked.status_code == 503 and asked.headers["retry-after"] == "30"
    assert asked.json() == {"detail": "New data is being loaded. Try again in a minute."}
