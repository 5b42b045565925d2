"""The tracker commands: the recommendations, the actions against them, officers' commentary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from equitrack.cli.common import (
    DbOption,
    LatestYearOption,
    UserError,
    open_store,
    user_errors,
    who,
    year_or_latest,
)
from equitrack.cli.formats import TableOrJson, View, show
from equitrack.console import console
from equitrack.tracker.plan import STATUSES, Plan, load_plan

T = TypeVar("T")


def _tracking(db: str | None, change: Callable[[Any, Plan], T]) -> T:
    """Make one change to the tracker (the database is made if it is not there yet): the
    shared body of every command that adds or changes an action or a commentary."""
    with user_errors():
        plan = load_plan()
        with open_store(db, create=True) as store:
            return change(store, plan)


def recommendations(
    year: LatestYearOption = None,
    org: Annotated[
        str | None, typer.Option(help="One organisation's ODS code (default: the whole system).")
    ] = None,
    output: TableOrJson = "table",
    baseline: Annotated[
        int | None,
        typer.Option(
            help="Reporting year change is measured from (default: the recommendations "
            "file's, the review's year)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The recommendations: each one's headline and level, change since the baseline, its
    status in words, and its actions."""
    from equitrack.outputs import tracker as render
    from equitrack.tracker import actions as tracked
    from equitrack.tracker.evidence import summarise

    with user_errors():
        plan = load_plan()
        with open_store(db) as store:
            chosen = year_or_latest(store, year)
            if baseline is not None and baseline >= chosen:
                raise UserError(f"--baseline {baseline} must be a year before {chosen}")
            evidence = summarise(store, plan, chosen, org=org, baseline=baseline)
            actions = tracked.actions(store, plan)
    view = View(
        table=lambda c: render.show(evidence, actions, c),
        json=lambda: render.to_json(evidence, actions),
    )
    show(output, view)


action_app = typer.Typer(
    help="Actions against the recommendations: list, add, change status (history is kept).",
    no_args_is_help=True,
)
STATUS_HELP = f"{', '.join(STATUSES[:-1])} or {STATUSES[-1]}."
ActionId = Annotated[int, typer.Argument(help="The action's id (see `action list`).")]


@action_app.command("list")
def action_list(
    recommendation: Annotated[
        int | None, typer.Option(help="Only this recommendation's actions.")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="Every earlier status too.")] = False,
    db: DbOption = None,
) -> None:
    """Every action with its current status."""
    from equitrack.outputs.tracker import show_actions
    from equitrack.tracker import actions as tracked

    with user_errors():
        plan = load_plan()
        with open_store(db) as store:
            found = tracked.actions(store, plan)
    show_actions(
        [a for a in found if recommendation in (None, a.recommendation)], console, history=history
    )


@action_app.command("add")
def action_add(
    recommendation: Annotated[int, typer.Option(help="The recommendation's number.")],
    text: Annotated[str, typer.Option(help="What is being done.")],
    owner: Annotated[str, typer.Option(help="ODS code of the organisation that owns it.")],
    status: Annotated[str, typer.Option(help=STATUS_HELP)] = "planned",
    note: Annotated[str | None, typer.Option(help="Why, or where the evidence is.")] = None,
    db: DbOption = None,
) -> None:
    """Add an action under a recommendation."""
    from equitrack.tracker import actions as tracked

    action_id = _tracking(
        db,
        lambda store, plan: tracked.add(
            store, plan, recommendation=recommendation, text=text, owner=owner,
            status=status, by=who(), note=note,
        ),
    )  # fmt: skip
    console.print(f"Added action {action_id} under recommendation {recommendation} ({status}).")


@action_app.command("status")
def action_status(
    action_id: ActionId,
    status: Annotated[str, typer.Argument(help=STATUS_HELP)],
    note: Annotated[str | None, typer.Option(help="Why it changed.")] = None,
    db: DbOption = None,
) -> None:
    """Change an action's status; the earlier status stays in its history."""
    from equitrack.tracker import actions as tracked

    changed = _tracking(
        db,
        lambda store, plan: tracked.set_status(store, plan, action_id, status, by=who(), note=note),
    )
    console.print(
        f"Action {action_id} is now {changed.status} "
        f"({len(changed.history)} statuses in its history)."
    )


@action_app.command("set")
def action_set(
    action_id: ActionId,
    field: Annotated[str, typer.Argument(help="lead, due, milestone, rag or measures.")],
    value: Annotated[
        str,
        typer.Argument(
            help="The new value: due as YYYY-MM-DD, rag red, amber or green, measures as "
            "measure ids joined by commas; empty clears it."
        ),
    ],
    note: Annotated[str | None, typer.Option(help="Why it changed.")] = None,
    db: DbOption = None,
) -> None:
    """Set an action's lead, due date, next milestone, RAG rating or linked measures; the
    earlier value stays in its history."""
    from equitrack.tracker import actions as tracked

    _tracking(
        db,
        lambda store, plan: tracked.set_field(
            store, plan, action_id, field, value, by=who(), note=note
        ),
    )
    said = f"set to {value.strip()}" if value.strip() else "cleared"
    console.print(f"Action {action_id}: {field} {said}.")


commentary_app = typer.Typer(
    help="Officers' commentary on the scrutiny paper: write a draft, approve it, show it "
    "(history is kept; a public paper prints approved words only).",
    no_args_is_help=True,
)
PartOption = Annotated[
    str,
    typer.Option(help="paper (the whole paper) or a recommendation's number (1 to 10)."),
]
PaperOrgOption = Annotated[
    str | None,
    typer.Option(help="The organisation's paper (ODS code); default the system's."),
]


@commentary_app.command("write")
def commentary_write(
    part: PartOption,
    year: Annotated[int, typer.Option(help="The paper's reporting year.")],
    text: Annotated[str | None, typer.Option(help="The words (or give --file).")] = None,
    file: Annotated[
        Path | None, typer.Option(help="A text file of the words (blank lines part paragraphs).")
    ] = None,
    org: PaperOrgOption = None,
    db: DbOption = None,
) -> None:
    """Write officers' words for a part of the paper, as a draft until approved."""
    from equitrack.tracker import commentary

    with user_errors():
        if (text is None) == (file is None):
            raise UserError("give the words with --text or --file, not both or neither")
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"cannot read {file}: {exc}") from None
    kept = _tracking(
        db,
        lambda store, plan: commentary.write(
            store, plan, org=org, year=year, part=part, text=text or "", by=who()
        ),
    )
    console.print(
        f"Draft {len(kept.history)} of the commentary on {kept.part} ({kept.scope}, {year}) "
        "written; `equitrack commentary approve` approves it for publication."
    )


@commentary_app.command("approve")
def commentary_approve(
    part: PartOption,
    year: Annotated[int, typer.Option(help="The paper's reporting year.")],
    org: PaperOrgOption = None,
    db: DbOption = None,
) -> None:
    """Approve the newest draft of a part for publication."""
    from equitrack.tracker import commentary

    kept = _tracking(
        db,
        lambda store, plan: commentary.approve(
            store, plan, org=org, year=year, part=part, by=who()
        ),
    )
    console.print(f"The commentary on {kept.part} ({kept.scope}, {year}) is approved.")


@commentary_app.command("show")
def commentary_show(
    year: Annotated[int, typer.Option(help="The paper's reporting year.")],
    org: PaperOrgOption = None,
    history: Annotated[bool, typer.Option("--history", help="Every earlier draft too.")] = False,
    db: DbOption = None,
) -> None:
    """Each part's commentary: its state, the words last approved and any newer draft."""
    from equitrack.outputs.tracker import show_commentary
    from equitrack.tracker import commentary

    with user_errors(), open_store(db) as store:
        found = commentary.read(store, org, year)
    show_commentary(found, console, history=history)
