"""The `equitrack` command: make, load and inspect workforce equality data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from equitrack import __version__, config
from equitrack.console import console, errors, progress_bars, show_import, show_status
from equitrack.ingest import ReadError, import_paths
from equitrack.ingest.pseudonymise import KeyProblem
from equitrack.model.tables import TABLE_BY_NAME
from equitrack.store import StoreError, connect
from equitrack.store.status import status as store_status

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

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"Database: a DuckDB file (default {config.DEFAULT_DB}, or ${config.DB_ENV}) "
        "or an Ibis URL such as postgres://user@host/db.",
        show_default=False,
    ),
]


class Preset(StrEnum):
    llr = "llr"
    national = "national"


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


@contextmanager
def user_errors() -> Iterator[None]:
    """Problems with the user's files or database end with a message, never a traceback."""
    try:
        yield
    except (ReadError, StoreError, KeyProblem) as exc:
        errors.print(f"[bold red]Error:[/bold red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


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


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files (.csv, .xlsx, .parquet) or folders of them, each named after its "
            "table (people.csv, assignments.csv, …).",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Load the valid rows and write the rejected ones, with reasons, to the "
            "rejects folder. Without it, one bad row stops the whole import.",
        ),
    ] = False,
    table: Annotated[
        str | None,
        typer.Option(help="The table the files hold, when their names do not say."),
    ] = None,
    rejects: Annotated[
        Path, typer.Option(help="Folder for rejected rows and problem lists.")
    ] = Path("rejects"),
) -> None:
    """Check files against the data model and load them, all or nothing.

    Every problem is reported with its file, line and column. Person identifiers are
    pseudonymised before anything is stored; a file loaded before is recognised and skipped.
    """
    if table is not None and table not in TABLE_BY_NAME:
        errors.print(
            f"[bold red]Error:[/bold red] --table must be one of {', '.join(TABLE_BY_NAME)}"
        )
        raise typer.Exit(2)
    with user_errors():
        store = connect(db)
        with progress_bars() as bars:
            result = import_paths(
                paths,
                store,
                skip_invalid=skip_invalid,
                table=table,
                rejects_dir=rejects,
                progress=bars,
            )
        show_import(result, skip_invalid)
        store.close()
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the tables into.")],
    preset: Annotated[
        Preset,
        typer.Option(
            help="llr: Leicester, Leicestershire and Rutland (three organisations, about 24,000 "
            "staff). national: about 210 trusts and 1.6 million staff."
        ),
    ] = Preset.llr,
    seed: Annotated[int, typer.Option(help="The same seed always makes the same data.")] = 7,
    file_format: Annotated[
        FileFormat | None,
        typer.Option(
            "--format", help="csv or parquet (default: csv for llr, parquet for national)."
        ),
    ] = None,
    parity: Annotated[
        bool,
        typer.Option(
            "--parity",
            help="Make data with no ethnic disparities at all, to check that none are found.",
        ),
    ] = False,
) -> None:
    """Make a synthetic integrated care system: every canonical table, with known disparities."""
    from equitrack import synth as generator

    fmt = file_format or (FileFormat.parquet if preset is Preset.national else FileFormat.csv)
    disparities = generator.Disparities.none() if parity else None
    start = time.perf_counter()
    with progress_bars() as bars:
        step = _steps(bars, f"Generating the {preset.value} system")
        tables = generator.generate(preset.value, seed=seed, disparities=disparities, progress=step)
        bars.task(f"Writing {fmt.value} files", None)
        written = generator.write(tables, out, fmt.value)
    rows = sum(t.num_rows for t in tables.values())
    console.print(
        f"Wrote {len(written)} tables ({rows:,} rows) to {out} in {time.perf_counter() - start:.1f}s."
    )


def _steps(bars: Any, title: str) -> Callable[[str], None]:
    return lambda message: bars.task(f"{title}: {message}", None)


@app.command()
def status(
    db: DbOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
) -> None:
    """What is loaded: batches, rows per table and organisation, and the declaration rate.

    The declaration rate is the share of staff whose ethnicity is known; a low rate makes every
    figure about ethnicity doubtful.
    """
    with user_errors():
        store = connect(db, create=False)
        info = store_status(store)
        store.close()
    if output is OutputFormat.json:
        typer.echo(json.dumps(info, indent=2, default=str))
    else:
        show_status(info)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo data and database.")] = Path(
        "demo"
    ),
    seed: Annotated[int, typer.Option(help="Seed for the synthetic system.")] = 7,
) -> None:
    """Make the synthetic LLR system, load it into a database, and show what is there."""
    data, db = out / "data", out / "equitrack.duckdb"
    out.mkdir(parents=True, exist_ok=True)
    synth(out=data, preset=Preset.llr, seed=seed, file_format=FileFormat.csv, parity=False)
    with user_errors():
        store = connect(str(db))
        with progress_bars() as bars:
            result = import_paths([data], store, rejects_dir=out / "rejects", progress=bars)
        show_import(result, skip_invalid=False)
        if not result.ok:
            raise typer.Exit(1)
        show_status(store_status(store))
        store.close()
    console.print(
        f"\n[bold green]Demo ready.[/bold green] Database: {db}  (equitrack status --db {db})"
    )


if __name__ == "__main__":
    app()
