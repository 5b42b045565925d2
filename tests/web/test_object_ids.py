"""Every spelling of an id in every address that has one: the same object and the same check,
or refused as malformed (422), never another organisation's object changed or shown.

The routes come from the app's own route table, so a new address with an id is tried here as
soon as it exists (and a new kind of path parameter fails until it has spellings below)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from equitrack.tracker import actions as tracked
from equitrack.tracker.plan import load_plan
from equitrack.web.app import create_app
from tests.web.conftest import csrf_of, routes_of


def _id_spellings(digits: str) -> list[str]:
    """An id written every way int(), float() or a lenient parser would still read as it."""
    n = int(digits)
    arabic = "".join(chr(0x0660 + int(d)) for d in digits)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in digits)
    return [
        f"{n}.0", f" {n}", f"{n} ", f"+{n}", f"0{n}", f"00{n}", f"{digits[0]}_{digits[1:]}",
        hex(n), f"{n}e0", f"{n}.", arabic, fullwidth, f"%20{n}", f"{n}%0A", f"%2B{n}",
    ]  # fmt: skip


def _code_spellings(code: str) -> list[str]:
    """An organisation's code (or a report's name) as the eye or a lenient compare reads it."""
    wide = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in code)
    spelt = [
        code.lower(), code.upper(), code.title(), f" {code}", f"{code} ", f"%20{code}",
        f"{code}%00", f"{code}%0A", wide, f"{code}.", f"+{code}",
    ]  # fmt: skip
    return [s for s in spelt if s != code]


def _token_spellings(token: str) -> list[str]:
    """An upload's id (case matters: another case is another id, not a spelling of it)."""
    wide = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in token)
    return [
        f" {token}", f"{token} ", f"%20{token}", f"{token}%00", f"{token}%0A", f"{token}%09",
        f"{token}.", f"+{token}", f"{token}=", f"{token}*", wide,
    ]  # fmt: skip


#: Spellings of each kind of path parameter, by the parameter's name.
SPELLINGS = {
    "action_id": _id_spellings,
    "number": _id_spellings,
    "org": _code_spellings,
    "family": _code_spellings,
    "kind": _code_spellings,
    "fmt": _code_spellings,
    "upload_id": _token_spellings,
}
MINE, THEIRS = "RXA", "QXA"  # the editor's organisation, and another


def _routes_with_ids() -> list:
    """Every route of the app with a path parameter (the static files are files, not objects)."""
    app = create_app(None, secure_cookies=False)  # type: ignore[arg-type]
    return [
        r
        for r in routes_of(app)
        if not isinstance(r, Mount) and re.search(r"\{\w+\}", getattr(r, "path", ""))
    ]


ROUTES = {r.name: r for r in _routes_with_ids()}


def test_every_path_parameter_has_spellings() -> None:
    assert len(ROUTES) >= 7, sorted(ROUTES)
    params = {p for r in ROUTES.values() for p in re.findall(r"\{(\w+)\}", r.path)}
    assert params <= set(SPELLINGS), f"path parameters without spellings: {params - set(SPELLINGS)}"


@pytest.fixture(scope="module")
def objects(web_store, app) -> dict[str, dict[str, str]]:
    """The path values naming an object of each organisation (an action each), and an upload
    of the editor's and of someone else's (uploads are their uploader's)."""
    plan = load_plan()
    tracked.seed(web_store, plan)
    values = {}
    for org in (MINE, THEIRS):
        action = tracked.add(web_store, plan, recommendation=2, text="Ids", owner=org, by="test")
        values[org] = {
            "action_id": str(action), "number": "2", "org": org, "family": "wres",
            "kind": "scrutiny", "fmt": "html",
            "upload_id": app.state.jobs.submit(
                "editor" if org == MINE else "analyst", "ids.csv", lambda job: None
            ).id,
        }  # fmt: skip
    return values


def _history(web_store, action_id: str) -> tuple:
    found = tracked.actions(web_store, load_plan())
    return next(a.history for a in found if a.action_id == int(action_id))


def _call(client: TestClient, token: str, route, path: str, owner: str):  # type: ignore[no-untyped-def]
    """The route's request at `path`, with what a change needs (the CSRF token, a body)."""
    (method,) = sorted(set(route.methods) - {"HEAD"})
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if route.name.startswith("api_"):
        return client.post(path, json={"status": "done"}, headers={"X-CSRF-Token": token})
    form = {"csrf_token": token, "status": "done", "text": "Spelled", "owner": owner}
    return client.post(path, data=form, follow_redirects=False)


def _path(route, values: dict[str, str], name: str | None = None, spelling: str = "") -> str:  # type: ignore[no-untyped-def]
    return re.sub(
        r"\{(\w+)\}", lambda m: spelling if m.group(1) == name else values[m.group(1)], route.path
    )


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_no_spelling_reaches_another_organisations_object(
    name: str, as_user, web_store, objects
) -> None:
    route = ROUTES[name]
    editor = as_user("editor")  # an editor of RXA
    token = csrf_of(editor.get("/").text)
    theirs, mine = objects[THEIRS], objects[MINE]
    before = _history(web_store, theirs["action_id"])
    actions_before = len(tracked.actions(web_store, load_plan()))
    canonical = _call(editor, token, route, _path(route, theirs), THEIRS)
    assert canonical.status_code == 403, (name, canonical.text[:300])
    tried = 0
    for param in re.findall(r"\{(\w+)\}", route.path):
        for spelling in SPELLINGS[param](theirs[param]):
            answer = _call(editor, token, route, _path(route, theirs, param, spelling), THEIRS)
            assert answer.status_code >= 400, (name, param, spelling, answer.status_code)
            # the editor's own object spelled that way is not read as it either: malformed
            own = _call(editor, token, route, _path(route, mine, param, spelling), MINE)
            assert own.status_code == 422, (name, param, spelling, own.status_code)
            tried += 1
    assert tried >= 10
    assert _history(web_store, theirs["action_id"]) == before, "their action is unchanged"
    assert len(tracked.actions(web_store, load_plan())) == actions_before, "no action added"


def test_the_one_spelling_reaches_the_object_and_a_missing_one_is_404(
    as_user, web_store, objects
) -> None:
    editor = as_user("editor")
    token = csrf_of(editor.get("/").text)
    mine = objects[MINE]["action_id"]
    form = {"csrf_token": token, "status": "in_progress"}
    assert (
        editor.post(f"/actions/{mine}/status", data=form, follow_redirects=False).status_code == 303
    )
    assert _history(web_store, mine)[-1].status == "in_progress"
    missing = max(a.action_id for a in tracked.actions(web_store, load_plan())) + 1000
    answer = editor.post(f"/actions/{missing}/status", data=form, follow_redirects=False)
    assert answer.status_code == 404 and f"no action {missing}" in answer.text
    api = editor.post(
        f"/api/actions/{missing}/status", json={"status": "done"}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 404
    assert editor.get("/organisations/RZZ").status_code == 404  # no such organisation loaded
