"""Uploads run as background jobs, outside the store's lock: other users' pages stay
responsive while a file is checked, an upload's page is only its uploader's (or an
administrator's), bodies over the limit are refused as they arrive, odd names are refused in
words, and nothing is left in the temporary folder."""

from __future__ import annotations

import asyncio
import io
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from equitrack import config, release
from equitrack.ingest import load
from equitrack.store import Store
from equitrack.web import state
from equitrack.web.app import create_app
from equitrack.web.audit import entries
from equitrack.web.body_limit import MULTIPART_ROOM, BodyLimit
from equitrack.web.pages import data as data_pages
from equitrack.web.state import CHECK_EVERY
from equitrack.web.users import add_user
from tests.web.conftest import (
    BAD_TRAINING,
    PASSWORD,
    USERS,
    csrf_of,
    mini_copy,
    no_quality_summary,
    sign_in,
)

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

#: A page a user is waiting for may take this long while an upload runs (it takes well under
#: a second on its own): generous, as the machine may be busy.
RESPONSIVE = 5.0


@pytest.fixture(scope="module")
def web_store(loaded_system, tmp_path_factory, mini_measured) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A copy of the mini store of this module's own: its uploads load rows, and in the
    session's `web_store` every later page of the worker would then measure and protect the
    readers' figures again for the changed data (a minute each), where the unchanged copies
    share one release."""
    store = mini_copy(loaded_system, tmp_path_factory, USERS)
    yield store
    store.close()


@pytest.fixture(scope="module")
def app(web_store: Store):  # type: ignore[no-untyped-def]
    return create_app(web_store, secure_cookies=False)


@pytest.fixture(scope="module")
def training(loaded_system) -> Callable[[str], bytes]:  # type: ignore[no-untyped-def]
    """A valid one-row training file of RXA's: a training record the generated system has,
    under a new record id each time (so never 'already loaded')."""
    folder = Path(loaded_system("mini").url).parent / "data"
    rows = pq.read_table(folder / "training.parquet").to_pylist()
    row = next(r for r in rows if r["org_code"] == "RXA")

    def make(record: str) -> bytes:
        out = io.BytesIO()
        pa_csv.write_csv(pa.Table.from_pylist([{**row, "record_id": record}]), out)
        return out.getvalue()

    return make


def _post(client: TestClient, name: str, content: bytes):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/downloads").text)  # a page that measures nothing
    return client.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )


def _rows(store, table: str = "training") -> int:  # type: ignore[no-untyped-def]
    return store.table(table).count().to_pyarrow().as_py()


@pytest.fixture(autouse=True)
def _key_and_temporary_folder(app, web_key, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The mini store's key, and a temporary folder of the test's own, checked empty once
    the test's uploads have finished."""
    monkeypatch.setenv(config.KEY_FILE_ENV, str(web_key))
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield
    assert app.state.jobs.wait_all(60)
    assert list(folder.iterdir()) == [], "an upload left files behind"


@pytest.fixture
def without_summary() -> Iterator[None]:
    """An upload's page (the data page) without its data-quality summary, for tests of what an
    upload answers: each upload changes the data, and the summary would measure and protect
    the reader's figures again for every page (the responsiveness test keeps it: it is the
    slow part a page could wait for)."""
    with no_quality_summary():
        yield


@pytest.fixture(scope="module")
def other_uploader(web_store) -> str:
    add_user(web_store, "uploader-b", PASSWORD, "analyst", ["RXA"], by="test")
    return "uploader-b"


@pytest.fixture
def held_import(monkeypatch):  # type: ignore[no-untyped-def]
    """The import's checking step held until released (`reached` says it got there), so a
    test can look at the dashboard while an upload is part way through."""
    reached, release = threading.Event(), threading.Event()
    examine = load.examine

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        reached.set()
        release.wait(30)
        return examine(*args, **kwargs)

    monkeypatch.setattr(load, "examine", held)
    monkeypatch.setattr(data_pages, "ANSWER_WAIT", 0.2)
    yield reached, release
    release.set()


def _timed(client: TestClient, path: str) -> tuple[int, float]:
    """A page's status and how long it took, or (0, inf) if it did not come in time."""
    answer: list = []

    def get() -> None:
        start = time.perf_counter()
        status = client.get(path).status_code
        answer.append((status, time.perf_counter() - start))

    worker = threading.Thread(target=get, daemon=True)
    worker.start()
    worker.join(RESPONSIVE * 3)
    return answer[0] if answer else (0, float("inf"))


@pytest.fixture
def held_release(monkeypatch):  # type: ignore[no-untyped-def]
    """The release of RXA's analyst (RXA exact) as if not built yet, and its building held
    until released (`reached` says it got there), as after an upload while the warm-up or the
    analyst's first page builds it."""
    reached, go = threading.Event(), threading.Event()
    look_up, release_for = release.look_up, state.release_for

    def not_built(store, policy, exact=frozenset()):  # type: ignore[no-untyped-def]
        return (None, None) if exact == {"RXA"} else look_up(store, policy, exact)

    def held(store, policy, *, exact_orgs=frozenset(), **kwargs):  # type: ignore[no-untyped-def]
        if exact_orgs == {"RXA"}:
            reached.set()
            go.wait(60)
        return release_for(store, policy, exact_orgs=exact_orgs, **kwargs)

    monkeypatch.setattr(release, "look_up", not_built)
    monkeypatch.setattr(state, "release_for", held)
    yield reached, go
    go.set()


# first: on the mini system's data as they are (before any upload), whose release every
# unchanged copy shares
def test_a_page_waiting_for_its_release_to_be_built_holds_no_other_page_back(
    app, as_user, held_release
) -> None:
    reached, go = held_release
    analyst, viewer, admin = as_user("analyst"), as_user("viewer"), as_user("admin")
    pages = [(viewer, "/"), (viewer, "/recommendations"), (viewer, "/data"), (admin, "/audit")]
    for client, path in pages:  # the board release built, as a user would have had it built
        assert client.get(path).status_code == 200
    app.state.web.changed()  # every page measured again: nothing is answered from memory
    waiting, answer = _in_thread(lambda: analyst.get("/").status_code)
    assert reached.wait(30), "the analyst's page asked for its release to be built"
    for client, path in pages:
        status, took = _timed(client, path)
        assert status == 200 and took < RESPONSIVE, (path, status, took)
    assert waiting.is_alive(), "the analyst's page waits for its release"
    go.set()
    waiting.join(60)
    assert answer == [200]


def _in_thread(work: Callable[[], int]) -> tuple[threading.Thread, list[int]]:
    answer: list[int] = []
    thread = threading.Thread(target=lambda: answer.append(work()), daemon=True)
    thread.start()
    return thread, answer


# first of the uploads: its pages are read on the mini system's data as they are, whose release
# every unchanged copy shares (after another upload they would be measured and protected again)
def test_other_users_pages_stay_responsive_while_an_upload_is_checked(
    as_user, web_store, held_import, training
) -> None:
    reached, release = held_import
    analyst, viewer = as_user("analyst"), as_user("viewer")
    for path in ("/", "/data", "/recommendations"):  # measured once already, as a user would
        viewer.get(path)
    sent = _post(analyst, "training.csv", training("JOB-2"))
    assert sent.status_code == 303
    assert reached.wait(10), "the import started"
    for path in ("/", "/data", "/recommendations"):
        status, took = _timed(viewer, path)
        assert status == 200 and took < RESPONSIVE, (path, status, took)
    # meanwhile the uploader sees the job's progress, on a page that asks for itself again
    # (never a timed refresh: tests/web/test_browser.py follows it in a browser)
    progress = analyst.get(sent.headers["location"])
    assert progress.status_code == 200 and "Checking training.csv" in progress.text
    assert 'http-equiv="refresh"' not in progress.text
    assert '<script type="module" src="/static/equitrack/again.js">' in progress.text
    assert f'<a href="{sent.headers["location"]}" data-again' in progress.text
    release.set()
    # its outcome's page as the other uploads' are read: the summary would measure and protect
    # the uploader's figures again for the data the upload changed, which is not in question
    with no_quality_summary():
        done = analyst.get(sent.headers["location"])
        for _ in range(20):
            if "rows checked and loaded" in done.text:
                break
            done = analyst.get(sent.headers["location"])
    assert "training.csv: 1 rows checked and loaded." in done.text


def test_an_upload_goes_to_its_own_page_which_only_its_uploader_or_an_admin_sees(
    as_user, web_store, without_summary, other_uploader, training
) -> None:
    analyst = as_user("analyst")
    before = _rows(web_store)
    sent = _post(analyst, "training.csv", training("JOB-1"))
    assert sent.status_code == 303
    where = sent.headers["location"]
    assert re.fullmatch(r"/data/uploads/[A-Za-z0-9_-]{20,}", where)
    shown = analyst.get(where)
    assert shown.status_code == 200, re.sub(r"<[^>]+>", " ", shown.text)[-3000:]
    assert "training.csv: 1 rows checked and loaded." in shown.text
    assert _rows(web_store) == before + 1
    assert as_user("admin").get(where).status_code == 200
    # anyone else is refused, and told nothing of it
    other = as_user(other_uploader).get(where)
    assert other.status_code == 403 and "training.csv" not in other.text
    assert as_user("viewer").get(where).status_code == 403
    (denied,) = entries(web_store, 1)
    assert (denied.event, denied.username, denied.detail) == (
        "access denied",
        "viewer",
        f"GET {where}",
    )
    assert analyst.get("/data/uploads/" + "A" * 22).status_code == 404
    assert analyst.get(where + "%20").status_code == 422  # one spelling of an id only
    events = [(e.event, e.detail) for e in entries(web_store, 50) if e.username == "analyst"]
    assert ("import", "training.csv: 1 rows") in events


def test_an_upload_counts_as_one_change_of_the_data(
    app, as_user, without_summary, training, monkeypatch
) -> None:
    """The app notices its own upload's import once: counted again by the next request, every
    page's answers were dropped twice and a page being made was answered "asked again"."""
    examine = load.examine

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(CHECK_EVERY)  # an import longer than the app's check of the data
        return examine(*args, **kwargs)

    monkeypatch.setattr(load, "examine", slow)
    analyst, web = as_user("analyst"), app.state.web
    assert analyst.get("/data").status_code == 200
    before = web.generation
    sent = _post(analyst, "training.csv", training("JOB-ONCE"))
    assert sent.status_code == 303
    assert app.state.jobs.wait_all(60)
    assert web.generation == before + 1
    for path in ("/data", "/downloads"):  # each request checks whether the data changed
        time.sleep(CHECK_EVERY)  # (at most once a CHECK_EVERY)
        assert analyst.get(path).status_code == 200
    assert web.generation == before + 1


def test_a_bad_file_is_refused_on_its_page_with_its_problems(
    as_user, web_store, without_summary
) -> None:
    analyst = as_user("analyst")
    before = _rows(web_store)
    sent = _post(analyst, "training.csv", BAD_TRAINING.encode())
    shown = analyst.get(sent.headers["location"])
    assert shown.status_code == 422
    assert (
        "column 6 (mandatory)" in shown.text and "Nothing from this file was loaded" in shown.text
    )
    assert _rows(web_store) == before
    (latest,) = entries(web_store, 1)
    assert latest.event == "import rejected" and latest.detail.startswith("training.csv: ")


def test_a_fault_while_checking_is_refused_in_words_and_audited(
    as_user, web_store, monkeypatch, training, without_summary
) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("internal detail")

    monkeypatch.setattr(load, "examine", broken)
    analyst = as_user("analyst")
    before = _rows(web_store)
    shown = analyst.get(_post(analyst, "training.csv", training("JOB-F")).headers["location"])
    assert shown.status_code == 422
    assert "could not check this file because of a fault of its own" in shown.text
    assert "internal detail" not in shown.text and "Traceback" not in shown.text
    assert _rows(web_store) == before
    (latest,) = entries(web_store, 1)
    assert (latest.event, latest.username) == ("import rejected", "analyst")


def test_a_person_may_have_only_a_few_uploads_waiting(
    as_user, held_import, training, without_summary
) -> None:
    _, release = held_import
    analyst = as_user("analyst")
    answers = [_post(analyst, "training.csv", training(f"JOB-Q{i}")).status_code for i in range(4)]
    assert answers == [303, 303, 303, 429]
    release.set()


@pytest.mark.parametrize("name", ["..", ".", "/", "x/..", "a/", "x" * 300 + ".csv"])
def test_an_unusable_file_name_is_refused_in_words(
    as_user, web_store, without_summary, training, name
) -> None:
    batches = _rows(web_store, "batches")
    response = _post(as_user("analyst"), name, training("JOB-N"))
    assert response.status_code == 422, response.text[:300]
    assert "name it after its table, for example training.csv" in response.text
    assert _rows(web_store, "batches") == batches


def test_an_upload_over_the_limit_is_refused_with_the_limit_said(
    web_store, training, without_summary
) -> None:
    app = create_app(web_store, secure_cookies=False, upload_limit=2_000)
    analyst = sign_in(TestClient(app), "analyst")
    batches = _rows(web_store, "batches")
    big = training("JOB-BIG") + b"# padding\n" * 10_000  # 100 kB: over the limit and its room
    response = _post(analyst, "training.csv", big)
    assert response.status_code == 413
    assert "larger than the upload limit of 2,000 bytes" in response.text
    assert _rows(web_store, "batches") == batches
    (latest,) = entries(web_store, 1)
    assert (latest.event, latest.username) == ("import rejected", "analyst")
    # within the limit it is taken
    assert _post(analyst, "training.csv", training("JOB-SMALL")).status_code == 303
    assert app.state.jobs.wait_all(60)
    # and anything else has a small limit of its own
    token = csrf_of(analyst.get("/downloads").text)
    huge_form = analyst.post("/sign-out", data={"csrf_token": token, "padding": "x" * 2_000_000})
    assert huge_form.status_code == 413 and "larger than 1 MB" in huge_form.text


def test_a_body_is_cut_off_as_soon_as_it_passes_the_limit() -> None:
    """Sent in pieces with no length declared, a body stops being read at the limit: the app
    never sees the rest, and the answer is the refusal, not what the app made of half a body."""
    limit, piece = 10_000, b"x" * 8_192
    pieces_read = 0
    answers: list[dict] = []

    async def receive() -> dict:
        nonlocal pieces_read
        pieces_read += 1
        return {"type": "http.request", "body": piece, "more_body": pieces_read < 1_000}

    async def send(message: dict) -> None:
        answers.append(message)

    async def reads_everything(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    async def too_large(request, limit):  # type: ignore[no-untyped-def]
        from starlette.responses import PlainTextResponse

        return PlainTextResponse(f"over {limit}", status_code=413)

    scope = {
        "type": "http", "method": "POST", "path": "/data/upload", "headers": [
            (b"content-type", b"multipart/form-data; boundary=x"),
        ], "query_string": b"",
    }  # fmt: skip
    middleware = BodyLimit(reads_everything, {"/data/upload": limit}, too_large)
    asyncio.run(middleware(scope, receive, send))
    assert pieces_read == (limit + MULTIPART_ROOM) // len(piece) + 1
    assert answers[0]["status"] == 413
    assert b"".join(m.get("body", b"") for m in answers[1:]) == f"over {limit}".encode()
