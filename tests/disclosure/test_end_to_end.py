"""The gate on the WRES family measured on the generated mini system (two organisations and
their system), by WRES group and by broad group, for two years."""

import copy
import re
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest

from equitrack import api
from equitrack.disclosure import exposed, gate, policy_for, read, relations, systems_of
from equitrack.measures.result import Result
from equitrack.stats import compare, proportion
from equitrack.store import Store

YEARS = (2025, 2026)
PUBLIC = policy_for("public")
COUNTS = ("numerator", "denominator", "excluded")


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store], mini_measured: None) -> Store:
    return loaded_system("mini")


@pytest.fixture(scope="module")
def wres(mini: Store) -> list[Result]:
    results: list[Result] = []
    for by in ("wres", "broad"):
        results += api.run("wres", YEARS, store=mini, by=by)
        results += api.run("wres", YEARS, store=mini, system=True, by=by)
    return results


def hidden(shown: Result, field: str) -> bool:
    """Whether a figure is not shown on this row: a count that is None, or WRES 9's workforce
    figures, shown only through the share in its reason."""
    if field in COUNTS:
        return getattr(shown, field) is None
    return "workforce share not shown" in (shown.reason or "")


def test_every_declared_relation_sums_on_the_ungated_results(wres, mini) -> None:
    figures = read(wres)
    assert not figures.conflicts, "a quantity mapped to one node holds two values"
    rels = relations(figures, systems_of(mini))
    values = {**figures.values(), **figures.hidden}
    checked: Counter[str] = Counter()
    for rel in rels:
        if rel.guessed or any(m not in values for m in rel.members):
            continue  # a guess (the audit's), or a member not in this output
        total, parts = values[rel.total], sum(values[p] for p in rel.parts)
        assert total == parts if rel.exact else total <= parts, rel
        checked[rel.rule] += 1
    assert set(checked) == {
        "groups add up to the cell's total",  # WRES 1 cells, WRES 9 seats
        "hierarchy cells add up to their total",  # WRES 1 bands, columns, whole
        "seats cells add up to their total",  # WRES 9: Executive + Non-executive = All
        "broad groups add up to wres",  # all but WRES 9's workforce
        "organisations add up to their system (at most)",  # people: once per unit
        "organisations add up to their system (exact)",  # applications, survey respondents
        "2 years add up to the pooled figure",  # WRES 3 against WRES 1 and WRES 4
    }, checked
    # WRES 4's trained staff can be more in the system than in its organisations together
    # (a viewer may guess it all the same: the audit tries it, where the data obey it)
    assert not any(
        r.total.source.startswith("wres4:events") and "system" in r.rule and not r.guessed
        for r in rels
    )


def test_one_quantity_shown_by_several_measures_is_one_node(wres) -> None:
    figures = read(wres)
    measures = defaultdict(set)
    for f in figures.shown:
        measures[f.node].add(wres[f.index].measure)
    shared = {frozenset(ms) for ms in measures.values() if len(ms) > 1}
    assert frozenset({"wres1", "wres4", "wres9"}) in shared  # the staff in post at 31 March


def test_the_public_gate_on_real_results(wres, mini) -> None:
    systems = systems_of(mini)
    before = copy.deepcopy([r.record() for r in wres])
    out = gate(wres, "public", systems=systems)
    assert [r.record() for r in wres] == before, "the gate changed its inputs"

    for r in out:
        assert r.options["disclosure"] == PUBLIC.describe()
        for name in COUNTS:
            value = getattr(r, name)
            if r.measure == "wres9":  # board membership is public by nature: exact
                exact = wres[[id(x) for x in out].index(id(r))]
                assert value == getattr(exact, name), (name, r)
                continue
            assert value is None or (not 1 <= value <= 7 and value % 5 == 0), (name, r)
        if r.rate is not None and r.numerator is not None:
            assert r.rate == proportion(r.numerator, r.denominator).rate
        if r.reason:  # no exact count left in words
            assert not re.search(r"(events|population) \d", r.reason), r.reason
            staff = re.search(r"of ([\d,]+) staff", r.reason)
            assert staff is None or int(staff.group(1).replace(",", "")) % 5 == 0

    figures = read(wres)
    seen = defaultdict(list)
    for f in figures.shown:
        seen[f.node].append(not hidden(out[f.index], f.field))
    suppressed = {node for node, shown in seen.items() if not any(shown)}
    rels = relations(figures, systems)
    assert suppressed and not exposed(
        rels, figures.values(), figures.hidden, suppressed, set(), PUBLIC
    )

    index = {(r.measure, r.org, r.period, r.group_type, r.group): i for i, r in enumerate(wres)}
    met: Counter[str] = Counter()  # each check below must meet at least one case
    for exact, shown in zip(wres, out, strict=True):
        if shown.ratio is not None:
            j = index[(exact.measure, exact.org, exact.period, exact.group_type, "White")]
            ref, ref_shown = wres[j], out[j]
            counts = (exact.numerator, exact.denominator, ref.numerator, ref.denominator)
            assert min(counts) >= 8
            # a reader recomputing from the shown counts gets the shown ratio and interval
            again = compare(
                shown.numerator, shown.denominator, ref_shown.numerator, ref_shown.denominator,
                orientation=exact.orientation,
            )  # fmt: skip
            assert (shown.ratio, shown.ratio_ci_low, shown.ratio_ci_high, shown.p_value) == (
                again.ratio, again.ci_low, again.ci_high, again.p_value
            )  # fmt: skip
            assert shown.verdict == str(again.verdict)
            met["ratio"] += 1
            if shown.ratio != exact.ratio:
                met["ratio from rounded counts"] += 1
        elif exact.ratio is not None:
            met["ratio cleared"] += 1
        if exact.measure in ("wres5", "wres6", "wres7", "wres8") and exact.denominator < 11:
            assert shown.suppressed and shown.numerator is shown.denominator is shown.rate is None
            met["small survey group"] += 1
    assert set(met) == {
        "ratio",
        "ratio from rounded counts",
        "ratio cleared",
        "small survey group",
    }, met


def test_wres9_differences_come_from_the_shown_board_and_workforce(wres, mini) -> None:
    out = gate(wres, "public", systems=systems_of(mini))
    checked = 0
    for shown in out:
        if shown.measure != "wres9" or shown.difference is None:
            continue
        staff = re.fullmatch(r"([\d.]+)% of ([\d,]+) staff", shown.reason or "")
        assert staff is not None and shown.rate is not None
        share = 100 * shown.rate - shown.difference  # the workforce share, in per cent
        assert f"{share:.1f}" == staff.group(1)
        checked += 1
    assert checked


def test_an_analysts_own_organisation_passes_exact(wres, mini) -> None:
    out = gate(wres, "public", exact_orgs={"RXA"}, systems=systems_of(mini))
    for exact, shown in zip(wres, out, strict=True):
        if exact.org == "RXA":
            assert shown.record() | {"options": exact.options} == exact.record()
        elif exact.measure != "wres9":  # board membership is public by nature
            assert not any(1 <= (getattr(shown, n) or 0) <= 7 for n in COUNTS)


@pytest.mark.parametrize("family", ["wdes", "bank-wres", "scrutiny"])
def test_relations_hold_and_nothing_is_exposed_in_the_other_families(mini, family) -> None:
    results = api.run(family, (2026,), store=mini) + api.run(
        family, (2026,), store=mini, system=True
    )
    systems = systems_of(mini)
    figures = read(results)
    assert not figures.conflicts
    rels = relations(figures, systems)
    values = {**figures.values(), **figures.hidden}
    for rel in rels:
        if not rel.guessed and all(m in values for m in rel.members):
            total, parts = values[rel.total], sum(values[p] for p in rel.parts)
            assert total == parts if rel.exact else total <= parts, rel
    out = gate(results, "public", systems=systems)
    seen = defaultdict(list)
    for f in figures.shown:
        seen[f.node].append(not hidden(out[f.index], f.field))
    suppressed = {node for node, shown in seen.items() if not any(shown)}
    assert not exposed(rels, figures.values(), figures.hidden, suppressed, set(), PUBLIC)
    for r in out:
        if not (r.breakdown or "").startswith("Needed for parity"):  # worked out, not counted
            assert not any(1 <= (getattr(r, n) or 0) <= 7 for n in COUNTS), r


def test_wres9_alone_protects_the_unknown_workforce_it_implies(mini) -> None:
    """WRES 9 shows each group's workforce share and the workforce size, never Unknown's
    share; Unknown's count is their difference, a hidden member of the workforce's total."""
    results = api.run("wres", YEARS, store=mini, measures=["wres9"])
    figures = read(results)
    assert figures.hidden and all(n.group == "Unknown" for n in figures.hidden)
    rels = relations(figures)
    values = {**figures.values(), **figures.hidden}
    with_hidden = [r for r in rels if any(m in figures.hidden for m in r.members)]
    assert with_hidden
    for rel in with_hidden:
        assert values[rel.total] == sum(values[p] for p in rel.parts)
    out = gate(results, "public")
    seen = defaultdict(list)
    for f in figures.shown:
        seen[f.node].append(not hidden(out[f.index], f.field))
    suppressed = {node for node, shown in seen.items() if not any(shown)}
    assert not exposed(rels, figures.values(), figures.hidden, suppressed, set(), PUBLIC)
