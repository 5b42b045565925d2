"""Every route as every role, in and out of scope: exactly the expected answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from equitrack.web.guard import RULES
from tests.web.conftest import USERS, csrf_of, routes_of

#: (method, path, the route's name): every route the app has, with an in-scope and an
#: out-of-scope organisation where the path names one. RXA is the trust; QXA the ICB.
GETS = {
    "overview": "/",
    "organisation": "/organisations/RXA",
    "recommendations": "/recommendations",
    "journeys": "/journeys",
    "data": "/data",
    "downloads": "/downloads",
    "audit": "/audit",
    "api_organisations": "/api/organisations",
    "api_organisation_measures": "/api/organisations/RXA/measures/wres",
    "api_system_measures": "/api/system/measures/wres",
    "api_recommendations": "/api/recommendations",
    "api_actions": "/api/actions",
    "api_audit": "/api/audit",
    "openapi": "/api/openapi.json",
}
#: What each role gets from each GET: 200, or 403 (signed in, not allowed).
EXPECTED = {
    "admin": dict.fromkeys(GETS, 200),
    "analyst": {**dict.fromkeys(GETS, 200), "audit": 403, "api_audit": 403, "api_system_measures": 403},
    "editor": {**dict.fromkeys(GETS, 200), "audit": 403, "api_audit": 403, "api_system_measures": 403},
    "viewer": {**dict.fromkeys(GETS, 200), "audit": 403, "api_audit": 403},
    "icb-viewer": {
        **dict.fromkeys(GETS, 200), "audit": 403, "api_audit": 403, "api_system_measures": 403,
        "organisation": 403, "api_organisation_measures": 403,
    },
}  # fmt: skip


def test_every_route_has_a_rule_and_every_rule_is_tested(app) -> None:
    names = {r.name for r in routes_of(app) if getattr(r, "methods", None) and r.name != "static"}
    assert len(names) > 20, "the pages and the API are found"
    docs = {"openapi", "swagger_ui_html", "swagger_ui_redirect"}
    assert names - docs <= set(RULES), f"routes without an access rule: {names - docs - set(RULES)}"
    tested = set(GETS) | {"sign_in_form", "sign_in", "sign_out", "health", "add_action",
                          "action_status", "upload", "download_system", "download_wres",
                          "api_action_status",
                          "upload_job"}  # tests/web/test_upload_jobs.py  # fmt: skip
    assert set(RULES) <= tested, f"rules with no test: {set(RULES) - tested}"


@pytest.mark.parametrize("name", sorted(GETS))
def test_nobody_signed_in_is_turned_away(app, name: str) -> None:
    client = TestClient(app)
    response = client.get(GETS[name], follow_redirects=False)
    if GETS[name].startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("user", sorted(USERS))
def test_each_role_gets_exactly_what_it_may(as_user, user: str) -> None:
    client = as_user(user)
    got = {
        name: client.get(path, follow_redirects=False).status_code for name, path in GETS.items()
    }
    assert got == EXPECTED[user]


def test_an_organisation_outside_the_users_scope_is_refused(as_user) -> None:
    analyst = as_user("analyst")  # RXA only
    assert analyst.get("/organisations/QXA").status_code == 403
    assert analyst.get("/api/organisations/QXA/measures/wres").status_code == 403
    assert analyst.get("/downloads/QXA/wres.html").status_code == 403
    assert analyst.get("/downloads/scrutiny.html").status_code == 403
    assert [o["code"] for o in analyst.get("/api/organisations").json()] == ["RXA"]


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


def test_uploading_needs_the_upload_permission(as_user) -> None:
    viewer = as_user("viewer")
    token = csrf_of(viewer.get("/").text)
    files = {"file": ("training.csv", b"record_id\n1\n", "text/csv")}
    assert viewer.post("/data/upload", data={"csrf_token": token}, files=files).status_code == 403
