"""Changes need the right role, scope and CSRF token (every route as every role at every scope
is in `test_scope_matrix`, every spelling of an id in `test_object_ids`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of


def _posted(client: TestClient, path: str, form: dict[str, str]) -> int:
    """The status a form sent to `path` gets (a redirect is an answer, not followed)."""
    return client.post(path, data=form, follow_redirects=False).status_code


def test_changes_need_the_right_role_scope_and_csrf_token(as_user, web_store) -> None:
    from equitrack.tracker import actions as tracked
    from equitrack.tracker.plan import load_plan

    plan = load_plan()
    tracked.seed(web_store, plan)
    owned = {a.owner: a.action_id for a in tracked.actions(web_store, plan)}
    # the seeded actions belong to the LLR organisations; give one to each mini organisation
    mine = tracked.add(web_store, plan, recommendation=1, text="Ours", owner="RXA", by="test")
    theirs = tracked.add(web_store, plan, recommendation=1, text="Theirs", owner="QXA", by="test")
    assert owned
    viewer, editor = as_user("viewer"), as_user("editor")
    token = csrf_of(editor.get("/recommendations").text)
    form = {"status": "done", "csrf_token": token}
    # a viewer may not change anything
    viewer_form = {**form, "csrf_token": csrf_of(viewer.get("/").text)}
    assert _posted(viewer, f"/actions/{mine}/status", viewer_form) == 403
    # an editor may change their organisation's action, with the token, not without
    assert _posted(editor, f"/actions/{mine}/status", {"status": "done"}) == 403
    assert _posted(editor, f"/actions/{mine}/status", {**form, "csrf_token": "forged"}) == 403
    assert _posted(editor, f"/actions/{mine}/status", form) == 303
    # but not another organisation's
    assert _posted(editor, f"/actions/{theirs}/status", form) == 403
    new_action = {"text": "New", "csrf_token": token}
    assert _posted(editor, "/recommendations/1/actions", {**new_action, "owner": "QXA"}) == 403
    assert _posted(editor, "/recommendations/1/actions", {**new_action, "owner": "RXA"}) == 303
    # the JSON API takes the token in a header
    assert (
        editor.post(f"/api/actions/{mine}/status", json={"status": "in_progress"}).status_code
        == 403
    )
    ok = editor.post(
        f"/api/actions/{mine}/status",
        json={"status": "in_progress"},
        headers={"X-CSRF-Token": token},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    history = next(a for a in tracked.actions(web_store, plan) if a.action_id == mine).history
    assert [e.status for e in history][-3:] == ["planned", "done", "in_progress"]
    assert {e.recorded_by for e in history[1:]} == {"editor"}


def test_a_route_name_given_a_second_rule_is_refused() -> None:
    """A rule declared twice under one name would silently replace the first (a page left
    open, or closed): the second is refused and the first stands."""
    from equitrack.web.access import Permission
    from equitrack.web.guard import RULES, allow

    before = RULES["audit"]
    with pytest.raises(ValueError, match="has a rule already"):
        allow("audit", Permission.VIEW)
    assert RULES["audit"] == before
