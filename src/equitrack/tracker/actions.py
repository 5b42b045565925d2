"""Actions against the recommendations, kept in the store with every change of status.

The first time a store is asked about actions it takes the plan's reported actions as its
starting entries. After that the store is the record: actions are added, and statuses change,
by appending rows; nothing is overwritten, so the history of each action can be shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pyarrow as pa

from equitrack.measures.registry import MEASURES
from equitrack.store import Store, StoreError
from equitrack.store.schema import ACTION_EVENTS, ACTION_FIELDS, ACTIONS
from equitrack.tracker.plan import RAGS, STATUSES, Plan, PlanProblem, Recommendation


@dataclass(frozen=True)
class Event:
    status: str
    status_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    note: str | None


@dataclass(frozen=True)
class Change:
    """One change of an action's field (`FIELDS`); value None clears it."""

    field: str
    value: str | None
    recorded_at: dt.datetime
    recorded_by: str
    note: str | None


#: An action's fields besides its words, owner and status, each kept with its history.
FIELDS = ("lead", "due", "milestone", "rag", "measures")


@dataclass(frozen=True)
class Action:
    action_id: int
    recommendation: int
    text: str
    owner: str
    history: tuple[Event, ...]
    #: Who leads it and the year it started, as the source reports them (None if not); a
    #: lead set since (`set_field`) replaces the source's.
    lead: str | None = None
    started: int | None = None
    due: dt.date | None = None
    milestone: str | None = None
    rag: str | None = None
    measures: tuple[str, ...] = ()
    #: Every change of the fields above, oldest first.
    changes: tuple[Change, ...] = ()

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
    # a store made before the tracker gains its tables here (only them: an import running on
    # another connection, from the dashboard, must keep its batches)
    store.ensure_tables(("actions", "action_events", "action_fields"))
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


def field_value(name: str, value: str) -> str | None:
    """`value` for field `name` as stored (None clears it); refused with the reason when it
    is not one the field takes."""
    if name not in FIELDS:
        raise PlanProblem(f"field must be one of {', '.join(FIELDS)}, not {name!r}")
    value = value.strip()
    if not value:
        return None
    if name == "due":
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise PlanProblem(f"due must be a date written YYYY-MM-DD, not {value!r}") from None
    if name == "rag":
        if value.lower() not in RAGS:
            raise PlanProblem(f"rag must be one of {', '.join(RAGS)}, not {value!r}")
        return value.lower()
    if name == "measures":
        named = [m.strip() for m in value.split(",") if m.strip()]
        unknown = [m for m in named if m not in MEASURES]
        if unknown:
            raise PlanProblem(f"no measure {', '.join(unknown)}; `equitrack measures` lists them")
        return ",".join(dict.fromkeys(named))
    return value


def set_field(
    store: Store,
    plan: Plan,
    action_id: int,
    name: str,
    value: str,
    *,
    by: str,
    note: str | None = None,
) -> Action:
    """A new value for one of an action's `FIELDS`, appended to its history (empty clears)."""
    stored = field_value(name, value)
    seed(store, plan)
    if action_id not in {a.action_id for a in actions(store, plan)}:
        raise PlanProblem(f"no action {action_id}; `equitrack action list` shows them")
    store.ensure_tables(("action_fields",))  # a store made before action fields gains it
    with store.transaction():
        row = {
            "event_id": _next_id(store, "action_fields", "event_id"),
            "action_id": action_id,
            "field": name,
            "value": stored,
            "recorded_at": _now(),
            "recorded_by": by,
            "note": note,
        }
        store.insert(
            "action_fields", pa.Table.from_pylist([row], schema=ACTION_FIELDS.to_pyarrow())
        )
    return next(a for a in actions(store, plan) if a.action_id == action_id)


def _with_fields(action: Action, changes: Sequence[Change]) -> Action:
    """The action with its fields as the latest change of each leaves them."""
    latest = {c.field: c.value for c in changes}
    values: dict[str, object] = {"changes": tuple(changes)}
    if "lead" in latest:
        values["lead"] = latest["lead"]
    if "due" in latest:
        due = latest["due"]
        values["due"] = dt.date.fromisoformat(due) if due else None
    for name in ("milestone", "rag"):
        if name in latest:
            values[name] = latest[name]
    if "measures" in latest:
        values["measures"] = (
            tuple((latest["measures"] or "").split(",")) if latest["measures"] else ()
        )
    return replace(action, **values)  # type: ignore[arg-type]


def _changes(store: Store) -> dict[int, list[Change]]:
    if "action_fields" not in set(store.con.list_tables()):
        return {}
    out: dict[int, list[Change]] = {}
    for c in store.table("action_fields").order_by("event_id").to_pyarrow().to_pylist():
        out.setdefault(c["action_id"], []).append(
            Change(c["field"], c["value"], c["recorded_at"], c["recorded_by"], c["note"])
        )
    return out


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
    changes = _changes(store)
    return [
        _with_fields(
            Action(
                r["action_id"],
                r["recommendation"],
                r["text"],
                r["owner"],
                tuple(events[r["action_id"]]),
                *reported.get((r["recommendation"], r["text"], r["owner"]), (None, None)),
            ),
            changes.get(r["action_id"], []),
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
        Step(f"{a.milestone or 'Complete'}: {a.text}", a.owner, a.due)
        for a in found
        if a.recommendation == rec.number and a.status in ("planned", "in_progress")
    ]
    steps += [
        Step(f"Report on {ask} (no action reported yet)", None, None) for ask in rec.unanswered
    ]
    return steps


__all__ = [
    "FIELDS",
    "Action",
    "Change",
    "Event",
    "Step",
    "StoreError",
    "actions",
    "add",
    "next_steps",
    "seed",
    "set_field",
    "set_status",
]
