"""How a command shows what it found: one set of formats, and one renderer for each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from equitrack.console import console


class Format(StrEnum):
    """Every output format; each command offers the ones its findings have (a `--format`
    option below lists them)."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class By(StrEnum):
    """How staff are grouped by ethnicity."""

    wres = "wres"
    broad = "broad"
    detailed = "detailed"


TableOrJson = Annotated[Literal["table", "json"], typer.Option("--format", help="table or json.")]
TableJsonOrCsv = Annotated[
    Literal["table", "json", "csv"], typer.Option("--format", help="table, json or csv.")
]
AnyFormat = Annotated[
    Literal["table", "json", "csv", "xlsx"],
    typer.Option("--format", help="table, json, csv or xlsx (xlsx needs --out)."),
]
ByOption = Annotated[
    By,
    typer.Option(
        help="wres (White / BME / Unknown), broad (Black, Asian, Mixed, Other) or detailed (ethnic code)."
    ),
]
BroadOrWres = Annotated[
    Literal["wres", "broad"],
    typer.Option(help="wres (White / BME / Unknown) or broad (Black, Asian, Mixed, Other)."),
]


@dataclass(frozen=True)
class View:
    """What a command found, made ready for each format it offers: `table` prints to a rich
    console, `json` and `csv` give text, `xlsx` writes a workbook to a file."""

    table: Callable[[Console], None] | None = None
    json: Callable[[], str] | None = None
    csv: Callable[[], str] | None = None
    xlsx: Callable[[Path], None] | None = None


def _table(view: View, out: Path | None) -> None:
    assert view.table is not None
    if out is None:
        view.table(console)
        return
    with out.open("w", encoding="utf-8") as fh:
        view.table(Console(file=fh, width=160))


def _text(make: Callable[[], str] | None, out: Path | None, *, nl: bool) -> None:
    assert make is not None
    text = make()
    if out is None:
        typer.echo(text, nl=nl)
    else:
        out.write_text(text, encoding="utf-8", newline="")


def _xlsx(view: View, out: Path | None) -> None:
    assert view.xlsx is not None and out is not None
    view.xlsx(out)
    console.print(f"Wrote {out}")


RENDERERS: dict[Format, Callable[[View, Path | None], None]] = {
    Format.table: _table,
    Format.json: lambda view, out: _text(view.json, out, nl=True),
    Format.csv: lambda view, out: _text(view.csv, out, nl=False),
    Format.xlsx: _xlsx,
}


def show(output: str, view: View, out: Path | None = None) -> None:
    """Show `view` in the format asked for: on the screen, or in `out` when given."""
    RENDERERS[Format(output)](view, out)
