"""Build a report of one kind and write it in the formats asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module for ReportKind alone: charts load when used
    from equitrack.disclosure import Policy
    from equitrack.reports.content import Report
    from equitrack.store import Store


class ReportKind(StrEnum):
    scrutiny = "scrutiny"
    wres = "wres"
    system = "system"
    easy_read = "easy-read"  # the scrutiny update on one page, in plain words


FORMATS = ("html", "pdf", "xlsx")


def build(
    kind: ReportKind,
    store: Store,
    year: int,
    *,
    org: str | None,
    policy: Policy,
    audience: str,
    paper: Path | None = None,
) -> Report:
    """A report of `kind`, its organisations and systems named (`equitrack.reports.naming`);
    `paper` is the scrutiny paper's cover sheet file (the EQUITRACK_PAPER one, or the shipped
    example, when None)."""
    from equitrack.reports.naming import named
    from equitrack.store.names import unit_names

    return named(_made(kind, store, year, org=org, policy=policy, audience=audience, paper=paper),
                 unit_names(store))  # fmt: skip


def _made(
    kind: ReportKind,
    store: Store,
    year: int,
    *,
    org: str | None,
    policy: Policy,
    audience: str,
    paper: Path | None,
) -> Report:
    if kind is ReportKind.scrutiny:
        from equitrack.reports.scrutiny import build as scrutiny
        from equitrack.tracker.plan import load_plan

        return scrutiny(
            store, load_plan(), year, org=org, policy=policy, audience=audience, paper=paper
        )
    if kind is ReportKind.easy_read:
        from equitrack.reports.easy_read import build as easy_read
        from equitrack.tracker.plan import load_plan

        return easy_read(store, load_plan(), year, org=org, policy=policy, audience=audience)
    if kind is ReportKind.wres:
        from equitrack.reports.wres import build_wres

        if org is None:
            raise ValueError("a WRES report is an organisation's: give --org CODE")
        return build_wres(store, year, org, policy=policy, audience=audience)
    from equitrack.reports.wres import build_system

    return build_system(store, year, policy=policy, audience=audience)


def write(
    report: Report,
    out: Path,
    stem: str,
    formats: Sequence[str],
    names: Mapping[str, str] | None = None,
) -> list[Path]:
    """The files written, in the order of `formats`."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}: use {', '.join(FORMATS)}")
    from equitrack.reports.html import render

    out.mkdir(parents=True, exist_ok=True)
    written = []
    html_text = render(report, names) if {"html", "pdf"} & set(formats) else ""
    for fmt in formats:
        path = out / f"{stem}.{fmt}"
        if fmt == "html":
            path.write_text(html_text, encoding="utf-8")
        elif fmt == "pdf":
            from equitrack.reports.pdf import write_pdf

            write_pdf(html_text, path)
        else:
            from equitrack.reports.xlsx import write_xlsx

            write_xlsx(report, path, names)
        written.append(path)
    return written
