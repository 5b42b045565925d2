"""Dashboard editors write and approve officers' commentary on their own paper: an
organisation's editor on the organisation's, a whole-system editor on the system's; a reader
sees approved words only, and never another organisation's."""

from __future__ import annotations

import html as markup
import re

from fastapi.testclient import TestClient

from equitrack.tracker import commentary
from tests.web.conftest import csrf_of


def _boxes(page: str, field: str) -> dict[str, str]:
    """The commentary of each part shown on a page, as words, by part."""
    found = re.findall(
        rf'<div class="et-commentary[^"]*" data-field="{field}" data-part="(\w+)">(.*?)</div>',
        page,
        re.S,
    )
    return {
        part: markup.unescape(" ".join(re.sub(r"<[^>]+>", " ", b).split())) for part, b in found
    }


def _post(client: TestClient, path: str, **form: str) -> tuple[int, str]:
    token = csrf_of(client.get("/downloads").text)  # a page that measures nothing
    sent = client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
    return sent.status_code, sent.headers.get("location", "")


def test_editors_write_and_approve_their_own_paper_s_commentary(as_user, web_store) -> None:
    editor, admin = as_user("editor"), as_user("admin")  # the trust's editor, the system's admin
    viewer = as_user("viewer")  # reads the system's paper, not the trust's
    (year,) = set(re.findall(r'name="year" value="(\d+)"', editor.get("/recommendations").text))

    status, where = _post(editor, "/commentary", part="4", year=year, text="Trust words.")
    assert status == 303 and where.endswith("#rec4")
    status, _ = _post(admin, "/commentary", part="paper", year=year, text="System words.")
    assert status == 303

    # drafts: the writers see them with an approve button; readers see nothing yet
    drafts = _boxes(editor.get("/recommendations").text, "commentary-draft")
    assert list(drafts) == ["rec4"] and "Trust words." in drafts["rec4"]
    assert "Draft, not approved" in drafts["rec4"]
    page = viewer.get("/recommendations").text
    assert "Trust words." not in page and "System words." not in page

    assert _post(editor, "/commentary/approve", part="rec4", year=year)[0] == 303
    assert _post(admin, "/commentary/approve", part="paper", year=year)[0] == 303
    trust = _boxes(editor.get("/recommendations").text, "commentary-approved")
    assert list(trust) == ["rec4"] and "Trust words." in trust["rec4"]
    assert "Approved by editor on" in trust["rec4"]
    system = _boxes(viewer.get("/recommendations").text, "commentary-approved")
    assert list(system) == ["paper"] and "Approved by admin on" in system["paper"]
    assert "System words." in system["paper"]

    kept = commentary.read(web_store, "RXA", int(year))["rec4"]
    assert [(e.state, e.recorded_by) for e in kept.history] == [
        ("draft", "editor"),
        ("approved", "editor"),
    ]


def test_readers_cannot_write_and_bad_commentary_is_said_on_the_page(as_user) -> None:
    viewer, editor = as_user("viewer"), as_user("editor")
    assert _post(viewer, "/commentary", part="1", text="Not mine to write.")[0] == 403
    assert _post(viewer, "/commentary/approve", part="1")[0] == 403
    status, where = _post(editor, "/commentary", part="12", text="No such part.")
    assert status == 303
    told = editor.get(where).text
    assert "1, 2, 3" in markup.unescape(told)
    status, where = _post(editor, "/commentary/approve", part="9")
    assert "no commentary on recommendation 9" in editor.get(where).text
