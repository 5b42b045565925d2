"""An upload from the dashboard loads only the uploader's organisations: a file with any row of
another is refused whole, naming the organisation and the line, and the refusal is audited."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from equitrack import config
from equitrack.store import Store
from equitrack.web.app import create_app
from equitrack.web.audit import entries
from tests.web.conftest import cases_csv, csrf_of, mini_copy, no_quality_summary, sign_in

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

USERS = {"analyst": ("analyst", ["RXA"]), "admin": ("admin", ["*"])}


@pytest.fixture(scope="module")
def store(
    loaded_system: Callable[..., Store], tmp_path_factory, mini_measured: None
) -> Iterator[Store]:
    """A store of this module's own: the uploads that pass are loaded into it."""
    store = mini_copy(loaded_system, tmp_path_factory, USERS)
    yield store
    store.close()


@pytest.fixture
def upload(store: Store, web_key, monkeypatch) -> Callable[[str, bytes], object]:
    """Sends a disciplinary file to /data/upload as a user (with the mini system's key)."""
    monkeypatch.setenv(config.KEY_FILE_ENV, str(web_key))
    app = create_app(store, secure_cookies=False)
    clients: list[TestClient] = []

    def send(username: str, content: bytes):  # type: ignore[no-untyped-def]
        client = sign_in(TestClient(app), username)
        clients.append(client)
        token = csrf_of(client.get("/downloads").text)
        files = {"file": ("disciplinary.csv", content, "text/csv")}
        response = client.post("/data/upload", data={"csrf_token": token}, files=files)
        if '<meta http-equiv="refresh"' in response.text:  # still checking: its outcome
            assert app.state.jobs.wait_all(60)
            response = client.get(response.url)
        return response

    with no_quality_summary():  # what an upload's page summarises is not in question here
        yield send
    for c in clients:
        c.close()


def _counts(store: Store) -> tuple[int, int]:
    return tuple(store.table(t).count().to_pyarrow().as_py() for t in ("disciplinary", "batches"))  # type: ignore[return-value]


def test_a_file_with_another_organisations_row_is_refused_whole(
    store: Store, upload, loaded_system
) -> None:
    before = _counts(store)
    # lines 2 and 3 are the analyst's organisation, line 4 another's
    response = upload("analyst", cases_csv(loaded_system, ["RXA", "RXA", "QXA"], "SCOPE-A"))
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "Nothing from this file was loaded" in page
    assert "line 4" in page and "'QXA'" in page and "outside the organisations" in page
    assert _counts(store) == before, "nothing loaded, not even the analyst's own rows"
    (latest,) = entries(store, 1)
    assert (latest.username, latest.event) == ("analyst", "import rejected")
    assert "line 4" in latest.detail and "'QXA'" in latest.detail


def test_the_uploaders_own_organisation_loads(store: Store, upload, loaded_system) -> None:
    cases, batches = _counts(store)
    response = upload("analyst", cases_csv(loaded_system, ["RXA", "RXA"], "SCOPE-B"))
    assert response.status_code == 200, html.unescape(response.text)[:2000]
    assert _counts(store) == (cases + 2, batches + 1)
    (latest,) = entries(store, 1)
    assert (latest.username, latest.event) == ("analyst", "import")


def test_a_whole_system_uploader_loads_any_organisation(
    store: Store, upload, loaded_system
) -> None:
    cases, batches = _counts(store)
    response = upload("admin", cases_csv(loaded_system, ["RXA", "QXA"], "SCOPE-C"))
    assert response.status_code == 200, html.unescape(response.text)[:2000]
    assert _counts(store) == (cases + 2, batches + 1)
