"""The data commands: make, load, check and export the data, and say what is loaded."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from equitrack import config
from equitrack.cli.common import DbOption, UserError, audit, open_store, steps, user_errors
from equitrack.cli.formats import TableOrJson, View, show
from equitrack.console import console, errors, progress_bars, show_import, show_status
from equitrack.logs import log
from equitrack.model.tables import TABLE_BY_NAME
from equitrack.store.export import export_parquet as export_parquet_layout
from equitrack.store.status import status as store_status
from equitrack.synth.write import EXPORTS as SYNTH_EXPORTS
from equitrack.synth.write import FORMATS as SYNTH_FORMATS

if TYPE_CHECKING:
    from collections.abc import Callable

    from equitrack.console import BarProgress
    from equitrack.store import Store

LOG = logging.getLogger(__name__)


class Preset(StrEnum):
    llr = "llr"
    region = "region"
    national = "national"


FileFormat = StrEnum("FileFormat", {f: f for f in SYNTH_FORMATS})  # type: ignore[misc]

profile_app = typer.Typer(
    help="Source profiles: check what a profile makes of a file.", no_args_is_help=True
)


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
    build_release: Annotated[
        bool,
        typer.Option(
            "--release/--no-release",
            help="After loading new data, build the board release (every figure a board "
            "viewer can reach, protected together: a minute or two for a system) and keep it "
            "on disk with the charts of the dashboard's first pages, so the dashboard and the "
            "reports start at once instead of building them. "
            "Use --no-release when more files follow in a script: the last import builds it.",
        ),
    ] = True,
) -> None:
    """Check files against the data model and load them, all or nothing.

    Every problem is reported with its file, line and column. Person identifiers are
    pseudonymised before anything is stored; a file loaded before is recognised and skipped.
    Exports such as ESR's are mapped onto the data model by a source profile. New data's
    board release is then built and kept on disk (unless --no-release).
    """
    from equitrack.ingest import import_paths
    from equitrack.ingest.naming import OrgOption

    with user_errors():
        if table is not None and table not in TABLE_BY_NAME:
            raise UserError(f"--table must be one of {', '.join(TABLE_BY_NAME)}")
        if org is None and (org_name or org_type):
            raise UserError("--org-name and --org-type name what --org adds")
        try:
            snapshot_date = dt.date.fromisoformat(as_at) if as_at is not None else None
        except ValueError:
            raise UserError(f"--as-at {as_at} is not a date (YYYY-MM-DD)") from None
        named = OrgOption.of(org, org_name, org_type) if org is not None else None
        with open_store(db, create=True) as store:
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
            audit(
                store,
                "import" if result.ok else "import rejected",
                f"{', '.join(p.name for p in paths)}: {result.rows_loaded} rows loaded",
            )
            if build_release and result.changed:
                keep_release(store)
    if not result.ok:
        raise typer.Exit(1)


def keep_release(store: Store) -> None:
    """The board release of the data just loaded, built and kept on disk
    (`equitrack.release_files`), so that `serve` and the reports read it back instead of
    building it: the very one they would build (`release.release_for`, as they ask for it).
    Whatever becomes of it, the data stay loaded: a failure is said, never raised."""
    from equitrack import release, release_files
    from equitrack.disclosure import Audience, policy_for

    shelf = release_files.shelf_of(store)
    if shelf is None:
        console.print(
            "[dim]Releases are not kept on disk for this database (in memory, or "
            f"{config.RELEASES_ENV}=off): the dashboard builds the board release as it "
            "starts.[/dim]",
            highlight=False,
        )
        return
    start = time.perf_counter()
    try:
        board = policy_for(Audience.BOARD)
        with progress_bars() as bars:
            release.release_for(store, board, progress=_building(bars, store))
            scopes = _exact_releases(store, board, bars)
    except KeyboardInterrupt:
        errors.print(
            "[yellow]Stopped building the board release.[/yellow] The data are loaded; the "
            "dashboard or the first report builds the release instead.",
            highlight=False,
        )
        raise typer.Exit(130) from None
    except Exception as exc:  # the data are loaded: a release not built is no failed import
        why = str(exc) or type(exc).__name__
        log(LOG, "board release not built at import", logging.WARNING, why=why)
        errors.print(
            f"[bold yellow]Warning:[/bold yellow] the board release was not built ({escape(why)})."
            " The data are loaded; the dashboard or the first report builds the release instead.",
            highlight=False,
            soft_wrap=True,
        )
        return
    if not all(shelf.holds_release(board, exact) for exact in [frozenset(), *scopes]):
        errors.print(
            f"[bold yellow]Warning:[/bold yellow] the board release could not be kept in "
            f"{escape(str(shelf.folder))} ({config.LOG_LEVEL_ENV}=WARNING says why). The data "
            "are loaded; the dashboard builds the release as it starts.",
            highlight=False,
            soft_wrap=True,
        )
        return
    seconds = time.perf_counter() - start
    log(LOG, "board release built at import", seconds=round(seconds, 3))
    also = f" and {len(scopes)} more for users who see some figures exact" if scopes else ""
    console.print(
        f"Kept the board release{also} on disk ({seconds:.0f}s): the dashboard and the "
        f"reports read {'them' if scopes else 'it'} at once.",
        highlight=False,
    )
    _keep_first_pages(store)


def _keep_first_pages(store: Store) -> None:
    """The dashboard's first pages drawn once and their charts kept with the release, so the
    first start after new data shows them at once, as after a restart
    (`equitrack.web.warmup.keep_first_pages`). Like the release, never a failed import: a
    page not drawn is drawn by the dashboard."""
    from equitrack.web.warmup import keep_first_pages

    start = time.perf_counter()
    pages_log = logging.getLogger("equitrack.web")
    quiet = logging.NullHandler()
    if not logging.getLogger().handlers:  # no JSON log asked for: a warning, not tracebacks
        pages_log.addHandler(quiet)
    try:
        with progress_bars() as bars:
            failed = keep_first_pages(store, bars)
    except KeyboardInterrupt:
        errors.print(
            "[yellow]Stopped drawing the dashboard's first pages.[/yellow] The data and the "
            "release are kept; the dashboard draws the pages instead.",
            highlight=False,
        )
        raise typer.Exit(130) from None
    except Exception as exc:  # the pages failed before any was drawn (say, the users)
        failed = 1
        why = str(exc) or type(exc).__name__
        log(LOG, "first pages not drawn at import", logging.WARNING, why=why)
    else:
        seconds = round(time.perf_counter() - start, 3)
        log(LOG, "first pages drawn at import", seconds=seconds, failed=failed)
    finally:
        pages_log.removeHandler(quiet)
    if failed:
        errors.print(
            "[bold yellow]Warning:[/bold yellow] some of the dashboard's first pages were not "
            f"drawn ({config.LOG_LEVEL_ENV}=WARNING says why). The data and the release are "
            "kept; the dashboard draws those pages as it starts.",
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print(
        f"Drew the dashboard's first pages ({time.perf_counter() - start:.0f}s): the dashboard "
        "shows them at once.",
        highlight=False,
    )


def _exact_releases(store: Store, board: Any, bars: BarProgress) -> list[frozenset[str]]:
    """Each exact scope's release built after the board's (`_exact_scopes`); one that fails is
    said as its own (the board's is kept, the dashboard builds the rest), never raised."""
    from equitrack import release

    try:
        scopes = _exact_scopes(store)
        for n, exact in enumerate(scopes, 1):
            bars.task(
                f"Protecting the figures of users who see some exact ({n} of {len(scopes)})", None
            )
            release.release_for(store, board, exact_orgs=exact)
    except Exception as exc:  # the board's release is kept: these the dashboard builds
        why = str(exc) or type(exc).__name__
        log(LOG, "exact releases not built at import", logging.WARNING, why=why)
        errors.print(
            f"[bold yellow]Warning:[/bold yellow] the releases of users who see some figures "
            f"exact were not all built ({escape(why)}); the dashboard builds them as it starts.",
            highlight=False,
            soft_wrap=True,
        )
        return []
    return scopes


def _exact_scopes(store: Store) -> list[frozenset[str]]:
    """The organisations seen exact by each way the dashboard's users see figures (those its
    warm-up puts pages together for), each a release of its own built from the same answers."""
    from equitrack.web.users import list_users
    from equitrack.web.warmup import releases_of

    codes = store.table("organisations").select("org_code").to_pyarrow().column(0).to_pylist()
    return [exact for exact in releases_of(list_users(store), codes) if exact]


def _building(bars: BarProgress, store: Store) -> Callable[[str], None]:
    """The steps of a release's build as two bars: the questions measured, one by one (each
    step said as the next begins), then the figures protected together."""
    from equitrack import release

    title = "Building the board release"
    measured = bars.task(f"{title}: measuring", len(release.questions(store)))
    begun = False

    def step(message: str) -> None:
        nonlocal begun
        if message == release.PROTECTING:
            bars.task(f"{title}: protecting the figures together", None)
        elif begun:
            measured(1)  # the one before is done
        begun = True

    return step


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
    with user_errors(), open_store(db) as store:
        with progress_bars() as bars:
            written = export_parquet_layout(store, out, overwrite=overwrite, progress=bars)
        audit(store, "export", f"Parquet layout to {out}")
    rows = sum(w.rows for w in written)
    console.print(f"Wrote {len(written)} tables, {rows:,} rows, to {out}.")


def migrate(db: DbOption = None) -> None:
    """Bring a database made by an earlier equitrack up to date, in place, once.

    Stores made before pseudonyms were kept in 16 bytes hold them as text; other commands refuse
    them until this has run. It converts every table in one transaction (all or nothing: an
    interrupted run leaves the database as it was), and does nothing to a store already done.
    """
    from equitrack.store.migrate import migrate as migrate_store

    with user_errors(), open_store(db, any_version=True) as store:
        with progress_bars() as bars:
            done = migrate_store(store, progress=bars)
        if done.changed:
            audit(store, "migrate", f"pseudonyms to 16 bytes: {len(done.columns)} columns")
    if done.changed:
        console.print(f"Converted {len(done.columns)} columns of {store.url}; it is up to date.")
    else:
        console.print(f"{store.url} is already up to date: nothing to do.")


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
        step = steps(bars, f"Generating the {preset.value} system")
        tables = generator.generate(preset.value, seed=seed, disparities=disparities, progress=step)
        bars.task(f"Writing {fmt.value} files", None)
        written = generator.write(tables, out, fmt.value, seed=seed)
    rows = sum(t.num_rows for t in tables.values())
    console.print(
        f"Wrote {len(written)} tables ({rows:,} rows) to {out} in {time.perf_counter() - start:.1f}s."
    )


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


def status(
    db: DbOption = None,
    output: TableOrJson = "table",
) -> None:
    """What is loaded: batches, rows per table and organisation, and the declaration rate.

    The declaration rate is the share of staff whose ethnicity is known; a low rate makes every
    figure about ethnicity doubtful.
    """
    with user_errors(), open_store(db) as store:
        info = store_status(store)
    view = View(
        table=lambda _: show_status(info), json=lambda: json.dumps(info, indent=2, default=str)
    )
    show(output, view)
