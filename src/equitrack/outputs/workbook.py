"""Spreadsheets of results: the WRES collection layout for WRES, a tidy sheet otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook

from equitrack.measures import Result, to_arrow
from equitrack.outputs.neutral import cells, save_workbook
from equitrack.outputs.wres_workbook import write_workbook


def write_results_workbook(
    family_name: str, results: list[Result], year: int, path: Path, names: Mapping[str, str]
) -> Path:
    if family_name == "wres":
        return write_workbook(results, year, path, names)
    table = to_arrow(results)
    wb = Workbook()
    ws = wb.active
    ws.title = "Results"
    ws.append(table.column_names)
    for row in table.to_pylist():
        ws.append(cells(row.values()))
    save_workbook(wb, path)
    return path
