"""One recommendation in five parts, as the scrutiny update and the dashboard both show it:
what was asked; what was done; its level (how far what was asked is happening); its headline
comparison, with both groups' rates, the change since the baseline and the trend over every
loaded year; and the next steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from equitrack.measures.calendar import label
from equitrack.reports.content import Block, Paragraph, Rows
from equitrack.reports.narrative import (
    claim_sentence,
    level_figure,
    level_sentence,
    people,
    since_sentence,
    verdict_words,
)
from equitrack.stats import format_ratio, format_share
from equitrack.tracker.actions import Action, next_steps
from equitrack.tracker.evidence import RecommendationEvidence


def level_text(e: RecommendationEvidence) -> str | None:
    """This year's level in words (None when the recommendation declares none)."""
    level, now = e.recommendation.level, e.level_now
    if level is None:
        return None
    return level_sentence(level, now) if now else f"There is no figure for {label(e.year)}."


def level_since(e: RecommendationEvidence) -> str | None:
    if e.recommendation.level is None:
        return None
    return since_sentence(e.level, e.baseline or e.year, e.year)


def headline_since(e: RecommendationEvidence) -> str | None:
    if e.recommendation.headline is None:
        return None
    return since_sentence([c.focus for c in e.headline], e.baseline or e.year, e.year)


def _dates(a: Action) -> str:
    """When it started (if the source says), since when its status holds, when it is due."""
    said = [f"started {a.started}"] if a.started else []
    said.append(f"since {a.status_date.isoformat()}")
    if a.due:
        said.append(f"due {a.due.isoformat()}")
    return "; ".join(said)


def actions_rows(mine: Sequence[Action], names: Mapping[str, str] | None = None) -> Rows:
    """The actions with their owner, lead, status (and RAG rating), dates, next milestone
    and linked measures."""
    return Rows(
        "What was done: actions reported",
        ("Action", "Owner", "Lead", "Status", "Dates", "Next milestone", "Measures"),
        tuple(
            (
                a.text,
                (names or {}).get(a.owner, a.owner),
                a.lead or "not named",
                a.status.replace("_", " ") + (f" ({a.rag})" if a.rag else ""),
                _dates(a),
                a.milestone or "",
                ", ".join(a.measures),
            )
            for a in mine
        ),
    )


def claims_rows(e: RecommendationEvidence) -> Rows | None:
    """The source's own figures tested against the data."""
    if not e.claims:
        return None
    return Rows(
        "Figures the update states, tested against the data",
        ("Stated", "What the data show"),
        tuple((c.text, claim_sentence(c, r)) for c, r in e.claims),
    )


def trend_rows(e: RecommendationEvidence) -> Rows | None:
    """The headline and the level in every year loaded from the baseline."""
    rec = e.recommendation
    if rec.headline is None or not e.headline:
        return None
    levels = {r.period: r for r in e.level}
    rows = []
    for c in e.headline:
        r, ref = c.focus, c.reference
        rows.append(
            (
                label(r.period),
                "" if r.rate is None else format_share(r.rate),
                "" if ref is None or ref.rate is None else format_share(ref.rate),
                "" if r.ratio is None else format_ratio(r.ratio),
                verdict_words(r) if r.ratio is not None else "",
                level_figure(rec.level, levels[r.period])
                if rec.level and r.period in levels
                else "",
            )
        )
    focus = e.headline[-1].focus
    noun = rec.headline.noun
    who = people(focus.group, focus.group_type, noun)
    reference = people(focus.reference_group, focus.group_type, noun)
    return Rows(
        "The headline and the level in every year loaded",
        ("Year", f"Rate: {who}", f"Rate: {reference}", "Relative likelihood", "Verdict", "Level"),
        tuple(rows),
    )


def steps_rows(e: RecommendationEvidence, mine: Sequence[Action]) -> Rows:
    return Rows(
        "Next steps",
        ("Step", "Owner", "Date"),
        tuple(
            (s.text, s.owner or "not set", s.due.isoformat() if s.due else "not set")
            for s in next_steps(e.recommendation, mine)
        ),
    )


def blocks(
    e: RecommendationEvidence, mine: Sequence[Action], names: Mapping[str, str] | None = None
) -> list[Block]:
    """The five parts as report blocks, after the status and key figure; `names` names the
    organisations that own actions."""
    rec = e.recommendation
    out: list[Block] = [
        Paragraph(f"Status: {e.status}.", emphasis=True),  # the key figure is part 4
        Paragraph(f"What was asked: {rec.asked}"),
        actions_rows(mine, names)
        if mine
        else Paragraph("No actions are recorded against this recommendation."),
    ]
    out += [Paragraph(f"Noted, not an action: {text}") for text in rec.noted]
    out += [Paragraph(f"No action is reported on {ask}.", emphasis=True) for ask in rec.unanswered]
    claims = claims_rows(e)
    if claims is not None:
        out.append(claims)
    if rec.level is not None:
        out.append(Paragraph(f"Level: {level_text(e)} {level_since(e)}"))
    if rec.headline is not None:
        figure = e.key_figure or f"There is no figure for {label(e.year)}."
        out.append(
            Paragraph(
                f"Equity comparison ({rec.headline.population}): {figure} {headline_since(e)}"
            )
        )
        trend = trend_rows(e)
        if trend is not None and len(trend.rows) > 1:
            out.append(trend)
    steps = steps_rows(e, mine)
    out.append(steps if steps.rows else Paragraph("Next steps: none are recorded."))
    return out
