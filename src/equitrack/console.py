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
    from equitrack.ingest.load import ImportResult, SourceResult

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
    """The import's table, then each file's problems (alike ones grouped) and notes, each said
    once, then the rows read per file and loaded per table."""
    status_style = _status_style()
    for note in dict.fromkeys(result.notes):
        console.print(f"[dim]{escape(note)}[/dim]")
    table = Table(title="Import", title_justify="left")
    for name, justify in (
        ("file", "left"),
        ("rows read", "right"),
        ("table", "left"),
        ("loaded", "right"),
        ("rejected", "right"),
        ("result", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    shown_file: set[tuple[object, str | None]] = set()
    for r in result.sources:
        style = status_style.get(r.status, "")
        file = (r.source.path, r.source.sheet)
        first = file not in shown_file and r.status != _already()
        shown_file.add(file)
        table.add_row(
            escape(r.source.label) if first or r.status == _already() else "",
            f"{r.file_rows:,}" if first else "",
            r.source.table,
            f"{r.rows_loaded:,}",
            f"{r.rows_rejected:,}",
            f"[{style}]{r.status}[/{style}]" + (f" ({r.note})" if r.note else ""),
        )
    console.print(table)
    said: set[tuple[object, str]] = set()  # (file, message): a file's note is said once

    def once(r: SourceResult, message: str) -> bool:
        key = ((r.source.path, r.source.sheet), message)
        if key in said:
            return False
        said.add(key)
        return True

    for r in result.sources:
        label = escape(r.source.label)  # "[sheet Cases]" is text, not markup
        for problem in r.file_problems:
            if once(r, problem):
                console.print(
                    f"[bold red]{label}[/bold red]: {escape(problem)}",
                    highlight=False,
                    soft_wrap=True,
                )
        if r.problems is not None and r.problems.num_rows:
            _show_problems(r)
        for warning in r.warnings:
            if once(r, warning):
                console.print(f"[yellow]{label}[/yellow]: {escape(warning)}", highlight=False)
        if r.encoding and r.encoding != "UTF-8" and once(r, f"read as {r.encoding}"):
            console.print(f"[dim]{label}: read as {r.encoding} text[/dim]")
    for path in result.written:
        kind = "rejected rows" if path.name.endswith(".rejects.csv") else "every problem"
        console.print(f"[dim]Wrote {kind} to {path}[/dim]")
    console.print("\n" + summary(result))
    if not result.ok:
        console.print(
            "[bold red]Nothing was loaded[/bold red]: fix the problems above and run the import "
            "again" + ("." if skip_invalid else ", or use --skip-invalid to load the valid rows.")
        )


def _already() -> str:
    from equitrack.ingest.load import Status

    return Status.ALREADY


def _show_problems(r: SourceResult) -> None:
    """A source's row problems: a few alike ones line by line, more of them as one group."""
    from equitrack.ingest.grouped import EXAMPLES, group, stretches

    assert r.problems is not None
    label = escape(r.source.label)
    word = "line" if r.source.format == "csv" else "row"
    groups = group(r.problems)
    alike = sum(1 for g in groups if g.count > EXAMPLES)
    kinds = f", {len(groups):,} kinds" if alike and len(groups) > 1 else ""
    console.print(
        f"\n[bold]{label}[/bold] ({r.source.table}): {r.problems.num_rows:,} problem(s){kinds}"
    )
    printed = left = 0
    for g in groups:
        if printed >= PROBLEMS_SHOWN:
            left += g.count
            continue
        column = f", {escape(g.column)}" if g.column else ""
        if g.count <= EXAMPLES:
            for line, reason in g.first:
                _say(f"  {label} {word} {line}{column}: {escape(reason)}")
            printed += g.count
            continue
        where = f"{len(g.lines):,} {word}s ({stretches(g.lines)}){column}"
        if g.same:
            _say(f"  {label} {where}: {escape(g.reason)}")
        else:
            _say(f"  {label} {where}, such as:")
            for line, reason in g.examples:
                _say(f"    {label} {word} {line}: {escape(reason)}")
        printed += 1
    if left:
        console.print(f"  … and {left:,} more problem(s), all in the problems file")


def _say(text: str) -> None:
    console.print(text, highlight=False, soft_wrap=True)


def summary(result: ImportResult) -> str:
    """Rows read per file (a file read into two tables counts its rows once) and rows loaded
    and rejected per table ("Read 809 rows from 1 file. Loaded: people 636, assignments 809.")."""
    files = result.files_read
    already = {(r.source.path, r.source.sheet) for r in result.sources} - set(files)
    before = f" ({len(already):,} loaded before)" if already else ""
    plural = "s" * (len(files) != 1)
    read = f"Read {result.rows_read:,} rows from {len(files):,} file{plural}{before}."
    loaded = ", ".join(f"{t} {n:,}" for t, n in result.by_table("rows_loaded").items() if n)
    rejected = ", ".join(f"{t} {n:,}" for t, n in result.by_table("rows_rejected").items() if n)
    return f"{read} Loaded: {loaded or 'nothing'}." + (
        f" Rejected: {rejected}." if rejected else ""
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
    show_coverage(info.get("coverage", []))
    show_snapshots(info.get("snapshots", {}))


def show_snapshots(info: dict[str, Any]) -> None:
    """Each organisation's ESR snapshots, and what the history made of them could not know."""
    if not info.get("by_org"):
        return
    t = Table(title="ESR snapshots and leavers reports", title_justify="left")
    for name in ("org", "snapshots", "first", "last", "leavers rows",
                 "ended between snapshots", "leavers records not used"):  # fmt: skip
        left = name in ("org", "first", "last")
        t.add_column(name, justify="left" if left else "right", no_wrap=left, overflow="fold")
    for s in info["by_org"]:
        dates = s["snapshot_dates"]
        t.add_row(
            s["org"], f"{len(dates):,}", dates[0] if dates else "–", dates[-1] if dates else "–",
            f"{s['leavers_rows']:,}", f"{s['ended_between_snapshots']:,}",
            f"{s['leaver_conflicts']:,}",
        )  # fmt: skip
    console.print(t)
    console.print(
        f"People whose recorded ethnicity changed between snapshots: {info['ethnicity_changed']:,} "
        "(the latest recorded applies to every year; docs/snapshots.md)",
        highlight=False,
    )


def show_coverage(spans: list[dict[str, Any]]) -> None:
    """The dates each organisation's tables cover: a year outside them has no figures."""
    if not spans:
        return
    t = Table(title="Dates covered, per organisation and table", title_justify="left")
    for name in ("organisation", "table", "rows", "first", "last", "reporting years"):
        t.add_column(name, justify="right" if name == "rows" else "left")
    for s in spans:
        years = s["first_year"] + (
            "" if s["first_year"] == s["last_year"] else f" to {s['last_year']}"
        )
        t.add_row(
            s["org"], s["table"], f"{s['rows']:,}", s["first"] or "–", s["last"] or "–", years
        )
    console.print(t)
