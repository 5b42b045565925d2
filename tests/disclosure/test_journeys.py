"""Careers-over-time journeys through the disclosure gate: real journeys on the generated mini
system (two organisations and their system), and one tiny journey checked by hand."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from equitrack.charts import cumulative_incidence_chart, kaplan_meier_chart
from equitrack.disclosure import gate_journey, gate_journeys, policy_for, shown_count
from equitrack.disclosure.journeys import GatedJourney, safe_reason
from equitrack.measures.careers import PROMOTION, Counts, Journey
from equitrack.measures.careers import bank_to_substantive as conversions
from equitrack.measures.careers import time_to_promotion as promotions
from equitrack.measures.populations import Scope
from equitrack.model import codes
from equitrack.outputs import journeys as outputs
from equitrack.stats.survival import EVENT, Curve, careers_over_time
from equitrack.store import Store

PUBLIC = policy_for("public")
FLOOR = PUBLIC.smallest_shown
NOT_COUNTS = {"df"}  # a log-rank test's degrees of freedom: an int, not a count of people


@pytest.fixture(scope="module")
def journeys(loaded_system: Callable[..., Store]) -> list[Journey]:
    mini = loaded_system("mini")
    out: list[Journey] = []
    for measure in (promotions, conversions):
        for by in ("wres", "broad"):
            out += measure(mini, by=by)
        out += measure(mini, Scope(system=True), by="broad")
    return out


@pytest.fixture(scope="module")
def gated(journeys: list[Journey]) -> list[Journey]:
    return gate_journeys(journeys, "public")


def ints(node: Any, path: str = "") -> Iterator[tuple[str, int]]:
    """Every int (not bool) in a journey's counts and analysis, with where it is."""
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, int):
        yield path, node
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            if f.name not in NOT_COUNTS:
                yield from ints(getattr(node, f.name), f"{path}.{f.name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from ints(value, f"{path}[{key}]")
    elif isinstance(node, tuple | list):
        for i, value in enumerate(node):
            yield from ints(value, f"{path}[{i}]")


def reasons(j: Journey) -> Iterator[str]:
    if j.analysis is None:
        return
    summaries = (*j.analysis.kaplan_meier.summaries, *j.analysis.cumulative_incidence.summaries)
    for row in (*summaries, *j.analysis.log_rank.rows):
        if row.reason:
            yield row.reason


def curves(j: Journey) -> dict[tuple[str, str], Curve]:
    if j.analysis is None:
        return {}
    both = (*j.analysis.kaplan_meier.curves, *j.analysis.cumulative_incidence.curves)
    return {(c.group, c.curve): c for c in both}


def test_there_are_small_groups_and_few_followed_to_protect(journeys) -> None:
    found = [(g, c.people) for j in journeys for g, c in j.counts.items() if c.people < FLOOR]
    assert found, "the mini system has no small group: the checks below would prove nothing"
    assert any(min(c.at_risk) < FLOOR for j in journeys for c in curves(j).values())


def test_no_count_of_1_to_7_remains(gated) -> None:
    checked = 0
    for j in gated:
        assert isinstance(j, GatedJourney)
        for where, value in ints((j.counts, j.analysis)):
            assert not 1 <= value < FLOOR, (j.unit, j.journey, where, value)
            assert value % PUBLIC.rounding_base == 0, (j.unit, j.journey, where, value)
            checked += 1
        for reason in reasons(j):  # no exact count left in words either
            assert not re.search(r"\d", re.sub(r"(below|fewer than) \d+", "", reason)), reason
    assert checked > 1000


def test_every_step_left_rests_on_at_least_8_people(journeys, gated) -> None:
    cut = 0
    for before, after in zip(journeys, gated, strict=True):
        exact = curves(before)
        for key, shown in curves(after).items():
            original = exact[key]
            k = len(shown.time)
            assert k > 0
            assert shown.time == original.time[:k]
            assert shown.estimate == original.estimate[:k]
            assert shown.ci_low == original.ci_low[:k]
            assert min(original.at_risk[:k]) >= FLOOR, key
            if k < len(original.time):  # cut at the first time fewer are followed
                assert original.at_risk[k] < FLOOR, key
                cut += 1
            assert shown.at_risk == tuple(shown_count(n, PUBLIC) for n in original.at_risk[:k])
            assert set(shown.events) == set(shown.censored) == {None}
    assert cut > 0


def test_a_small_group_is_withheld_and_named(journeys, gated) -> None:
    withheld = 0
    for before, after in zip(journeys, gated, strict=True):
        assert after.options["disclosure"].startswith(PUBLIC.describe())
        small = {g for g, c in before.counts.items() if g != codes.UNKNOWN and 0 < c.people < FLOOR}
        assert set(after.withheld) == small
        if not small:
            assert after.analysis is None or after.analysis.log_rank.overall.p_value == (
                before.analysis.log_rank.overall.p_value
            )
            continue
        withheld += 1
        assert f"Groups of fewer than {FLOOR} people are not shown" in after.note
        assert all(g in after.note for g in small)
        assert not small & set(after.counts)
        a = after.analysis
        assert a is not None
        assert not small & {s.group for s in a.kaplan_meier.summaries}
        assert not small & {s.group for s in a.cumulative_incidence.summaries}
        assert not small & {c.group for c in curves(after).values()}
        assert not small & {r.group for r in a.log_rank.pairwise}
        assert a.log_rank.overall.p_value is None and a.log_rank.overall.n is None
        # the groups shown keep their estimates and tests
        for s in a.kaplan_meier.summaries:
            exact = before.analysis.kaplan_meier.summary(s.group)
            assert (s.median, s.median_ci_low, s.too_few) == (
                exact.median,
                exact.median_ci_low,
                exact.too_few,
            )
        for row in a.log_rank.pairwise:
            assert row.p_value == before.analysis.log_rank.against(row.group).p_value
    assert withheld > 0


def test_the_same_count_is_shown_the_same_everywhere(gated) -> None:
    for j in gated:
        if j.analysis is None:
            continue
        km = {s.group: s for s in j.analysis.kaplan_meier.summaries}
        for s in j.analysis.cumulative_incidence.summaries:
            assert (s.n, s.events, s.competing, s.censored) == (
                km[s.group].n,
                km[s.group].events,
                km[s.group].competing,
                km[s.group].censored,
            )
        for row in j.analysis.log_rank.pairwise:
            assert (row.events, row.n) == (km[row.group].events, km[row.group].n)
            assert (row.reference_events, row.reference_n) == (
                km[row.reference].events,
                km[row.reference].n,
            )
        for g, s in km.items():
            c = j.counts[g]
            assert (c.people, c.events, c.competing, c.censored) == (
                s.n,
                s.events,
                s.competing,
                s.censored,
            )


def test_one_part_alone_is_never_hidden(gated) -> None:
    """people = events + competing + censored: one hidden part would be found by subtraction."""
    for j in gated:
        for c in j.counts.values():
            hidden = [v for v in (c.events, c.competing, c.censored) if v is None]
            assert c.people is None or len(hidden) != 1, (j.unit, c)


def test_the_analyst_sees_the_journey_unchanged(journeys) -> None:
    for j in journeys:
        assert gate_journey(j, "analyst") is j
    assert gate_journeys(journeys, policy_for("analyst")) == journeys


def test_the_inputs_are_not_changed(journeys) -> None:
    before = repr(copy.deepcopy(journeys))
    gate_journeys(journeys, "public")
    gate_journeys(journeys, "board")
    assert repr(journeys) == before


def test_gating_twice_changes_nothing_more(gated) -> None:
    assert repr(gate_journeys(gated, "public")) == repr(gated)


def test_the_charts_and_outputs_read_a_gated_journey(journeys, gated) -> None:
    chosen = next(j for j in gated if j.withheld and j.journey == PROMOTION)
    km = kaplan_meier_chart(chosen)
    svg = ET.fromstring(km.svg())
    assert svg.get("role") == "img"
    assert not {row["Group"] for row in km.table} & set(chosen.withheld)
    assert {row["Promoted"] for row in km.table} == {None}  # a blank in the chart's table
    assert all(row["Still followed"] % 5 == 0 for row in km.table)
    incidence = cumulative_incidence_chart(chosen)
    assert ET.fromstring(incidence.svg()).get("role") == "img"
    assert all(row["Still followed"] >= FLOOR for row in incidence.table)
    rows = outputs.records(gated)
    assert {r["people"] for r in rows} <= {None} | set(range(0, 100_000, 5)) - set(range(1, 8))
    assert outputs.to_csv(gated).count("\n") == len(rows) + 1


def test_reasons_lose_their_counts() -> None:
    assert safe_reason(
        "too few to tell: Black: events 3 (below 10), people 25 (below 30); "
        "White: events 1,204 (below 10)"
    ) == ("too few to tell: Black: events below 10, people below 30; White: events below 10")
    assert safe_reason("no events in either group, so nothing to compare") == (
        "no events in either group, so nothing to compare"
    )
    assert safe_reason("only 3 people") == "detail withheld (exact figures)"
    assert safe_reason(None) is None


# --- a journey small enough to check by hand --------------------------------------------------


def tiny() -> Journey:
    """White: 12 people followed 1 to 12 days, promoted but for two censored (days 6 and 12),
    so 12, 12, 11, 10, 9, 8, 7, ... are still followed at days 0, 1, 2, ... 6.
    Black: 5 people, every one promoted."""
    durations = [*range(1, 13), 2, 3, 4, 5, 6]
    events = [0 if d in (6, 12) else EVENT for d in range(1, 13)] + [EVENT] * 5
    groups = ["White"] * 12 + ["Black"] * 5
    analysis = careers_over_time(np.array(durations), np.array(events), groups, reference="White")
    counts = {"White": Counts(12, 10, 0, 2), "Black": Counts(5, 5, 0, 0), "Unknown": Counts(3)}
    return Journey(
        PROMOTION, "RX1", "broad", dt.date(2026, 3, 31), dt.date(2018, 4, 1), counts, analysis
    )


def test_a_tiny_journey_by_hand() -> None:
    journey = tiny()
    assert journey.analysis.kaplan_meier.curve("White").at_risk[:7] == (12, 12, 11, 10, 9, 8, 7)
    shown = gate_journey(journey, "public")
    assert isinstance(shown, GatedJourney)
    assert shown.withheld == ("Black",)
    a = shown.analysis
    km = a.kaplan_meier.curve("White")
    assert km.time == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)  # cut at day 6, when 7 are followed
    assert km.at_risk == (10, 10, 10, 10, 10, 10)  # 12, 12, 11, 10, 9, 8 rounded to 5
    assert km.events == km.censored == (None,) * 6
    assert km.estimate == journey.analysis.kaplan_meier.curve("White").estimate[:6]
    for kind in ("event", "competing", "neither"):
        assert a.cumulative_incidence.curve("White", kind).time == km.time
    # n 12 -> 10; censored 2 is suppressed, so events 10 goes too (12 - 0 - 10 would give it)
    assert shown.counts == {"White": Counts(10, None, 0, None), "Unknown": Counts(None)}
    s = a.kaplan_meier.summary("White")
    assert (s.n, s.events, s.competing, s.censored) == (10, None, 0, None)
    assert s.median == journey.analysis.kaplan_meier.summary("White").median
    assert s.reason == "too few to tell: people below 30"
    assert [x.group for x in a.kaplan_meier.summaries] == ["White"]
    assert a.log_rank.pairwise == ()  # the only test named Black
    assert a.log_rank.overall.p_value is None
    assert shown.excluded is None  # 3 people of unknown ethnicity: not shown
    assert kaplan_meier_chart(shown).table[-1]["Still followed"] == 10


def test_when_every_group_is_withheld_there_are_no_curves() -> None:
    journey = tiny()
    few = dataclasses.replace(
        journey,
        counts={"Black": journey.counts["Black"]},
        analysis=careers_over_time(np.array([2, 3, 4, 5, 6]), np.array([EVENT] * 5), ["Black"] * 5),
    )
    shown = gate_journey(few, "public")
    assert shown.analysis is None and shown.counts == {} and shown.withheld == ("Black",)
