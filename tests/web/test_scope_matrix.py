"""Every route of the app, as every role at every scope (the whole system, the trust, the ICB),
for reads and writes, against an object of the user's own organisation and one of another.

The routes come from the app's route table: a route with no entry in `MATRIX` fails the suite,
so a new address cannot go untested. Each entry says which roles the route is for and what it
is about (one organisation, the whole system, or the user's own scope); the expected answer
follows from the user's role and scope. The reads are then searched for anything of an
organisation outside the reader's scope: its code, its action, its file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from starlette.routing import Mount

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.reports import write as reports_write
from equitrack.store import Store
from equitrack.tracker import actions as tracked
from equitrack.tracker.plan import load_plan
from equitrack.web.access import Principal, Role
from equitrack.web.app import create_app
from equitrack.web.guard import RULES
from equitrack.web.sessions import COOKIE
from tests.web.conftest import (
    PASSWORD,
    cases_csv,
    csrf_of,
    mini_copy,
    no_quality_summary,
    routes_of,
    sign_in,
)

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

ORGS = ("RXA", "QXA")  # the trust, and the ICB (whose code the system shares)
ROLES = ("admin", "analyst", "editor", "viewer")
#: A user of every role at every scope: "viewer-RXA", "admin-all"...
USERS = {
    f"{role}-{scope}": (role, [org])
    for role in ROLES
    for scope, org in (("all", "*"), ("RXA", "RXA"), ("QXA", "QXA"))
}
ANYONE = frozenset(ROLES)
#: Who made each organisation's upload (the fixture's).
UPLOADER = {org: f"analyst-{org}" for org in ORGS}


@dataclass(frozen=True)
class Target:
    """What a call is made with: the organisation it is about, and that organisation's
    objects as the fixture made them."""

    org: str
    action: int
    upload: str


@dataclass(frozen=True)
class Entry:
    """One route: the roles it is for, what it is about, and how to call it.

    `about` is "org" (one organisation's page, object or rows: refused outside the user's
    scope), "person" (a user's own object, an upload: theirs, and whole-system
    administrators'), "system" (for whole-system users only), "own" (the user's own scope,
    whatever it is) or "open" (no sign-in needed). `refused` is the answer outside the scope: 403, or 422
    for an upload whose rows are another organisation's."""

    roles: frozenset[str]
    about: str
    call: Callable[[TestClient, str, Target], Response] = field(repr=False)
    refused: int = 403


def get(path: str) -> Callable[[TestClient, str, Target], Response]:
    return lambda c, token, t: c.get(
        path.format(org=t.org, upload=t.upload), follow_redirects=False
    )


def _form(path: str, **form: str) -> Callable[[TestClient, str, Target], Response]:
    def call(c: TestClient, token: str, t: Target) -> Response:
        filled = {k: v.format(org=t.org) for k, v in form.items()}
        url = path.format(org=t.org, action=t.action)
        return c.post(url, data={**filled, "csrf_token": token}, follow_redirects=False)

    return call


def _api_status(c: TestClient, token: str, t: Target) -> Response:
    return c.post(
        f"/api/actions/{t.action}/status",
        json={"status": "in_progress"},
        headers={"X-CSRF-Token": token},
    )


def _upload(loaded_system: Callable[..., Store]) -> Callable[[TestClient, str, Target], Response]:
    def call(c: TestClient, token: str, t: Target) -> Response:
        prefix = f"M{abs(hash((id(c), t.org))) % 10**9}-"
        files = {"file": ("disciplinary.csv", cases_csv(loaded_system, [t.org], prefix))}
        # an upload may be checked in the background: its answer is the page it ends on
        return c.post("/data/upload", data={"csrf_token": token}, files=files)

    return call


def _sign_in(c: TestClient, token: str, t: Target) -> Response:
    c = TestClient(c.app)  # a browser of its own: signing in again leaves the others alone
    form = c.get("/sign-in")
    data = {"username": "viewer-all", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    return c.post("/sign-in", data=data, follow_redirects=False)


def _sign_out(c: TestClient, token: str, t: Target) -> Response:
    return c.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)


def matrix(loaded_system: Callable[..., Store]) -> dict[str, Entry]:
    """Every route's entry, by the route's name."""
    return {
        # signing in and out, and the health check
        "sign_in_form": Entry(ANYONE, "open", get("/sign-in")),
        "sign_in": Entry(ANYONE, "open", _sign_in),
        "health": Entry(ANYONE, "open", get("/health")),
        "sign_out": Entry(ANYONE, "own", _sign_out),
        # pages
        "overview": Entry(ANYONE, "own", get("/")),
        "organisation": Entry(ANYONE, "org", get("/organisations/{org}")),
        "recommendations": Entry(ANYONE, "own", get("/recommendations")),
        "journeys": Entry(ANYONE, "own", get("/journeys")),
        "data": Entry(ANYONE, "own", get("/data")),
        "downloads": Entry(ANYONE, "own", get("/downloads")),
        "download_system": Entry(ANYONE, "system", get("/downloads/system.html")),
        "download_wres": Entry(ANYONE, "org", get("/downloads/{org}/wres.html")),
        "audit": Entry(frozenset({"admin"}), "own", get("/audit")),
        # changes
        "add_action": Entry(
            frozenset({"admin", "editor"}),
            "org",
            _form("/recommendations/3/actions", text="Matrix {org}", owner="{org}"),
        ),
        "action_status": Entry(
            frozenset({"admin", "editor"}), "org", _form("/actions/{action}/status", status="done")
        ),
        "action_fields": Entry(
            frozenset({"admin", "editor"}),
            "org",
            _form("/actions/{action}/fields", field="milestone", value="Matrix {org}"),
        ),
        "commentary": Entry(
            frozenset({"admin", "editor"}),
            "own",
            _form("/commentary", part="3", year="2026", text="Matrix {org}"),
        ),
        "approve_commentary": Entry(
            frozenset({"admin", "editor"}), "own", _form("/commentary/approve", part="3")
        ),
        "upload": Entry(frozenset({"admin", "analyst"}), "org", _upload(loaded_system), 422),
        "upload_job": Entry(
            frozenset({"admin", "analyst"}), "person", get("/data/uploads/{upload}")
        ),
        # the JSON API
        "api_organisations": Entry(ANYONE, "own", get("/api/organisations")),
        "api_organisation_measures": Entry(
            ANYONE, "org", get("/api/organisations/{org}/measures/wres")
        ),
        "api_system_measures": Entry(ANYONE, "system", get("/api/system/measures/wres")),
        "api_recommendations": Entry(ANYONE, "own", get("/api/recommendations")),
        "api_actions": Entry(ANYONE, "own", get("/api/actions")),
        "api_action_status": Entry(frozenset({"admin", "editor"}), "org", _api_status),
        "api_audit": Entry(frozenset({"admin"}), "own", get("/api/audit")),
        # the API's description (FastAPI's own route: no organisation's data in it)
        "openapi": Entry(ANYONE, "own", get("/api/openapi.json")),
    }  # fmt: skip


#: Marks of each organisation's own things, planted by the fixture: no reader outside its
#: scope may meet any of them (its code, its action's text, its file's name).
MARKS = {org: (org, f"Action-of-{org}", f"{org.lower()}-only-cases.csv") for org in ORGS}


def _routes() -> dict[str, object]:
    app = create_app(None, secure_cookies=False)  # type: ignore[arg-type]
    return {r.name: r for r in routes_of(app) if not isinstance(r, Mount)}


@pytest.fixture(scope="module")
def world(
    loaded_system: Callable[..., Store], tmp_path_factory, web_key: Path, mini_measured: None
) -> Iterator[tuple[object, dict[str, Target]]]:
    """An app over a store of this module's own, with an action and a file of each
    organisation alone, and a finished upload of each (by its analyst)."""
    store = mini_copy(loaded_system, tmp_path_factory, USERS)
    plan = load_plan()
    tracked.seed(store, plan)
    actions = {
        org: tracked.add(store, plan, recommendation=4, text=f"Action-of-{org}", owner=org, by="t")
        for org in ORGS
    }
    folder = tmp_path_factory.mktemp("files")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(web_key))
        for org in ORGS:
            path = folder / org / "disciplinary.csv"
            path.parent.mkdir()
            path.write_bytes(cases_csv(loaded_system, [org], f"ONLY-{org}-"))
            renamed = path.rename(path.parent / f"{org.lower()}-only-cases.csv")
            assert import_paths([renamed], store, table="disciplinary").ok
        # the matrix asks who may have a report, and what is in it, not how it looks: each is
        # built once, and written as its contents (every word and figure) without the layout
        mp.setattr(reports_write, "build", _built_once(reports_write.build))
        mp.setattr(reports_write, "write", _contents)
        app = create_app(store, secure_cookies=False)
        with no_quality_summary():
            uploads = {org: _upload_id(app, loaded_system, org) for org in ORGS}
        yield app, {org: Target(org, actions[org], uploads[org]) for org in ORGS}
    store.close()


def _built_once(build: Callable[..., object]) -> Callable[..., object]:
    """`build` remembering its reports: the store is the same for every read of the matrix."""
    made: dict[tuple, object] = {}

    def once(kind, store, year, *, org, policy, audience):  # type: ignore[no-untyped-def]
        key = (kind, year, org, policy, audience)
        if key not in made:
            made[key] = build(kind, store, year, org=org, policy=policy, audience=audience)
        return made[key]

    return once


def _contents(report, out: Path, stem: str, formats, names=None) -> list[Path]:  # type: ignore[no-untyped-def]
    """A report's contents, in place of its file in each format."""
    paths = [out / f"{stem}.{fmt}" for fmt in formats]
    for path in paths:
        path.write_text(repr(report))
    return paths


def _upload_id(app, loaded_system, org: str) -> str:  # type: ignore[no-untyped-def]
    """The id of an upload by the organisation's analyst ("none" while uploads have no page)."""
    if "upload_job" not in _routes():
        return "none"
    client = sign_in(TestClient(app), UPLOADER[org])
    token = csrf_of(client.get("/data").text)
    files = {"file": ("disciplinary.csv", cases_csv(loaded_system, [org], f"JOB-{org}-"))}
    sent = client.post(
        "/data/upload", data={"csrf_token": token}, files=files, follow_redirects=False
    )
    found = re.search(r"/data/uploads/([\w-]+)", sent.headers.get("location", ""))
    assert found, sent.text[:500]
    # the check runs in the background: finished before the matrix reads, or a page read
    # while its rows land is asked for again (a 307) on a busy machine
    assert app.state.jobs.wait_all(120), "the upload's check finished"
    client.get(sent.headers["location"])  # its outcome, so the matrix reads a finished upload
    return found.group(1)


def test_every_route_has_an_entry_and_every_entry_a_route(loaded_system) -> None:
    routes, entries = set(_routes()), set(matrix(loaded_system))
    assert len(routes) > 20
    assert routes - entries == set(), f"routes with no entry in the matrix: {routes - entries}"
    assert entries - routes <= {"upload_job"}, f"entries for no route: {entries - routes}"
    # FastAPI's own description of the API is the one route the guard does not run before
    unguarded = routes - set(RULES)
    assert unguarded <= {"openapi"}, f"routes without an access rule: {unguarded}"


def test_nobody_signed_in_reaches_anything_but_the_open_routes(world, loaded_system) -> None:
    app, targets = world
    routes = _routes()
    anonymous = TestClient(app, follow_redirects=False)
    answers = {}
    for name, entry in matrix(loaded_system).items():
        if name in routes and name in RULES and entry.about != "open":
            response = entry.call(anonymous, "", targets[ORGS[0]])
            where = response.headers.get("location", "")
            answers[name] = (
                where.split("?")[0] if response.status_code == 303 else response.status_code
            )
    wanted = {n: 401 if routes[n].path.startswith("/api/") else "/sign-in" for n in answers}
    assert len(answers) >= 20
    assert answers == wanted


# before `answers`, whose writes change the data: read afterwards, this user's figures would be
# measured and protected again for the new data (a minute of the module's time)
def test_a_user_none_of_whose_organisations_is_loaded_reads_nothing(world, loaded_system) -> None:
    """Such a user (their organisation's data removed since) is scoped to it, not to everyone:
    an empty list of organisations means every one to the measures."""
    app, targets = world
    token, _ = app.state.web.sessions.start(Principal("gone", Role.ANALYST, ("RZZ",)))
    client = TestClient(app, cookies={COOKIE: token})
    routes = _routes()
    read = {}
    for name, entry in matrix(loaded_system).items():
        if name in routes and "GET" in routes[name].methods and entry.about == "own":
            response = entry.call(client, "", targets[ORGS[0]])
            for _ in range(2):  # the data changed while the page was made (the fixture's
                if response.status_code != 307:  # uploads, noticed late): asked again whole,
                    break  # as a browser does
                response = entry.call(client, "", targets[ORGS[0]])
            marks = [m for org in ORGS for m in MARKS[org] if m in response.text]
            read[name] = (response.status_code, marks)
    assert {n: a for n, a in read.items() if a != (200, [])} == {
        "audit": (403, []),
        "api_audit": (403, []),
    }
    assert len(read) >= 8


def expected(entry: Entry, user: str, target: str) -> str:
    """ "ok" or the refusal, from the route's entry and the user's role and scope."""
    role, (scope,) = USERS[user]
    if entry.about == "open":
        return "ok"
    if role not in entry.roles:
        return "403"
    if entry.about == "system" and scope != "*":
        return "403"
    if entry.about == "org" and scope not in ("*", target):
        return str(entry.refused)
    if entry.about == "person" and user != UPLOADER[target] and user != "admin-all":
        return "403"
    return "ok"


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    @property
    def outcome(self) -> str:
        return "ok" if self.status < 400 else str(self.status)


Answers = dict[str, dict[tuple[str, str], Answer]]


@pytest.fixture(scope="module")
def answers(world, loaded_system) -> Answers:
    """Every user's answer from every route, about each organisation where the route is about
    one. The reads are made first, by every user, and the changes after: a change clears the
    figures the app keeps, and measuring them again for each user would take minutes."""
    app, targets = world
    routes = _routes()
    table = {n: e for n, e in matrix(loaded_system).items() if n in routes}
    reads = [n for n, e in table.items() if "GET" in routes[n].methods]
    # signing out last: it ends the session the other calls are made in
    writes = sorted(set(table) - set(reads), key=lambda n: (n == "sign_out", n))
    clients = {user: sign_in(TestClient(app), user) for user in sorted(USERS)}
    tokens = {user: csrf_of(c.get("/").text) for user, c in clients.items()}
    anonymous = TestClient(app)
    found: Answers = {user: {} for user in USERS}
    for names, quiet in ((sorted(reads), nullcontext()), (writes, no_quality_summary())):
        with quiet:
            for user, client in sorted(clients.items()):
                for name in names:
                    entry = table[name]
                    caller = anonymous if entry.about == "open" else client
                    for org in ORGS if entry.about in ("org", "person") else ("",):
                        response = entry.call(caller, tokens[user], targets[org or ORGS[0]])
                        found[user][name, org] = Answer(response.status_code, response.text)
    for user, client in clients.items():
        assert client.get("/api/actions").status_code == 401, f"{user} was signed out at the end"
        client.close()
    return found


@pytest.mark.parametrize("user", sorted(USERS))
def test_each_user_gets_exactly_what_their_role_and_scope_allow(
    answers: Answers, loaded_system, user: str
) -> None:
    table = matrix(loaded_system)
    got = {key: a.outcome for key, a in answers[user].items()}
    wanted = {(name, org): expected(table[name], user, org) for name, org in answers[user]}
    assert len(got) >= 30
    assert got == wanted


#: The audit log speaks of users, not organisations (an entry may name another organisation
#: the user tried to reach): a scoped administrator reads the entries of their own users only,
#: never of another organisation's, nor of whole-system users.
AUDIT_READS = {"audit", "api_audit"}


def _audit_marks(other: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(ROLES)})-(?:{other}|all)\b")


@pytest.mark.parametrize("user", [u for u in sorted(USERS) if not u.endswith("-all")])
def test_no_read_shows_anything_of_an_organisation_outside_the_scope(
    world, answers: Answers, loaded_system, user: str
) -> None:
    (mine,) = USERS[user][1]
    (other,) = set(ORGS) - {mine}
    routes = _routes()
    app, _ = world
    systems = {o.code: o.system for o in app.state.web.organisations()}
    read, leaks = 0, []
    for (name, org), answer in sorted(answers[user].items()):
        shown = answer.status < 400 and org in ("", mine) and "GET" in routes[name].methods
        if not shown or matrix(loaded_system)[name].about == "open":
            continue
        text = answer.text
        if name in AUDIT_READS:
            leaks += [(name, m.group(0)) for m in _audit_marks(other).finditer(text)][:1]
        else:
            # an organisation's own system is named beside it, and may share a code with
            # another organisation (the mini system's ICB): that naming is not the other's
            text = text.replace(f'"system":"{systems[mine]}"', "")
            leaks += [(name, mark) for mark in MARKS[other] if mark in text]
        read += 1
    assert read >= 8, "the reads were made"
    assert leaks == [], f"{user} read of {other}: {leaks}"


def _file_row(page: str, source: str) -> tuple[str, ...] | None:
    """The data page's row for an imported file: its cells, as shown."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if cells and cells[0] == source:
            return tuple(cells[1:5])
    return None


@pytest.mark.parametrize("org", ORGS)
def test_a_files_rows_are_exact_only_for_those_who_see_exact_figures(
    answers: Answers, org: str
) -> None:
    """Each organisation's own file loaded one case: exact for its analyst and administrator,
    too small to show (board rules) for its viewer and editor."""
    source = f"{org.lower()}-only-cases.csv"
    shown = {role: _file_row(answers[f"{role}-{org}"]["data", ""].text, source) for role in ROLES}
    exact, hidden = ("disciplinary", "1", "1", "0"), ("disciplinary", "–", "–", "0")
    assert shown == {"admin": exact, "analyst": exact, "editor": hidden, "viewer": hidden}
