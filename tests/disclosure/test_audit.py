"""The audit: counts only a chain of relations gives away, worked by hand.

Three sums over three hidden counts, each with two of them: secondary suppression is content
with every one (no sum has a single unseen member), yet together they pin each count:
x + y = 21, y + z = 50, x + z = 31 give x = 1.
"""

from __future__ import annotations

from dataclasses import replace

from equitrack.disclosure import audit, policy_for, protect
from equitrack.disclosure.figures import Node
from equitrack.disclosure.secondary import Relation, least_loss

#: No rounding, so a subtraction gives a count exactly and the hand working is short.
UNROUNDED = replace(policy_for("public"), rounding_base=1)


def node(name: str, unit: str = "RXA") -> Node:
    return Node("staff in post", unit, 2026, 1, "", "All", "broad", name)


X, Y, Z = node("x"), node("y"), node("z")
T1, T2, T3 = node("x+y"), node("y+z"), node("x+z")
VALUES = {X: 1, Y: 20, Z: 30, T1: 21, T2: 50, T3: 31}
CHAIN = [
    Relation(T1, (X, Y), True, "x and y"),
    Relation(T2, (Y, Z), True, "y and z"),
    Relation(T3, (X, Z), True, "x and z"),
]


def test_each_sum_is_safe_alone_but_together_they_give_x_away() -> None:
    hidden = {X, Y, Z}
    assert protect(CHAIN, VALUES, {}, hidden, set(), UNROUNDED) == hidden  # nothing more
    found = audit.exposed(CHAIN, VALUES, {}, hidden, set(), UNROUNDED)
    # z = 50 - y >= 50 - 20 = 30 and z <= 31 - 1 = 30; then x <= 31 - 30 = 1
    assert set(found) == {X}
    assert found[X] <= {0, 1, 2}  # the sums that narrowed it


def test_the_audit_hides_a_sum_until_nothing_is_given_away() -> None:
    hidden = {X, Y, Z}
    loss = least_loss(VALUES, UNROUNDED)
    out = audit.audit(CHAIN, VALUES, {}, hidden, set(), UNROUNDED, loss)
    assert out > hidden
    assert out - hidden <= {T1, T2, T3}
    assert audit.exposed(CHAIN, VALUES, {}, out, set(), UNROUNDED) == {}


def test_rounding_is_allowed_for() -> None:
    """Rounded to 5 the same sums pin nothing: 21 shows as 20 (19 to 22), and so on."""
    board = policy_for("board")
    assert audit.exposed(CHAIN, VALUES, {}, {X, Y, Z}, set(), board) == {}


def test_a_guessed_sum_is_used_only_where_the_counts_obey_it() -> None:
    """A system's records against its organisations': kept as exact where the counts add up,
    as a bound where they add up to more, and dropped where they add up to less."""
    parts = (node("n", "RXA"), node("n", "QXA"))
    whole = node("n", "system:QXA")
    guess = Relation(whole, parts, False, "organisations add up to their system", True)

    def used(total: int) -> list[Relation]:
        return audit.obeyed([guess], {parts[0]: 3, parts[1]: 9, whole: total}, {})

    assert [(r.exact, r.guessed) for r in used(12)] == [(True, False)]
    assert [(r.exact, r.guessed) for r in used(11)] == [(False, False)]
    assert used(13) == []


def test_a_count_no_output_shows_is_taken_as_none_where_the_sum_holds_without_it() -> None:
    """A staff group with nobody in the cell has no row: a viewer reads it as none."""
    whole, shown, absent = node("all"), node("a"), node("b")
    bound = Relation(whole, (absent, shown), False, "staff groups add up to the whole")
    (used,) = audit.obeyed([bound], {whole: 5, shown: 5}, {})
    assert used.exact and used.parts == (shown,)
    (kept,) = audit.obeyed([bound], {whole: 6, shown: 5}, {})  # the absent one makes up 1
    assert kept == bound
