"""The `equitrack` command: make, load and inspect workforce equality data.

Each noun has its module (data, measures, reports, tracker, users, server); `common` opens the
store and turns the user's mistakes into messages, `formats` shows results. The commands are
listed here, in the order `equitrack --help` shows them. A command's module is imported when
that command runs (or help lists it), not at start-up: `equitrack wres` need not load the
synthetic data generator, the reports or the dashboard (`lazy`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from equitrack import config
from equitrack.cli.common import user_errors
from equitrack.cli.lazy import LazyGroup
from equitrack.console import console

#: Each command's name and where its function is, as "module:attribute" under equitrack.cli.
COMMANDS = {
    "import": "data:import_",
    "export-parquet": "data:export_parquet",
    "migrate": "data:migrate",
    "synth": "data:synth",
    "profiles": "data:profiles_list",
    "status": "data:status",
    "measure": "measures:measure_command",
    "measures": "measures:measures_list",
    "wres": "measures:wres",
    "wdes": "measures:wdes",
    "bank-wres": "measures:bank_wres",
    "journeys": "measures:journeys",
    "pay-gap": "measures:pay_gap",
    "recommendations": "tracker:recommendations",
    "report": "reports:report",
    "serve": "server:serve",
    "demo": "server:demo",
}
#: Each group of commands (a `typer.Typer` of their own), after the commands.
GROUPS = {
    "profile": "data:profile_app",
    "action": "tracker:action_app",
    "commentary": "tracker:commentary_app",
    "users": "users:users_app",
}

app = typer.Typer(
    name="equitrack",
    help=(
        "Evidence on whether Black and minority ethnic staff are treated fairly at work: "
        "load HR exports, measure WRES and the scrutiny recommendations, publish the results."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=LazyGroup.of(COMMANDS, GROUPS),
)


def _version(value: bool) -> None:
    if value:
        from equitrack import __version__

        console.print(f"equitrack {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Evidence on race equality in the NHS workforce."""
    import os

    if os.environ.get(config.LOG_LEVEL_ENV):  # a scheduled import's JSON logs, when asked for
        from equitrack import logs

        with user_errors():
            logs.configure()


__all__ = ["app"]
