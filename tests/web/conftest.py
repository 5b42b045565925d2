"""A dashboard over a copy of the generated mini system, with a user of every role."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from equitrack.reports import quality
from equitrack.store import Store, connect
from equitrack.web.app import create_app
from equitrack.web.state import WebState
from equitrack.web.users import add_user
from equitrack.web.warmup import routes_of  # noqa: F401 (the tests find routes with it)
from tests.same_data import same_data

PASSWORD = "a long enough password"
#: username: (role, organisations). RXA is the trust, QXA the ICB (and the system's code).
USERS = {
    "admin": ("admin", ["*"]),
    "analyst": ("analyst", ["RXA"]),
    "editor": ("editor", ["RXA"]),
    "viewer": ("viewer", ["*"]),
    "icb-viewer": ("viewer", ["QXA"]),
}


def mini_copy(
    loaded_system: Callable[..., Store], tmp_path_factory, users: dict[str, tuple[str, list[str]]]
) -> Store:
    """A copy of the mini store of its own, with `users` (username: (role, organisations))."""
    source = loaded_system("mini")
    source.con.raw_sql("CHECKPOINT")
    copy = tmp_path_factory.mktemp("web") / "web.duckdb"
    shutil.copy(source.url, copy)
    store = connect(str(copy), create=False)
    same_data(source, store)  # the same data: releases built for either serve both
    for name, (role, orgs) in users.items():
        add_user(store, name, PASSWORD, role, orgs, by="test")
    return store


@pytest.fixture(scope="session")
def web_store(
    loaded_system: Callable[..., Store], tmp_path_factory, mini_measured: None
) -> Iterator[Store]:
    """Its own copy of the mini store: the dashboard writes users, the audit log and actions."""
    store = mini_copy(loaded_system, tmp_path_factory, USERS)
    yield store
    store.close()


@pytest.fixture(scope="session")
def web_key(loaded_system: Callable[..., Store]) -> Path:
    """The pseudonymisation key the mini store was loaded with (`loaded_system` keeps it)."""
    return Path(loaded_system("mini").url).parents[1] / "key"


@pytest.fixture(scope="session")
def app(web_store: Store):
    return create_app(web_store, secure_cookies=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def cases_csv(loaded_system: Callable[..., Store], orgs: list[str], prefix: str) -> bytes:
    """A disciplinary file with one new case for each of `orgs`, in order (line 2 is the
    first), each about a person the generated mini system has at that organisation."""
    folder = Path(loaded_system("mini").url).parent / "data"
    cases = pq.read_table(folder / "disciplinary.parquet").to_pylist()
    rows = []
    for i, org in enumerate(orgs):
        row = dict(next(c for c in cases if c["org_code"] == org))
        rows.append({**row, "case_id": f"{prefix}{i}"})
    out = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_pylist(rows), out)
    return out.getvalue()


#: A training file with two bad cells on line 3: an upload of it is refused whole.
BAD_TRAINING = (
    "record_id,person_id,org_code,course,category,mandatory,delivery,start_date,completed\n"
    "T1,P1,RXA,EDI,edi,false,face_to_face,2025-06-01,true\n"
    "T2,P2,RXA,EDI,edi,maybe,face_to_face,2025-13-01,true\n"
)


@contextmanager
def no_quality_summary() -> Iterator[None]:
    """The data page (and an upload's, which is the data page) without its data-quality
    summary. Each upload changes the data, and the summary's figures, through the reader's
    release, would be measured and protected again for every upload's page: for tests of who
    may upload and what an upload answers, which do not depend on them. What the summary shows
    is tested in tests/reports/test_quality.py, and on the data page by the scope matrix's
    reads (made before its uploads) and the browser tests."""
    empty = quality.Quality(None, (), (), (), ())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(WebState, "quality", lambda self, principal: empty)
        yield


def attempt_sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    """The answer to the sign-in form, sent with the token of a form just opened."""
    form = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": "/",
        },
        follow_redirects=False,
    )


def forget_sign_in_attempts(web) -> None:  # type: ignore[no-untyped-def]
    """Nothing counted by the app's sign-in throttle (its counts are kept in the store)."""
    web.sessions_do(lambda s: s.ensure_tables(["sign_in_attempts"]))
    web.sessions_do(lambda s: s.con.raw_sql("DELETE FROM sign_in_attempts"))


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    response = attempt_sign_in(client, username, password)
    assert response.status_code == 303, response.text[:500]
    return client


@pytest.fixture
def as_user(app) -> Callable[[str], TestClient]:
    """A client signed in as one of USERS."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        return sign_in(client, username)

    yield make
    for c in clients:
        c.close()
