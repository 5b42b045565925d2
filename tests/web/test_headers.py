"""Headers and cookies: security headers on every response (errors too), HSTS over HTTPS
(directly, or through a proxy the server is told to trust), Secure cookies unless plain HTTP is
asked for out loud, the API description behind sign-in, and messages from the session only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equitrack import cli
from equitrack.web.app import create_app
from equitrack.web.audit import entries
from equitrack.web.headers import HSTS, SECURITY_HEADERS
from equitrack.web.state import PAGE_PATIENCE
from tests.web.conftest import attempt_sign_in, csrf_of, sign_in

#: What every response must carry, whatever it is.
REQUIRED = {
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
}


def _secured(response) -> None:  # type: ignore[no-untyped-def]
    missing = REQUIRED - {k.lower() for k in response.headers}
    assert not missing, (response.request.url, response.status_code, missing)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_every_kind_of_response_carries_the_security_headers(app, as_user) -> None:
    anonymous = TestClient(app)
    viewer = as_user("icb-viewer")
    answers = {
        "page": viewer.get("/"),
        "static file": viewer.get("/static/equitrack/init.js"),
        "sign-in form": anonymous.get("/sign-in"),
        "redirect to sign in": anonymous.get("/", follow_redirects=False),
        "API without a session": anonymous.get("/api/organisations"),
        "no such address": viewer.get("/no/such/page"),
        "wrong method": viewer.delete("/data"),
        "malformed id": viewer.get("/organisations/r-x-a"),
        "forbidden": viewer.get("/audit"),
        "no such organisation": viewer.get("/organisations/RZZ"),
    }
    statuses = {what: r.status_code for what, r in answers.items()}
    assert statuses == {
        "page": 200, "static file": 200, "sign-in form": 200, "redirect to sign in": 303,
        "API without a session": 401, "no such address": 404, "wrong method": 405,
        "malformed id": 422, "forbidden": 403, "no such organisation": 404,
    }  # fmt: skip
    for response in answers.values():
        _secured(response)
    assert answers["page"].headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answers["page"].headers  # plain HTTP here


def test_a_server_error_carries_them_too_and_shows_no_traceback(web_store) -> None:
    app = create_app(web_store, secure_cookies=False)

    def broken() -> int:
        raise RuntimeError("secret internals")

    app.state.web.latest_year = broken  # the overview asks it first
    client = sign_in(TestClient(app, raise_server_exceptions=False), "viewer")
    response = client.get("/")
    assert response.status_code == 500
    _secured(response)
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_hsts_over_https_only(app) -> None:
    plain = TestClient(app).get("/sign-in")
    secure = TestClient(app, base_url="https://testserver").get("/sign-in")
    assert "strict-transport-security" not in plain.headers
    assert secure.headers["strict-transport-security"] == HSTS
    assert int(re.search(r"max-age=(\d+)", HSTS).group(1)) >= 365 * 24 * 3600


def test_behind_a_trusted_proxy_forwarded_https_gets_hsts_and_the_callers_address(
    web_store,
) -> None:
    """X-Forwarded-Proto and -For are believed from the proxy the server was told of, and
    from no one else (by default, no one)."""
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.44"}
    proxied = create_app(web_store, secure_cookies=False, trusted_proxies=["10.9.8.7"])
    through_proxy = TestClient(proxied, client=("10.9.8.7", 5000), headers=forwarded)
    around_proxy = TestClient(proxied, client=("10.9.8.6", 5000), headers=forwarded)
    untold = TestClient(create_app(web_store), client=("10.9.8.7", 5000), headers=forwarded)
    assert through_proxy.get("/sign-in").headers["strict-transport-security"] == HSTS
    assert "strict-transport-security" not in around_proxy.get("/sign-in").headers
    assert "strict-transport-security" not in untold.get("/sign-in").headers
    # the caller's own address is the one the throttle and the audit log see
    assert attempt_sign_in(through_proxy, "viewer", "wrong wrong wrong").status_code == 401
    assert attempt_sign_in(around_proxy, "viewer", "wrong wrong wrong").status_code == 401
    (latest, before) = [e for e in entries(web_store, 20) if e.event == "sign-in failed"][:2]
    assert (latest.address, before.address) == ("10.9.8.6", "192.0.2.44")


def test_cookies_are_secure_unless_plain_http_is_asked_for(web_store) -> None:
    secure = TestClient(create_app(web_store), base_url="https://testserver")
    form = secure.get("/sign-in")
    assert "; secure" in form.headers["set-cookie"].lower()
    signed_in = attempt_sign_in(secure, "viewer")
    assert signed_in.status_code == 303
    session_cookie = signed_in.headers["set-cookie"].lower()
    assert "equitrack_session=" in session_cookie and "; secure" in session_cookie
    plain = attempt_sign_in(TestClient(create_app(web_store, secure_cookies=False)), "viewer")
    assert "; secure" not in plain.headers["set-cookie"].lower()


class _Served:
    """`uvicorn.run`, recording what it was asked to serve instead of serving it."""

    def __init__(self) -> None:
        self.app = None
        self.options: dict = {}

    def __call__(self, app, **options) -> None:  # type: ignore[no-untyped-def]
        self.app, self.options = app, options


@pytest.mark.parametrize(
    ("args", "secure", "said"),
    [
        (["--host", "127.0.0.1"], True, False),
        (["--host", "127.0.0.1", "--insecure-cookies"], False, True),
        (["--host", "0.0.0.0", "--trusted-proxy", "10.0.0.2"], True, False),
    ],
)
def test_serve_keeps_cookies_secure_on_this_machine_too_unless_told(
    web_store, monkeypatch, args, secure, said
) -> None:
    import uvicorn

    served = _Served()
    monkeypatch.setattr(uvicorn, "run", served)
    monkeypatch.setattr(cli.common, "connect", lambda *a, **k: web_store)  # the one opening
    monkeypatch.setattr(web_store, "close", lambda: None)  # the tests' store stays open
    result = CliRunner().invoke(cli.app, ["serve", "--db", web_store.url, *args])
    assert result.exit_code == 0, result.output
    assert served.app.state.web.secure_cookies is secure
    # a page whose figures are being prepared says so (tests/web/test_preparing.py)
    assert served.app.state.web.patience == PAGE_PATIENCE
    assert ("plain HTTP" in result.output) is said
    assert served.options["proxy_headers"] is False  # uvicorn's own trust of 127.0.0.1 is off
    assert served.app.trusted_proxies == (["10.0.0.2"] if "--trusted-proxy" in args else [])


def test_the_api_description_is_behind_sign_in_and_there_is_no_page_from_a_cdn(
    app, as_user
) -> None:
    anonymous = TestClient(app)
    assert anonymous.get("/api/openapi.json").status_code == 401
    assert anonymous.get("/api/docs").status_code in (401, 404)
    viewer = as_user("viewer")
    assert viewer.get("/api/docs").status_code == 404  # switched off
    description = viewer.get("/api/openapi.json")
    assert description.status_code == 200 and "/api/organisations" in description.json()["paths"]


def test_a_message_in_the_address_is_not_shown(as_user) -> None:
    viewer = as_user("viewer")
    page = viewer.get("/recommendations?message=Your+account+is+suspended.+Call+0800")
    assert page.status_code == 200
    assert "suspended" not in page.text and "0800" not in page.text


def test_a_message_after_a_change_comes_from_the_session_and_shows_once(as_user) -> None:
    editor = as_user("editor")
    token = csrf_of(editor.get("/recommendations").text)
    added = editor.post(
        "/recommendations/3/actions",
        data={"csrf_token": token, "text": "Flash test action", "owner": "RXA"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "?" not in added.headers["location"]  # nothing to say in the address
    said = re.search(r"Action (\d+) added\.", editor.get(added.headers["location"]).text)
    assert said, "the message is shown on the next page"
    assert f"Action {said.group(1)} added." not in editor.get("/recommendations").text
    refused = editor.post(
        "/recommendations/3/actions",
        data={"csrf_token": token, "text": " ", "owner": "RXA"},
        follow_redirects=False,
    )
    assert refused.headers["location"] == "/recommendations"
    assert "An action needs a description." in editor.get("/recommendations").text


def test_the_headers_name_only_this_site(app) -> None:
    """Nothing is loaded from elsewhere: the policy lists no other origin."""
    for value in SECURITY_HEADERS.values():
        assert "http" not in value and "*" not in value
