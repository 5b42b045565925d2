"""Properties of the public gate on random count tables with their totals.

Each example is a small system: one to three organisations (and, maybe, their system as the
sum), a WRES 1 table by band with its column and grand totals, by WRES group and maybe by broad
group, and WRES 4 rows whose denominators are WRES 1's whole-workforce counts. Small counts are
drawn often, so suppression is common.
"""

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitrack.disclosure import audit, exposed, gate, policy_for, read, relations
from equitrack.measures.result import Result
from tests.disclosure.builders import comparison, representation

PUBLIC = policy_for("public")
BROAD = ("White", "Mixed", "Asian", "Black", "Other", "Unknown")
SYSTEM = "system:QX1"
COUNTS = ("numerator", "denominator", "excluded")


def wres_group(broad: str) -> str:
    return broad if broad in ("White", "Unknown") else "BME"


def cells_of(bands: dict[str, dict[str, int]], group_of) -> dict[str, dict[str, int]]:
    """WRES 1's cells from counts per band and broad group: bands, the column, the whole."""
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for band, groups in bands.items():
        for g, n in groups.items():
            for cell in (f"Clinical | {band}", "Clinical | All", "All"):
                cells[cell][group_of(g)] += n
    return {c: {g: n for g, n in gs.items() if n} for c, gs in cells.items() if any(gs.values())}


count = st.one_of(st.integers(0, 9), st.integers(0, 80))


@st.composite
def systems(draw):
    orgs = [f"RX{i}" for i in range(1, draw(st.integers(1, 3)) + 1)]
    bands = [f"Band {b}" for b in range(5, 5 + draw(st.integers(1, 3)))]
    counts = {o: {b: {g: draw(count) for g in BROAD} for b in bands} for o in orgs}
    trained = {o: {g: draw(st.floats(0, 1)) for g in ("White", "BME", "Unknown")} for o in orgs}
    return counts, trained, draw(st.booleans()), draw(st.booleans()) or len(orgs) == 1


def results_of(counts, trained, broad: bool, with_system: bool) -> list[Result]:
    units = dict(counts)
    if with_system:
        summed: dict = defaultdict(lambda: defaultdict(int))
        for bands in counts.values():
            for band, groups in bands.items():
                for g, n in groups.items():
                    summed[band][g] += n
        units[SYSTEM] = summed
    out: list[Result] = []
    for unit, bands in units.items():
        wres = cells_of(bands, wres_group)
        made = representation(wres, org=unit)
        if broad:
            made += representation(cells_of(bands, str), org=unit, group_type="broad")
        whole = wres.get("All", {})
        if "White" in whole:  # WRES 4: its denominators are WRES 1's whole-workforce counts
            share = trained.get(unit, trained[next(iter(trained))])
            made += comparison(
                {g: (round(share[g] * n), n) for g, n in whole.items()},
                org=unit,
                measure="wres4",
                orientation="benefit",
            )
        if unit == SYSTEM:
            for r in made:
                r.options = {**r.options, "scope": {"orgs": [], "system": True}}
        out += made
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_public_gate_properties(drawn) -> None:
    counts, trained, broad, with_system = drawn
    results = results_of(counts, trained, broad, with_system)
    mapping = {SYSTEM: tuple(counts)}
    out = gate(results, "public", systems=mapping)

    for r in out:
        for name in COUNTS:
            value = getattr(r, name)
            assert value is None or not 1 <= value <= 7, (name, r)
            assert value is None or value % 5 == 0, (name, r)

    figures = read(results)
    suppressed = {f.node for f in figures.shown if getattr(out[f.index], f.field) is None}
    shown_as: dict = defaultdict(set)
    for f in figures.shown:
        shown_as[f.node].add(getattr(out[f.index], f.field))
    assert all(len(v) == 1 for v in shown_as.values()), "one quantity shown two ways"

    rels = relations(figures, mapping)
    values = figures.values()
    for rel in rels:  # every declared relation holds on the exact counts
        if not rel.guessed:
            total, parts = values.get(rel.total, 0), sum(values.get(p, 0) for p in rel.parts)
            assert total == parts if rel.exact else total <= parts, rel
    assert not exposed(rels, values, figures.hidden, suppressed, set(), PUBLIC)
    # nor do the relations together, as a viewer who guessed right would use them
    together = audit.obeyed(rels, values, figures.hidden)
    assert audit.exposed(together, values, figures.hidden, suppressed, set(), PUBLIC) == {}

    for before, after in zip(results, out, strict=True):
        if after.ratio is not None:
            reference = next(
                x for x in results if x.measure == before.measure and x.org == before.org
                and x.group == before.reference_group
            )  # fmt: skip
            sides = (before.numerator, before.denominator, reference.numerator,
                     reference.denominator)  # fmt: skip
            assert min(sides) >= 8
