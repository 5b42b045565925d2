"""A published NHS Staff Survey breakdown sheet, written as the survey's website gives one out.

Written from what the published spreadsheets look like, not from equitrack's profile: a title
block of a few rows (merged cells in a workbook), the header on row 5, one row per organisation
and breakdown group, a spacer column, and for each question a base column and one percentage
column per answer (`Q14a Base (number of responses)`, `Q14a % Never`, `Q14a % 1-2`, …). A
group with too few respondents has its figures withheld (`*`, or `-` in some years' files).

The test gives each group's answers as counts (respondents per answer): the sheet holds only
the percentages, rounded as a publisher rounds them, so the counts are the hand count the
import must get back.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook

HOW_OFTEN = ("Never", "1-2", "3-5", "6-10", "More than 10")
YES_NO_DONT_KNOW = ("Yes", "No", "Don't know")
YES_NO = ("Yes", "No")
AGREE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")

#: How a sheet writes a percentage: "plain" 27.5, "sign" 27.5%, "fraction" 0.275 (in a
#: workbook, the unrounded share in a cell formatted 0.0%, as a formula leaves it).
STYLES = ("plain", "sign", "fraction")


@dataclass(frozen=True)
class Question:
    number: str  # as the header writes it: Q14a, Q14b/c
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """One row of the sheet: an organisation's breakdown group, with its respondents per answer
    of each question (None: the figures are withheld, too few answered)."""

    org: str
    breakdown: str
    group: str
    counts: dict[str, tuple[int, ...] | None]


@dataclass(frozen=True)
class Sheet:
    """A published sheet: the survey's year, its title lines and its rows."""

    title: tuple[str, ...]
    questions: tuple[Question, ...]
    groups: tuple[Group, ...]
    withheld: str = "*"
    style: str = "plain"

    def header(self) -> list[str]:
        out = ["Organisation code", "Organisation name", "Breakdown", "Group", ""]
        for q in self.questions:
            out.append(f"{q.number} Base (number of responses)")
            out += [f"{q.number} % {a}" for a in q.answers]
        return out

    def rows(self) -> list[list[object]]:
        out: list[list[object]] = []
        for g in self.groups:
            row: list[object] = [g.org, NAMES.get(g.org, g.org), g.breakdown, g.group, None]
            for q in self.questions:
                counts = g.counts.get(q.number)
                if counts is None:
                    row += [self.withheld] * (1 + len(q.answers))
                    continue
                assert len(counts) == len(q.answers), (q.number, counts)
                base = sum(counts)
                row.append(base)
                row += [self.percent(k, base) for k in counts]
            out.append(row)
        return out

    def percent(self, k: int, base: int) -> object:
        if self.style == "fraction":
            return k / base
        shown = (Decimal(100 * k) / Decimal(base)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{shown}%" if self.style == "sign" else str(shown)


#: The note publishers leave below the table.
FOOTNOTE = "Source: NHS Staff Survey. * or -: fewer than 11 responses, not shown."

NAMES = {"RWE": "University Hospitals of Leicester NHS Trust", "RT5": "Leicestershire Partnership"}


def write_xlsx(path: Path, sheet: Sheet) -> Path:
    """The sheet as a workbook: the title block in merged cells, the header on row 5, the
    percentages as numbers (formatted as percentages when they are fractions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Breakdowns"
    width = len(sheet.header())
    for i, line in enumerate(sheet.title[:3], start=1):
        ws.cell(row=i, column=1, value=line)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=min(width, 12))
    for j, name in enumerate(sheet.header(), start=1):
        ws.cell(row=5, column=j, value=name or None)
    for i, row in enumerate(sheet.rows(), start=6):
        for j, value in enumerate(row, start=1):
            if isinstance(value, str) and sheet.style != "fraction":
                value = _number(value)
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, float) and sheet.style == "fraction":
                cell.number_format = "0.0%"
    ws.cell(row=ws.max_row + 2, column=1, value=FOOTNOTE)
    wb.save(path)
    return path


def _number(text: str) -> object:
    """A plain percentage as Excel stores a typed number; marks and `27.5%` text stay text."""
    try:
        return float(text)
    except ValueError:
        return text


def write_csv(path: Path, sheet: Sheet) -> Path:
    """The sheet saved as CSV from Excel: the title lines, a blank line, then the table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width = len(sheet.header())
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        for line in sheet.title[:3]:
            writer.writerow([line] + [""] * (width - 1))
        writer.writerow([""] * width)
        writer.writerow(sheet.header())
        for row in sheet.rows():
            writer.writerow(["" if v is None else v for v in row])
        writer.writerow([""] * width)
        writer.writerow([FOOTNOTE] + [""] * (width - 1))
    return path


def title(year: int) -> tuple[str, ...]:
    return (
        f"NHS Staff Survey {year}",
        "Breakdown of results by ethnic background and disability",
        f"Published March {year + 1}. Results for groups of fewer than 11 are not shown.",
    )


def questions(numbers: Sequence[tuple[str, tuple[str, ...]]]) -> tuple[Question, ...]:
    return tuple(Question(n, a) for n, a in numbers)


# --- the 2023 sheet the tests count by hand ------------------------------------------------

#: 2023 questionnaire: Q14a from patients/public, Q14b/c from managers or colleagues, Q15 equal
#: opportunities, Q16b discrimination from a manager/colleague, Q3a (not a WRES item).
Q2023 = questions(
    [
        ("Q3a", AGREE),
        ("Q14a", HOW_OFTEN),
        ("Q14b/c", HOW_OFTEN),
        ("Q15", YES_NO_DONT_KNOW),
        ("Q16b", YES_NO),
    ]
)

WHITE = {
    "Q3a": (10, 20, 30, 200, 140),
    "Q14a": (300, 60, 25, 10, 5),  # 100 of 400 at least once
    "Q14b/c": (318, 50, 20, 6, 4),  # 80 of 398
    "Q15": (237, 98, 60),  # 237 of 395 yes
    "Q16b": (24, 377),  # 24 of 401
}
BME = {
    "Q3a": (5, 10, 15, 70, 50),
    "Q14a": (100, 30, 12, 5, 3),  # 50 of 150
    "Q14b/c": (110, 25, 9, 3, 2),  # 39 of 149
    "Q15": (63, 55, 30),  # 63 of 148
    "Q16b": (25, 127),  # 25 of 152
}
#: Too few Black respondents: every figure withheld.
BLACK: dict[str, tuple[int, ...] | None] = dict.fromkeys(WHITE)
#: Disabled staff: Q14a answered by 9 only (withheld), the rest published.
DISABLED = {
    "Q3a": (4, 6, 10, 40, 20),
    "Q14a": None,
    "Q14b/c": (60, 12, 5, 2, 1),  # 20 of 80
    "Q15": (30, 40, 10),  # 30 of 80
    "Q16b": (12, 68),  # 12 of 80
}

GROUPS_2023 = (
    Group("RWE", "White / BME", "White", WHITE),
    Group("RWE", "White / BME", "BME", BME),
    Group("RWE", "Ethnic group", "Black", BLACK),
    Group("RWE", "Disability", "Disabled", DISABLED),
)

#: What the import must load from the 2023 sheet (measure, group_type, group_value,
#: responses, positive), worked by hand from the counts above.
EXPECTED_2023 = [
    ("wdes4", "disability", "Disabled", 80, 20),  # Q14b/c by disability is WDES 4
    ("wdes5", "disability", "Disabled", 80, 30),  # Q15 by disability is WDES 5
    ("wres5", "wres", "BME", 150, 50),
    ("wres5", "wres", "White", 400, 100),
    ("wres6", "wres", "BME", 149, 39),
    ("wres6", "wres", "White", 398, 80),
    ("wres7", "wres", "BME", 148, 63),
    ("wres7", "wres", "White", 395, 237),
    ("wres8", "disability", "Disabled", 80, 12),
    ("wres8", "wres", "BME", 152, 25),
    ("wres8", "wres", "White", 401, 24),
]


def sheet_2023(style: str = "plain", withheld: str = "*") -> Sheet:
    return Sheet(title(2023), Q2023, GROUPS_2023, withheld, style)
