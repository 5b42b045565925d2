"""The audit narrows apart what narrows apart, and keeps what a round did not touch.

A viewer's bounds are narrowed part by part (relations linked only through quantities known
within a range), and kept from one round of suppression to the next where nothing of a part
changed. Both are shortcuts: on random relations, each must find exactly what narrowing every
relation at once finds (the same counts pinned, and the same relations narrowing each one,
which decide the complement chosen).
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitrack.disclosure import audit, policy_for
from equitrack.disclosure.counts import is_small
from equitrack.disclosure.figures import Node
from equitrack.disclosure.policy import Policy
from equitrack.disclosure.secondary import Relation

BOARD = policy_for("board")
#: Shown counts exact, so many quantities are known exactly and relations fall into parts.
UNROUNDED = replace(BOARD, rounding_base=1)


def node(i: int) -> Node:
    return Node("staff in post", "RXA", 2026, 1, "", "All", "wres", f"g{i:03}")


@st.composite
def tables(draw):
    """Counts with sums over them (exact, or bounds that hold), some counts shown nowhere or
    only implied, and what is suppressed and fixed (an analyst's own) at the start."""
    count = st.one_of(st.integers(0, 9), st.integers(0, 60))
    values = {node(i): draw(count) for i in range(draw(st.integers(2, 14)))}
    relations = []
    for _ in range(draw(st.integers(1, 12))):
        known = sorted(values)
        parts = draw(st.lists(st.sampled_from(known), min_size=2, max_size=4, unique=True))
        exact = draw(st.booleans())
        total = node(len(values))
        values[total] = sum(values[p] for p in parts) - (0 if exact else draw(st.integers(0, 3)))
        values[total] = max(values[total], 0)
        relations.append(Relation(total, tuple(sorted(parts)), exact, "drawn"))
    everything = sorted(values)
    unshown = set(draw(st.lists(st.sampled_from(everything), max_size=3)))
    hidden = {n: values[n] for n in unshown if draw(st.booleans())}
    shown = {n: v for n, v in values.items() if n not in unshown}
    small = [n for n, v in shown.items() if is_small(v, BOARD)]
    suppressed = set(draw(st.lists(st.sampled_from(small), unique=True))) if small else set()
    others = sorted(set(shown) - suppressed)
    fixed = set(draw(st.lists(st.sampled_from(others), unique=True))) if others else set()
    rounds = (
        draw(st.lists(st.lists(st.sampled_from(others), max_size=3), max_size=3)) if others else []
    )
    return relations, shown, hidden, suppressed, fixed, rounds


def all_at_once(
    relations: list[Relation],
    values: dict[Node, int],
    hidden: dict[Node, int],
    suppressed: set[Node],
    fixed: set[Node],
    policy: Policy,
) -> tuple[list[Node], dict[Node, set[int]]]:
    """Every relation with a member the viewer cannot see narrowed together, in order."""

    def unseen(n: Node) -> bool:
        return n in suppressed or n not in values

    active = [i for i, rel in enumerate(relations) if any(unseen(n) for n in rel.members)]
    nodes = {n for i in active for n in relations[i].members}
    bounds = audit._known(nodes, values, suppressed, fixed, policy)
    narrowed = audit._narrow([relations[i] for i in active], bounds, active)
    found = [
        n
        for n in nodes
        if unseen(n)
        and (v := values.get(n, hidden.get(n)))
        and bounds[n][0] == bounds[n][1]
        and is_small(v, policy)
    ]
    return sorted(found), dict(narrowed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from([BOARD, UNROUNDED]))
def test_parts_and_later_rounds_find_what_narrowing_everything_at_once_finds(drawn, policy):
    relations, values, hidden, suppressed, fixed, rounds = drawn
    viewer = audit._Viewer(relations, values, hidden, fixed, policy)
    now = set(suppressed)
    for more in [[], *rounds]:
        now |= set(more) - fixed
        found, narrowed_by = viewer.pinned(now)
        expected_found, expected_by = all_at_once(relations, values, hidden, now, fixed, policy)
        assert found == expected_found
        assert {n: s for n, s in narrowed_by.items() if s} == expected_by
