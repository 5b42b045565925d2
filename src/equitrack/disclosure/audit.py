"""The audit after secondary suppression: what a viewer can work out from every relation at
once, and more suppressed until nothing protected can be.

`secondary.protect` makes each relation safe on its own. Chained, several can still pin a
hidden count: a band's cell from its column and its row, an organisation's group from its system
less the others and from its groups. So a viewer's knowledge is modelled as intervals, as
tau-ARGUS's audit does (by interval propagation rather than linear programming): a shown count
stands for every count that rounds to it, a hidden one for any count from 1 up (zeros are
shown), a quantity no output shows for any count; every interval is then narrowed over every
relation until nothing moves (part by part, and from one round to the next only the parts a
round changed: `_Viewer`, the same as narrowing every relation at once). A small count (1 to
7, suppressed or shown nowhere) whose interval closes on one value is exposed (a complement
hidden for it may be found: it is not small, and finding it gives nothing away by itself); a
shown member of a relation that narrowed it is suppressed (the one that loses least) and the
audit runs again.

The relations are the gate's declared ones plus those the data happen to obey (`obeyed`): a
viewer may guess that a system's leave requests are its organisations' added up, or that no one
works in two staff groups, and be right. Where the exact counts obey a guess, the audit takes
it as the viewer would: a bound that holds with equality is an exact sum.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from equitrack.disclosure.counts import is_small, shown_count
from equitrack.disclosure.figures import Node
from equitrack.disclosure.policy import Policy
from equitrack.disclosure.secondary import Declared, Relation, protect

INF = math.inf
#: Rounds of auditing and suppressing before giving up (each round fixes every exposure found).
ROUNDS = 12
#: How far back along a chain of relations a complement is looked for.
DEPTH = 4
#: How often a relation is looked at again in one narrowing: two sums can nudge a large hidden
#: count down a few at a time for ever, which tells nothing of the small counts sought.
VISITS = 25


def obeyed(
    relations: Iterable[Relation], values: Mapping[Node, int], hidden: Mapping[Node, int]
) -> list[Relation]:
    """`relations` as a viewer who guessed right would use them: a guessed relation kept only
    where the exact counts obey it, and a bound that holds with equality taken as exact. A
    member no output shows a count for (a staff group with nobody in the cell) is taken as
    the viewer takes it, as none, wherever the counts shown add up without it."""
    out = []
    for rel in relations:
        if rel.total not in values and rel.total not in hidden:
            if not rel.guessed:
                out.append(rel)
            continue
        parts = tuple(n for n in rel.parts if n in values or n in hidden)
        total = values.get(rel.total, hidden.get(rel.total, 0))
        summed = sum(values.get(n, hidden.get(n, 0)) for n in parts)
        whole = len(parts) == len(rel.parts)
        if parts and total == summed:
            out.append(replace(rel, parts=parts, exact=True, guessed=False))
        elif parts and total < summed:
            out.append(replace(rel, parts=parts, exact=False, guessed=False))
        elif not whole and not rel.guessed:
            out.append(rel)  # what is not shown makes up the difference
        # otherwise the counts obey neither: no viewer can use it (nor could the gate)
    return out


def _known(
    nodes: Iterable[Node],
    values: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
) -> dict[Node, list[float]]:
    """What a viewer knows of each quantity, as [lowest, highest]."""
    # halves up: a count shown as s was from s - base/2 up to just below s + base/2
    below, above = policy.rounding_base // 2, (policy.rounding_base - 1) // 2
    out: dict[Node, list[float]] = {}
    for n in nodes:
        v = values.get(n)
        if v is None:
            out[n] = [0, INF]  # shown nowhere
        elif n in fixed:
            out[n] = [v, v]
        elif n in suppressed:
            out[n] = [min(v, 1), INF]
        else:
            s = shown_count(v, policy)
            if s is None or s == 0:
                out[n] = [0, 0] if s == 0 else [min(v, 1), INF]
            else:
                out[n] = [max(policy.smallest_shown, s - below), s + above]
    return out


def _narrow(
    relations: list[Relation],
    bounds: dict[Node, list[float]],
    names: Sequence[int] | None = None,
    start: Mapping[Node, list[float]] | None = None,
) -> dict[Node, set[int]]:
    """Narrows `bounds` over `relations` until nothing moves; returns, for each quantity, the
    relations that narrowed it (their places in `relations`, or their `names`). A quantity
    missing from `bounds` is added from `start`: a copy, or where it is known exactly (never
    narrowed: see `tightened`) the list itself. (Written for speed: it is most of a release's
    audit.)"""
    uses: dict[Node, list[int]] = defaultdict(list)
    # each relation with its members' bounds looked up once (the lists are narrowed in place)
    resolved = []
    for i, rel in enumerate(relations):
        looked = []
        for n in (rel.total, *rel.parts):
            uses[n].append(i)
            b = bounds.get(n)
            if b is None:
                b = start[n]  # type: ignore[index]  # given where `bounds` lacks any
                if b[0] != b[1]:
                    b = list(b)
                bounds[n] = b
            looked.append(b)
        resolved.append((rel.total, looked[0], rel.parts, looked[1:], rel.exact))
    named = range(len(relations)) if names is None else names
    pending = list(range(len(relations)))
    queued, seen = set(pending), [0] * len(relations)
    narrowed_by: dict[Node, set[int]] = defaultdict(set)

    def tightened(n: Node, b: list[float], lo: float, hi: float, i: int) -> None:
        lo, hi = max(lo, b[0]), min(hi, b[1])
        if lo > hi:  # the counts obey no such bounds: a relation the data do not hold
            return
        b[0], b[1] = lo, hi
        narrowed_by[n].add(named[i])
        for j in uses[n]:
            if j not in queued and seen[j] < VISITS:
                queued.add(j)
                pending.append(j)

    while pending:
        i = pending.pop()
        queued.discard(i)
        seen[i] += 1
        total, t, nodes, parts, exact = resolved[i]
        lo_sum = hi_sum = 0.0
        infinite = 0
        for b in parts:
            lo_sum += b[0]
            if b[1] == INF:
                infinite += 1
            else:
                hi_sum += b[1]
        lo, hi = (lo_sum if exact else t[0]), (INF if infinite else hi_sum)
        if lo > t[0] or hi < t[1]:
            tightened(total, t, lo, hi, i)
        t_lo, t_hi = t
        for p, b in zip(nodes, parts, strict=True):
            if b[1] == INF:
                others_hi = INF if infinite > 1 else hi_sum
            else:
                others_hi = INF if infinite else hi_sum - b[1]
            lo = t_lo - others_hi
            hi = t_hi - (lo_sum - b[0]) if exact else INF
            if lo > b[0] or hi < b[1]:
                tightened(p, b, lo, hi, i)
    return narrowed_by


@dataclass
class _Part:
    """Relations that narrow one another, narrowed on their own: linked only through quantities
    a viewer knows within a range. A quantity known exactly (an analyst's own count, a zero, a
    count shown unrounded) is never narrowed, so it carries nothing from one relation to
    another, and relations that share only such quantities narrow apart exactly as together
    (the same relations met in the same order: `_narrow` takes them as a stack, and one part's
    work never touches another's)."""

    relations: list[int]  # indexes into the audit's relations, in order
    narrowed_by: dict[Node, set[int]]
    found: list[Node]
    complements: dict[Node, Node | None] = field(default_factory=dict)


class _Viewer:
    """What a viewer can work out, kept from one round of the audit to the next: a round
    suppresses a few counts, and only the parts holding one of them, or joined by a relation
    they made active, are narrowed again (a part untouched would narrow as before)."""

    def __init__(
        self,
        relations: list[Relation],
        values: Mapping[Node, int],
        hidden: Mapping[Node, int],
        fixed: Collection[Node],
        policy: Policy,
        uses: Mapping[Node, list[int]] | None = None,
    ) -> None:
        """`uses`: the relations each quantity is in, if indexed already."""
        self.relations, self.values, self.hidden = relations, values, hidden
        self.fixed, self.policy = fixed, policy
        self.members = [rel.members for rel in relations]
        if uses is None:
            uses = defaultdict(list)
            for i, members in enumerate(self.members):
                for n in members:
                    uses[n].append(i)
        self.uses = uses
        self._start_again()

    def _start_again(self) -> None:
        self.suppressed: frozenset[Node] | None = None
        # each quantity as `_known` has it, before any narrowing
        self.start: dict[Node, list[float]] = {}
        self.parent: dict[int, int] = {}  # the active relations, joined into parts
        self.link: dict[Node, int] = {}  # an active relation holding each ranged quantity
        self.part_of: dict[int, _Part] = {}
        self.found_in: dict[Node, _Part] = {}

    def _root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def _ranged(self, n: Node) -> bool:
        low, high = self.start[n]
        return low != high

    def pinned(self, suppressed: Collection[Node]) -> tuple[list[Node], dict[Node, set[int]]]:
        """`_pinned` for `suppressed`, a superset of what was suppressed last time (else the
        viewer starts again)."""
        now = frozenset(suppressed)
        if self.suppressed is not None and not self.suppressed <= now:
            self._start_again()
        values, relations = self.values, self.relations
        if self.suppressed is None:
            newly: Collection[Node] = now
            looked: Iterable[int] = range(len(relations))
        else:
            newly = now - self.suppressed
            looked = sorted({i for n in newly for i in self.uses.get(n, ())})
        self.suppressed = now

        def unseen(n: Node) -> bool:
            return n in now or n not in values

        # only relations with a member the viewer cannot see can give one away, or narrow one
        joined = [
            i for i in looked if i not in self.parent and any(unseen(n) for n in self.members[i])
        ]
        for i in joined:
            self.parent[i] = i
        unknown = {n for i in joined for n in self.members[i] if n not in self.start}
        self.start.update(_known(unknown | set(newly), values, now, self.fixed, self.policy))
        changed = set(joined)
        changed.update(i for n in newly for i in self.uses.get(n, ()) if i in self.parent)
        for i in sorted(changed):
            for n in self.members[i]:
                if not self._ranged(n):
                    continue
                j = self.link.setdefault(n, i)
                a, b = self._root(i), self._root(j)
                if a != b:
                    self.parent[max(a, b)] = min(a, b)
        dirty = {self._root(i) for i in changed}
        parts: dict[int, list[int]] = defaultdict(list)
        for i in self.parent:
            root = self._root(i)
            if root in dirty:
                parts[root].append(i)
        for members in parts.values():
            members.sort()
            self._narrowed(members, unseen)
        found, narrowed_by = [], {}
        for part in {id(p): p for p in self.part_of.values()}.values():
            found += part.found
            narrowed_by.update(part.narrowed_by)
        return sorted(found), narrowed_by

    def _narrowed(self, members: list[int], unseen: Callable[[Node], bool]) -> None:
        """Narrows one part afresh, from what the viewer is shown."""
        relations = [self.relations[i] for i in members]
        bounds: dict[Node, list[float]] = {}
        narrowed_by = _narrow(relations, bounds, members, self.start)
        found = []
        for n in narrowed_by:  # an unseen count is known up to infinity until narrowed
            b = bounds[n]
            if b[0] == b[1] and unseen(n):
                v = self.values.get(n, self.hidden.get(n))
                if v and is_small(v, self.policy):
                    found.append(n)
        part = _Part(members, narrowed_by, found)
        for i in members:
            self.part_of[i] = part
        for n in found:
            self.found_in[n] = part

    def complement(
        self,
        n: Node,
        narrowed_by: Mapping[Node, set[int]],
        may_hide: Callable[[Node], bool],
        loss: Callable[[Node], tuple],
    ) -> Node | None:
        """`_complement` of a count found pinned, kept with its part: while the part is
        untouched no member of its relations was suppressed, so the same one would be chosen."""
        part = self.found_in[n]
        if n not in part.complements:
            part.complements[n] = _complement(n, self.relations, narrowed_by, may_hide, loss)
        return part.complements[n]


def _pinned(
    relations: list[Relation],
    values: Mapping[Node, int],
    hidden: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
) -> tuple[list[Node], dict[Node, set[int]]]:
    """The small hidden counts the relations together pin to one value, and for every quantity
    the relations that narrowed it (indexes into `relations`)."""
    return _Viewer(relations, values, hidden, fixed, policy).pinned(suppressed)


def exposed(
    relations: list[Relation],
    values: Mapping[Node, int],
    hidden: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
) -> dict[Node, set[int]]:
    """Each small hidden count the relations together pin to one value, with the relations that
    narrowed it (indexes into `relations`)."""
    found, narrowed_by = _pinned(relations, values, hidden, suppressed, fixed, policy)
    return {n: narrowed_by.get(n, set()) for n in found}


def _may_hide(
    m: Node, values: Mapping[Node, int], hidden_now: Collection[Node], fixed: Collection[Node]
) -> bool:
    """Whether `m` is a shown count that may still be hidden (zeros are always shown)."""
    return m in values and m not in hidden_now and m not in fixed and values[m] != 0


def _complement(
    n: Node,
    relations: list[Relation],
    narrowed_by: Mapping[Node, set[int]],
    may_hide: Callable[[Node], bool],
    loss: Callable[[Node], tuple],
) -> Node | None:
    """A shown count to hide for `n`: the one that loses least among the members of the
    relations that narrowed it, or if all of theirs are hidden already, of the relations that
    narrowed those, and so on back along the chain (`DEPTH` relations back at most: a chain
    hidden all along its length is searched no further)."""
    seen, frontier = {n}, [n]
    for _ in range(DEPTH):
        rels = sorted({i for m in frontier for i in narrowed_by.get(m, ())})
        members = {m for i in rels for m in relations[i].members} - seen
        candidates = [m for m in members if may_hide(m)]
        if candidates:
            return min(candidates, key=loss)
        seen |= members
        frontier = sorted(members)
        if not frontier:
            break
    return None


def audit(
    relations: list[Relation],
    values: Mapping[Node, int],
    hidden: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
    loss: Callable[[Node], tuple],
    staff: Mapping[str, int] | None = None,
    declared: Declared | None = None,
) -> set[Node]:
    """`suppressed` with what must go too so that no small count can be worked out from the
    relations together (see the module docstring). `declared`: `Declared.of(relations)`, if
    made already."""
    out = set(suppressed)
    declared = declared or Declared.of(relations)
    # `obeyed` leaves no relation guessed: then `protect`'s index is every relation's
    uses = declared.by_node if declared.relations == relations else None
    viewer = _Viewer(relations, values, hidden, fixed, policy, uses)
    for _ in range(ROUNDS):
        found, narrowed_by = viewer.pinned(out)
        if not found:
            return out

        may_hide = partial(_may_hide, values=values, hidden_now=frozenset(out), fixed=fixed)
        added = {c for n in found if (c := viewer.complement(n, narrowed_by, may_hide, loss))}
        if not added:
            return out  # nothing left to hide for them
        out = protect(declared, values, hidden, out | added, fixed, policy, staff, since=added)
    return out


__all__ = ["DEPTH", "ROUNDS", "audit", "exposed", "obeyed"]
