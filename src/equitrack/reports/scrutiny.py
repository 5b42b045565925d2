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
from equitrack.store.names import unit_names
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
    scope = scope_of(org)
    names = unit_names(store)
    where = _where(names, org)
    by_measure: dict[str, list[Result]] = {}
    for r in shown:
        if r.group_type != ALL_GROUPS:  # a level's total is said in words, not tabled
            by_measure.setdefault(r.measure, []).append(r)
    span = tuple(range(year - plan.years(year) + 1, year + 1))

    # the appendices first, so each recommendation can say where its figures are: every
    # measure's evidence once (recommendations share measures), in the order first cited
    evidence_parts: list[Section] = []
    placed: dict[str, str] = {}  # measure or journey: its appendix part's title
    for e in evidence:
        number = e.recommendation.number
        journey = careers.section(store, number, year, scope, policy)
        if journey is not None:
            evidence_parts.append(journey)
            placed[journey.id] = journey.title
        for m in e.measures:
            if m.measure not in placed:
                evidence_parts.append(
                    Section(
                        f"evidence-{m.measure}",
                        m.title,
                        tuple(ev.blocks(m.measure, by_measure.get(m.measure, []), year)),
                    )
                )
                placed[m.measure] = m.title
    appendices = [
        Section(
            "appendix-evidence",
            f"{APPENDIX['evidence']}: the evidence for each measure",
            (
                Paragraph(
                    "Each measure the recommendations cite, once, with its sentences, chart and "
                    "figures; each recommendation names the parts that are its evidence."
                ),
            ),
            tuple(evidence_parts),
        ),
        _lettered(model_employer.section(store, release, year, span, org), "model-employer"),
        _lettered(pay.section(store, release, year, orgs=scope.orgs, system=scope.system), "pay"),
    ]

    def gated(figures: list[Result]) -> list[Result]:
        return release.answer(figures)

    appendices.append(
        _lettered(data_quality(quality.summarise(store, scope, year, plan, gated)), "quality")
    )
    appendices.append(_lettered(methods_section(shown, policy, results), "methods"))

    main = [_summary(evidence, year, where, said.get(commentary.PAPER, ()))]
    for e in evidence:
        number = e.recommendation.number
        mine = [a for a in done if a.recommendation == number]
        cited = [placed[k] for k in (*careers.ids(number), *(m.measure for m in e.measures))
                 if k in placed]  # fmt: skip
        if MODEL_EMPLOYER in (m.measure for m in e.measures):
            cited.append(f"and {APPENDIX['model-employer']}, Model Employer by band")
        main.append(_recommendation(e, mine, said.get(f"rec{number}", ()), cited, names))
    main.append(_asked(config))
    title = "Update on the ten recommendations"
    return Report(
        "scrutiny",
        title,
        f"{where}, reporting year {label(year)}",
        audience,
        policy.describe(),
        (*main, *appendices),
        policy.plain(),
        cover=cover_sheet.cover(config, year=label(year), where=where, title=title),
    )


#: The appendices' letters, in their order after the main paper.
APPENDIX = {
    "evidence": "Appendix A",
    "model-employer": "Appendix B",
    "pay": "Appendix C",
    "quality": "Appendix D",
    "methods": "Appendix E",
}


def _lettered(section: Section, key: str) -> Section:
    return replace(section, title=f"{APPENDIX[key]}: {section.title}")


def _where(names: Mapping[str, str], org: str | None) -> str:
    """The paper's unit by name: the organisation's, or the system's."""
    if org:
        return names.get(org.upper(), org)
    systems = sorted(v for k, v in names.items() if k.startswith("system:"))
    return systems[0] if len(systems) == 1 else "the integrated care system"


def _summary(
    evidence: Sequence[RecommendationEvidence], year: int, where: str, words: Sequence[Block]
) -> Section:
    table = Rows(
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
    baseline = label(evidence[0].baseline or year) if evidence else label(year)
    intro = Paragraph(
        f"This is the {label(year)} update on the ten recommendations of the scrutiny review, "
        f"for {where}. For each recommendation it gives what was asked; what was done; how far "
        "what was asked is happening (its level); the comparison between ethnic groups that "
        f"answers it (its headline), with both groups' rates; the change since {baseline}, the "
        "baseline, and the trend over every year loaded; and the next steps. A gap is reported "
        "only when a comparison is adverse and statistically significant after allowing for the "
        "number of comparisons made; groups too small to tell are said to be so. The figures "
        "behind each recommendation, the methods and the quality of the data are in the "
        "appendices."
    )
    return Section("summary", "Summary", (intro, *words, table))


def _asked(config: Mapping[str, object]) -> Section:
    """What the committee is asked to do, as the cover sheet gives it."""
    asked = config.get("asked") or DEFAULT_ASKED
    items = [asked] if isinstance(asked, str) else list(asked)  # type: ignore[arg-type]
    return Section(
        "asked",
        "What the committee is asked to do",
        tuple(Paragraph(f"{n}. {text}") for n, text in enumerate(items, 1)),
    )


#: What a committee is asked when the paper file does not say.
DEFAULT_ASKED = (
    "Note the update on each recommendation, its evidence and the actions reported.",
    "Comment on the next steps.",
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
    words: Sequence[Block],
    cited: Sequence[str],
    names: Mapping[str, str],
) -> Section:
    """One recommendation in five parts (`equitrack.reports.recommendation`), the officers'
    words, and where its evidence is in the appendix."""
    rec = e.recommendation
    where = (
        f"The evidence: {APPENDIX['evidence']}, {'; '.join(cited)}."
        if cited
        else "No measure is cited as this recommendation's evidence."
    )
    return Section(
        f"rec{rec.number}",
        f"Recommendation {rec.number}: {rec.title}",
        (*parts.blocks(e, mine, names), *words, Paragraph(where)),
    )
