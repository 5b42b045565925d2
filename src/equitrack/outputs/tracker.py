"""The recommendation tracker in a terminal and as JSON: status in words, key figure, actions."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from equitrack.tracker.actions import Action
from equitrack.tracker.evidence import RecommendationEvidence, Status

STYLE = {
    Status.ADVERSE: "bold red",
    Status.NO_GAP: "green",
    Status.TOO_FEW: "yellow",
    Status.DESCRIBED: "cyan",
    Status.NO_DATA: "dim",
}


def _actions_of(actions: Sequence[Action], number: int) -> list[Action]:
    return [a for a in actions if a.recommendation == number]


def show(
    evidence: Sequence[RecommendationEvidence], actions: Sequence[Action], console: Console
) -> None:
    if not evidence:
        return
    where = evidence[0].unit or "the organisations chosen"
    table = Table(
        title=f"The ten recommendations: evidence for {evidence[0].year}, {where}",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("#", justify="right")
    table.add_column("recommendation")
    table.add_column("status")
    table.add_column("key figure")
    table.add_column("actions")
    for e in evidence:
        mine = _actions_of(actions, e.recommendation.number)
        done = sum(a.status == "done" for a in mine)
        table.add_row(
            str(e.recommendation.number),
            e.recommendation.title,
            f"[{STYLE[e.status]}]{e.status}[/]",
            e.key_figure or "",
            f"{len(mine)} ({done} done)",
        )
    console.print(table)
    console.print(
        "A gap is reported only when a comparison is adverse and statistically significant; "
        "groups under 30 people or 10 events are too few to tell."
    )


def show_actions(actions: Sequence[Action], console: Console, *, history: bool = False) -> None:
    table = Table(title="Actions", title_justify="left")
    for name in ("id", "rec", "owner", "status", "since", "action"):
        table.add_column(name, justify="right" if name in ("id", "rec") else "left")
    for a in actions:
        table.add_row(
            str(a.action_id), str(a.recommendation), a.owner, a.status, str(a.status_date), a.text
        )
        if history:
            for e in a.history[:-1][::-1]:
                table.add_row(
                    "",
                    "",
                    "",
                    f"[dim]{e.status}[/]",
                    f"[dim]{e.status_date}[/]",
                    f"[dim]{e.recorded_by}: {e.note or ''}[/]",
                )
    console.print(table)


def to_json(evidence: Sequence[RecommendationEvidence], actions: Sequence[Action]) -> str:
    out = []
    for e in evidence:
        rec = e.recommendation
        out.append(
            {
                "number": rec.number,
                "title": rec.title,
                "asked": rec.asked,
                "question": rec.question,
                "year": e.year,
                "unit": e.unit,
                "status": str(e.status),
                "key_figure": e.key_figure,
                "measures": [
                    {
                        "measure": m.measure,
                        "title": m.title,
                        "status": str(m.status),
                        "key_figure": m.key_figure,
                    }
                    for m in e.measures
                ],
                "actions": [
                    {
                        "id": a.action_id,
                        "text": a.text,
                        "owner": a.owner,
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
                    for a in _actions_of(actions, rec.number)
                ],
            }
        )
    return json.dumps(out, indent=2, ensure_ascii=False)
