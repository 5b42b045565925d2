"""A report in names, not codes: every organisation and system a reader meets is named
("Leicestershire Partnership NHS Trust", "Leicester, Leicestershire and Rutland integrated
care system"), in headings, sentences, table captions and cells, and charts' titles, text and
tables. Figures keep their codes underneath (a figures table names them as it renders, the
workbook gives both), and officers' own words are left as they wrote them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import altair

from equitrack.charts import Chart
from equitrack.charts.style import title_lines
from equitrack.reports.content import Block, Figures, Paragraph, Picture, Report, Rows, Section

Namer = Callable[[str], str]


def namer(names: Mapping[str, str]) -> Namer:
    """Text with each whole code of `names` (an ODS code, or a "system:QK1" unit) replaced by
    its name."""
    if not names:
        return lambda text: text
    codes = "|".join(re.escape(c) for c in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w:])(?:{codes})(?!\w)")
    return lambda text: pattern.sub(lambda m: names[m.group(0)], text)


def named(report: Report, names: Mapping[str, str]) -> Report:
    """`report` with its organisations and systems named."""
    f = namer(names)
    return replace(
        report, subtitle=f(report.subtitle), sections=tuple(_section(s, f) for s in report.sections)
    )


def _section(s: Section, f: Namer) -> Section:
    return replace(
        s,
        title=f(s.title),
        blocks=tuple(_block(b, f) for b in s.blocks),
        subsections=tuple(_section(sub, f) for sub in s.subsections),
    )


def _block(b: Block, f: Namer) -> Block:
    if isinstance(b, Paragraph):
        return replace(b, text=f(b.text))
    if isinstance(b, Rows):
        return replace(b, caption=f(b.caption), rows=tuple(tuple(f(v) for v in r) for r in b.rows))
    if isinstance(b, Figures):
        return replace(b, title=f(b.title))
    if isinstance(b, Picture):
        return Picture(chart_named(b.chart, f))
    return b  # officers' words, as written


def chart_named(c: Chart, f: Namer) -> Chart:
    """The chart with its title, text alternative, table and drawn title named."""
    spec = c.spec.copy(deep=True)
    title = getattr(spec, "title", altair.Undefined)
    if isinstance(title, altair.TitleParams):  # wrapped again: a name is longer than a code
        text = title.text
        title.text = title_lines(f(" ".join(text) if isinstance(text, list) else str(text)))
    elif isinstance(title, str):
        spec.title = f(title)
    rows = [{k: _value(v, f) for k, v in row.items()} for row in c.rows()]
    return replace(c, title=f(c.title), alt=f(c.alt), table=rows, spec=spec)


def _value(v: Any, f: Namer) -> Any:
    return f(v) if isinstance(v, str) else v
