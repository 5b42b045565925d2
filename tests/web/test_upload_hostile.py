"""Hostile files uploaded on the dashboard (they were HTTP 500, unaudited): each is refused on
its upload's page (422) with a reason naming the file, the refusal is in the audit log, and
nothing is loaded."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from equitrack import config
from equitrack.web.audit import entries
from tests.ingest_hostile.corpus import KINDS
from tests.web.conftest import csrf_of

#: Corpus kinds, with what their page must say (problems of rows are a table on the page:
#: line, column, problem).
SAMPLE = {
    "lone_cr": r"3 column 3 \(sex\) 'female' is not one of",
    "binary_after_header": r"neither UTF-8 nor Windows-1252",
    "no_newline": r"line 1 is longer than 1 MB without a line break",
    "header_only_csv": r"no data rows",
    "entity_bomb": r"sheet1.xml declares a DTD",
    "shared_strings_bomb": r"sharedStrings.xml unzips to 6\d\.\d MB",
    "struct_column": r"column 2 \(ethnic_code\) holds struct",
    "int_above_2_53": r"hourly_pay 9007199254740992 is not possible",
    "implausible_leave": r"'0001-01-01' is not a plausible date",
}


@pytest.fixture(autouse=True)
def _key(web_key, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(config.KEY_FILE_ENV, str(web_key))


def _batches(store) -> int:  # type: ignore[no-untyped-def]
    return store.table("batches").count().to_pyarrow().as_py()


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_a_hostile_upload_is_refused_in_words_and_audited(
    name: str, as_user, web_store, app, tmp_path: Path
) -> None:
    path = KINDS[name].make(tmp_path)
    analyst = as_user("analyst")
    before = _batches(web_store)
    token = csrf_of(analyst.get("/downloads").text)
    sent = analyst.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[-2000:]
    assert app.state.jobs.wait_all(60)
    shown = analyst.get(sent.headers["location"])
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shown.text)))
    assert shown.status_code == 422, text[-2000:]
    assert "Traceback" not in shown.text
    assert path.name in text
    assert re.search(SAMPLE[name], text), text[-2000:]
    assert _batches(web_store) == before
    rejected = [e for e in entries(web_store, 20) if e.event == "import rejected"]
    assert rejected and rejected[0].detail.startswith(f"{path.name}: "), rejected[:1]
    doubled = f"{path.name}: {path.name}:"  # the reason names the file once
    assert doubled not in text and not rejected[0].detail.startswith(doubled)
