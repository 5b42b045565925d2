"""Secondary suppression on small hand-checked tables: nothing found by subtraction."""

from equitrack.disclosure import Node, Relation, gate, policy_for, protect, read, relations
from tests.disclosure.builders import by, representation

SYSTEMS = {"system:QX1": ("RX1", "RX2")}
PUBLIC = policy_for("public")


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
    out = gate(representation(cells), "public")
    hidden = {(r.breakdown, r.group) for r in out if r.numerator is None}
    assert hidden == {
        ("Clinical | Band 5", "Unknown"),  # 3: primary
        ("Clinical | Band 5", "BME"),  # smallest other in its band
        ("Clinical | Band 6", "Unknown"),  # else Unknown's column gives Band 5's
        ("Clinical | Band 6", "BME"),  # else BME's column gives Band 5's
    }
    assert shown(out, breakdown="Clinical | All", group="Unknown") == 15


def test_an_organisation_is_protected_against_its_system() -> None:
    rx1 = representation({"All": {"White": 100, "BME": 5}}, org="RX1")
    rx2 = representation({"All": {"White": 50, "BME": 30}}, org="RX2")
    system = representation({"All": {"White": 150, "BME": 35}}, org="system:QX1")
    for r in system:
        r.options = {"scope": {"orgs": [], "system": True}}
    out = gate(rx1 + rx2 + system, "public", systems=SYSTEMS)
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
    out = gate(wres + broad, "public")
    assert shown(out, group_type="broad", group="Black") is None
    assert shown(out, group_type="broad", group="Other") is None  # the smallest other part
    assert shown(out, group_type="wres", group="BME") == 45


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
    assert protect([rel], values, {unknown: 3}, set(), set(), PUBLIC) == {bme}
    assert protect([rel], values, {unknown: 30}, set(), set(), PUBLIC) == set()
    assert protect([rel], values, {unknown: 3}, set(), {bme, white, total}, PUBLIC) == set()
