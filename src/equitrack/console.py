"""How results look in a terminal: progress bars, the import report, the status tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

from equitrack.progress import Advance

if TYPE_CHECKING:
    from equitrack.ingest.load import ImportResult

console = Console()
errors = Console(stderr=True)

PROBLEMS_SHOWN = 20


class BarProgress:
    """Rich progress bars; a task with no total shows as a spinner line."""

    def __init__(self, progress: RichProgress) -> None:
        self._progress = progress
        self._last: Any = None

    def task(self, description: str, total: int | None) -> Advance:
        if self._last is not None:
            task = self._progress.tasks[self._last]
            if task.total is None:
                self._progress.update(self._last, total=1, completed=1)
            else:
                self._progress.update(self._last, completed=task.total)
        task_id = self._progress.add_task(description, total=total)
        self._last = task_id
        return lambda n: self._progress.advance(task_id, n)


@contextmanager
def progress_bars() -> Iterator[BarProgress]:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with RichProgress(*columns, console=errors, transient=False) as progress:
        bars = BarProgress(progress)
        yield bars
        bars.task("Done", 1)(1)


def _status_style() -> dict[str, str]:
    """Each import status's colour (the importer is loaded by then: the result is its)."""
    from equitrack.ingest.load import Status

    return {
        Status.LOADED: "green",
        Status.ALREADY: "cyan",
        Status.FAILED: "bold red",
        Status.HELD: "yellow",
    }


def show_import(result: ImportResult, skip_invalid: bool) -> None:
    status_style = _status_style()
    for note in result.notes:
        console.print(f"[dim]{escape(note)}[/dim]")
    table = Table(title="Import", title_justify="left")
    for name, justify in (
        ("file", "left"),
        ("table", "left"),
        ("rows read", "right"),
        ("loaded", "right"),
        ("rejected", "right"),
        ("result", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in result.sources:
        style = status_style.get(r.status, "")
        table.add_row(
            escape(r.source.label),
            r.source.table,
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_rejected:,}",
            f"[{style}]{r.status}[/{style}]" + (f" ({r.note})" if r.note else ""),
        )
    console.print(table)
    for r in result.sources:
        label = escape(r.source.label)  # "[sheet Cases]" is text, not markup
        for problem in r.file_problems:
            console.print(
                f"[bold red]{label}[/bold red]: {escape(problem)}", highlight=False, soft_wrap=True
            )
        if r.problems is not None and r.problems.num_rows:
            shown = r.problems.slice(0, PROBLEMS_SHOWN).to_pylist()
            console.print(f"\n[bold]{label}[/bold]: {r.problems.num_rows:,} problem(s)")
            word = "line" if r.source.format == "csv" else "row"
            for p in shown:
                where = f"{word} {p['line']}" + (f", {p['column']}" if p["column"] else "")
                console.print(
                    f"  {label} {escape(where)}: {escape(p['reason'])}",
                    highlight=False,
                    soft_wrap=True,
                )
            if r.problems.num_rows > PROBLEMS_SHOWN:
                console.print(f"  … and {r.problems.num_rows - PROBLEMS_SHOWN:,} more")
        for warning in r.warnings:
            console.print(f"[yellow]{label}[/yellow]: {escape(warning)}", highlight=False)
        if r.encoding and r.encoding != "UTF-8":
            console.print(f"[dim]{label}: read as {r.encoding} text[/dim]")
    for path in result.written:
        kind = "rejected rows" if path.name.endswith(".rejects.csv") else "every problem"
        console.print(f"[dim]Wrote {kind} to {path}[/dim]")
    console.print(
        f"\nRead {result.rows_read:,} rows, loaded {result.rows_loaded:,}, "
        f"rejected {result.rows_rejected:,}."
    )
    if not result.ok:
        console.print(
            "[bold red]Nothing was loaded[/bold red]: fix the problems above and run the import "
            "again" + ("." if skip_invalid else ", or use --skip-invalid to load the valid rows.")
        )


def show_status(info: dict[str, Any]) -> None:
    console.print(f"[bold]Database[/bold] {info['database']} ({info['backend']})")
    batches = Table(title="Batches loaded", title_justify="left")
    for name in ("batch", "table", "file", "rows", "rejected", "loaded at"):
        justify = "right" if name in ("batch", "rows", "rejected") else "left"
        batches.add_column(name, justify=justify, no_wrap=name != "file")  # type: ignore[arg-type]
    for b in info["batches"]:
        batches.add_row(
            str(b["batch_id"]),
            b["table_name"],
            b["source_file"].rsplit("/", 1)[-1] + (f" [{b['sheet']}]" if b["sheet"] else ""),
            f"{b['rows_loaded']:,}",
            f"{b['rows_rejected']:,}",
            str(b["loaded_at"]).replace("T", " ")[:16],
        )
    console.print(batches if info["batches"] else "No batches loaded yet.")
    tables = info["tables"]
    orgs = sorted({o for t in tables.values() for o in t.get("by_org", {})})
    rows = Table(title="Rows per table and organisation", title_justify="left")
    rows.add_column("table")
    rows.add_column("all", justify="right")
    for org in orgs:
        rows.add_column(org, justify="right")
    for name, t in tables.items():
        by_org = t.get("by_org")
        cells = [f"{by_org.get(o, 0):,}" if by_org is not None else "" for o in orgs]
        rows.add_row(name, f"{t['rows']:,}", *cells)
    console.print(rows)
    decl = info["ethnicity_declaration"]
    d = Table(title="Ethnicity declared (known ethnic category)", title_justify="left")
    for name, justify in (
        ("who", "left"),
        ("people", "right"),
        ("known", "right"),
        ("rate", "right"),
    ):
        d.add_column(name, justify=justify)  # type: ignore[arg-type]
    entries = [("all people", decl["all_people"])] + [
        (f"staff in post, {org}", v) for org, v in decl["staff_in_post_by_org"].items()
    ]
    for who, v in entries:
        rate = "–" if v["rate"] is None else f"{100 * v['rate']:.1f}%"
        d.add_row(who, f"{v['people']:,}", f"{v['known']:,}", rate)
    console.print(d)
