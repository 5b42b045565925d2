"""The `equitrack` command: make, load and inspect workforce equality data."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from equitrack import __version__, config
from equitrack.console import console, errors, progress_bars, show_import, show_status
from equitrack.disclosure.policy import Audience
from equitrack.measures.calendar import Interval
from equitrack.model.tables import TABLE_BY_NAME
from equitrack.reports.write import ReportKind
from equitrack.store import StoreError, connect
from equitrack.store.export import export_parquet as export_parquet_layout
from equitrack.store.status import status as store_status
from equitrack.synth.write import EXPORTS as SYNTH_EXPORTS
from equitrack.synth.write import FORMATS as SYNTH_FORMATS
from equitrack.tracker.plan import PlanProblem, load_plan

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
        help=f"Database: a DuckDB file (default {config.DEFAULT_DB}, or ${config.DB_ENV}), "
        "postgres://user@host/db, or for reading 'spark:local[*]?parquet=FOLDER' "
        "(see docs/scale.md).",
        show_default=False,
    ),
]


class Preset(StrEnum):
    llr = "llr"
    region = "region"
    national = "national"


FileFormat = StrEnum("FileFormat", {f: f for f in SYNTH_FORMATS})  # type: ignore[misc]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def _user_problems() -> tuple[type[Exception], ...]:
    """What a user can put right; ingest's are imported once something is raised, not at
    start-up (a command that imports nothing need not load the importer)."""
    from equitrack.ingest import ReadError
    from equitrack.ingest.pseudonymise import KeyProblem
    from equitrack.logs import LogLevelProblem

    return (ReadError, StoreError, KeyProblem, PlanProblem, LogLevelProblem)


@contextmanager
def user_errors() -> Iterator[None]:
    """Problems with the user's files or database end with a message, never a traceback."""
    try:
        yield
    except _user_problems() as exc:
        errors.print(
            f"[bold red]Error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
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
    import os

    if os.environ.get(config.LOG_LEVEL_ENV):  # a scheduled import's JSON logs, when asked for
        from equitrack import logs

        with user_errors():
            logs.configure()


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files (.csv, .xlsx, .parquet) or folders of them: each named after its "
            "table (people.csv, assignments.csv, …), or an export a profile reads.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="The source profile that reads the files: a shipped one's name (equitrack "
            "profiles lists them) or a .toml file's path. Without it, each file's header "
            "chooses (an ESR export is recognised), else its name (canonical files).",
            show_default=False,
        ),
    ] = None,
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
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="The organisation's ODS code (e.g. RWE) for files without an organisation "
            "column, such as one trust's ESR report: their rows take it, and it is added to "
            "the organisations if not loaded (named from equitrack's list of NHS "
            "organisations, or --org-name). A file with other codes of its own is refused.",
            show_default=False,
        ),
    ] = None,
    org_name: Annotated[
        str | None,
        typer.Option(
            "--org-name",
            help="The name of the organisation --org adds, when equitrack does not know its "
            "code (or to name it otherwise).",
            show_default=False,
        ),
    ] = None,
    org_type: Annotated[
        str | None,
        typer.Option(
            "--org-type",
            help="trust, icb or other: the type of the organisation --org adds, when its name "
            "does not say.",
            show_default=False,
        ),
    ] = None,
    as_at: Annotated[
        str | None,
        typer.Option(
            "--as-at",
            help="YYYY-MM-DD: the date an ESR staff-in-post export is as at, when its title "
            "block does not say. It loads as a snapshot: the organisation's assignments are "
            "then kept over time from all its snapshots and leavers reports.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check files against the data model and load them, all or nothing.

    Every problem is reported with its file, line and column. Person identifiers are
    pseudonymised before anything is stored; a file loaded before is recognised and skipped.
    Exports such as ESR's are mapped onto the data model by a source profile.
    """
    from equitrack.ingest import import_paths
    from equitrack.ingest.naming import OrgOption

    if table is not None and table not in TABLE_BY_NAME:
        errors.print(
            f"[bold red]Error:[/bold red] --table must be one of {', '.join(TABLE_BY_NAME)}"
        )
        raise typer.Exit(2)
    if org is None and (org_name or org_type):
        errors.print("[bold red]Error:[/bold red] --org-name and --org-type name what --org adds")
        raise typer.Exit(2)
    try:
        snapshot_date = dt.date.fromisoformat(as_at) if as_at is not None else None
    except ValueError:
        errors.print(f"[bold red]Error:[/bold red] --as-at {as_at} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    with user_errors():
        named = OrgOption.of(org, org_name, org_type) if org is not None else None
        store = connect(db)
        with progress_bars() as bars:
            result = import_paths(
                paths,
                store,
                skip_invalid=skip_invalid,
                table=table,
                rejects_dir=rejects,
                progress=bars,
                profile=profile,
                org=named,
                as_at=snapshot_date,
            )
        show_import(result, skip_invalid)
        _audit(
            store,
            "import" if result.ok else "import rejected",
            f"{', '.join(p.name for p in paths)}: {result.rows_loaded} rows loaded",
        )
        store.close()
    if not result.ok:
        raise typer.Exit(1)


def _audit(store: Any, event: str, detail: str) -> None:
    """The audit log's record of a command (not on a read-only store such as Spark)."""
    from equitrack.web.audit import record

    if store.backend != "pyspark":
        record(store, _who(), event, detail, "command line")


@app.command("export-parquet")
def export_parquet(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the tables into.")],
    db: DbOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace tables already in the folder.")
    ] = False,
) -> None:
    """Write a loaded database out as the canonical Parquet layout, one file per table.

    Spark or a SQL warehouse then reads it: --db 'spark:local[*]?parquet=FOLDER', or load the
    files into catalog tables. Identifiers stay pseudonymised; the files are owner-only.
    """
    with user_errors():
        store = connect(db, create=False)
        with progress_bars() as bars:
            written = export_parquet_layout(store, out, overwrite=overwrite, progress=bars)
        _audit(store, "export", f"Parquet layout to {out}")
        store.close()
    rows = sum(w.rows for w in written)
    console.print(f"Wrote {len(written)} tables, {rows:,} rows, to {out}.")


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the tables into.")],
    preset: Annotated[
        Preset,
        typer.Option(
            help="llr: Leicester, Leicestershire and Rutland (three organisations, about 24,000 "
            "staff). region: 6 systems, about 35 organisations and 230,000 staff. national: "
            "about 210 trusts and 1.6 million staff."
        ),
    ] = Preset.llr,
    seed: Annotated[int, typer.Option(help="The same seed always makes the same data.")] = 7,
    file_format: Annotated[
        FileFormat | None,
        typer.Option(
            "--format",
            help="csv or parquet (default: csv for llr, parquet for the others). Or the "
            "exports real systems write, read back by the shipped profiles, with the other "
            "tables as CSV: "
            + "; ".join(f"{k}: {e.description}" for k, e in SYNTH_EXPORTS.items())
            + "; exports: all of these.",
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

    fmt = file_format or (FileFormat("csv") if preset is Preset.llr else FileFormat("parquet"))
    disparities = generator.Disparities.none() if parity else None
    start = time.perf_counter()
    with progress_bars() as bars:
        step = _steps(bars, f"Generating the {preset.value} system")
        tables = generator.generate(preset.value, seed=seed, disparities=disparities, progress=step)
        bars.task(f"Writing {fmt.value} files", None)
        written = generator.write(tables, out, fmt.value, seed=seed)
    rows = sum(t.num_rows for t in tables.values())
    console.print(
        f"Wrote {len(written)} tables ({rows:,} rows) to {out} in {time.perf_counter() - start:.1f}s."
    )


@app.command("profiles")
def profiles_list() -> None:
    """The source profiles: which exports they read, into which tables. Your own profiles (in
    EQUITRACK_PROFILES, by default ~/.config/equitrack/profiles) are offered to detection too."""
    from equitrack.ingest import profile as profiles

    with user_errors():
        known = profiles.available()
        shipped = {p.name for p in profiles.shipped()}
    for p in known:
        where = ""
        if profiles.is_local(p):
            where = " (local, replacing the shipped one)" if p.name in shipped else " (local)"
        console.print(f"[bold]{p.name}[/bold]{where}  {p.description}", highlight=False)
        detail = f"tables: {', '.join(p.tables)}"
        if p.detect:
            sets = " or ".join(", ".join(s) for s in p.detect)
            detail += f"; recognised by the header columns {sets}"
        console.print(f"  [dim]{detail}[/dim]", highlight=False)
        console.print(f"  [dim]{p.path}[/dim]", highlight=False, soft_wrap=True)
    folders = ", ".join(str(d) for d in config.profile_dirs())
    console.print(
        "\nA profile is a TOML file: copy one to adapt it to a local report, and give its path "
        f"to --profile, or put it in {folders} (set {config.PROFILES_ENV} to change this) to "
        "have files recognised by it.",
        highlight=False,
    )


profile_app = typer.Typer(
    help="Source profiles: check what a profile makes of a file.", no_args_is_help=True
)
app.add_typer(profile_app, name="profile")


@profile_app.command("check")
def profile_check(
    file: Annotated[Path, typer.Argument(help="The export to check.", show_default=False)],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="A shipped profile's name or a .toml file's path (default: chosen by the header).",
            show_default=False,
        ),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="The organisation's ODS code, as import --org would give it to rows without one.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Report the columns a profile finds and misses in a file, and the values it cannot read
    (with their counts), without loading anything. Exits 1 when the import would stop, and
    says why."""

    from equitrack.ingest import profile as profiles
    from equitrack.ingest.check import check_file
    from equitrack.ingest.naming import OrgOption

    with user_errors():
        code = OrgOption.of(org).code if org is not None else None
        chosen = profiles.load(profile) if profile else None
        report = check_file(file, chosen, code)
    console.print(
        f"[bold]{escape(report.source.label)}[/bold]: the {report.profile.name} profile "
        f"({escape(report.reason)})" + (f", {report.rows:,} rows" if report.rows else ""),
        highlight=False,
    )
    if report.loads_as:
        console.print(f"It would load as {escape(report.loads_as)}.", highlight=False)
    console.print("\n[bold]Columns found[/bold]")
    for target, where in report.found:
        console.print(f"  {target} ← {escape(where)}", highlight=False)
    if report.missing:
        console.print("\n[bold]Columns missing[/bold]")
        for target, looked, required in report.missing:
            need = "[bold red]needed[/bold red]" if required else "optional"
            console.print(f"  {target} ({need}): looked for {escape(looked)}", highlight=False)
    if report.kept:
        console.print("\n[bold]Columns kept aside[/bold] (the profile keeps them: stored as "
                      "written, unless they look like personal identifiers)")  # fmt: skip
        console.print(f"  {escape(', '.join(report.kept))}", highlight=False, soft_wrap=True)
    if report.unused:
        console.print("\n[bold]Columns not read[/bold] (not stored; a profile can keep them "
                      "by name, under keep)")  # fmt: skip
        console.print(f"  {escape(', '.join(report.unused))}", highlight=False, soft_wrap=True)
    if report.ignored:
        console.print("\n[bold]Columns the profile ignores[/bold] (not stored)")
        console.print(f"  {escape(', '.join(report.ignored))}", highlight=False, soft_wrap=True)
    if report.problems or report.row_problems:
        console.print("\n[bold]Problems[/bold]")
        for problem in report.problems:
            console.print(f"  [yellow]{escape(problem)}[/yellow]", highlight=False, soft_wrap=True)
        for where, rows in report.row_problems.items():
            console.print(f"  {escape(where)}: {rows:,} row(s) cannot be read", highlight=False)
    if report.ok:
        console.print("\nNothing was loaded. The file can be imported.")
        return
    console.print("\nNothing was loaded. [bold]The import would stop[/bold], because:")
    for reason in report.stops:
        console.print(f"  - {escape(reason)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


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


class By(StrEnum):
    wres = "wres"
    broad = "broad"
    detailed = "detailed"


class MeasureFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _parse_options(pairs: list[str]) -> dict[str, str]:
    """`--option NAME=VALUE` pairs as text: each measure reads a value as its option's declared
    type, and the run refuses a name no measure takes (`measures.declare.check_options`)."""
    options: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE (for example window=1)")
        options[name.strip()] = value.strip()
    return options


YearOption = Annotated[
    int, typer.Option(help="Reporting year: 2026 is April 2025 to 31 March 2026.")
]
LatestYearOption = Annotated[
    int | None,
    typer.Option(help="Reporting year (default: the latest year with staff in post)."),
]
OrgOption = Annotated[
    list[str] | None, typer.Option(help="An organisation's ODS code; repeat for several.")
]
SystemOption = Annotated[
    bool, typer.Option("--system", help="One figure for the whole integrated care system.")
]
ByOption = Annotated[
    By,
    typer.Option(
        help="wres (White / BME / Unknown), broad (Black, Asian, Mixed, Other) or detailed (ethnic code)."
    ),
]
FormatOption = Annotated[
    MeasureFormat, typer.Option("--format", help="table, json, csv or xlsx (xlsx needs --out).")
]
OutOption = Annotated[Path | None, typer.Option(help="Write to this file instead of the screen.")]
MeasureOptions = Annotated[
    list[str] | None,
    typer.Option(
        help="A measure option as NAME=VALUE, e.g. window=1, pooling=mean_of_rates, appointed=offered."
    ),
]


def _run_measures(
    family_name: str,
    measures: Sequence[str] | None,
    *,
    year: int,
    org: list[str] | None,
    system: bool,
    by: By,
    output: MeasureFormat,
    out: Path | None,
    option: list[str] | None,
    db: str | None,
    since: int | None = None,
    interval: Interval = Interval.YEAR,
) -> None:
    """Measure, then show or write: the body of `wres`, `wdes`, `bank-wres` and `measure`."""
    from equitrack import api
    from equitrack.outputs import files, terminal

    if output is MeasureFormat.xlsx and out is None:
        errors.print("[bold red]Error:[/bold red] --format xlsx needs --out FILE.xlsx")
        raise typer.Exit(2)
    with user_errors():
        store = connect(db, create=False)
        if since is not None and since > year:
            raise StoreError(f"--since {since} is after --year {year}")
        first = since if since is not None else year - (output is MeasureFormat.xlsx)
        years = tuple(range(first, year + 1))
        try:
            results = api.run(
                family_name, years, store=store, orgs=org or (), system=system,
                by=by.value, options=_parse_options(option or []), measures=measures,
                interval=interval,
            )  # fmt: skip
        except ValueError as exc:
            raise StoreError(str(exc)) from exc
        names = _org_names(store)
        store.close()
    if output is MeasureFormat.table:
        if out:
            with out.open("w", encoding="utf-8") as fh:
                terminal.show(results, Console(file=fh, width=160))
        else:
            terminal.show(results, console)
    elif output is MeasureFormat.json:
        text = files.to_json(results)
        out.write_text(text, encoding="utf-8") if out else typer.echo(text)
    elif output is MeasureFormat.csv:
        files.write_csv(results, out or Path("/dev/stdout"))
    else:
        from equitrack.outputs.workbook import write_results_workbook

        assert out is not None
        write_results_workbook(family_name, results, year, out, names)
        console.print(f"Wrote {out}")


def _measures_command(family_name: str, label: str) -> Callable[..., None]:
    def command(
        year: YearOption,
        org: OrgOption = None,
        system: SystemOption = False,
        by: ByOption = By.wres,
        output: FormatOption = MeasureFormat.table,
        out: OutOption = None,
        option: MeasureOptions = None,
        db: DbOption = None,
    ) -> None:
        _run_measures(
            family_name, None, year=year, org=org, system=system, by=by,
            output=output, out=out, option=option, db=db,
        )  # fmt: skip

    command.__doc__ = label
    return command


@app.command("measure")
def measure_command(
    name: Annotated[str, typer.Argument(help="The measure's id (see `equitrack measures`).")],
    year: YearOption,
    org: OrgOption = None,
    system: SystemOption = False,
    by: ByOption = By.wres,
    output: FormatOption = MeasureFormat.table,
    out: OutOption = None,
    option: MeasureOptions = None,
    db: DbOption = None,
    since: Annotated[
        int | None,
        typer.Option(help="First reporting year of a series (to --year); for SPC charts."),
    ] = None,
    interval: Annotated[
        Interval,
        typer.Option(help="year, or month for a monthly series (not for survey or pay)."),
    ] = Interval.YEAR,
) -> None:
    """Any one measure, by its id, with counts, intervals and verdicts; a series with --since."""
    from equitrack.measures.engine import has_interval
    from equitrack.measures.registry import MEASURES

    if name not in MEASURES:
        errors.print(
            f"[bold red]Error:[/bold red] no measure {name!r}; `equitrack measures` lists them"
        )
        raise typer.Exit(2)
    if not has_interval(MEASURES[name], interval):
        errors.print(
            f"[bold red]Error:[/bold red] {name} is counted once a year; there is no monthly series"
        )
        raise typer.Exit(2)
    _run_measures(
        MEASURES[name].family, [name], year=year, org=org, system=system, by=by,
        output=output, out=out, option=option, db=db, since=since, interval=interval,
    )  # fmt: skip


@app.command("measures")
def measures_list(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
) -> None:
    """Every measure equitrack computes, with a one-line definition."""
    from rich.table import Table

    from equitrack.measures.declare import allowed_values, option_type
    from equitrack.measures.registry import MEASURES

    rows = [
        {
            "id": m.id,
            "family": m.family,
            "title": m.title,
            "definition": m.description,
            "options": {
                name: {
                    "type": option_type(default).__name__,
                    "default": default,
                    "allowed": allowed_values(m.allowed(name)),
                    "fixed": name not in m.choices,
                }
                for name, default in m.options.items()
            },
        }
        for m in MEASURES.values()
    ]
    if output is OutputFormat.json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"{len(rows)} measures", title_justify="left", show_lines=True)
    for column in ("id", "family", "title", "definition", "options"):
        table.add_column(column)
    for m, r in zip(MEASURES.values(), rows, strict=True):
        options = "\n".join(f"{name}: {m.option_text(name)}" for name in m.options)
        table.add_row(r["id"], r["family"], r["title"], r["definition"], options)
    console.print(table)


def _org_names(store: Any) -> dict[str, str]:
    rows = store.table("organisations").select("org_code", "name").to_pyarrow().to_pylist()
    return {r["org_code"]: r["name"] for r in rows}


app.command("wres")(
    _measures_command(
        "wres",
        "Workforce Race Equality Standard indicators 1 to 9 for a reporting year.\n\n"
        "Every ratio comes with its counts, a 95% interval and a verdict in words; "
        "'too few to tell' where the numbers are small.",
    )
)
app.command("wdes")(
    _measures_command(
        "wdes", "Workforce Disability Equality Standard metrics 1, 2, 3, 10 and the survey metrics."
    )
)
app.command("bank-wres")(
    _measures_command(
        "bank-wres",
        "Bank WRES: the bank-only workforce against substantive staff (representation, "
        "disciplinary, removal from the bank, route of entry, bank survey).",
    )
)


class JourneyBy(StrEnum):
    wres = "wres"
    broad = "broad"


class JourneyFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("journeys")
def journeys(
    org: OrgOption = None,
    system: SystemOption = False,
    by: Annotated[
        JourneyBy,
        typer.Option(help="wres (White / BME / Unknown) or broad (Black, Asian, Mixed, Other)."),
    ] = JourneyBy.wres,
    output: Annotated[
        JourneyFormat, typer.Option("--format", help="table, json or csv.")
    ] = JourneyFormat.table,
    year: Annotated[
        int | None,
        typer.Option(
            help="Follow journeys to 31 March of this year (default: the latest year loaded)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Careers over time: time to first promotion, and from the bank to a substantive post.

    Per group: people, how many got there and how many left first, the median time, the share
    who got there by 3 and 5 years (leaving counted as a competing event), and a log-rank test
    against White; 'too few to tell' where the numbers are small.
    """
    from equitrack.measures import careers
    from equitrack.measures.populations import Scope
    from equitrack.outputs import journeys as render

    with user_errors():
        store = connect(db, create=False)
        scope = Scope(tuple(org or ()), system)
        try:
            found = careers.time_to_promotion(
                store, scope, by.value, year
            ) + careers.bank_to_substantive(store, scope, by.value, year)
        except ValueError as exc:
            raise StoreError(str(exc)) from exc
        store.close()
    if output is JourneyFormat.json:
        typer.echo(render.to_json(found))
    elif output is JourneyFormat.csv:
        typer.echo(render.to_csv(found), nl=False)
    else:
        render.show(found, console)


class PayGapFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("pay-gap")
def pay_gap(
    year: YearOption,
    org: OrgOption = None,
    system: SystemOption = False,
    by: ByOption = By.wres,
    output: Annotated[
        PayGapFormat, typer.Option("--format", help="table, json or csv.")
    ] = PayGapFormat.table,
    option: Annotated[
        list[str] | None,
        typer.Option(help="staff=all (default), substantive, bank, medical or non_medical."),
    ] = None,
    db: DbOption = None,
) -> None:
    """The ethnicity pay gap at each organisation's snapshot in the year.

    Mean and median hourly pay gaps of each group, and of all minority groups together,
    against White British and White (positive: the group is paid less), each group's share of
    the four hourly pay quarters, bonus gaps and who received a bonus, and the share of staff
    whose ethnicity is not known. csv gives the figures in the result shape every measure uses;
    json gives the whole report.
    """
    from equitrack.measures import pay as measure
    from equitrack.measures.populations import Scope
    from equitrack.outputs import pay_gap as render

    with user_errors():
        store = connect(db, create=False)
        scope = Scope(tuple(org or ()), system)
        options = _parse_options(option or [])
        try:
            reports = measure.pay_gap_report(
                store, year, scope, dimension=by.value, options=options
            )
        except ValueError as exc:
            raise StoreError(str(exc)) from exc
        names = _org_names(store)
        store.close()
    if output is PayGapFormat.json:
        typer.echo(measure.reports_json(reports))
    elif output is PayGapFormat.csv:
        typer.echo(render.to_csv(measure.report_results(reports, scope, options=options)), nl=False)
    else:
        render.show(reports, console, names)


def _who() -> str:
    """Who made a change, for the history: the login running the command."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _year_or_latest(store: Any, year: int | None) -> int:
    """The reporting year asked for, else the latest with staff in post (none: a user error)."""
    from equitrack.measures.queries import latest_year

    chosen = year or latest_year(store)
    if chosen is None:
        raise StoreError("no staff in post are loaded, so there is no latest year; give --year")
    return chosen


@app.command()
def recommendations(
    year: LatestYearOption = None,
    org: Annotated[
        str | None, typer.Option(help="One organisation's ODS code (default: the whole system).")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.table,
    baseline: Annotated[
        int | None,
        typer.Option(
            help="Reporting year change is measured from (default: the recommendations "
            "file's, the review's year)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The recommendations: each one's headline and level, change since the baseline, its
    status in words, and its actions."""
    from equitrack.outputs import tracker as render
    from equitrack.tracker import actions as tracked
    from equitrack.tracker.evidence import summarise

    with user_errors():
        plan = load_plan()
        store = connect(db, create=False)
        chosen = _year_or_latest(store, year)
        if baseline is not None and baseline >= chosen:
            raise StoreError(f"--baseline {baseline} must be a year before {chosen}")
        evidence = summarise(store, plan, chosen, org=org, baseline=baseline)
        actions = tracked.actions(store, plan)
        store.close()
    if output is OutputFormat.json:
        typer.echo(render.to_json(evidence, actions))
    else:
        render.show(evidence, actions, console)


@app.command()
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
    from equitrack.disclosure import PolicyError, load_policies
    from equitrack.reports.write import build, write

    if org and system:
        errors.print("[bold red]Error:[/bold red] give --org or --system, not both")
        raise typer.Exit(2)
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    with user_errors():
        try:
            policy = load_policies(rules)[audience]
        except PolicyError as exc:
            raise StoreError(str(exc)) from exc
        store = connect(db, create=False)
        chosen = _year_or_latest(store, year)
        names = _org_names(store)
        with console.status(f"Measuring for the {kind.value} report…"):
            try:
                made = build(
                    kind, store, chosen, org=org, policy=policy, audience=audience.value,
                    paper=paper,
                )  # fmt: skip
            except ValueError as exc:
                raise StoreError(str(exc)) from exc
        stem = f"{kind.value}-{org or 'system'}-{chosen}"
        _audit(store, "export", f"{stem} report ({audience}) to {out}")
        store.close()
        with console.status(f"Writing {', '.join(wanted)}…"):
            try:
                paths = write(made, out, stem, wanted, names)
            except ValueError as exc:
                raise StoreError(str(exc)) from exc
    for path in paths:
        console.print(f"Wrote {path}")


action_app = typer.Typer(
    help="Actions against the recommendations: list, add, change status (history is kept).",
    no_args_is_help=True,
)
app.add_typer(action_app, name="action")


@action_app.command("list")
def action_list(
    recommendation: Annotated[
        int | None, typer.Option(help="Only this recommendation's actions.")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="Every earlier status too.")] = False,
    db: DbOption = None,
) -> None:
    """Every action with its current status."""
    from equitrack.outputs.tracker import show_actions
    from equitrack.tracker import actions as tracked

    with user_errors():
        plan = load_plan()
        store = connect(db, create=False)
        found = tracked.actions(store, plan)
        store.close()
    show_actions(
        [a for a in found if recommendation in (None, a.recommendation)], console, history=history
    )


@action_app.command("add")
def action_add(
    recommendation: Annotated[int, typer.Option(help="The recommendation's number.")],
    text: Annotated[str, typer.Option(help="What is being done.")],
    owner: Annotated[str, typer.Option(help="ODS code of the organisation that owns it.")],
    status: Annotated[str, typer.Option(help="planned, in_progress, done or stopped.")] = "planned",
    note: Annotated[str | None, typer.Option(help="Why, or where the evidence is.")] = None,
    db: DbOption = None,
) -> None:
    """Add an action under a recommendation."""
    from equitrack.tracker import actions as tracked

    with user_errors():
        plan = load_plan()
        store = connect(db)
        action_id = tracked.add(
            store, plan, recommendation=recommendation, text=text, owner=owner,
            status=status, by=_who(), note=note,
        )  # fmt: skip
        store.close()
    console.print(f"Added action {action_id} under recommendation {recommendation} ({status}).")


@action_app.command("status")
def action_status(
    action_id: Annotated[int, typer.Argument(help="The action's id (see `action list`).")],
    status: Annotated[str, typer.Argument(help="planned, in_progress, done or stopped.")],
    note: Annotated[str | None, typer.Option(help="Why it changed.")] = None,
    db: DbOption = None,
) -> None:
    """Change an action's status; the earlier status stays in its history."""
    from equitrack.tracker import actions as tracked

    with user_errors():
        plan = load_plan()
        store = connect(db)
        changed = tracked.set_status(store, plan, action_id, status, by=_who(), note=note)
        store.close()
    console.print(
        f"Action {action_id} is now {changed.status} "
        f"({len(changed.history)} statuses in its history)."
    )


@action_app.command("set")
def action_set(
    action_id: Annotated[int, typer.Argument(help="The action's id (see `action list`).")],
    field: Annotated[str, typer.Argument(help="lead, due, milestone, rag or measures.")],
    value: Annotated[
        str,
        typer.Argument(
            help="The new value: due as YYYY-MM-DD, rag red, amber or green, measures as "
            "measure ids joined by commas; empty clears it."
        ),
    ],
    note: Annotated[str | None, typer.Option(help="Why it changed.")] = None,
    db: DbOption = None,
) -> None:
    """Set an action's lead, due date, next milestone, RAG rating or linked measures; the
    earlier value stays in its history."""
    from equitrack.tracker import actions as tracked

    with user_errors():
        plan = load_plan()
        store = connect(db)
        tracked.set_field(store, plan, action_id, field, value, by=_who(), note=note)
        store.close()
    said = f"set to {value.strip()}" if value.strip() else "cleared"
    console.print(f"Action {action_id}: {field} {said}.")


commentary_app = typer.Typer(
    help="Officers' commentary on the scrutiny paper: write a draft, approve it, show it "
    "(history is kept; a public paper prints approved words only).",
    no_args_is_help=True,
)
app.add_typer(commentary_app, name="commentary")
PartOption = Annotated[
    str,
    typer.Option(help="paper (the whole paper) or a recommendation's number (1 to 10)."),
]
PaperOrgOption = Annotated[
    str | None,
    typer.Option(help="The organisation's paper (ODS code); default the system's."),
]


@commentary_app.command("write")
def commentary_write(
    part: PartOption,
    year: Annotated[int, typer.Option(help="The paper's reporting year.")],
    text: Annotated[str | None, typer.Option(help="The words (or give --file).")] = None,
    file: Annotated[
        Path | None, typer.Option(help="A text file of the words (blank lines part paragraphs).")
    ] = None,
    org: PaperOrgOption = None,
    db: DbOption = None,
) -> None:
    """Write officers' words for a part of the paper, as a draft until approved."""
    from equitrack.tracker import commentary

    with user_errors():
        if (text is None) == (file is None):
            raise PlanProblem("give the words with --text or --file, not both or neither")
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PlanProblem(f"cannot read {file}: {exc}") from None
        plan = load_plan()
        store = connect(db)
        try:
            kept = commentary.write(
                store, plan, org=org, year=year, part=part, text=text or "", by=_who()
            )
        finally:
            store.close()
    console.print(
        f"Draft {len(kept.history)} of the commentary on {kept.part} ({kept.scope}, {year}) "
        "written; `equitrack commentary approve` approves it for publication."
    )


@commentary_app.command("approve")
def commentary_approve(
    part: PartOption,
    year: Annotated[int, typer.Option(help="The paper's reporting year.")],
    org: PaperOrgOption = None,
    db: DbOption = None,
) -> None:
    """Approve the newest draft of a part for publication."""
    from equitrack.tracker import commentary

    with user_errors():
        plan = load_plan()
        store = connect(db)
        try:
            kept = commentary.approve(store, plan, org=org, year=year, part=part, by=_who())
        finally:
            store.close()
    console.print(f"The commentary on {kept.part} ({kept.scope}, {year}) is approved.")


@commentary_app.command("show")
def commentary_show(
    year: Annotated[int, typer.Option(help="The paper's reporting year.")],
    org: PaperOrgOption = None,
    history: Annotated[bool, typer.Option("--history", help="Every earlier draft too.")] = False,
    db: DbOption = None,
) -> None:
    """Each part's commentary: its state, the words last approved and any newer draft."""
    from equitrack.outputs.tracker import show_commentary
    from equitrack.tracker import commentary

    with user_errors():
        store = connect(db, create=False)
        try:
            found = commentary.read(store, org, year)
        finally:
            store.close()
    show_commentary(found, console, history=history)


users_app = typer.Typer(help="Dashboard users: add, remove, list.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, analyst, editor or viewer.")],
    org: Annotated[
        list[str],
        typer.Option(help="An organisation's ODS code, or * for the whole system; repeat."),
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            confirmation_prompt=True,
            hide_input=True,
            envvar="EQUITRACK_NEW_PASSWORD",
            help="At least 12 characters (asked if not given).",
        ),
    ],
    db: DbOption = None,
) -> None:
    """Add a user, or change an existing one's password, role and organisations."""
    from equitrack.web.users import UserProblem, add_user

    with user_errors():
        store = connect(db, create=False)
        try:
            user = add_user(store, username, password, role, org, by=_who())
        except UserProblem as exc:
            raise StoreError(str(exc)) from exc
        finally:
            store.close()
    console.print(f"User {user.username}: {user.role} for {', '.join(user.orgs)}")


@users_app.command("remove")
def users_remove(
    username: Annotated[str, typer.Argument(help="The sign-in name.")], db: DbOption = None
) -> None:
    """Remove a user (their history stays in the store)."""
    from equitrack.web.users import UserProblem, remove_user

    with user_errors():
        store = connect(db, create=False)
        try:
            remove_user(store, username, by=_who())
        except UserProblem as exc:
            raise StoreError(str(exc)) from exc
        finally:
            store.close()
    console.print(f"Removed {username}")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """Every user, their role and organisations."""
    from rich.table import Table

    from equitrack.web.users import list_users

    with user_errors():
        store = connect(db, create=False)
        found = list_users(store)
        store.close()
    table = Table("user", "role", "organisations", "since", title="Dashboard users")
    for u in found:
        table.add_row(u.username, str(u.role), ", ".join(u.orgs), u.recorded_at.isoformat(" "))
    console.print(table)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Plain-HTTP use on this machine only: send the session cookie without the "
            "Secure flag (said at start-up). Without it, cookies are Secure: serve over HTTPS.",
        ),
    ] = False,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of a reverse proxy in front of the dashboard (repeat for more): its "
            "X-Forwarded-Proto and X-Forwarded-For are believed, so HTTPS through it gets HSTS "
            "and sign-in throttling sees each caller's own address. No one else's are.",
        ),
    ] = None,
    max_upload_mb: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="EQUITRACK_MAX_UPLOAD_MB",
            help="Largest file the dashboard's upload form takes, in MB.",
        ),
    ] = 100,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            help="Level of the JSON logs on standard error (a line per request and per import): "
            f"DEBUG, INFO, WARNING or ERROR. [default: ${config.LOG_LEVEL_ENV}, else "
            f"{config.DEFAULT_LOG_LEVEL}]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the dashboard. Put it behind HTTPS; cookies are marked Secure unless told not to."""
    import logging

    import uvicorn

    from equitrack import logs
    from equitrack.web.app import create_app

    with user_errors():
        logs.configure(log_level)
        store = connect(db, create=False)
    if insecure_cookies:
        console.print(
            "[bold yellow]--insecure-cookies:[/bold yellow] the session cookie is sent over "
            "plain HTTP, without the Secure flag. Use this on this machine only, never across "
            "a network."
        )
    console.print(f"equitrack dashboard on http://{host}:{port}/ (Ctrl+C to stop)")
    app_ = create_app(
        store,
        secure_cookies=not insecure_cookies,
        trusted_proxies=trusted_proxy or (),
        upload_limit=max_upload_mb * 1_000_000,
        lend=True,  # the command line imports and reads while the dashboard serves
    )
    app_.state.web.warm()  # the board release, built while the first visitors sign in
    try:
        # the app believes forwarded headers itself, and only from --trusted-proxy
        # the logging set up above (JSON lines); the app logs each request itself, by route
        # template only (uvicorn's access log would carry paths and query strings)
        uvicorn.run(
            app_,
            host=host,
            port=port,
            proxy_headers=False,
            log_config=None,
            log_level=logging.getLevelName(logging.getLogger().level).lower(),
            access_log=False,
        )
    finally:
        app_.state.web.close()


def _demo_account(store: Any) -> str:
    """A demo admin with a fresh random password (never a fixed one: the demo may be reachable)."""
    import secrets

    from equitrack.web.users import add_user

    password = secrets.token_urlsafe(12)
    add_user(store, "demo", password, "admin", ["*"], by="equitrack demo")
    return password


def _demo_reports(store: Any, year: int, out: Path) -> list[Path]:
    """The scrutiny update and the system view for the system, and the largest trust's WRES."""
    from equitrack.disclosure import load_policies
    from equitrack.reports.write import FORMATS, build, write

    policy = load_policies()[Audience.BOARD]
    a = store.table("assignments")
    staff = a.group_by("org_code").aggregate(n=a.count())
    largest = staff.order_by(staff.n.desc()).limit(1).to_pyarrow().column("org_code")[0].as_py()
    names = _org_names(store)
    written: list[Path] = []
    asks = ((ReportKind.scrutiny, None), (ReportKind.wres, largest), (ReportKind.system, None))
    with progress_bars() as bars:
        for kind, org in asks:
            done = bars.task(f"Writing the {kind.value} report", 1)
            made = build(kind, store, year, org=org, policy=policy, audience="board")
            written += write(made, out, f"{kind.value}-{org or 'system'}-{year}", FORMATS, names)
            done(1)
    return written


def _demo_import(data: Path, store: Any, rejects: Path) -> Any:
    """The organisations, then each 31 March's ESR staff-in-post snapshots with the leavers
    reports of the year ending then, one date after another as a trust receives them, then
    every other table. The first import that fails is the result."""
    from equitrack.ingest import import_paths
    from equitrack.synth.esr_snapshots import series

    def load(paths: list[Path]) -> Any:
        with progress_bars() as bars:
            return import_paths(paths, store, rejects_dir=rejects, progress=bars)

    result = load([data / "organisations.csv"])
    dated = series(data)
    for day, paths in dated:
        if not result.ok:
            return result
        result = load(paths)
        snapshots = sum("_staff_in_post_" in p.stem for p in paths)
        console.print(
            f"ESR as at {day:%d %B %Y}: {snapshots} staff-in-post snapshot(s) and "
            f"{len(paths) - snapshots} leavers report(s), {result.rows_read:,} rows read",
            highlight=False,
        )
    if not result.ok:
        return result
    taken = {data / "organisations.csv"} | {p for _, paths in dated for p in paths}
    return load(sorted(p for p in data.iterdir() if p.is_file() and p not in taken))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo data and database.")] = Path(
        "demo"
    ),
    seed: Annotated[int, typer.Option(help="Seed for the synthetic system.")] = 7,
    year: Annotated[int, typer.Option(help="Reporting year for the summary.")] = 2026,
    reports: Annotated[
        Path, typer.Option(help="Folder for the scrutiny, WRES and system reports.")
    ] = Path("out"),
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard at the end.")
    ] = True,
    port: Annotated[int, typer.Option(help="The dashboard's port.")] = 8000,
) -> None:
    """Make the synthetic LLR system, load it, show its WRES summary and the recommendations,
    and write the three reports."""
    from equitrack import api
    from equitrack.outputs.summary import summary_table

    data, db = out / "data", out / "equitrack.duckdb"
    out.mkdir(parents=True, exist_ok=True)
    exports = FileFormat("esr-snapshots")
    synth(out=data, preset=Preset.llr, seed=seed, file_format=exports, parity=False)
    with user_errors():
        store = connect(str(db))
        result = _demo_import(data, store, out / "rejects")
        show_import(result, skip_invalid=False)
        if not result.ok:
            raise typer.Exit(1)
        show_status(store_status(store))
        results = api.run("wres", (year,), store=store) + api.run(
            "wres", (year,), store=store, system=True
        )
        console.print(summary_table(results, year))
        from equitrack.outputs import tracker as render
        from equitrack.tracker import actions as tracked
        from equitrack.tracker.evidence import summarise

        plan = load_plan()
        tracked.seed(store, plan)
        render.show(summarise(store, plan, year), tracked.actions(store, plan), console)
        written = _demo_reports(store, year, reports)
        password = _demo_account(store)
        store.close()
    console.print("\nReports (board audience: counts of 1 to 7 hidden, others rounded to 5):")
    for path in written:
        console.print(f"  {path}")
    console.print(
        f"\n[bold green]Demo ready.[/bold green] Database: {db}\n"
        f"  equitrack status --db {db}\n  equitrack wres --year {year} --db {db} --by broad\n"
        f"  equitrack recommendations --db {db}\n  equitrack action list --db {db}\n"
        f"  equitrack serve --db {db}"
    )
    console.print(
        f"\nDashboard account (admin, whole system): [bold]demo[/bold], password "
        f"[bold]{password}[/bold] (made for this demo; `equitrack users add` makes others)"
    )
    if serve_after:
        # the demo is served over plain HTTP on this machine: said so as it starts
        serve(db=str(db), host="127.0.0.1", port=port, insecure_cookies=True)


if __name__ == "__main__":
    app()
