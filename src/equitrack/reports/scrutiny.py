"""The scrutiny update on the ten recommendations: what was asked, what was done, what the
evidence shows, in the order of the commission's own report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from equitrack.disclosure import Audience, Policy
from equitrack.measures.calendar import label
from equitrack.measures.result import Result
from equitrack.measures.shares import GROUP_TYPE as ALL_GROUPS
from equitrack.release import release_for
from equitrack.reports import careers, model_employer, pay, quality
from equitrack.reports import cover as cover_sheet
from equitrack.reports import evidence as ev
from equitrack.reports import recommendation as parts
from equitrack.reports.appendix import data_quality, methods_section
from equitrack.reports.content import Block, Officers, Paragraph, Report, Rows, Section
from equitrack.store import Store
from equitrack.tracker import commentary
from equitrack.tracker.actions import Action, actions
from equitrack.tracker.evidence import (
    RecommendationEvidence,
    evidence_results,
    scope_of,
    summarise_results,
)
from equitrack.tracker.plan import Plan

#: The measure whose recommendation carries the Model Employer section by band.
MODEL_EMPLOYER = model_employer.MEASURE


def build(
    store: Store,
    plan: Plan,
    year: int,
    *,
    org: str | None,
    policy: Policy,
    audience: str,
    paper: Path | None = None,
) -> Report:
    """The whole update for one organisation, or the system when `org` is None, with its
    cover sheet (from `paper`, the paper file: `equitrack.reports.cover`) and the officers'
    commentary: only approved words in a paper that leaves the organisation."""
    config = cover_sheet.load(paper)
    said = officers_words(store, org, year, public=audience != Audience.ANALYST)
    results = evidence_results(store, plan, year, org=org, years=plan.years(year))
    release = release_for(store, policy)
    shown = release.answer(results)
    evidence = summarise_results(plan, year, shown)
    done = actions(store, plan)
    where = org or "the integrated care system"
    scope = scope_of(org)
    summary = Rows(
        "Each recommendation's status and key figure",
        ("#", "Recommendation", "Status", "Key figure"),
        tuple(
            (
                str(e.recommendation.number),
                e.recommendation.title,
                str(e.status),
                e.key_figure or "",
            )
            for e in evidence
        ),
    )
    sections = [
        Section(
            "summary",
            "Summary",
            (
                Paragraph(
                    f"This is the {label(year)} update on the ten recommendations of "
                    f"the scrutiny review, for {where}. For each recommendation it gives what was "
                    "asked; what was done; how far what was asked is happening (its level); the "
                    "comparison between ethnic groups that answers it (its headline), with both "
                    "groups' rates; the change since "
                    f"{label(evidence[0].baseline or year) if evidence else label(year)}, the "
                    "baseline, and the trend over every year loaded; and the next steps. A gap "
                    "is reported only when a comparison is adverse and statistically significant "
                    "after allowing for the number of comparisons made; groups too small to tell "
                    "are said to be so."
                ),
                *said.get(commentary.PAPER, ()),
                summary,
            ),
        )
    ]
    by_measure: dict[str, list[Result]] = {}
    for r in shown:
        if r.group_type != ALL_GROUPS:  # a level's total is said in words, not tabled
            by_measure.setdefault(r.measure, []).append(r)
    span = tuple(range(year - plan.years(year) + 1, year + 1))
    for e in evidence:
        number = e.recommendation.number
        journey = careers.section(store, number, year, scope, policy)
        mine = [a for a in done if a.recommendation == number]
        words = said.get(f"rec{number}", ())
        section = _recommendation(e, mine, journey, by_measure, year, words)
        if MODEL_EMPLOYER in (m.measure for m in e.measures):
            goal = model_employer.section(store, release, year, span, org)
            section = replace(section, subsections=(*section.subsections, goal))
        sections.append(section)

    sections.append(pay.section(store, release, year, orgs=scope.orgs, system=scope.system))

    def gated(figures: list[Result]) -> list[Result]:
        return release.answer(figures)

    sections.append(data_quality(quality.summarise(store, scope, year, plan, gated)))
    sections.append(methods_section(shown, policy, results))
    title = "Update on the ten recommendations"
    return Report(
        "scrutiny",
        title,
        f"{where}, reporting year {label(year)}",
        audience,
        policy.describe(),
        tuple(sections),
        policy.plain(),
        cover=cover_sheet.cover(config, year=label(year), where=where, title=title),
    )


def officers_words(
    store: Store, org: str | None, year: int, *, public: bool
) -> dict[str, tuple[Block, ...]]:
    """The officers' commentary by part, as a paper prints it: the words last approved, with
    who approved them and when; in a paper for analysts (which stays inside), a newer draft
    too, marked as one."""
    out: dict[str, tuple[Block, ...]] = {}
    for part, c in commentary.read(store, org, year).items():
        blocks: list[Block] = []
        if c.approved is not None:
            a = c.approved
            blocks.append(Officers(a.text, f"Approved by {a.recorded_by} on {_day(a)}."))
        if not public and c.draft is not None:
            d = c.draft
            kept = "the words approved above" if c.approved else "nothing here"
            blocks.append(
                Officers(
                    d.text,
                    f"Draft by {d.recorded_by}, {_day(d)}: not yet approved, so a public "
                    f"paper prints {kept}.",
                    draft=True,
                )
            )
        out[part] = tuple(blocks)
    return out


def _day(entry: commentary.Entry) -> str:
    return entry.recorded_at.strftime("%-d %B %Y")


def _recommendation(
    e: RecommendationEvidence,
    mine: Sequence[Action],
    journey: Section | None,
    by_measure: Mapping[str, list[Result]],
    year: int,
    words: Sequence[Block] = (),
) -> Section:
    """One recommendation in five parts (`equitrack.reports.recommendation`), then its
    journey and each measure's evidence."""
    rec = e.recommendation
    measures = [
        Section(
            f"rec{rec.number}-{m.measure}",
            m.title,
            tuple(ev.blocks(m.measure, by_measure.get(m.measure, []), year)),
        )
        for m in e.measures
    ]
    return Section(
        f"rec{rec.number}",
        f"Recommendation {rec.number}: {rec.title}",
        (*parts.blocks(e, mine), *words),
        (journey, *measures) if journey is not None else tuple(measures),
    )
