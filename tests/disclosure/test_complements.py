"""Complements chosen by size (`least_loss`) still leave nothing to subtract: random tables.

Each example is a system and one to three organisations of random sizes (some over
`spare_above` staff, some not), each with a table of two cells and their whole ("Substantive",
"Bank only", "All") by three groups and their total, so each count is in three relations: its
groups to its total, its cells to their whole, its organisations to the system (an exact sum,
or a bound as for people counted once in the system). Small counts are drawn often. The check
is written plainly from the relations, not with `_giveaway`: an exact sum with one member hidden
gives it away; a bound, a small one.
"""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from equitrack.disclosure import Node, Relation, policy_for, protect
from equitrack.disclosure.counts import is_small

POLICY = replace(policy_for("board"), rounding_base=1)
SYSTEM = "system:QX1"
CELLS = ("Substantive", "Bank only")
GROUPS = ("White", "BME", "Unknown")
count = st.one_of(st.integers(0, 9), st.integers(0, 60), st.integers(0, 3000))


def node(unit: str, cell: str, group: str) -> Node:
    return Node("bank1:members", unit, 2026, 1, "", cell, "", group)


@st.composite
def tables(draw):
    orgs = [f"R{i}" for i in range(draw(st.integers(1, 3)))]
    staff = {o: draw(st.sampled_from((120, 900, 1000, 1001, 6000))) for o in orgs}
    values: dict[Node, int] = {}
    for o in orgs:
        for c in CELLS:
            for g in GROUPS:
                values[node(o, c, g)] = draw(count)
    exact = draw(st.booleans())
    for c in CELLS:  # the system: the sum, or less by people two organisations both count
        for g in GROUPS:
            each = [values[node(o, c, g)] for o in orgs]
            drawn = draw(st.integers(max(each), sum(each)))
            values[node(SYSTEM, c, g)] = sum(each) if exact else drawn
    for u in [*orgs, SYSTEM]:
        for g in GROUPS:
            values[node(u, "All", g)] = sum(values[node(u, c, g)] for c in CELLS)
        for c in (*CELLS, "All"):
            values[node(u, c, "*total")] = sum(values[node(u, c, g)] for g in GROUPS)
    return orgs, staff, values, exact


def relations_of(orgs: list[str], exact: bool) -> list[Relation]:
    rels = []
    for u in [*orgs, SYSTEM]:
        for c in (*CELLS, "All"):
            parts = tuple(node(u, c, g) for g in GROUPS)
            rels.append(Relation(node(u, c, "*total"), parts, True, "groups"))
        for g in (*GROUPS, "*total"):
            parts = tuple(node(u, c, g) for c in CELLS)
            rels.append(Relation(node(u, "All", g), parts, True, "cells"))
    for c in (*CELLS, "All"):
        for g in (*GROUPS, "*total"):
            parts = tuple(node(o, c, g) for o in orgs)
            rels.append(Relation(node(SYSTEM, c, g), parts, exact, "organisations"))
    return rels


@settings(max_examples=200, deadline=None)
@given(tables())
def test_no_relation_gives_a_suppressed_count_away(drawn) -> None:
    orgs, staff, values, exact = drawn
    rels = relations_of(orgs, exact)
    small = {n for n, v in values.items() if is_small(v, POLICY)}
    hidden = protect(rels, values, {}, small, set(), POLICY, staff)
    assert small <= hidden
    assert all(values[n] != 0 for n in hidden)  # a zero is never hidden
    for rel in rels:
        unseen = [n for n in rel.members if n in hidden]
        if len(unseen) == 1:
            # a bound leaves a hidden count unlimited on one side: enough for a complement
            assert not rel.exact and not is_small(values[unseen[0]], POLICY), (rel, values)
