"""The recommendation tracker: the plan as data, actions with history, status in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equitrack.cli import app
from equitrack.measures.result import Result
from equitrack.stats import Verdict
from equitrack.store import connect
from equitrack.tracker import actions as tracked
from equitrack.tracker.evidence import Status, measure_status, summarise
from equitrack.tracker.plan import PlanProblem, load_plan
from tests.factories import small_system

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, terminal_width=200)


def test_the_plan_holds_the_ten_recommendations_in_the_seed_words() -> None:
    plan = load_plan()
    assert [r.number for r in plan.recommendations] == list(range(1, 11))
    assert sum(len(r.actions) for r in plan.recommendations) == 42
    seed = next(SEED.glob("*.txt"), None)
    if seed is None:
        pytest.skip("the seed document is not beside this checkout")
    text = " ".join(seed.read_text(encoding="utf-8").split())
    for r in plan.recommendations:
        assert " ".join(r.asked.split()) in text, r.number
        for a in r.actions:
            assert a.text.replace('"', "") in text.replace("“", "").replace("”", "").replace(
                '"', ""
            ), a.text


def test_a_plan_citing_an_unknown_measure_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "plan.toml"
    bad.write_text(
        'source = "x"\nreported = 2024-01-01\n[[recommendation]]\nnumber = 1\ntitle = "t"\n'
        'asked = "a"\nquestion = "q"\nevidence = ["wres99"]\n'
    )
    with pytest.raises(PlanProblem, match="unknown measures wres99"):
        load_plan(bad)


def _result(group: str, verdict: Verdict | None, ratio: float | None = None) -> Result:
    return Result(
        measure="wres3", org="system:QK1", period=2026, group_type="broad", group=group,
        numerator=20, denominator=1000, reference_group="White" if verdict else None,
        ratio=ratio, ratio_ci_low=ratio and ratio * 0.8, ratio_ci_high=ratio and ratio * 1.2,
        verdict=verdict and str(verdict),
    )  # fmt: skip


def test_status_words_never_overstate() -> None:
    assert measure_status([]) == (Status.NO_DATA, None)
    assert measure_status([_result("White", None)])[0] is Status.DESCRIBED
    not_sig = [_result("White", None), _result("Black", Verdict.ADVERSE_NOT_SIGNIFICANT, 1.4)]
    status, figure = measure_status(not_sig)
    assert status is Status.NO_GAP and "adverse, not significant" in figure
    few = [_result("Black", Verdict.TOO_FEW, 3.0), _result("Asian", Verdict.UNDEFINED)]
    assert measure_status(few)[0] is Status.TOO_FEW
    adverse = [
        _result("Asian", Verdict.ADVERSE_SIGNIFICANT, 2.5),
        _result("Black", Verdict.ADVERSE_SIGNIFICANT, 1.5),
        _result("Mixed", Verdict.NON_ADVERSE, 1.0),
    ]
    status, figure = measure_status(adverse)
    assert status is Status.ADVERSE and figure.startswith("Black vs White: 1.50")


def test_actions_start_from_the_plan_and_keep_their_history(tmp_path: Path, db_path: Path) -> None:
    invoke("import", str(small_system(tmp_path / "data")), "--db", str(db_path))
    store, plan = connect(str(db_path)), load_plan()
    assert tracked.seed(store, plan) == 42
    assert tracked.seed(store, plan) == 0  # only once
    new = tracked.add(
        store, plan, recommendation=7, text="Leave audit for international recruits",
        owner="rwe", by="analyst",
    )  # fmt: skip
    assert new == 43
    changed = tracked.set_status(store, plan, new, "in_progress", by="lead", note="started")
    assert [e.status for e in changed.history] == ["planned", "in_progress"]
    assert changed.owner == "RWE" and changed.history[-1].recorded_by == "lead"
    with pytest.raises(PlanProblem, match="no action 99"):
        tracked.set_status(store, plan, 99, "done", by="x")
    with pytest.raises(PlanProblem, match="status must be one of"):
        tracked.set_status(store, plan, new, "finished", by="x")
    with pytest.raises(PlanProblem, match="no recommendation 11"):
        tracked.add(store, plan, recommendation=11, text="x", owner="RWE", by="x")
    store.close()


def test_recommendations_without_data_say_so(tmp_path: Path, db_path: Path) -> None:
    invoke("import", str(small_system(tmp_path / "data")), "--db", str(db_path))
    store = connect(str(db_path), create=False)
    evidence = summarise(store, load_plan(), 2026)
    store.close()
    assert len(evidence) == 10
    assert evidence[6].status is Status.NO_DATA  # leave: nothing cites data yet
    assert all(e.status in (Status.NO_DATA, Status.DESCRIBED, Status.TOO_FEW) for e in evidence)


def test_cli_tracker_round_trip(tmp_path: Path, db_path: Path) -> None:
    invoke("import", str(small_system(tmp_path / "data")), "--db", str(db_path))
    added = invoke(
        "action", "add", "--recommendation", "3", "--text", "Face-to-face EDI sessions",
        "--owner", "RT5", "--db", str(db_path),
    )  # fmt: skip
    assert added.exit_code == 0 and "Added action 43" in added.output
    moved = invoke("action", "status", "43", "done", "--note", "ran", "--db", str(db_path))
    assert "now done (2 statuses" in moved.output
    bad = runner.invoke(app, ["action", "status", "43", "finished", "--db", str(db_path)])
    assert bad.exit_code == 2 and "status must be one of" in bad.output
    listed = invoke("action", "list", "--recommendation", "3", "--history", "--db", str(db_path))
    assert "Face-to-face EDI sessions" in listed.output and "planned" in listed.output
    shown = json.loads(
        invoke("recommendations", "--year", "2026", "--format", "json", "--db", str(db_path)).output
    )
    rec3 = shown[2]
    assert rec3["number"] == 3 and rec3["actions"][-1]["status"] == "done"
    assert [h["status"] for h in rec3["actions"][-1]["history"]] == ["planned", "done"]
    assert shown[6]["status"] == "no data loaded"
