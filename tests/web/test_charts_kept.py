"""A restarted server shows the charts kept with its releases (`WebState.drawings`): each page
is byte for byte what it is when every chart is drawn, and nothing is drawn or followed again
(issue 20, "instant first page")."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from equitrack import config, release
from equitrack.ingest import import_paths
from equitrack.store import connect
from equitrack.web.app import create_app
from equitrack.web.users import add_user
from tests.factories import small_system
from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_warm_up import WORK, _counted

USERS = {"admin": ("admin", ["*"]), "viewer": ("viewer", ["*"]), "trust": ("viewer", ["RWE"])}
#: The pages with charts (the overview's, an organisation's, the journeys' curves), and the
#: data page, which reads its declaration figures from the release's answers too.
CHARTED = ("/", "/organisations/RWE", "/journeys", "/data")
_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]+(")')


def _pages(path: str) -> dict[tuple[str, str], str]:
    """Each charted page as each user is shown it by a server started now on `path` (the
    sign-in form's token, which is each session's own, left out)."""
    store = connect(path, create=False)
    with release._LOCK:  # what an earlier server held about the data: gone with it
        release._CACHE.pop(store.database, None)
        release._ASKED.pop(store.database, None)
    app = create_app(store, secure_cookies=False, lend=True)
    try:
        shown = {}
        for user in USERS:
            client = sign_in(TestClient(app), user)
            for page in CHARTED:
                answer = client.get(page)
                assert answer.status_code == 200, (user, page)
                shown[(user, page)] = _TOKEN.sub(r"\1-\2", answer.text)
        return shown
    finally:
        app.state.web.close()


def test_a_restarted_server_shows_the_charts_kept_exactly_as_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(tmp_path / "key"))
    path = str(tmp_path / "kept.duckdb")
    store = connect(path)
    assert import_paths([small_system(tmp_path / "data")], store).ok
    for name, (role, orgs) in USERS.items():
        add_user(store, name, PASSWORD, role, orgs, by="test")
    store.close()
    done: Counter[str] = Counter()
    for what in ("chart drawn", "promotion curves"):
        owner, name = WORK[what]
        monkeypatch.setattr(owner, name, _counted(done, what, getattr(owner, name)))

    monkeypatch.setenv(config.RELEASES_ENV, "off")  # every chart drawn, nothing kept
    drawn = _pages(path)
    assert done["chart drawn"] > len(USERS) and done["promotion curves"] > 0
    monkeypatch.delenv(config.RELEASES_ENV)  # kept beside the database, as `serve` keeps them
    first = _pages(path)
    kept = list(Path(path + ".releases").glob("drawn-*.json"))
    assert kept
    done.clear()
    again = _pages(path)
    assert not done, dict(done)  # read back: no chart drawn, no career followed again
    assert first == drawn
    assert again == drawn
    assert any("<svg" in page for page in again.values())

    for file in kept:  # changed on disk: drawn again, never shown
        file.write_text(file.read_text().replace("<svg", "<svg data-changed"))
    changed = _pages(path)
    assert done["chart drawn"] > 0
    assert changed == drawn
