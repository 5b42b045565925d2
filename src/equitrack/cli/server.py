"""The dashboard commands: serve it, or make a demonstration system and serve that."""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from equitrack import config
from equitrack.cli.common import DbOption, UserError, open_store, org_names, user_errors
from equitrack.cli.data import FileFormat, Preset, keep_release, synth
from equitrack.console import console, progress_bars, show_import, show_status
from equitrack.disclosure.policy import Audience
from equitrack.reports.write import ReportKind
from equitrack.store.status import status as store_status
from equitrack.tracker.plan import load_plan


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
    from equitrack.web.state import PAGE_PATIENCE
    from equitrack.web.warmup import first_pages

    with ExitStack() as stack:
        with user_errors():
            logs.configure(log_level)
            store = stack.enter_context(open_store(db))
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
            patience=PAGE_PATIENCE,  # after new data: "being prepared", not a silent minute
        )
        # the first pages, put together while the first visitors sign in
        app_.state.web.warm(partial(first_pages, app_))
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
    names = org_names(store)
    written: list[Path] = []
    asks = ((ReportKind.scrutiny, None), (ReportKind.wres, largest), (ReportKind.system, None))
    with progress_bars() as bars:
        for kind, org in asks:
            done = bars.task(f"Writing the {kind.value} report", 1)
            made = build(kind, store, year, org=org, policy=policy, audience="board")
            written += write(made, out, f"{kind.value}-{org or 'system'}-{year}", FORMATS, names)
            done(1)
    return written


#: The meta entry a demo's database carries, so that only a database the demo made is replaced.
DEMO_MARK = "made_by_demo"


def _fresh(db: Path) -> None:
    """No database left by an earlier demo: the demo loads its files into an empty one (into
    the old one they would all be refused as already loaded). Only a database a demo made (its
    `DEMO_MARK`) is removed: `--out` may name a folder holding someone's real database."""
    if not db.exists():
        return
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            marked = con.execute("SELECT 1 FROM meta WHERE key = ?", [DEMO_MARK]).fetchone()
    except duckdb.Error:
        marked = None
    if not marked:
        raise UserError(
            f"{db} was not made by this version's `equitrack demo`, so the demo leaves it alone: "
            "choose another --out, or remove it yourself if it is an old demo's"
        )
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
    console.print(f"Removed {db}, made by an earlier demo.", highlight=False)


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
    with user_errors():
        _fresh(db)
    synth(out=data, preset=Preset.llr, seed=seed, file_format=exports, parity=False)
    with user_errors(), open_store(str(db), create=True) as store:
        store.set_meta(DEMO_MARK, "yes")
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
        # the account sees exact figures: its release kept now, so the dashboard opens at once
        keep_release(store)
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
