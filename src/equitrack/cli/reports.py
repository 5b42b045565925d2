"""The report command: a scrutiny paper, an organisation's WRES report or the system's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from equitrack.cli.common import (
    DbOption,
    LatestYearOption,
    UserError,
    audit,
    open_store,
    org_names,
    user_errors,
    year_or_latest,
)
from equitrack.console import console
from equitrack.disclosure.policy import Audience
from equitrack.reports.write import ReportKind


def report(
    kind: Annotated[
        ReportKind,
        typer.Option(
            "--kind",
            help="scrutiny (the ten recommendations), easy-read (the same on one page, in plain "
            "words), wres (one organisation) or system (side by side).",
        ),
    ],
    out: Annotated[Path, typer.Option(help="Folder to write the report into.")],
    year: LatestYearOption = None,
    org: Annotated[
        str | None, typer.Option(help="An organisation's ODS code (a wres report needs one).")
    ] = None,
    system: Annotated[
        bool, typer.Option("--system", help="The whole integrated care system (the default).")
    ] = False,
    formats: Annotated[
        str, typer.Option("--format", help="Any of html, pdf, xlsx, comma-separated.")
    ] = "html,pdf,xlsx",
    audience: Annotated[
        Audience,
        typer.Option(
            help="public, board (counts of 1-7 hidden, others rounded to 5) or analyst (exact)."
        ),
    ] = Audience.BOARD,
    rules: Annotated[
        Path | None,
        typer.Option(help="A TOML file of disclosure rules overriding the shipped ones."),
    ] = None,
    paper: Annotated[
        Path | None,
        typer.Option(
            help="The scrutiny paper's cover sheet (committee, meeting, officers, what the "
            "committee is asked to do), a TOML file like the shipped paper.toml; default "
            "EQUITRACK_PAPER's."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a report (HTML, PDF and the tables behind it as xlsx), through the disclosure gate."""
    from equitrack.disclosure import load_policies
    from equitrack.reports.write import FORMATS, build, write

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    with user_errors():
        if org and system:
            raise UserError("give --org or --system, not both")
        if kind is ReportKind.wres and org is None:
            raise UserError("a WRES report is an organisation's: give --org CODE")
        if unknown := sorted(set(wanted) - set(FORMATS)):
            raise UserError(f"unknown format {', '.join(unknown)}: use {', '.join(FORMATS)}")
        policy = load_policies(rules)[audience]
        with open_store(db) as store:
            chosen = year_or_latest(store, year)
            names = org_names(store)
            with console.status(f"Measuring for the {kind.value} report…"):
                made = build(
                    kind, store, chosen, org=org, policy=policy, audience=audience.value,
                    paper=paper,
                )  # fmt: skip
            stem = f"{kind.value}-{org or 'system'}-{chosen}"
            audit(store, "export", f"{stem} report ({audience}) to {out}")
        with console.status(f"Writing {', '.join(wanted)}…"):
            paths = write(made, out, stem, wanted, names)
    for path in paths:
        console.print(f"Wrote {path}")
