"""What a report says, as data: HTML, PDF and the spreadsheet are renderings of one Report.

Every figure a report shows is a `Result` after the disclosure gate, kept whole in a
`Figures` block, so a renderer cannot show a number the gate did not release, and a test can
read each figure back and compare it with the result it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from equitrack.charts import Chart
from equitrack.measures.result import Result


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False  # a status or headline, set apart


@dataclass(frozen=True)
class Figures:
    """One measure's figures as a table: a row per result."""

    title: str
    results: tuple[Result, ...]


@dataclass(frozen=True)
class Rows:
    """A plain table (the summary, actions, data quality): cells already words. A table whose
    words are made from results (the system report's side by side) keeps them in `results`, so
    the workbook can give its figures as numbers."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    results: tuple[Result, ...] = ()


@dataclass(frozen=True)
class Picture:
    chart: Chart


@dataclass(frozen=True)
class Officers:
    """Officers' own words (`equitrack.tracker.commentary`), set apart from the generated
    sentences: `byline` says who approved them and when, or that they are a draft."""

    text: str
    byline: str
    draft: bool = False

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


Block = Paragraph | Figures | Rows | Picture | Officers


@dataclass(frozen=True)
class Cover:
    """A committee paper's cover sheet, in the order council papers give it: each item a
    heading and its words (`equitrack.reports.cover`)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    subtitle: str
    audience: str
    rule: str  # the disclosure rule applied, as recorded with the figures
    sections: tuple[Section, ...]
    notice: str = ""  # what a reader is told first about the figures, in plain words
    cover: Cover | None = None  # a committee paper's cover sheet, first
    made: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def charts(self) -> list[Chart]:
        return [b.chart for s in walk(self.sections) for b in s.blocks if isinstance(b, Picture)]

    def tables(self) -> list[Rows]:
        return [b for s in walk(self.sections) for b in s.blocks if isinstance(b, Rows)]


def walk(sections: tuple[Section, ...]) -> list[Section]:
    """Sections depth first, as they are read."""
    out: list[Section] = []
    for s in sections:
        out.append(s)
        out += walk(s.subsections)
    return out
