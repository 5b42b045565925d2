"""Every declared measure carries what the narrative, the docs and the tracker need from it.

A measure's meaning lives in its declaration: its phrase for sentences (`Measure.phrase`), its
direction (`orientation`, from which the docs and sentences derive "ratio = …"), and its place in
the recommendations (`tracker/recommendations.toml`, the one table beside the declarations).
These tests fail when a new measure lacks one of them, naming the measure.
"""

from __future__ import annotations

import re
import string

import pytest

from equitrack.measures.declare import Kind, Measure
from equitrack.measures.docs import ORIENTATION_TEXT, render
from equitrack.measures.registry import MEASURES, family
from equitrack.reports import narrative
from equitrack.stats import Orientation
from equitrack.tracker.plan import load_plan

#: The kinds whose sentences read the measure's phrase, and the names a phrase may fill in
#: besides the measure's options.
PHRASED = {
    Kind.COMPARISON: set(),
    Kind.CATEGORIES: {"category"},
    Kind.SURVEY: set(),
    Kind.REPRESENTATION: {"Who", "who", "share"},
    Kind.SHARE: set(),
}
IDS = sorted(MEASURES)


def _names(phrase: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(phrase) if name is not None}


@pytest.mark.parametrize("measure_id", IDS)
def test_a_measure_has_the_words_its_sentences_need(measure_id: str) -> None:
    m = MEASURES[measure_id]
    if m.kind not in PHRASED:
        assert not m.phrase, f"{m.id}: a {m.kind} measure's sentences do not read a phrase"
        return
    assert m.phrase, f"{m.id} has no phrase: its sentences would fall back to its title"
    unknown = _names(m.phrase) - set(m.options) - PHRASED[m.kind]
    assert not unknown, f"{m.id}: its phrase names {unknown}, which it cannot fill in"
    if m.kind in (Kind.COMPARISON, Kind.CATEGORIES):
        # read after "… were 1.6 times as likely as White staff"
        assert m.phrase.startswith("to "), f"{m.id}: {m.phrase!r} does not read as an event"
    if m.kind is Kind.REPRESENTATION:
        assert "share" in _names(m.phrase), f"{m.id}: its sentence never gives the share"
        assert {"Who", "who"} & _names(m.phrase), f"{m.id}: its sentence never names the group"


@pytest.mark.parametrize("measure_id", IDS)
def test_a_measures_phrase_is_filled_in_with_its_defaults(measure_id: str) -> None:
    """The sentence the narrative makes from the default options has no braces left over."""
    m = MEASURES[measure_id]
    if not m.phrase:
        return
    values = {**m.options, "category": "a category", "Who": "Black staff", "who": "Black staff"}
    values["share"] = "10.0%"
    filled = m.phrase.format_map(values)
    assert "{" not in filled and "}" not in filled


def test_the_narrative_keeps_no_words_of_its_own_for_a_measure() -> None:
    """Nothing in the narrative is keyed by a measure's id: the words come from declarations."""
    ids = set(MEASURES)
    for name in dir(narrative):
        value = getattr(narrative, name)
        if isinstance(value, dict):
            keyed = {k for k in value if isinstance(k, str)} & ids
            assert not keyed, f"narrative.{name} holds words for {sorted(keyed)}"


def test_no_description_restates_the_direction_by_hand() -> None:
    """'ratio = White / group' is derived from the orientation (docs, methods, listings);
    written by hand in a description it can disagree with the declaration."""
    by_hand = re.compile(r"ratio\s*(?:=|\()\s*\w+\s*/", re.IGNORECASE)
    said = [m.id for m in MEASURES.values() if by_hand.search(m.description)]
    assert not said, f"these descriptions restate the ratio's direction: {said}"


def test_every_direction_has_its_words_in_the_docs() -> None:
    assert set(ORIENTATION_TEXT) == {o.value for o in Orientation}
    doc = render()
    for m in MEASURES.values():
        assert f"### `{m.id}`: {m.title}" in doc
        if m.kind in (Kind.COMPARISON, Kind.CATEGORIES):
            assert ORIENTATION_TEXT[m.orientation.value] in doc


def _placed() -> set[str]:
    """The measures the recommendations cite: evidence, headline, level, within, claims."""
    placed: set[str] = set()
    for r in load_plan().recommendations:
        placed |= set(r.evidence) | {c.measure for c in r.claims}
        for declared in (r.headline, r.level):
            if declared is not None:
                placed.add(declared.measure)
        if r.headline is not None and r.headline.within:
            placed.add(r.headline.within)
    return placed


def test_every_measure_of_the_recommendations_has_its_place_in_them() -> None:
    """A measure declared for the recommendations (family `scrutiny`) evidences at least one;
    the pay gap is the exception, shown in the paper's own section on pay."""
    unplaced = {m.id for m in family("scrutiny") if m.kind is not Kind.PAY_GAP} - _placed()
    assert not unplaced, f"not cited by any recommendation: {sorted(unplaced)}"
    assert _placed() <= set(MEASURES)


def test_siblings_made_by_one_factory_differ_only_where_declared() -> None:
    """WRES 2 and WDES 2 are one shape with groups from different attributes."""
    wres2, wdes2 = MEASURES["wres2"], MEASURES["wdes2"]
    same = ("kind", "population", "event", "orientation", "options", "choices", "phrase")
    assert all(getattr(wres2, f) == getattr(wdes2, f) for f in same)
    assert wres2.attribute != wdes2.attribute
    pooled: list[Measure] = [MEASURES[i] for i in ("wres3", "wdes3", "bank3", "bank_removal")]
    assert {m.window for m in pooled} == {2}
    assert all(m.options["window"] == m.window for m in pooled)


def test_journeys_are_listed_with_the_measures_and_cannot_be_run_as_yearly_ones() -> None:
    import json

    from typer.testing import CliRunner

    from equitrack.cli import app
    from equitrack.measures.registry import JOURNEYS

    listed = json.loads(CliRunner().invoke(app, ["measures", "--format", "json"]).stdout)
    by_id = {row["id"]: row for row in listed}
    assert set(MEASURES) | set(JOURNEYS) == set(by_id)
    promotion = by_id["time_to_promotion"]
    assert promotion["family"] == "journeys" and "higher band" in promotion["definition"]
    assert by_id["bank_to_substantive"]["options"]["grace_days"]["default"] == 31
    refused = CliRunner().invoke(app, ["measure", "time_to_promotion", "--year", "2025"])
    assert refused.exit_code == 2 and "equitrack journeys" in refused.output


def test_each_journey_evidences_a_recommendation_that_exists() -> None:
    from equitrack.measures.registry import JOURNEYS, journey_for

    numbers = {r.number for r in load_plan().recommendations}
    for j in JOURNEYS.values():
        assert j.recommendation in numbers
        assert journey_for(j.recommendation) is j
