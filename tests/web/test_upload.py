"""A file with errors shows them by line and column, and loads nothing."""

from __future__ import annotations

import re

from equitrack import config
from tests.web.conftest import BAD_TRAINING, csrf_of


def test_a_bad_file_is_shown_with_its_problems_and_nothing_is_loaded(
    as_user, web_store, web_key, monkeypatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(web_key))
    analyst = as_user("analyst")
    before = web_store.table("training").count().to_pyarrow().as_py()
    batches = web_store.table("batches").count().to_pyarrow().as_py()
    token = csrf_of(analyst.get("/downloads").text)
    response = analyst.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"file": ("training.csv", BAD_TRAINING.encode(), "text/csv")},
    )
    assert response.status_code == 422
    table = re.search(
        r'<table class="nhsuk-table" id="upload-problems">(.*?)</table>', response.text, re.S
    )
    assert table, "the problems are listed"
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", table.group(1), re.S)
    ]
    problems = [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    assert ("3", "column 6 (mandatory)") in {(line, column) for line, column, _ in problems}
    assert ("3", "column 8 (start_date)") in {(line, column) for line, column, _ in problems}
    assert "Nothing from this file was loaded" in response.text
    assert web_store.table("training").count().to_pyarrow().as_py() == before
    assert web_store.table("batches").count().to_pyarrow().as_py() == batches
