"""What every command shares: opening the store, the user's mistakes, the common options."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from equitrack import config
from equitrack.console import errors

if TYPE_CHECKING:
    from equitrack.store import Store

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


class UserError(Exception):
    """A mistake in what the user asked for (options that contradict each other, a year
    with no data): said in one line, exit 2. Raised where the command checks its input."""


def user_problems() -> tuple[type[Exception], ...]:
    """Every exception that means the user has something to put right. Anything else is a bug
    and keeps its traceback. Imported once something is raised, not at start-up (a command
    that imports nothing need not load the importer)."""
    from equitrack.disclosure import PolicyError
    from equitrack.ingest import ReadError
    from equitrack.ingest.pseudonymise import KeyProblem
    from equitrack.logs import LogLevelProblem
    from equitrack.measures.declare import OptionError
    from equitrack.store import StoreError
    from equitrack.tracker.plan import PlanProblem
    from equitrack.web.users import UserProblem

    return (
        UserError, ReadError, StoreError, KeyProblem, PlanProblem, LogLevelProblem, OptionError,
        PolicyError, UserProblem,
    )  # fmt: skip


@contextmanager
def user_errors() -> Iterator[None]:
    """The one place a user's mistake becomes a one-line message and exit code 2."""
    try:
        yield
    except user_problems() as exc:
        errors.print(
            f"[bold red]Error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(2) from None


def connect(db: str | None, **how: Any) -> Store:
    """`equitrack.store.connect`, imported when a command opens its store: the engine (Ibis,
    DuckDB) is the heaviest import there is, and `--help` or `synth` need none of it."""
    from equitrack.store import connect as opening

    return opening(db, **how)


@contextmanager
def open_store(
    db: str | None, *, create: bool = False, any_version: bool = False
) -> Iterator[Store]:
    """The store at `db`, closed when the block ends however it ends. Only an import or a
    change to the action tracker creates a database that is not there yet; only `migrate`
    opens one of another schema version (`any_version`)."""
    store = connect(db, create=create, any_version=any_version)
    try:
        yield store
    finally:
        store.close()


def who() -> str:
    """Who made a change, for the history: the login running the command."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def audit(store: Any, event: str, detail: str) -> None:
    """The audit log's record of a command (not on a read-only store such as Spark)."""
    from equitrack.web.audit import record

    if store.backend != "pyspark":
        record(store, who(), event, detail, "command line")


def org_names(store: Any) -> dict[str, str]:
    """Each organisation's name by its ODS code, for tables and workbooks."""
    rows = store.table("organisations").select("org_code", "name").to_pyarrow().to_pylist()
    return {r["org_code"]: r["name"] for r in rows}


def year_or_latest(store: Any, year: int | None) -> int:
    """The reporting year asked for, else the latest with staff in post (none: a user error)."""
    from equitrack.measures.queries import latest_year

    chosen = year or latest_year(store)
    if chosen is None:
        raise UserError("no staff in post are loaded, so there is no latest year; give --year")
    return chosen


def steps(bars: Any, title: str) -> Callable[[str], None]:
    """A progress callback that shows each step of a long task under one title."""
    return lambda message: bars.task(f"{title}: {message}", None)
