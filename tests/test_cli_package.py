"""The command line's shared parts: every command documented, one way to open a store, user
mistakes said in one line while a bug keeps its traceback, one renderer per output format."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import equitrack.cli as cli_package
from equitrack.cli import app, common
from equitrack.cli.formats import RENDERERS, Format
from equitrack.tracker.plan import STATUSES
from tests.factories import small_system

runner = CliRunner()


def _commands() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: str) -> None:
        found.append((path, cmd))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found


COMMANDS = _commands()


def test_every_command_and_every_parameter_is_documented() -> None:
    assert len(COMMANDS) > 25  # the walk reached the groups' commands too
    undocumented = [
        f"{path or 'equitrack'} {param.name}"
        for path, cmd in COMMANDS
        for param in cmd.params
        if not (getattr(param, "help", None) or "").strip()
    ]
    assert undocumented == []
    assert [path for path, cmd in COMMANDS if not (cmd.help or "").strip()] == []


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: p or "equitrack")
def test_each_help_names_every_option(path: str) -> None:
    cmd = dict(COMMANDS)[path]
    result = runner.invoke(app, [*path.split(), "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for param in cmd.params:
        if param.param_type_name == "option":
            assert param.opts[0] in result.output, f"{path}: {param.opts[0]}"


def test_every_format_a_command_offers_has_its_renderer() -> None:
    offered = {
        (path, choice)
        for path, cmd in COMMANDS
        if path != "synth"  # the files it makes, not a way of showing results
        for param in cmd.params
        if "--format" in param.opts and param.type_descriptor.choices  # report's are files
        for choice in param.type_descriptor.choices
    }
    assert {"status", "wres", "journeys", "pay-gap", "recommendations"} <= {p for p, _ in offered}
    assert {Format(str(c)) for _, c in offered} <= set(RENDERERS)


def test_action_add_and_status_offer_the_statuses_the_tracker_accepts() -> None:
    commands = dict(COMMANDS)
    for path in ("action add", "action status"):
        (param,) = [p for p in commands[path].params if p.name == "status"]
        assert all(status in param.help for status in STATUSES), path
        assert param.help.count(",") == len(STATUSES) - 2  # the last is joined by "or"


def test_only_the_common_module_opens_a_store() -> None:
    """Every command opens its store through `common.open_store`, which always closes it."""
    folder = Path(cli_package.__file__).parent
    callers = {
        path.name
        for path in folder.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "connect"
    }
    assert callers == {"common.py"}


def test_a_store_is_closed_when_the_command_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[bool] = []

    class Store:
        def close(self) -> None:
            closed.append(True)

    monkeypatch.setattr(common, "connect", lambda *a, **k: Store())
    with pytest.raises(RuntimeError), common.open_store("x.duckdb"):
        raise RuntimeError("a bug half way through")
    assert closed == [True]


def test_a_user_mistake_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["measure", "wres2", "--year", "2025", "--since", "2026", "--db", "x.duckdb"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --since 2026 is after --year 2025"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_bug_is_not_passed_off_as_the_users_mistake(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from equitrack import api

    loaded = runner.invoke(
        app, ["import", str(small_system(tmp_path / "data")), "--db", str(db_path)]
    )
    assert loaded.exit_code == 0, loaded.output

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("an internal inconsistency")

    monkeypatch.setattr(api, "run", broken)
    result = runner.invoke(app, ["wres", "--year", "2025", "--db", str(db_path)])
    assert isinstance(result.exception, ValueError)  # the traceback is kept, not "Error: …"
    assert result.exit_code == 1
    assert "Error:" not in result.stderr


def test_journeys_with_no_staff_asks_for_a_year(tmp_path: Path, db_path: Path) -> None:
    orgs = small_system(tmp_path / "data") / "organisations.csv"
    assert runner.invoke(app, ["import", str(orgs), "--db", str(db_path)]).exit_code == 0
    result = runner.invoke(app, ["journeys", "--db", str(db_path)])
    assert result.exit_code == 2
    assert "no staff in post are loaded, so there is no latest year; give --year" in result.stderr
