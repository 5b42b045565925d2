"""Officers' commentary on the scrutiny paper: their own words on the whole paper and on each
recommendation, written as drafts and approved before a public paper prints them.

Kept in the store like the actions: every draft and every approval is a new row, nothing is
overwritten, so the history shows who wrote what and who approved it when. An approval copies
the draft it approves, so a paper prints exactly the words approved even after a newer draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from equitrack.store import Store
from equitrack.store.schema import COMMENTARY
from equitrack.tracker.plan import Plan, PlanProblem

#: The part of the paper a commentary is about, besides a recommendation ("rec3").
PAPER = "paper"
#: The scope of the system's paper (an organisation's paper is scoped by its code).
SYSTEM = "system"
DRAFT, APPROVED = "draft", "approved"
#: The longest commentary kept: a page of words, not a document.
MAX_CHARS = 6000


@dataclass(frozen=True)
class Entry:
    """One row of a commentary's history."""

    text: str
    state: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class Commentary:
    """A part's commentary as it stands: its newest words, and the words last approved."""

    scope: str
    year: int
    part: str
    history: tuple[Entry, ...]

    @property
    def latest(self) -> Entry:
        return self.history[-1]

    @property
    def approved(self) -> Entry | None:
        """The last approval (with the words it approved), or None if none yet."""
        return next((e for e in reversed(self.history) if e.state == APPROVED), None)

    @property
    def draft(self) -> Entry | None:
        """Words written since the last approval, or None when the latest words are approved."""
        return self.latest if self.latest.state == DRAFT else None

    @property
    def state(self) -> str:
        return self.latest.state


def scope_of(org: str | None) -> str:
    """The scope a paper's commentary is kept under: an organisation's code, or the system."""
    return org.strip().upper() if org and org.strip() else SYSTEM


def part_of(plan: Plan, part: str | int | None) -> str:
    """A part as kept: "paper" for the whole paper, "rec3" for recommendation 3 (given as 3,
    "3" or "rec3"); refused, naming the parts, when it is neither."""
    if part is None or str(part).strip().lower() in ("", PAPER):
        return PAPER
    text = str(part).strip().lower().removeprefix("rec")
    if not text.isdigit():
        raise PlanProblem(
            f"part must be 'paper' or a recommendation's number (1 to "
            f"{len(plan.recommendations)}), not {part!r}"
        )
    plan.recommendation(int(text))  # says which numbers exist if this one does not
    return f"rec{int(text)}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _rows(store: Store, scope: str, year: int) -> list[dict]:
    if "commentary" not in set(store.con.list_tables()):
        return []
    t = store.table("commentary")
    t = t.filter((t.scope == scope) & (t.year == year)).order_by("entry_id")
    return t.to_pyarrow().to_pylist()


def read(store: Store, org: str | None, year: int) -> dict[str, Commentary]:
    """Every part's commentary for one paper (the organisation's, or the system's), by part."""
    scope = scope_of(org)
    parts: dict[str, list[Entry]] = {}
    for r in _rows(store, scope, year):
        parts.setdefault(r["part"], []).append(
            Entry(r["text"], r["state"], r["recorded_at"], r["recorded_by"])
        )
    return {p: Commentary(scope, year, p, tuple(h)) for p, h in parts.items()}


def _append(store: Store, scope: str, year: int, part: str, text: str, state: str, by: str) -> None:
    store.ensure_tables(("commentary",))  # a store made before commentary gains it here
    with store.transaction():
        t = store.table("commentary")
        top = t.aggregate(top=t.entry_id.max()).to_pyarrow().column("top")[0].as_py()
        row = {
            "entry_id": int(top or 0) + 1,
            "scope": scope,
            "year": year,
            "part": part,
            "text": text,
            "state": state,
            "recorded_at": _now(),
            "recorded_by": by,
        }
        store.insert("commentary", pa.Table.from_pylist([row], schema=COMMENTARY.to_pyarrow()))


def write(
    store: Store,
    plan: Plan,
    *,
    org: str | None,
    year: int,
    part: str | int | None,
    text: str,
    by: str,
) -> Commentary:
    """New words for a part, kept as a draft until approved (a public paper keeps printing the
    words last approved meanwhile)."""
    kept = part_of(plan, part)
    words = text.strip()
    if not words:
        raise PlanProblem("a commentary needs some words")
    if len(words) > MAX_CHARS:
        raise PlanProblem(f"a commentary is at most {MAX_CHARS:,} characters, not {len(words):,}")
    _append(store, scope_of(org), year, kept, words, DRAFT, by)
    return read(store, org, year)[kept]


def approve(
    store: Store, plan: Plan, *, org: str | None, year: int, part: str | int | None, by: str
) -> Commentary:
    """Approve the part's newest draft for publication; refused when there is none."""
    kept = part_of(plan, part)
    found = read(store, org, year).get(kept)
    if found is None:
        raise PlanProblem(f"no commentary on {_name(kept)} for {year} to approve")
    if found.draft is None:
        raise PlanProblem(f"the commentary on {_name(kept)} for {year} is already approved")
    _append(store, found.scope, year, kept, found.draft.text, APPROVED, by)
    return read(store, org, year)[kept]


def _name(part: str) -> str:
    return "the whole paper" if part == PAPER else f"recommendation {part.removeprefix('rec')}"
