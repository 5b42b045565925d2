"""The `equitrack` command: make, load and inspect workforce equality data.

Each noun has its module (data, measures, reports, tracker, users, server); `common` opens the
store and turns the user's mistakes into messages, `formats` shows results. The commands are
listed here, in the order `equitrack --help` shows them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from equitrack import __version__, config
from equitrack.cli import data, measures, reports, server, tracker, users
from equitrack.cli.common import user_errors
from equitrack.console import console

app = typer.Typer(
    name="equitrack",
    help=(
        "Evidence on whether Black and minority ethnic staff are treated fairly at work: "
        "load HR exports, measure WRES and the scrutiny recommendations, publish the results."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
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


app.command("import")(data.import_)
app.command("export-parquet")(data.export_parquet)
app.command("migrate")(data.migrate)
app.command("synth")(data.synth)
app.command("profiles")(data.profiles_list)
app.command("status")(data.status)
app.command("measure")(measures.measure_command)
app.command("measures")(measures.measures_list)
app.command("wres")(measures.wres)
app.command("wdes")(measures.wdes)
app.command("bank-wres")(measures.bank_wres)
app.command("journeys")(measures.journeys)
app.command("pay-gap")(measures.pay_gap)
app.command("recommendations")(tracker.recommendations)
app.command("report")(reports.report)
app.command("serve")(server.serve)
app.command("demo")(server.demo)
app.add_typer(data.profile_app, name="profile")
app.add_typer(tracker.action_app, name="action")
app.add_typer(tracker.commentary_app, name="commentary")
app.add_typer(users.users_app, name="users")

__all__ = ["app"]
