"""The recommendation tracker in a terminal and as JSON: status in words, the headline that
answers each recommendation, its level, change since the baseline, and the actions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from equitrack.measures.calendar import label
from equitrack.measures.result import Result
from equitrack.reports.narrative import (
    change_short,
    claim_sentence,
    level_figure,
    level_sentence,
)
from equitrack.stats import format_interval, format_ratio
from equitrack.tracker.actions import Action, next_steps
from equitrack.tracker.commentary import PAPER, Commentary
from equitrack.tracker.evidence import RecommendationEvidence, Status

STYLE = {
    Status.ADVERSE: "bold red",
    Status.POSSIBLE: "red",
    Status.NO_GAP: "green",
    Status.TOO_FEW: "yellow",
    Status.DESCRIBED: "cyan",
    Status.NO_DATA: "dim",
}


def _actions_of(actions: Sequence[Action], number: int) -> list[Action]:
    return [a for a in actions if a.recommendation == number]


def _tally(mine: Sequence[Action]) -> str:
    done = sum(a.status == "done" for a in mine)
    going = sum(a.status == "in_progress" for a in mine)
    return f"{len(mine)} ({done} done, {going} in progress)"


def _short_ratio(e: RecommendationEvidence) -> str:
    now = e.now
    if now is None or now.focus.ratio is None:
        return ""
    r = now.focus
    return f"{format_ratio(r.ratio)} ({format_interval(r.ratio_ci_low, r.ratio_ci_high)})"


def show(
    evidence: Sequence[RecommendationEvidence], actions: Sequence[Action], console: Console
) -> None:
    """A summary table, then each recommendation's headline, level, change since the
    baseline and next steps in sentences (too long for a table's cells)."""
    if not evidence:
        return
    first = evidence[0]
    where = first.unit or "the organisations chosen"
    since = label(first.baseline or first.year)
    table = Table(
        title=f"The ten recommendations: evidence for {label(first.year)}, {where}",
        title_justify="left",
    )
    for name in ("#", "recommendation", "status", "ratio", "level", "actions"):
        table.add_column(name, justify="right" if name in ("#", "ratio", "level") else "left")
    for e in evidence:
        rec = e.recommendation
        level = e.level_now
        table.add_row(
            str(rec.number),
            rec.title,
            f"[{STYLE[e.status]}]{e.status}[/]",
            _short_ratio(e),
            level_figure(rec.level, level) if rec.level and level else "",
            _tally(_actions_of(actions, rec.number)),
        )
    console.print(table)
    for e in evidence:
        rec = e.recommendation
        console.print(f"\n[bold]{rec.number}. {rec.title}[/]")
        who = f"{rec.headline.population}: " if rec.headline else ""
        console.print(f"  Headline ({who.rstrip(': ')}): {e.key_figure or 'no figure'}")
        if rec.level and e.level_now:
            console.print(f"  Level: {level_sentence(rec.level, e.level_now)}")
        if rec.headline:
            series = [c.focus for c in e.headline]
            console.print(
                f"  Since {since}: headline {change_short(series, e.baseline or e.year, e.year)}"
            )
        if e.level:
            console.print(
                f"  Since {since}: level {change_short(e.level, e.baseline or e.year, e.year)}"
            )
        for ask in rec.unanswered:
            console.print(f"  [yellow]No action reported on {ask}.[/]")
    console.print(
        "\nA gap is reported only when a comparison is adverse and statistically significant "
        "after allowing for the number of comparisons made; groups under 30 people or 10 events "
        "are too few to tell. A change is described only when the two years' 95% intervals do "
        "not overlap."
    )


def show_actions(actions: Sequence[Action], console: Console, *, history: bool = False) -> None:
    table = Table(title="Actions", title_justify="left")
    for name in ("id", "rec", "owner"):
        table.add_column(name, justify="right" if name in ("id", "rec") else "left")
    table.add_column("lead", max_width=12)  # so the action's own words wrap least
    table.add_column("status", max_width=12)
    table.add_column("action")
    for a in actions:
        started = f"\nstarted {a.started}" if a.started else ""
        plans = [
            f"{name}: {value}"
            for name, value in (
                ("RAG", a.rag),
                ("due", a.due),
                ("next", a.milestone),
                ("measures", ", ".join(a.measures)),
            )
            if value
        ]
        table.add_row(
            str(a.action_id),
            str(a.recommendation),
            a.owner,
            a.lead or "",
            f"{a.status} since {a.status_date}{started}",
            "\n".join([a.text, *plans]),
        )
        if history:
            for c in a.changes[::-1]:
                table.add_row(
                    "", "", "", "", f"[dim]{c.field} set[/]",
                    f"[dim]{c.recorded_by}: {c.value or '(cleared)'}"
                    f"{' (' + c.note + ')' if c.note else ''}[/]",
                )  # fmt: skip
            for e in a.history[:-1][::-1]:
                table.add_row(
                    "",
                    "",
                    "",
                    "",
                    f"[dim]{e.status} since {e.status_date}[/]",
                    f"[dim]{e.recorded_by}: {e.note or ''}[/]",
                )
    console.print(table)


def _figure(r: Result | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "period": r.period,
        "group": r.group,
        "breakdown": r.breakdown,
        "numerator": r.numerator,
        "denominator": r.denominator,
        "rate": r.rate,
        "suppressed": r.suppressed,
    }


def _compared(e: RecommendationEvidence) -> list[dict[str, Any]]:
    out = []
    for c in e.headline:
        r = c.focus
        out.append(
            {
                **(_figure(r) or {}),
                "reference": _figure(c.reference),
                "ratio": r.ratio,
                "ratio_ci_low": r.ratio_ci_low,
                "ratio_ci_high": r.ratio_ci_high,
                "verdict": r.verdict,
                "verdict_adjusted": r.verdict_adjusted,
            }
        )
    return out


def to_json(evidence: Sequence[RecommendationEvidence], actions: Sequence[Action]) -> str:
    out = []
    for e in evidence:
        rec = e.recommendation
        mine = _actions_of(actions, rec.number)
        baseline = e.baseline or e.year
        out.append(
            {
                "number": rec.number,
                "title": rec.title,
                "asked": rec.asked,
                "question": rec.question,
                "year": e.year,
                "unit": e.unit,
                "baseline": e.baseline,
                "status": str(e.status),
                "key_figure": e.key_figure,
                "headline": None
                if rec.headline is None
                else {
                    "measure": rec.headline.measure,
                    "population": rec.headline.population,
                    "cell": rec.headline.cell,
                    "group": rec.headline.group,
                    "against": rec.headline.against,
                    "since_baseline": change_short([c.focus for c in e.headline], baseline, e.year),
                    "years": _compared(e),
                },
                "level": None
                if rec.level is None
                else {
                    "measure": rec.level.measure,
                    "cell": rec.level.cell,
                    "what": rec.level.what,
                    "per": rec.level.per,
                    "words": level_sentence(rec.level, e.level_now) if e.level_now else None,
                    "since_baseline": change_short(e.level, baseline, e.year),
                    "years": [_figure(r) for r in e.level],
                },
                "measures": [
                    {
                        "measure": m.measure,
                        "title": m.title,
                        "status": str(m.status),
                        "key_figure": m.key_figure,
                    }
                    for m in e.measures
                ],
                "unanswered": list(rec.unanswered),
                "noted": list(rec.noted),
                "claims": [{"claim": c.text, "check": claim_sentence(c, r)} for c, r in e.claims],
                "next_steps": [
                    {"text": s.text, "owner": s.owner, "due": s.due and s.due.isoformat()}
                    for s in next_steps(rec, mine)
                ],
                "actions": [
                    {
                        "id": a.action_id,
                        "text": a.text,
                        "owner": a.owner,
                        "lead": a.lead,
                        "started": a.started,
                        "due": a.due and a.due.isoformat(),
                        "milestone": a.milestone,
                        "rag": a.rag,
                        "measures": list(a.measures),
                        "changes": [
                            {
                                "field": c.field,
                                "value": c.value,
                                "recorded_at": c.recorded_at.isoformat(),
                                "recorded_by": c.recorded_by,
                                "note": c.note,
                            }
                            for c in a.changes
                        ],
                        "status": a.status,
                        "status_date": a.status_date.isoformat(),
                        "history": [
                            {
                                "status": h.status,
                                "status_date": h.status_date.isoformat(),
                                "recorded_at": h.recorded_at.isoformat(),
                                "recorded_by": h.recorded_by,
                                "note": h.note,
                            }
                            for h in a.history
                        ],
                    }
                    for a in mine
                ],
            }
        )
    return json.dumps(out, indent=2, ensure_ascii=False)


def show_commentary(
    found: Mapping[str, Commentary], console: Console, *, history: bool = False
) -> None:
    """Each part's commentary: its state, the words last approved and any newer draft."""
    if not found:
        console.print("No commentary is written for this paper yet.")
        return
    table = Table(title="Officers' commentary", title_justify="left")
    for name in ("part", "state", "who, when", "words"):
        table.add_column(name)

    def order(part: str) -> tuple[int, int]:
        return (0, 0) if part == PAPER else (1, int(part.removeprefix("rec")))

    for part in sorted(found, key=order):
        c = found[part]
        shown = c.history if history else tuple(e for e in (c.approved, c.draft) if e)
        for n, e in enumerate(shown[::-1]):
            table.add_row(
                part if n == 0 else "",
                e.state,
                f"{e.recorded_by}, {e.recorded_at:%Y-%m-%d %H:%M}",
                e.text if n == 0 else f"[dim]{e.text}[/]",
            )
    console.print(table)
