"""The WRES workbook, laid out like NHS England's WRES data collection.

One set of sheets per organisation (or system): details and self-reporting rate; indicator 1
non-clinical and clinical tables by band with White / BME / Unknown headcounts for last year and
this; indicators 2–4 with their counts and ratios; 5–8 percentages; 9 board figures. Every value
is the unrounded result, so the cells equal the JSON output; cell formats do the rounding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from equitrack.measures import MEASURES, Result
from equitrack.measures.covered import is_no_data
from equitrack.model import codes
from equitrack.outputs.neutral import cell_value, save_workbook
from equitrack.outputs.terminal import period_label

GROUPS = (codes.WHITE, codes.BME, codes.UNKNOWN)
NON_CLINICAL_ROWS = (*codes.AFC_BANDS, codes.OTHER_BAND)
CLINICAL_ROWS = (*codes.AFC_BANDS, *codes.MEDICAL_SUBGROUPS)
HEADER = Font(bold=True)
FILL = PatternFill("solid", fgColor="E8EDEE")  # NHS pale grey
PERCENT = "0.0%"
RATIO = "0.00"


def _title(ws: Worksheet, text: str) -> None:
    ws["A1"] = text
    ws["A1"].font = Font(bold=True, size=14)


def _header(ws: Worksheet, row: int, values: Iterable[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font, cell.fill = HEADER, FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _index(results: Iterable[Result]) -> dict[tuple[str, str, int, str | None, str], Result]:
    return {(r.measure, r.org, r.period, r.breakdown, r.group): r for r in results}


def write_workbook(
    results: list[Result], year: int, path: Path, names: Mapping[str, str] | None = None
) -> Path:
    names = names or {}
    index = _index(results)
    wb = Workbook()
    wb.remove(wb.active)
    for unit in sorted({r.org for r in results}):
        prefix = unit[:12]
        _details(wb.create_sheet(f"{prefix} Details"), index, unit, names.get(unit, unit), year)
        _indicator1(wb.create_sheet(f"{prefix} Indicator 1"), index, unit, year)
        _indicators_2_4(wb.create_sheet(f"{prefix} Indicators 2-4"), index, unit, year)
        _indicators_5_8(wb.create_sheet(f"{prefix} Indicators 5-8"), index, unit, year)
        _indicator9(wb.create_sheet(f"{prefix} Indicator 9"), index, unit, year)
        missing = [r for r in results if r.org == unit and is_no_data(r)]
        if missing:
            _no_data(wb.create_sheet(f"{prefix} No data"), missing)
    if not wb.sheetnames:
        wb.create_sheet("No results")["A1"] = f"No results for {period_label(year)}."
    save_workbook(wb, path)
    return path


def _no_data(ws: Worksheet, missing: list[Result]) -> None:
    """The indicators and years the store has no data for, and why: their cells elsewhere in
    the workbook are empty or zero because nothing was loaded, not because nothing happened."""
    _title(ws, "Indicators without data: their cells in this workbook are not figures")
    _header(ws, 3, ["Indicator", "Reporting year", "Why"])
    for i, r in enumerate(sorted(missing, key=lambda r: (r.period, r.measure)), start=4):
        ws.cell(row=i, column=1, value=r.measure.upper())
        ws.cell(row=i, column=2, value=period_label(r.period))
        ws.cell(row=i, column=3, value=cell_value(r.reason))
    ws.column_dimensions["C"].width = 100


def _details(ws: Worksheet, index: dict, unit: str, name: str, year: int) -> None:
    _title(ws, f"WRES {period_label(year)}: organisation details")
    whole = {g: index.get(("wres1", unit, year, "All", g)) for g in GROUPS}
    headcount = next((r.denominator for r in whole.values() if r), 0) or 0
    unknown = whole[codes.UNKNOWN].numerator if whole[codes.UNKNOWN] else 0
    rows = [
        ("Organisation code", unit),
        ("Organisation name", name),
        ("Reporting year", period_label(year)),
        ("Snapshot date", f"{year}-03-31"),
        ("Staff in post (headcount, not bank)", headcount),
        ("Staff with a known ethnicity", headcount - unknown),
        (
            "Self-reporting rate (ethnicity declared)",
            (headcount - unknown) / headcount if headcount else None,
        ),
    ]
    for i, (label, value) in enumerate(rows, start=3):
        ws.cell(row=i, column=1, value=label).font = HEADER
        cell = ws.cell(row=i, column=2, value=cell_value(value))
        if label.startswith("Self-reporting"):
            cell.number_format = PERCENT
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 48


def _indicator1(ws: Worksheet, index: dict, unit: str, year: int) -> None:
    _title(ws, "Indicator 1: staff in each band, by ethnicity (headcount at 31 March)")
    row = 3
    for side, bands in (("Non-clinical", NON_CLINICAL_ROWS), ("Clinical", CLINICAL_ROWS)):
        ws.cell(row=row, column=1, value=f"{side} staff").font = Font(bold=True, size=12)
        row += 1
        _header(
            ws,
            row,
            ["Band", *(f"{g} {period_label(y)}" for y in (year - 1, year) for g in GROUPS)],
        )
        row += 1
        totals: dict[tuple[int, str], int] = defaultdict(int)
        for band in bands:
            ws.cell(row=row, column=1, value=band)
            col = 2
            for y in (year - 1, year):
                for g in GROUPS:
                    r = index.get(("wres1", unit, y, f"{side} | {band}", g))
                    value = r.numerator if r else 0
                    ws.cell(row=row, column=col, value=value)
                    totals[(y, g)] += value
                    col += 1
            row += 1
        ws.cell(row=row, column=1, value="Total").font = HEADER
        for col, key in enumerate(((y, g) for y in (year - 1, year) for g in GROUPS), start=2):
            ws.cell(row=row, column=col, value=totals[key]).font = HEADER
        row += 2
    ws.column_dimensions["A"].width = 30
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 15


INDICATORS_2_4 = ("wres2", "wres3", "wres4")


def _indicators_2_4(ws: Worksheet, index: dict, unit: str, year: int) -> None:
    _title(ws, "Indicators 2 to 4: relative likelihoods (above 1: BME staff fare worse)")
    _header(
        ws,
        3,
        [
            "Indicator", "Year", "Group", "Numerator", "Denominator", "Likelihood",
            "Relative likelihood", "95% interval low", "95% interval high", "Verdict",
            "Too few to tell", "Options",
        ],
    )  # fmt: skip
    row = 4
    for measure in INDICATORS_2_4:
        for y in (year - 1, year):
            for g in (codes.WHITE, codes.BME):
                r = index.get((measure, unit, y, None, g))
                if r is None:
                    continue
                values = [
                    f"{measure.upper()} {MEASURES[measure].title}", period_label(y), g,
                    r.numerator, r.denominator, r.rate, r.ratio, r.ratio_ci_low, r.ratio_ci_high,
                    r.verdict, r.too_few, _options(r),
                ]  # fmt: skip
                for col, value in enumerate(values, start=1):
                    cell = ws.cell(row=row, column=col, value=value)
                    if col == 6:
                        cell.number_format = "0.0000"
                    if col in (7, 8, 9):
                        cell.number_format = RATIO
                row += 1
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["J"].width = 26


def _options(r: Result) -> str:
    shown = {k: v for k, v in r.options.items() if k not in ("scope", "ethnic_grouping")}
    return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))


def _indicators_5_8(ws: Worksheet, index: dict, unit: str, year: int) -> None:
    _title(ws, "Indicators 5 to 8: NHS Staff Survey (% of respondents)")
    _header(
        ws,
        3,
        [
            "Indicator",
            *(f"{g} {period_label(y)}" for y in (year - 1, year) for g in (codes.WHITE, codes.BME)),
        ],
    )
    for row, measure in enumerate(("wres5", "wres6", "wres7", "wres8"), start=4):
        ws.cell(row=row, column=1, value=f"{measure.upper()} {MEASURES[measure].title}")
        col = 2
        for y in (year - 1, year):
            for g in (codes.WHITE, codes.BME):
                r = index.get((measure, unit, y, None, g))
                cell = ws.cell(row=row, column=col, value=r.rate if r and not r.too_few else None)
                cell.number_format = PERCENT
                col += 1
    ws.column_dimensions["A"].width = 80


def _indicator9(ws: Worksheet, index: dict, unit: str, year: int) -> None:
    _title(ws, "Indicator 9: board membership against the workforce (31 March)")
    _header(
        ws,
        3,
        [
            "Members",
            "Year",
            "Seats",
            "White",
            "BME",
            "BME share of board",
            "BME share of workforce",
            "Difference (points)",
        ],
    )
    row = 4
    for seat in ("All", "Voting", "Executive", "Non-executive"):
        for y in (year - 1, year):
            bme = index.get(("wres9", unit, y, seat, codes.BME))
            white = index.get(("wres9", unit, y, seat, codes.WHITE))
            if bme is None:
                continue
            workforce_share = None if bme.difference is None else bme.rate - bme.difference / 100
            values = [
                seat, period_label(y), bme.denominator, white.numerator if white else 0,
                bme.numerator, bme.rate, workforce_share, bme.difference,
            ]  # fmt: skip
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col, value=value)
                if col in (6, 7):
                    cell.number_format = PERCENT
                if col == 8:
                    cell.number_format = "0.00"
            row += 1
    ws.column_dimensions["A"].width = 18
