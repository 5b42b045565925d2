"""Operators' logs: a JSON line per request and per import, at the configured level, with no
personal data (no pseudonymised staff id, password or query string)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.csv as pa_csv
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equitrack import config, logs
from equitrack.cli import app as cli
from equitrack.store import Store, pseudonyms
from equitrack.web.app import create_app
from tests.web.conftest import BAD_TRAINING, PASSWORD, cases_csv, csrf_of, mini_copy, sign_in

USERS = {"analyst": ("analyst", ["RXA"])}


@pytest.fixture
def lines() -> Iterator[Callable[[], list[dict]]]:
    """The process's logs as configured for a server (at INFO), parsed line by line: every line
    must be one JSON object."""
    root, client = logging.getLogger(), logging.getLogger("httpx")
    level, handlers, client_level = root.level, list(root.handlers), client.level
    client.setLevel(logging.WARNING)  # the test's client logs its own requests (not the server)
    out = io.StringIO()
    logs.configure("INFO", out)

    def parsed() -> list[dict]:
        return [json.loads(line) for line in out.getvalue().splitlines()]

    yield parsed
    root.removeHandler(logs._HANDLER)
    logs._HANDLER = None
    root.setLevel(level)
    client.setLevel(client_level)
    assert root.handlers == handlers


@pytest.fixture(scope="module")
def store(
    loaded_system: Callable[..., Store], tmp_path_factory, mini_measured: None
) -> Iterator[Store]:
    store = mini_copy(loaded_system, tmp_path_factory, USERS)
    yield store
    store.close()


def _of(found: list[dict], logger: str) -> list[dict]:
    return [e for e in found if e["logger"] == logger]


def test_each_request_is_a_line_naming_its_route_template_and_role(store, lines) -> None:
    with TestClient(create_app(store, secure_cookies=False)) as client:
        sign_in(client, "analyst")
        # a family there is not (quick to answer): refused by the route, after the guard
        client.get("/api/organisations/RXA/measures/nonesuch?year=2025&x=needle")
        client.get("/no/such/page?needle=1")
    found = _of(lines(), "equitrack.requests")
    by_route = {(e["method"], e["route"]): e for e in found}
    signing_in = by_route["POST", "/sign-in"]
    assert (signing_in["status"], signing_in["role"]) == (303, "-")
    measures = by_route["GET", "/api/organisations/{org}/measures/{family}"]
    assert (measures["role"], measures["status"]) == ("analyst", 403)
    assert by_route["GET", "(no such route)"]["status"] == 404
    assert all(isinstance(e["duration_ms"], float) and e["duration_ms"] >= 0 for e in found)
    assert {e["event"] for e in found} == {"request"}
    text = json.dumps(lines())
    assert "needle" not in text and "year=" not in text and "/RXA/" not in text
    assert PASSWORD not in text and 'analyst"' not in text.replace('"role": "analyst"', "")


def test_an_upload_logs_its_files_rows_outcome_and_time_without_staff_ids(
    store, lines, web_key, loaded_system, monkeypatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(web_key))
    content = cases_csv(loaded_system, ["RXA", "RXA"], "LOGS-A")
    raw_ids = set(pa_csv.read_csv(io.BytesIO(content)).column("person_id").to_pylist())
    app = create_app(store, secure_cookies=False)
    with TestClient(app) as client:
        sign_in(client, "analyst")
        token = csrf_of(client.get("/downloads").text)  # a light page with a form
        for name, body in (("disciplinary.csv", content), ("training.csv", BAD_TRAINING)):
            files = {"file": (name, body, "text/csv")}
            sent = client.post(
                "/data/upload", data={"csrf_token": token}, files=files, follow_redirects=False
            )
            # the import's own outcome, not the page that shows it (which measures again)
            job = app.state.jobs.get(sent.headers["location"].rsplit("/", 1)[-1])
            assert job.finished.wait(60)
    found = _of(lines(), "equitrack.imports")
    files = [e for e in found if e["event"] == "import file"]
    assert [(e["file"], e["table"], e["outcome"]) for e in files] == [
        ("disciplinary.csv", "disciplinary", "loaded"),
        ("training.csv", "training", "has problems"),
    ]
    assert files[0]["rows_loaded"] == 2 and files[1]["rows_loaded"] == 0
    imports = [e for e in found if e["event"] == "import"]
    assert [(e["outcome"], e["level"]) for e in imports] == [
        ("loaded", "INFO"),
        ("not loaded", "WARNING"),
    ]
    assert all(e["duration_ms"] > 0 for e in imports)
    assert [e["import_id"] for e in files] == [e["import_id"] for e in imports]
    t = store.table("disciplinary")
    latest = pseudonyms.read(t.filter(t.batch_id == t.batch_id.max()).select("person_id"))
    stored = pseudonyms.to_hex(latest.column("person_id")).to_pylist()  # as a person sees one
    assert len(stored) == 2
    text = json.dumps(lines())
    assert not [i for i in {*raw_ids, *stored} if str(i) in text]
    assert str(Path("/tmp")) not in text  # the upload's private folder is not named


def test_the_level_comes_from_configuration(monkeypatch, lines) -> None:
    out = io.StringIO()
    monkeypatch.setenv(config.LOG_LEVEL_ENV, "warning")
    logs.configure(stream=out)
    logs.log(logging.getLogger("equitrack.requests"), "request", status=200)
    logs.log(logging.getLogger("equitrack.requests"), "request", logging.WARNING, status=500)
    assert [json.loads(line)["status"] for line in out.getvalue().splitlines()] == [500]
    with pytest.raises(logs.LogLevelProblem, match=r"LOUD.*DEBUG, INFO, WARNING"):
        logs.configure("LOUD")


def test_serve_refuses_an_unknown_log_level_in_words() -> None:
    answer = CliRunner().invoke(cli, ["serve", "--log-level", "chatty"])
    assert answer.exit_code == 2
    assert "log level 'chatty' is not one of DEBUG" in answer.output
    assert "Traceback" not in answer.output
