"""A report as one HTML file that opens offline: styles inline, charts as inline SVG."""

from __future__ import annotations

import html
from collections.abc import Mapping
from importlib import resources

import jinja2

from equitrack.charts import Chart
from equitrack.reports.cells import cell, used_columns
from equitrack.reports.content import Report
from equitrack.reports.write import ReportKind

NUMERIC = frozenset({"numerator", "denominator", "rate", "ratio", "ratio_ci", "difference"})


def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("equitrack.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_table(chart: Chart) -> str:
    """The table behind a chart, for readers who would rather read than look."""
    rows = chart.rows()
    if not rows:
        return "<p>No figures.</p>"
    columns = list(rows[0])
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(row.get(c)))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f"<table><caption>{html.escape(chart.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


#: The template and styles of a kind of report that is laid out differently from the rest.
LAYOUTS = {ReportKind.easy_read.value: ("easy_read.html.j2", "easy_read.css")}


def render(report: Report, names: Mapping[str, str] | None = None) -> str:
    template, style = LAYOUTS.get(report.kind, ("report.html.j2", "report.css"))
    css = resources.files("equitrack.reports").joinpath(f"templates/{style}").read_text("utf-8")
    return (
        _templates()
        .get_template(template)
        .render(
            report=report,
            css=css,
            cell=cell,
            columns=used_columns,
            names=dict(names or {}),
            numeric=NUMERIC,
            chart_table=chart_table,
        )
    )
