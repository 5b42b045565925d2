"""Actions against the recommendations, kept in the store with every change of status.

The first time a store is asked about actions it takes the plan's reported actions as its
starting entries. After that the store is the record: actions are added, and statuses change,
by appending rows; nothing is overwritten, so the history of each action can be shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from equitrack.store import Store, StoreError
from equitrack.store.schema import ACTION_EVENTS, ACTIONS
from equitrack.tracker.plan import STATUSES, Plan, PlanProblem, Recommendation


@dataclass(frozen=True)
class Event:
    status: str
    status_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    note: str | None


@dataclass(frozen=True)
class Action:
    action_id: int
    recommendation: int
    text: str
    owner: str
    history: tuple[Event, ...]
    #: Who leads it and the year it started, as the source reports them (None if not).
    lead: str | None = None
    started: int | None = None

    @property
    def status(self) -> str:
        return self.history[-1].status

    @property
    def status_date(self) -> dt.date:
        return self.history[-1].status_date


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _has_tables(store: Store) -> bool:
    return {"actions", "action_events"} <= set(store.con.list_tables())


def _next_id(store: Store, table: str, column: str) -> int:
    t = store.table(table)
    top = t.aggregate(top=t[column].max()).to_pyarrow().column("top")[0].as_py()
    return int(top or 0) + 1


def _event_row(
    event_id: int, action_id: int, status: str, date: dt.date, by: str, note: str | None
):
    return {
        "event_id": event_id,
        "action_id": action_id,
        "status": status,
        "status_date": date,
        "recorded_at": _now(),
        "recorded_by": by,
        "note": note,
    }


def _record(
    store: Store, action_id: int, status: str, date: dt.date | None, by: str, note: str | None
) -> None:
    """One more status in an action's history (inside the caller's transaction)."""
    event_id = _next_id(store, "action_events", "event_id")
    event = _event_row(event_id, action_id, status, date or dt.date.today(), by, note)
    store.insert("action_events", pa.Table.from_pylist([event], schema=ACTION_EVENTS.to_pyarrow()))


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise PlanProblem(f"status must be one of {', '.join(STATUSES)}, not {status!r}")


def seed(store: Store, plan: Plan) -> int:
    """Write the plan's reported actions into an empty store; returns how many were written."""
    if _has_tables(store) and store.table("actions").count().to_pyarrow().as_py():
        return 0
    store.ensure_schema()  # a store made before the tracker gains its tables here
    actions, events = [], []
    for rec in plan.recommendations:
        for a in rec.actions:
            n = len(actions) + 1
            actions.append(
                {
                    "action_id": n,
                    "recommendation": rec.number,
                    "text": a.text,
                    "owner": a.owner,
                    "created_at": _now(),
                    "created_by": "recommendations file",
                }
            )
            events.append(_event_row(n, n, a.status, a.date, "recommendations file", plan.source))
    with store.transaction():
        store.insert("actions", pa.Table.from_pylist(actions, schema=ACTIONS.to_pyarrow()))
        store.insert(
            "action_events", pa.Table.from_pylist(events, schema=ACTION_EVENTS.to_pyarrow())
        )
    return len(actions)


def add(
    store: Store,
    plan: Plan,
    *,
    recommendation: int,
    text: str,
    owner: str,
    status: str = "planned",
    date: dt.date | None = None,
    by: str,
    note: str | None = None,
) -> int:
    """A new action under a recommendation; returns its id."""
    plan.recommendation(recommendation)  # says which numbers exist if this one does not
    _check_status(status)
    if not text.strip():
        raise PlanProblem("an action needs some text")
    seed(store, plan)
    with store.transaction():
        action_id = _next_id(store, "actions", "action_id")
        row = {
            "action_id": action_id,
            "recommendation": recommendation,
            "text": text.strip(),
            "owner": owner.strip().upper(),
            "created_at": _now(),
            "created_by": by,
        }
        store.insert("actions", pa.Table.from_pylist([row], schema=ACTIONS.to_pyarrow()))
        _record(store, action_id, status, date, by, note)
    return action_id


def set_status(
    store: Store,
    plan: Plan,
    action_id: int,
    status: str,
    *,
    by: str,
    date: dt.date | None = None,
    note: str | None = None,
) -> Action:
    """A new status for an action, appended to its history."""
    _check_status(status)
    seed(store, plan)
    known = {a.action_id for a in actions(store, plan)}
    if action_id not in known:
        raise PlanProblem(f"no action {action_id}; `equitrack action list` shows them")
    with store.transaction():
        _record(store, action_id, status, date, by, note)
    return next(a for a in actions(store, plan) if a.action_id == action_id)


def actions(store: Store, plan: Plan) -> list[Action]:
    """Every action with its history, oldest event first; the plan's own if none are stored."""
    if not _has_tables(store) or not store.table("actions").count().to_pyarrow().as_py():
        return _from_plan(plan)
    rows = store.table("actions").order_by("action_id").to_pyarrow().to_pylist()
    events: dict[int, list[Event]] = {}
    for e in store.table("action_events").order_by("event_id").to_pyarrow().to_pylist():
        events.setdefault(e["action_id"], []).append(
            Event(e["status"], e["status_date"], e["recorded_at"], e["recorded_by"], e["note"])
        )
    reported = _reported(plan)
    return [
        Action(
            r["action_id"],
            r["recommendation"],
            r["text"],
            r["owner"],
            tuple(events[r["action_id"]]),
            *reported.get((r["recommendation"], r["text"], r["owner"]), (None, None)),
        )
        for r in rows
        if r["action_id"] in events
    ]


def _reported(plan: Plan) -> dict[tuple[int, str, str], tuple[str | None, int | None]]:
    """The lead and start year the plan reports for each of its actions."""
    return {
        (rec.number, a.text, a.owner): (a.lead, a.started)
        for rec in plan.recommendations
        for a in rec.actions
    }


def _from_plan(plan: Plan) -> list[Action]:
    """A read-only store (Spark) or a new one shows the plan's actions as reported."""
    out, n = [], 0
    for rec in plan.recommendations:
        for a in rec.actions:
            n += 1
            event = Event(
                a.status,
                a.date,
                dt.datetime.combine(a.date, dt.time()),
                "recommendations file",
                plan.source,
            )
            out.append(Action(n, rec.number, a.text, a.owner, (event,), a.lead, a.started))
    return out


@dataclass(frozen=True)
class Step:
    """Something to be done next: declared, an action still in progress, or an ask that no
    action answers yet (owner and date not set)."""

    text: str
    owner: str | None
    due: dt.date | None


def next_steps(rec: Recommendation, found: Sequence[Action]) -> list[Step]:
    """A recommendation's next steps: those the plan declares, then its actions still in
    progress or planned, then its unanswered asks."""
    steps = [Step(s.text, s.owner, s.due) for s in rec.next_steps]
    steps += [
        Step(f"Complete: {a.text}", a.owner, None)
        for a in found
        if a.recommendation == rec.number and a.status in ("planned", "in_progress")
    ]
    steps += [
        Step(f"Report on {ask} (no action reported yet)", None, None) for ask in rec.unanswered
    ]
    return steps


__all__ = [
    "Action",
    "Event",
    "Step",
    "StoreError",
    "actions",
    "add",
    "next_steps",
    "seed",
    "set_status",
]
