"""The tables behind a report, one sheet each: every figures table and every chart's data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from equitrack.outputs.neutral import cells, save_workbook
from equitrack.reports.cells import cell, used_columns
from equitrack.reports.content import Figures, Picture, Report, Rows, walk

BOLD = Font(bold=True)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:25]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def write_xlsx(report: Report, path: Path, names: Mapping[str, str] | None = None) -> None:
    named = dict(names or {})
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
    taken = {"contents"}
    for section in walk(report.sections):
        for b in section.blocks:
            if isinstance(b, Figures):
                cols = used_columns(b.results)
                rows = [[cell(r, f, named) for _, f in cols] for r in b.results]
                header, title = [n for n, _ in cols], f"{b.title}: the figures"
            elif isinstance(b, Picture):
                data = b.chart.rows()
                header = list(data[0]) if data else []
                rows = [[row.get(h) for h in header] for row in data]
                title = f"Chart: {b.chart.title}"
            elif isinstance(b, Rows):
                header, rows, title = list(b.columns), [list(r) for r in b.rows], b.caption
            else:
                continue
            ws = wb.create_sheet(_sheet_name(title, taken))
            ws.append(cells([title]))
            ws["A1"].font = BOLD
            ws.append(cells(header))
            for c in ws[2]:
                c.font = BOLD
            for row in rows:
                ws.append(cells(row))
            contents.append(cells([ws.title, section.title, title]))
    save_workbook(wb, path)
