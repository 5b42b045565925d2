"""The dashboard's questions read from the release's answers (`release.answered`) are what
measuring them would give, field by field and in order, so a page after a restart can read
them back instead of measuring; a question the release did not ask is measured."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitrack import api, release
from equitrack.measures.calendar import Interval
from equitrack.measures.covered import is_no_data
from equitrack.measures.declare import OptionError
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result, compared, rated, readjusted
from equitrack.stats import Orientation, adjust_for_multiplicity, compare
from equitrack.store import Store
from equitrack.tracker.evidence import evidence_results
from equitrack.tracker.plan import load_plan
from equitrack.web.pages.figures import OVERVIEW
from equitrack.web.pages.journeys import JOURNEY_MEASURES

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store], mini_measured: None) -> Store:
    return loaded_system("mini")  # the release's answers measured once for every test over them


def fields(results: list[Result]) -> list[dict]:
    return [dataclasses.asdict(r) for r in results]


def dashboard_questions(store: Store) -> list[tuple[str, tuple[int, ...], dict]]:
    """The questions the dashboard's pages and API ask (`equitrack.web.pages`), and some more
    of each shape (two years apart, one organisation's detailed groups, another family)."""
    years = release.released_years(store)
    year = years[-1]
    orgs = store.table("organisations").org_code.to_pyarrow().to_pylist()
    asked: list[tuple[str, tuple[int, ...], dict]] = [
        ("wres", (year - 1, year), {"orgs": (), "measures": OVERVIEW}),
        ("wres", (year - 1, year), {"orgs": tuple(orgs), "measures": OVERVIEW}),
        ("wres", (year - 1, year), {"system": True, "measures": OVERVIEW}),
        ("wres", (year,), {"system": True, "interval": Interval.MONTH, "measures": ("wres2",)}),
    ]
    for org in orgs:
        asked += [
            ("wres", (year - 1, year), {"orgs": (org,), "by": by, "options": {"staff_group": g}})
            for by in release.GROUPINGS
            for g in ("all", *release.staff_groups(store)[:1])  # each asked as "all" is
        ]
        asked += [
            ("wdes", (years[0],), {"orgs": (org,), "by": "detailed"}),
            (
                "wres",
                (year - 2, year),
                {"orgs": (org,), "interval": Interval.MONTH, "measures": release.MONTHLY},
            ),
        ]
    for measure, _ in JOURNEY_MEASURES:
        family = MEASURES[measure].family
        asked += [
            (family, (year,), {"orgs": (orgs[0],), "by": "broad", "measures": [measure]}),
            (family, (year,), {"system": True, "by": "broad", "measures": [measure]}),
        ]
    return asked


def test_the_dashboards_questions_read_from_the_release_are_what_measuring_gives(mini) -> None:
    questions = dashboard_questions(mini)
    with_figures = 0
    for family, years, question in questions:
        found = release.answered(mini, family, years, **question)
        assert found is not None, (family, years, question)
        assert fields(found) == fields(api.run(family, years, store=mini, **question)), question
        with_figures += any(r.numerator for r in found)
    assert with_figures >= 10  # not all empty (a small staff group has no events, say)


def test_the_recommendations_evidence_read_from_the_release_is_what_measuring_gives(mini) -> None:
    plan, year = load_plan(), release.released_years(mini)[-1]
    for org in (None, "RXA"):
        asked = evidence_results(mini, plan, year, org=org, years=plan.years(year))
        read = evidence_results(mini, plan, year, org=org, years=plan.years(year), run=release.run)
        assert fields(read) == fields(asked)


def test_a_question_the_release_did_not_ask_is_measured(mini) -> None:
    years = release.released_years(mini)
    before = (years[0] - 1, years[0])
    assert release.answered(mini, "wres", before, orgs=("RXA",)) is None  # a year before it
    assert release.answered(mini, "wres", years[-1:], orgs=("RXA",), system=True) is None
    assert release.answered(mini, "wres", years[-1:], orgs=("NOT_LOADED",)) is None
    # measured instead, as `api.run` would
    assert fields(release.run("wres", before, store=mini, orgs=("RXA",))) == fields(
        api.run("wres", before, store=mini, orgs=("RXA",))
    )
    with pytest.raises(OptionError, match="no_such_option"):
        release.run("wres", years[-1:], store=mini, options={"no_such_option": 1})


# --- the verdicts allowing for many comparisons, over part of a run ---------------------------


def _results(
    counts: list[tuple[int, int, int, int, Orientation]],
) -> tuple[list[Result], list]:
    """A focus group's result for each (focus events, members, reference events, members, what
    the event is), compared as a measure compares them, and the comparisons."""
    results, made = [], []
    for i, (a, n, b, m, orientation) in enumerate(counts):
        c = compare(a, n, b, m, orientation=orientation)
        r = rated(a, n, measure="x", org=f"O{i}", period=2026, group_type="wres", group="BME")
        for name, value in compared(c).items():
            setattr(r, name, value)
        results.append(r)
        made.append(c)
    return results, made


counts = st.tuples(
    st.integers(0, 60),
    st.integers(1, 400),
    st.integers(0, 60),
    st.integers(1, 400),
    st.sampled_from(list(Orientation)),
).filter(lambda t: t[0] <= t[1] and t[2] <= t[3])


@settings(max_examples=60, deadline=None)
@given(st.lists(counts, min_size=1, max_size=12), st.data())
def test_a_part_of_a_run_is_adjusted_as_a_run_of_that_part_alone(cells, data) -> None:
    results, made = _results(cells)
    for r, c in zip(results, adjust_for_multiplicity(made), strict=True):  # the whole run's
        r.verdict_adjusted = str(c.verdict_adjusted)
    part = sorted(data.draw(st.sets(st.integers(0, len(cells) - 1), min_size=1)))
    alone = adjust_for_multiplicity([made[i] for i in part])
    assert readjusted([results[i] for i in part]) == [str(c.verdict_adjusted) for c in alone]


def test_a_verdict_is_significant_after_adjusting_in_a_smaller_family() -> None:
    """Hand-worked: p-values 0.01, 0.02, 0.04 and 0.5 adjust (Benjamini-Hochberg) to 0.04,
    0.04, 0.053 and 0.5, so the third is not significant in the four; without the fourth they
    adjust to 0.03, 0.03, 0.04, so it is."""
    results = [
        Result("x", f"O{i}", 2026, "wres", "BME", 10, 100, p_value=p, band="adverse",
               orientation="harm", verdict="adverse, significant",
               verdict_adjusted="adverse, significant")
        for i, p in enumerate((0.01, 0.02, 0.04, 0.5))
    ]  # fmt: skip
    results[3].verdict = results[3].verdict_adjusted = "adverse, not significant"
    whole = readjusted(results)
    assert whole == ["adverse, significant"] * 2 + ["adverse, not significant"] * 2
    assert readjusted(results[:3]) == ["adverse, significant"] * 3
    assert readjusted([dataclasses.replace(results[0], verdict_adjusted=None)]) == [None]


def test_a_year_the_data_do_not_cover_changes_no_other_years_verdicts(mini) -> None:
    """A year the training table does not reach (the year in progress) is reported as no data:
    its comparison (made from the staff in post alone) is not among those the run's verdicts
    allow for, so the other years read as they do when it is not asked."""
    years = (release.released_years(mini)[0] - 1, *release.released_years(mini))
    asked = {"system": True, "measures": ["wres4"]}
    every = api.run("wres", years, store=mini, **asked)
    gaps = {r.period for r in every if is_no_data(r)}
    assert gaps, "the training table does not reach every year of the release"
    covered = tuple(y for y in years if y not in gaps)
    alone = api.run("wres", covered, store=mini, **asked)
    assert fields([r for r in every if r.period not in gaps]) == fields(alone)
