"""Each recommendation's declared headline is one figure wherever it is read: the command line,
the dashboard and the scrutiny report give the same words and numbers for the same audience
(exact for an analyst's own organisation, the board's rounded counts for a viewer)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equitrack.cli import app as cli
from equitrack.disclosure import Audience, load_policies
from equitrack.reports.write import ReportKind, build
from equitrack.store import Store
from tests.web.conftest import csrf_of

YEAR = 2026
Figures = dict[int, str]


def _words(text: str) -> str:
    return " ".join(html.unescape(text).split())


def dashboard(client: TestClient) -> Figures:
    page = client.get(f"/recommendations?year={YEAR}")
    assert page.status_code == 200
    found = re.findall(r'data-field="key-figure" data-rec="(\d+)">(.*?)</p>', page.text, re.S)
    return {int(n): _words(text) for n, text in found}


def report(store: Store, org: str | None, audience: Audience) -> Figures:
    made = build(
        ReportKind.scrutiny, store, YEAR, org=org, policy=load_policies()[audience],
        audience=audience.value,
    )  # fmt: skip
    summary = next(t for t in made.tables() if t.columns[:3] == ("#", "Recommendation", "Status"))
    return {int(row[0]): _words(row[3]) for row in summary.rows}


def command_line(store: Store, org: str) -> Figures:
    out = CliRunner().invoke(
        cli,
        [
            "recommendations",
            "--year",
            str(YEAR),
            "--format",
            "json",
            "--org",
            org,
            "--db",
            store.url,
        ],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    return {r["number"]: _words(r["key_figure"] or "") for r in json.loads(out.output)}


def _shown(figures: Figures) -> Figures:
    """The recommendations with a headline figure (the dashboard says when there is none)."""
    return {n: f for n, f in figures.items() if f and not f.startswith("No figure for")}


def test_an_analyst_s_headlines_agree_on_the_command_line_dashboard_and_report(
    web_store: Store, as_user: Callable[[str], TestClient]
) -> None:
    analyst = as_user("analyst")
    on_page = _shown(dashboard(analyst))  # RXA, exact
    in_report = _shown(report(web_store, "RXA", Audience.ANALYST))
    typed = _shown(command_line(web_store, "RXA"))
    api = analyst.get(f"/api/recommendations?year={YEAR}").json()
    by_api = _shown({r["number"]: _words(r["key_figure"] or "") for r in api})
    assert len(typed) >= 5, typed  # most recommendations have a headline on the mini system
    assert on_page == in_report == typed == by_api
    assert all(r["population"] and r["baseline"] == 2022 for r in api)
    # each states both groups' rates and the relative likelihood, not a bare ratio
    for figure in typed.values():
        assert re.search(r"\d+\.\d% of .+ against ", figure), figure
        assert "relative likelihood" in figure or "no comparison" in figure, figure


def test_a_viewer_s_headlines_agree_on_the_dashboard_and_the_board_report(
    web_store: Store, as_user: Callable[[str], TestClient]
) -> None:
    on_page = _shown(dashboard(as_user("viewer")))  # the whole system, board rules
    in_report = _shown(report(web_store, None, Audience.BOARD))
    assert len(on_page) >= 5, on_page
    assert on_page == in_report
    for figure in on_page.values():  # counts shown are the board's: rounded, none of 1 to 7
        for n, d in re.findall(r"\(([\d,]+) of ([\d,]+)\)", figure):
            for value in (int(n.replace(",", "")), int(d.replace(",", ""))):
                assert value == 0 or (value >= 8 and value % 5 == 0), figure


def test_an_editor_sets_their_action_s_fields_with_history_and_no_one_else_s(
    web_store: Store, as_user: Callable[[str], TestClient]
) -> None:
    from equitrack.tracker import actions as tracked
    from equitrack.tracker.plan import load_plan

    plan = load_plan()
    mine = tracked.add(web_store, plan, recommendation=8, text="Bystander impact", owner="RXA",
                       by="test")  # fmt: skip
    theirs = tracked.add(web_store, plan, recommendation=8, text="Not ours", owner="QXA",
                         by="test")  # fmt: skip
    editor, viewer = as_user("editor"), as_user("viewer")  # editor: RXA
    token = csrf_of(editor.get("/recommendations").text)

    def post(client: TestClient, action: int, **form: str) -> int:
        data = {**form, "csrf_token": token}
        return client.post(
            f"/actions/{action}/fields", data=data, follow_redirects=False
        ).status_code

    assert post(editor, mine, field="milestone", value="Impact paper to the commission") == 303
    assert post(editor, mine, field="due", value="2026-11-30", note="commission date") == 303
    assert post(editor, mine, field="rag", value="amber") == 303
    assert post(editor, mine, field="due", value="next month") == 303  # refused, said on the page
    assert "YYYY-MM-DD" in editor.get("/recommendations").text
    assert post(editor, theirs, field="rag", value="red") == 403  # another organisation's
    viewer_token = csrf_of(viewer.get("/").text)
    refused = viewer.post(f"/actions/{mine}/fields", follow_redirects=False,
                          data={"field": "rag", "value": "red", "csrf_token": viewer_token})  # fmt: skip
    assert refused.status_code == 403
    found = next(a for a in tracked.actions(web_store, plan) if a.action_id == mine)
    assert found.milestone == "Impact paper to the commission" and found.rag == "amber"
    assert str(found.due) == "2026-11-30"
    assert [(c.field, c.recorded_by, c.note) for c in found.changes] == [
        ("milestone", "editor", None),
        ("due", "editor", "commission date"),
        ("rag", "editor", None),
    ]
    page = editor.get("/recommendations").text
    row = re.search(rf'data-action="{mine}".*?</tr>', page, re.S)
    assert row and "Impact paper to the commission" in row.group(0) and "amber" in row.group(0)
    # its next step carries the milestone, owner and due date
    assert re.search(r"Impact paper to the commission: Bystander impact</td>\s*<td[^>]*>RXA</td>"
                     r"\s*<td[^>]*>2026-11-30", page)  # fmt: skip
