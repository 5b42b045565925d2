"""Secondary suppression on small hand-checked tables: nothing found by subtraction.

Most tables here are gated without rounding (`UNROUNDED`), so that a subtraction gives a count
exactly and the relations alone decide what is hidden; an exact relation is protected the same
rounded or not, a bound only for a small count
(`test_a_bound_gives_away_a_small_count_but_not_a_complement`).
"""

from dataclasses import replace

from equitrack.disclosure import (
    Node,
    Relation,
    exposed,
    gate,
    policy_for,
    protect,
    read,
    relations,
)
from equitrack.disclosure.figures import ALL
from tests.disclosure.builders import by, representation

SYSTEMS = {"system:QX1": ("RX1", "RX2")}
PUBLIC = policy_for("public")
UNROUNDED = replace(PUBLIC, rounding_base=1)


def shown(out, **where):
    return by(out, **where).numerator


def test_a_lone_suppressed_cell_takes_the_smallest_other_with_it() -> None:
    out = gate(representation({"All": {"White": 52, "BME": 27, "Unknown": 6}}), "public")
    assert shown(out, group="Unknown") is None
    assert shown(out, group="BME") is None  # else BME = 85 - 50 - Unknown gives Unknown
    assert shown(out, group="White") == 50 and by(out, group="White").denominator == 85


def test_bands_and_their_column_totals_protect_each_other() -> None:
    band5 = {"White": 30, "BME": 20, "Unknown": 3}
    band6 = {"White": 40, "BME": 25, "Unknown": 10}
    clinical = {g: band5[g] + band6[g] for g in band5}
    cells = {
        "Clinical | Band 5": band5,
        "Clinical | Band 6": band6,
        "Clinical | All": clinical,
        "All": clinical,
    }
    out = gate(representation(cells), UNROUNDED)
    hidden = {(r.breakdown, r.group) for r in out if r.numerator is None}
    assert hidden == {
        ("Clinical | Band 5", "Unknown"),  # 3: primary
        ("Clinical | Band 5", "BME"),  # smallest other in its band
        ("Clinical | Band 6", "Unknown"),  # else Unknown's column gives Band 5's
        ("Clinical | Band 6", "BME"),  # else BME's column gives Band 5's
    }
    assert shown(out, breakdown="Clinical | All", group="Unknown") == 13


def test_an_organisation_is_protected_against_its_system() -> None:
    rx1 = representation({"All": {"White": 100, "BME": 5}}, org="RX1")
    rx2 = representation({"All": {"White": 50, "BME": 30}}, org="RX2")
    system = representation({"All": {"White": 150, "BME": 35}}, org="system:QX1")
    for r in system:
        r.options = {"scope": {"orgs": [], "system": True}}
    out = gate(rx1 + rx2 + system, UNROUNDED, systems=SYSTEMS)
    for org in ("RX1", "RX2"):
        assert shown(out, org=org, group="BME") is None
        assert shown(out, org=org, group="White") is None
    assert shown(out, org="system:QX1", group="BME") == 35
    assert by(out, org="RX1", group="White").denominator == 105


def test_black_cannot_be_found_from_bme_less_the_other_broad_groups() -> None:
    wres = representation({"All": {"White": 60, "BME": 44}})
    broad = representation(
        {"All": {"White": 60, "Black": 5, "Asian": 20, "Mixed": 10, "Other": 9}},
        group_type="broad",
    )
    out = gate(wres + broad, UNROUNDED)
    assert shown(out, group_type="broad", group="Black") is None
    assert shown(out, group_type="broad", group="Other") is None  # the smallest other part
    assert shown(out, group_type="wres", group="BME") == 44


def test_the_declared_relations_are_the_expected_ones() -> None:
    wres = representation({"All": {"White": 60, "BME": 44}})
    broad = representation({"All": {"White": 60, "Black": 44}}, group_type="broad")
    rules = sorted(r.rule for r in relations(read(wres + broad)))
    assert rules == [
        "broad groups add up to wres",  # BME = Black
        "broad groups add up to wres",  # White = White
        "groups add up to the cell's total",  # broad
        "groups add up to the cell's total",  # wres
    ]


def test_a_small_count_shown_nowhere_but_found_by_subtraction_is_protected() -> None:
    def node(group: str) -> Node:
        return Node("staff in post", "RX1", 2026, 1, "", "All", "wres", group)

    total = node("*total")._replace(group_type="")
    white, bme, unknown = node("White"), node("BME"), node("Unknown")
    rel = Relation(total, (bme, unknown, white), exact=True, rule="groups")
    values = {total: 103, white: 60, bme: 40}  # Unknown (3) is not shown, but is 103 - 100
    assert protect([rel], values, {unknown: 3}, set(), set(), UNROUNDED) == {bme}
    assert protect([rel], values, {unknown: 30}, set(), set(), UNROUNDED) == set()
    assert protect([rel], values, {unknown: 3}, set(), {bme, white, total}, UNROUNDED) == set()
    assert protect([rel], values, {unknown: 3}, set(), set(), PUBLIC) == {bme}


def _relation_of_three(policy):
    """System = BIG + MID + SMALL exactly, SMALL's count suppressed, no rounding (so
    subtraction gives it exactly)."""
    node = Node("applications", "", 2026, 1, "", "All", "wres", "BME")
    system, big, mid, small = (node._replace(unit=u) for u in ("system:QX1", "BIG", "MID", "SMALL"))
    rel = Relation(system, (big, mid, small), True, "organisations add up to their system")
    values = {system: 140, big: 90, mid: 47, small: 3}
    return rel, values, replace(policy, rounding_base=1), (system, big, mid, small)


def test_a_systems_figure_is_not_hidden_when_a_much_smaller_organisations_will_do() -> None:
    rel, values, policy, (system, big, mid, small) = _relation_of_three(PUBLIC)
    staff = {"BIG": 9000, "MID": 2500, "SMALL": 305}
    # weighed: MID 47 x 2 = 94, BIG 90 x 2 = 180, the system's 140 x 4 = 560
    assert protect([rel], values, {}, {small}, set(), policy, staff) == {small, mid}
    assert protect([rel], values, {}, {small}, {mid}, policy, staff) == {small, big}
    # only when no organisation's figure may go does the system's
    assert protect([rel], values, {}, {small}, {mid, big}, policy, staff) == {small, system}


def test_a_large_organisation_is_spared_only_for_a_figure_of_comparable_size() -> None:
    """A small organisation's cell goes before a large organisation's up to twice its size."""
    node = Node("applications", "", 2026, 1, "", "All", "wres", "BME")
    system, big, ours, tiny = (node._replace(unit=u) for u in ("system:QX1", "BIG", "OURS", "TINY"))
    rel = Relation(system, (big, ours, tiny), True, "organisations add up to their system")
    staff = {"BIG": 9000, "OURS": 400, "TINY": 120}
    policy = replace(PUBLIC, rounding_base=1)
    values = {system: 110, big: 47, ours: 60, tiny: 3}  # OURS 60 against BIG's 47 x 2 = 94
    assert protect([rel], values, {}, {tiny}, set(), policy, staff) == {tiny, ours}
    values = {system: 150, big: 47, ours: 100, tiny: 3}  # OURS 100: over twice BIG's 47
    assert protect([rel], values, {}, {tiny}, set(), policy, staff) == {tiny, big}


def test_protecting_an_organisations_cell_does_not_hide_the_systems_headline_total() -> None:
    """Bank WRES 1 on LLR, in small: RWE's 3 bank-only staff are protected by RT5's 40, not by
    the system's 43, which the system's Substantive + Bank only = All would then make 23,953
    Substantive staff go too (what the order by organisation size alone did)."""
    node = Node("bank1:members", "", 2026, 1, "bank1", "", "", "*total")
    units = {"system:QK1": (23953, 43), "RWE": (17189, 3), "RT5": (6764, 40)}
    cells: dict[tuple[str, str], Node] = {}
    values: dict[Node, int] = {}
    for unit, (substantive, bank_only) in units.items():
        for cell, value in (("Substantive", substantive), ("Bank only", bank_only)):
            cells[unit, cell] = node._replace(unit=unit, cell=cell)
            values[cells[unit, cell]] = value
        cells[unit, ALL] = node._replace(unit=unit, cell=ALL, layout="")
        values[cells[unit, ALL]] = substantive + bank_only
    rels = [
        Relation(cells[u, ALL], (cells[u, "Substantive"], cells[u, "Bank only"]), True, "cells")
        for u in units
    ] + [
        Relation(cells["system:QK1", c], (cells["RWE", c], cells["RT5", c]), True, "units")
        for c in ("Substantive", "Bank only", ALL)
    ]
    staff = {"RWE": 17189, "RT5": 6764, "QK1": 320}
    policy = replace(PUBLIC, rounding_base=1)
    hidden = protect(rels, values, {}, {cells["RWE", "Bank only"]}, set(), policy, staff)
    assert hidden == {
        cells["RWE", "Bank only"],
        cells["RWE", "Substantive"],  # RWE's own cells: the smaller of Substantive and All
        cells["RT5", "Bank only"],  # 40 x 2 = 80 against the system's 43 x 4 = 172
        cells["RT5", "Substantive"],
    }
    assert not exposed(rels, values, {}, hidden, set(), policy)


def test_a_bound_gives_away_a_small_count_but_not_a_complement() -> None:
    """A system's staff are at most the sum of its organisations': subtraction gives a hidden
    organisation's count a lower limit only. A count hidden as a complement (not small) needs
    no more hidden; a small one does, as an exact relation's does."""
    node = Node("staff in post", "", 2026, 1, "", "All", "wres", "BME")
    system, big, small = (node._replace(unit=u) for u in ("system:QX1", "BIG", "SMALL"))
    bound = Relation(system, (big, small), False, "organisations add up to their system (at most)")
    staff = {"BIG": 9000, "SMALL": 305}
    # SMALL's 83 was hidden to protect one of its own cells: the bound says only "at least 73"
    values = {system: 9000, big: 8917, small: 83}
    assert protect([bound], values, {}, {small}, set(), PUBLIC, staff) == {small}
    values = {system: 9000, big: 8995, small: 5}  # BIG's 8,995 goes, the smaller
    assert protect([bound], values, {}, {small}, set(), PUBLIC, staff) == {small, big}
    exact = Relation(system, (big, small), True, "organisations add up to their system")
    values = {system: 9000, big: 8917, small: 83}
    assert protect([exact], values, {}, {small}, set(), PUBLIC, staff) == {small, big}
