"""The JSON API against its own OpenAPI description: schemathesis generates requests for every
operation (the API's, and the pages' the description also lists), signed in as an administrator
(session cookie and CSRF header on each call), and none may end in a server error; the
description lists every /api route, and every API operation turns away a caller who has not
signed in."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of, routes_of, sign_in

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from equitrack.web.sessions import COOKIE  # noqa: E402

OPENAPI = "/api/openapi.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: A value for each path parameter the API has, to reach the route (not to be found).
PATH_VALUES = {"org": "RXA", "family": "wres", "action_id": "1"}


def _described_app():  # type: ignore[no-untyped-def]
    """The app as far as its description goes: the routes without a store behind them (nothing
    here reads it). The calls go to the `app` fixture's app, over the generated mini store; a
    test below checks the two describe the same API."""
    from equitrack.web.app import create_app

    return create_app(None, secure_cookies=False)  # type: ignore[arg-type]


# At import, not from a fixture: schemathesis.pytest.from_fixture needs a pytest Item's
# `_nodeid`, which pytest 9 no longer has. From the app itself: its description is served only
# to signed-in users (a test below checks it is the same).
_described = _described_app()
schema = schemathesis.openapi.from_dict(_described.openapi())
schema.app = _described
#: The JSON API. The description also lists the HTML pages (their router does not leave them
#: out); those are tried too, but not signing in or out, which would end or count against the
#: shared sessions and sign-in throttle.
api = schema.include(path_regex=r"^/api/")
pages = schema.exclude(path_regex=r"^/api/").exclude(path_regex=r"^/sign-(in|out)$")
#: Few examples per operation: the point is no server error, not an exhaustive search.
FEW = settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def admin(app) -> dict[str, dict[str, str]]:
    """What each call carries: an administrator's session cookie and their CSRF token."""
    client = sign_in(TestClient(app), "admin")
    token = csrf_of(client.get("/").text)
    signed_in = {"cookies": {COOKIE: client.cookies[COOKIE]}, "headers": {"X-CSRF-Token": token}}
    client.close()  # the session lives on the server; closing the client does not end it
    return signed_in


@api.parametrize()
@FEW
def test_no_generated_api_request_ends_in_a_server_error(case, app, admin) -> None:  # type: ignore[no-untyped-def]
    response = case.call_and_validate(
        **admin, checks=[not_a_server_error, response_schema_conformance], app=app
    )
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    # signed in as an administrator, the session is never what stops a call
    assert response.status_code != 401, (case.method, case.formatted_path, response.text[:300])


@pages.parametrize()
@FEW
def test_no_generated_page_request_ends_in_a_server_error(case, app, admin) -> None:  # type: ignore[no-untyped-def]
    response = case.call(**admin, app=app, allow_redirects=False)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    # never sent to sign in: the session holds throughout
    assert "/sign-in" not in response.headers.get("location", [""])[0], case.formatted_path


def test_a_status_for_an_action_that_does_not_exist_is_refused_not_an_error(app, admin) -> None:
    """A valid status for an unknown action, which generated cases reach only by chance (the
    status has to be one of four words): the page's form and the API both refuse it."""
    client = TestClient(app, cookies=admin["cookies"])
    token = admin["headers"]["X-CSRF-Token"]
    form = client.post(
        "/actions/999999/status",
        data={"status": "done", "csrf_token": token},
        follow_redirects=False,
    )
    assert form.status_code == 404 and "no action 999999" in form.text
    api = client.post(
        "/api/actions/999999/status", json={"status": "done"}, headers=admin["headers"]
    )
    assert api.status_code == 404 and "no action 999999" in api.json()["detail"]


def _documented(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def _routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) the app answers under /api/ (``routes_of`` says how they are found)."""
    found = set()
    for each in routes_of(app):
        path, methods = getattr(each, "path", ""), getattr(each, "methods", None) or ()
        if path.startswith("/api/") and getattr(each, "include_in_schema", True):
            found |= {(method, path) for method in methods if method != "HEAD"}
    return found


def test_the_description_lists_every_api_route(app, admin) -> None:
    assert TestClient(app).get(OPENAPI).status_code == 401  # for signed-in users only
    client = TestClient(app, cookies=admin["cookies"])
    response = client.get(OPENAPI)
    assert response.status_code == 200
    assert response.json() == schema.raw_schema, "the generated cases follow the app's own API"
    documented = {key for key in _documented(response.json()) if key[1].startswith("/api/")}
    routes = _routes(app)
    assert len(routes) >= 7, routes  # the API as it is now, at least
    assert documented == routes
    # and each with its responses described: what comes back, and what a bad request gets
    for (method, path), operation in _documented(response.json()).items():
        if path.startswith("/api/"):
            assert "200" in operation["responses"], f"{method} {path}"


def test_every_api_operation_turns_away_a_caller_who_has_not_signed_in(app, admin) -> None:
    """Each operation either declares 401 and 403 or, whatever it declares, answers 401 to a
    call without a session (checked for every operation, declared or not)."""
    documented = {
        key: operation
        for key, operation in _documented(
            TestClient(app, cookies=admin["cookies"]).get(OPENAPI).json()
        ).items()
        if key[1].startswith("/api/")
    }
    assert documented
    undeclared = sorted(
        f"{method} {path}"
        for (method, path), op in documented.items()
        if not {"401", "403"} <= set(op.get("responses", {}))
    )
    anonymous = TestClient(app)
    answers = {}
    for method, path in sorted(documented):
        url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
        body = {"json": {"status": "done"}} if method == "POST" else {}
        answers[f"{method} {path}"] = anonymous.request(method, url, **body).status_code
    assert answers == dict.fromkeys(answers, 401), (
        f"operations that do not say 401/403: {undeclared}; answers without a session: {answers}"
    )


def test_the_year_parameter_says_which_year_the_code_reads() -> None:
    """Every API operation's `year` is described with an example the calendar agrees with
    (2026 is 2025/26, as WRES counts it at 31 March 2026)."""
    from equitrack.measures import calendar

    described = [
        parameter["description"]
        for route, path in _described.openapi()["paths"].items()
        if route.startswith("/api/")
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "year"
    ]
    assert described
    for text in described:
        example = re.search(r"\((\d{4}): (\d{4}/\d{2})", text)
        assert example, text
        assert calendar.label(int(example.group(1))) == example.group(2), text


def test_every_api_operation_and_parameter_is_described() -> None:
    """A reader of the API's description learns what each call does and what each parameter
    means, from the description itself."""
    missing = [
        f"{method.upper()} {route}" + (f" {p['name']}" if p else "")
        for route, path in _described.openapi()["paths"].items()
        if route.startswith("/api/")
        for method, operation in path.items()
        for p in [None, *operation.get("parameters", [])]
        if not (p or operation).get("description")
    ]
    assert not missing, missing
