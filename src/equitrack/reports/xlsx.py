"""A report's workbook, for analysts: numbers as numbers, every figure in one tidy sheet.

Sheets: Contents (what each sheet holds, linked); Figures, one row per figure the report
shows (the gated results, so a protected audience never gets an exact count here either);
Actions, every action the report lists with its recommendation; then each other table (one
sheet for a table every recommendation has, a row naming the section) and each chart's data.
A count, rate or ratio is a number with a number format, never text, and a sheet's name is
words or "Chart 3", never a title cut short.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from equitrack.measures import calendar
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.outputs.neutral import cells, save_workbook
from equitrack.reports.content import Figures, Picture, Report, Rows, Section, walk

BOLD = Font(bold=True)
#: Excel's limit on a sheet name's length.
LONGEST_NAME = 31
#: The first column of a table of actions (a recommendation's, in reports/scrutiny.py).
ACTION = "Action"

COUNT = "#,##0"
SHARE = "0.0%"
RATIO = "0.00"
POINTS = "0.00"
P_VALUE = "0.0000"
DATE = "yyyy-mm-dd"
DATE_TIME = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class Column:
    """A column of the Figures sheet: its header, its value from a result and its format."""

    header: str
    value: Callable[[Result, Mapping[str, str]], Any]
    format: str | None = None


def _field(name: str) -> Callable[[Result, Mapping[str, str]], Any]:
    return lambda r, _names: getattr(r, name)


def _measure_name(measure_id: str) -> str:
    m = MEASURES.get(measure_id)
    return m.title if m is not None else measure_id


#: The tidy sheet: a row per figure, a column per quantity.
FIGURES = (
    Column("Measure", _field("measure")),
    Column("Measure name", lambda r, _names: _measure_name(r.measure)),
    Column("Organisation code", _field("org")),
    Column("Organisation", lambda r, names: names.get(r.org, r.org)),
    Column("Period", _field("period")),
    Column("Year", lambda r, _names: calendar.label(r.period)),
    Column("Group type", _field("group_type")),
    Column("Group", _field("group")),
    Column("Compared with", _field("reference_group")),
    Column("Cell", _field("breakdown")),
    Column("Count", _field("numerator"), COUNT),
    Column("Of", _field("denominator"), COUNT),
    Column("Excluded", _field("excluded"), COUNT),
    Column("Rate", _field("rate"), SHARE),
    Column("Rate 95% interval from", _field("rate_ci_low"), SHARE),
    Column("Rate 95% interval to", _field("rate_ci_high"), SHARE),
    Column("Relative likelihood", _field("ratio"), RATIO),
    Column("Relative likelihood 95% interval from", _field("ratio_ci_low"), RATIO),
    Column("Relative likelihood 95% interval to", _field("ratio_ci_high"), RATIO),
    Column("p-value", _field("p_value"), P_VALUE),
    Column("Difference (points)", _field("difference"), POINTS),
    Column("Verdict", _field("verdict")),
    Column("Verdict allowing for many comparisons", _field("verdict_adjusted")),
    Column("Suppressed", _field("suppressed")),
    Column("Why", _field("reason")),
)

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_WHOLE = re.compile(r"^-?\d+$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_SHARE_HEADER = re.compile(r"\b(share|rate)\b", re.I)


def typed(text: str) -> tuple[Any, str | None]:
    """A table cell written as words ("9,895", "57.6%", "2024-02-06") as the number or date
    it is, with the format that shows it so; other text as it is."""
    if _THOUSANDS.match(text):
        return int(text.replace(",", "")), COUNT
    if _WHOLE.match(text):
        return int(text), "0"  # a number or a year, as written
    if _PERCENT.match(text):
        return float(text[:-1]) / 100, SHARE
    if _DECIMAL.match(text):
        return float(text), RATIO
    if _DATE.match(text):
        return dt.date.fromisoformat(text), DATE
    if _DATE_TIME.match(text):
        return dt.datetime.fromisoformat(text), DATE_TIME
    return text, None


def is_actions(b: Rows) -> bool:
    """A table of actions: all of them go in one sheet, each row naming its recommendation."""
    return bool(b.columns) and b.columns[0] == ACTION


def _format_of(header: str, value: Any) -> str | None:
    """A chart's data: counts as whole numbers, shares and rates as percentages."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return COUNT
    return SHARE if _SHARE_HEADER.search(header) else "0.000"


def sheet_name(taken: set[str], *wanted: str) -> str:
    """The first of `wanted` that fits whole (31 characters, none Excel forbids) and is not
    taken, else the last numbered on ("Chart 3 2"): never a title cut short."""
    clean = [
        " ".join(
            re.sub(r"[\[\]:*?\x00-\x1f]", " ", w.replace("/", "-").replace("\\", "-")).split()
        ).strip("'")
        for w in wanted
    ]
    fits = [c for c in clean if c and len(c) <= LONGEST_NAME]
    name = next((c for c in fits if c.lower() not in taken), None)
    if name is None:
        base, n = (fits or ["Sheet"])[-1], 2
        name = base
        while name.lower() in taken:
            name = f"{base[: LONGEST_NAME - len(str(n)) - 1]} {n}"
            n += 1
    taken.add(name.lower())
    return name


def _header(ws: Worksheet, header: Sequence[str], row: int) -> None:
    for c in ws[row]:
        c.font = BOLD
    ws.freeze_panes = f"A{row + 1}"
    if header:
        ws.auto_filter.ref = f"A{row}:{get_column_letter(len(header))}{row}"
    for i, name in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, len(str(name)) + 2))


def _append(ws: Worksheet, values: Sequence[Any], formats: Sequence[str | None]) -> None:
    ws.append(cells(values))
    for c, fmt in zip(ws[ws.max_row], formats, strict=False):
        if fmt is not None and c.value is not None:
            c.number_format = fmt


def _figures_sheet(ws: Worksheet, results: list[Result], names: Mapping[str, str]) -> int:
    """Every figure once (a measure two recommendations cite is shown under each)."""
    ws.append([c.header for c in FIGURES])
    _header(ws, [c.header for c in FIGURES], 1)
    seen: set[tuple[Any, ...]] = set()
    for r in results:
        key = (r.measure, r.org, r.period, r.group_type, r.group, r.breakdown)
        if key not in seen:
            seen.add(key)
            _append(ws, [c.value(r, names) for c in FIGURES], [c.format for c in FIGURES])
    return len(seen)


def _actions_sheet(ws: Worksheet, tables: list[tuple[Section, Rows]]) -> int:
    """One table of every recommendation's actions, each row naming its recommendation."""
    header = ["Recommendation", *tables[0][1].columns]
    ws.append(header)
    _header(ws, header, 1)
    count = 0
    for section, rows in tables:
        for row in rows.rows:
            values = [typed(v) for v in row]
            _append(ws, [section.title, *(v for v, _ in values)], [None, *(f for _, f in values)])
            count += 1
    return count


Cell = tuple[Any, str | None]  # a value and its number format


def _first(group: list[tuple[Section, Rows]] | None, table: Rows) -> bool:
    """Whether `table` is the first of its group (the one whose place the sheet takes)."""
    return bool(group) and group[0][1] is table


def _table_sheet(ws: Worksheet, title: str, header: Sequence[str], rows: list[list[Cell]]) -> None:
    ws.append(cells([title]))
    ws["A1"].font = BOLD
    ws.append(cells(header))
    _header(ws, header, 2)
    for row in rows:
        _append(ws, [v for v, _ in row], [f for _, f in row])


def _tables(
    sections: list[Section],
) -> dict[tuple[str, tuple[str, ...]], list[tuple[Section, Rows]]]:
    """The tables of words to give a sheet, by caption and columns in order of first showing:
    a table each recommendation has (its next steps) is one sheet, a row naming the section."""
    out: dict[tuple[str, tuple[str, ...]], list[tuple[Section, Rows]]] = {}
    for s in sections:
        for b in s.blocks:
            if isinstance(b, Rows) and not is_actions(b) and not b.results:
                out.setdefault((b.caption, b.columns), []).append((s, b))
    return out


def write_xlsx(report: Report, path: Path, names: Mapping[str, str] | None = None) -> None:
    named = dict(names or {})
    sections = walk(report.sections)
    # the figures of every figures table, and of every table of words made from results
    figures = [
        r for s in sections for b in s.blocks if isinstance(b, Figures | Rows) for r in b.results
    ]
    actions = [(s, b) for s in sections for b in s.blocks if isinstance(b, Rows) and is_actions(b)]
    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    contents.append(cells([report.title]))
    contents["A1"].font = Font(bold=True, size=14)
    contents.append(cells([report.subtitle]))
    contents.append(cells([report.rule]))
    contents.append([])
    contents.append(["Sheet", "Section", "What it holds"])
    for c in contents[5]:
        c.font = BOLD
    listed: list[tuple[str, str, str]] = []
    taken = {"contents"}
    if figures:
        ws = wb.create_sheet(sheet_name(taken, "Figures"))
        n = _figures_sheet(ws, figures, named)
        listed.append((ws.title, "All", f"Every figure in the report, one row each ({n:,} rows)"))
    if actions:
        ws = wb.create_sheet(sheet_name(taken, "Actions"))
        n = _actions_sheet(ws, actions)
        listed.append((ws.title, "All", f"Every action reported, with its recommendation ({n:,})"))
    charts = tables = 0
    grouped = _tables(sections)
    for section in sections:
        for b in section.blocks:
            if isinstance(b, Picture):
                charts += 1
                data = b.chart.rows()
                header = list(data[0]) if data else []
                rows = [[(row.get(h), _format_of(h, row.get(h))) for h in header] for row in data]
                title, where = f"Chart: {b.chart.title}", section.title
                wanted: tuple[str, ...] = (f"Chart {charts}",)
            elif isinstance(b, Rows) and _first(grouped.get((b.caption, b.columns)), b):
                tables += 1
                group = grouped[(b.caption, b.columns)]
                title, header = b.caption, list(b.columns)
                rows = [[typed(v) for v in r] for r in b.rows]
                where, wanted = section.title, (b.caption, section.title, f"Table {tables}")
                if len(group) > 1:  # one sheet, each row naming its section
                    header = ["Section", *header]
                    rows = [
                        [(s.title, None), *(typed(v) for v in r)] for s, t in group for r in t.rows
                    ]
                    where, wanted = "All", (b.caption, f"Table {tables}")
            else:
                continue
            ws = wb.create_sheet(sheet_name(taken, *wanted))
            _table_sheet(ws, title, header, rows)
            listed.append((ws.title, where, title))
    for sheet, section_title, what in listed:
        contents.append(cells([sheet, section_title, what]))
        link = contents.cell(row=contents.max_row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!A1")
        link.style = "Hyperlink"
    contents.column_dimensions["A"].width = 24
    contents.column_dimensions["B"].width = 40
    contents.column_dimensions["C"].width = 80
    save_workbook(wb, path)
