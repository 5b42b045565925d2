"""Signing in and out, throttling, the session cookie, and the audit trail they leave."""

from __future__ import annotations

from fastapi.testclient import TestClient

from equitrack.web.audit import entries
from tests.web.conftest import PASSWORD, csrf_of, forget_sign_in_attempts, sign_in
from tests.web.conftest import attempt_sign_in as _attempt


def test_a_session_cookie_is_http_only_and_same_site(app) -> None:
    client = TestClient(app)
    response = _attempt(client, "viewer", PASSWORD)
    cookie = response.headers["set-cookie"]
    assert "equitrack_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-frame-options"] == "DENY"


def test_a_wrong_password_or_unknown_user_is_refused_in_the_same_words(app, web_store) -> None:
    client = TestClient(app)
    wrong = _attempt(client, "viewer", "not the password at all")
    unknown = _attempt(client, "nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "The username or password is not right." in wrong.text
    assert "The username or password is not right." in unknown.text
    assert client.get("/", follow_redirects=False).status_code == 303
    failed = [e for e in entries(web_store) if e.event == "sign-in failed"]
    assert {"viewer", "nobody"} <= {e.username for e in failed}


def test_the_sign_in_form_needs_its_own_token(app) -> None:
    client = TestClient(app)
    client.get("/sign-in")
    forged = client.post(
        "/sign-in", data={"username": "viewer", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_five_failures_stop_further_attempts_even_with_the_right_password(app, web_store) -> None:
    client = TestClient(app, client=("203.0.113.9", 50000))
    for _ in range(5):
        assert _attempt(client, "editor", "wrong wrong wrong").status_code == 401
    assert _attempt(client, "editor", PASSWORD).status_code == 429
    assert any(
        e.event == "sign-in throttled" and e.username == "editor" for e in entries(web_store)
    )
    forget_sign_in_attempts(app.state.web)  # other tests sign in as editor


def test_signing_out_ends_the_session(app, web_store) -> None:
    client = sign_in(TestClient(app), "viewer")
    assert client.get("/").status_code == 200
    token = csrf_of(client.get("/").text)
    assert (
        client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/", follow_redirects=False).status_code == 303
    events = [e.event for e in entries(web_store) if e.username == "viewer"]
    assert "sign-in" in events and "sign-out" in events


def test_sign_in_never_sends_anyone_elsewhere(app) -> None:
    client = TestClient(app)
    form = client.get("/sign-in?next=//evil.example/")
    response = client.post(
        "/sign-in",
        data={
            "username": "viewer",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_restricted_views_and_changes_are_in_the_audit_log(as_user, web_store) -> None:
    # the latest entries, not any: earlier tests leave views and refusals of their own
    admin = as_user("admin")
    assert admin.get("/audit").status_code == 200
    log = admin.get("/api/audit?limit=2").json()  # itself a restricted view, logged first
    assert [(e["event"], e["username"], e["detail"]) for e in log] == [
        ("restricted page viewed", "admin", "/api/audit"),
        ("restricted page viewed", "admin", "/audit"),
    ]
    analyst = as_user("analyst")
    assert analyst.get("/audit").status_code == 403
    (latest,) = entries(web_store, 1)
    assert (latest.event, latest.username, latest.detail) == (
        "access denied",
        "analyst",
        "GET /audit",
    )


def test_signing_in_never_waits_for_the_store_a_page_holds(app, web_store) -> None:
    """A page measuring, or the warm-up reading a release, holds the store's lock for seconds:
    signing in (the account read, the session, the audit entry) is done on the sessions'
    connection, so it goes through while another thread holds that lock."""
    import threading

    web = app.state.web
    sign_in(TestClient(app), "analyst")  # the sessions' connection made (at the first use)
    held, done = threading.Event(), threading.Event()

    def hold_the_store() -> None:
        with web._lock:
            held.set()
            done.wait(120)

    holder = threading.Thread(target=hold_the_store, daemon=True)
    holder.start()
    held.wait(30)
    try:
        answers: list[int] = []
        signing_in = threading.Thread(
            target=lambda: answers.append(_attempt(TestClient(app), "viewer").status_code),
            daemon=True,
        )
        signing_in.start()
        signing_in.join(60)
        assert answers == [303]  # signed in while the store was held
    finally:
        done.set()
        holder.join(30)
    assert any(e.event == "sign-in" and e.username == "viewer" for e in entries(web_store, 50))
