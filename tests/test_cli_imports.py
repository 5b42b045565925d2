"""A command imports what it needs and nothing else: start-up is most of `equitrack wres`'s time
(issue 20), so measuring must not load the generator, pandas or what the reports draw with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from equitrack.cli import app
from tests.factories import small_system

#: What no measuring command needs: the synthetic data generator, the reports' and charts'
#: libraries, the statistics packages only journeys and SPC charts use.
NOT_FOR_MEASURING = (
    "equitrack.synth", "equitrack.reports", "equitrack.web", "equitrack.tracker", "scipy",
    "altair", "lifelines", "weasyprint", "jinja2", "fastapi", "openpyxl",
)  # fmt: skip


def _imported(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded once it has run `code`."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "100"},
    )  # fmt: skip
    return set(done.stdout.split())


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(m == n or m.startswith(f"{n}.") for m in modules))


def test_the_measuring_commands_and_the_api_load_none_of_the_rest() -> None:
    modules = _imported(
        "import equitrack.api, equitrack.cli\n"
        "from equitrack.cli import app\n"
        "try:\n    app(['wres', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert "equitrack.cli.measures" in modules  # the command was made
    assert _loaded(modules, (*NOT_FOR_MEASURING, "pandas")) == []


def test_measuring_a_store_loads_none_of_the_rest(tmp_path: Path) -> None:
    db = tmp_path / "small.duckdb"
    made = CliRunner().invoke(
        app, ["import", str(small_system(tmp_path / "data")), "--db", str(db)]
    )
    assert made.exit_code == 0, made.output
    modules = _imported(
        "from equitrack.cli import app\n"
        f"app(['wres', '--year', '2026', '--system', '--db', {str(db)!r}, '--format', 'json'],"
        " standalone_mode=False)"
    )
    assert "equitrack.measures.engine" in modules  # it measured
    assert _loaded(modules, NOT_FOR_MEASURING) == []
    # DuckDB's SQL compiler alone, not every dialect's (`equitrack.store.compilers`)
    assert "ibis.backends.sql.compilers.duckdb" in modules
    assert "ibis.backends.sql.compilers.trino" not in modules


def test_help_lists_every_command_and_the_version_is_the_packages() -> None:
    from importlib.metadata import version

    runner = CliRunner()
    listed = runner.invoke(app, ["--help"], terminal_width=200)
    assert listed.exit_code == 0
    for name in ("import", "synth", "wres", "report", "serve", "profile", "users"):
        assert f" {name} " in listed.output
    shown = runner.invoke(app, ["--version"])
    assert shown.output.strip() == f"equitrack {version('equitrack')}"
