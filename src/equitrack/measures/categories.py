"""Category measures: each group's members split across categories derived in Python.

Some categories come from a rule no query should re-implement: the just-culture outcome is
derived from the recorded answers by walking the guide's decision path
(`equitrack.model.just_culture`), and a path that skips a question or carries on past an
outcome is invalid. So the engine counts members per raw key (the answers as recorded), per
period, unit, breakdown cell and group, exactly as it counts everything else; Python then maps
each distinct key to the categories it counts in, once, and adds the counts up. Nothing
backend-specific, and the rule lives in one place.

Every group's share of its members in each category comes with its 95% Wilson interval; the
categories that have a direction (``compared``) also get a relative likelihood against the
reference group, oriented so that above 1 means the group fares worse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import ibis.expr.types as ir

from equitrack.measures.comparison import Comparisons, outnumbered
from equitrack.measures.counting import (
    ALL,
    REFERENCE,
    count_once,
    counted,
    group_type,
    is_focus,
    ordered,
)
from equitrack.measures.declare import Frame, Measure
from equitrack.measures.result import Result, rated
from equitrack.model import codes
from equitrack.stats import Orientation, compare

#: Between the breakdown cell and the raw key in what the engine counts by. Cell labels never
#: contain it; the key may (it is split off once, from the left).
SEPARATOR = " | "


def _no_categories(key: str) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Categorised(Measure):
    """A measure whose categories are derived in Python from a raw key the engine counts by.

    `key` gives the raw key of each member (an Ibis string; null counts as ""). `categorise`
    maps one raw key to the categories it counts in (none, one or several: an outcome and a
    roll-up such as "individual action"). `categories` lists them in display order; each is
    shown for every group even when nobody is in it. `compared` names the categories that get
    a relative likelihood, and whether being in one is a harm or a benefit. `breakdown` (as for
    every kind) gives the denominator cell, such as bank or substantive; the cell "All" is
    reported without a breakdown label. `headline` is the category reported as the measure's
    main figure: its rows carry the cell alone as their breakdown (None in "All").
    """

    key: Callable[[ir.Table], ir.StringValue] | None = None
    categorise: Callable[[str], Iterable[str]] = _no_categories
    categories: tuple[str, ...] = ()
    compared: Mapping[str, Orientation] = field(default_factory=dict)
    headline: str | None = None

    def label(self, cell: str, category: str) -> str | None:
        """The breakdown a result is shown under."""
        if category == self.headline:
            return None if cell == ALL else cell
        return category if cell == ALL else f"{cell}{SEPARATOR}{category}"


Cell = tuple[int, str, str]  # period, unit, breakdown cell


def categorised_counts(
    frame: Frame, measure: Categorised, by: str
) -> tuple[dict[Cell, dict[str, int]], dict[tuple[Cell, str], dict[str, int]]]:
    """Members per cell and group, and members per cell, category and group."""
    assert measure.key is not None, f"{measure.id}: a categorised measure needs a key"
    key = measure.key
    cell = measure.breakdown

    def raw(t: ir.Table) -> ir.StringValue:
        k = key(t).fill_null("")
        return cell(t).cast("string").concat(SEPARATOR, k) if cell else k

    tallied = count_once(
        frame, measure.id, measure.attribute, by,
        lambda: counted(frame, measure.population(frame), measure.attribute, raw),
    )  # fmt: skip
    derived: dict[str, tuple[str, ...]] = {}
    members: dict[Cell, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    events: dict[tuple[Cell, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (period, unit, raw_key), groups in tallied.items():
        label, text = raw_key.split(SEPARATOR, 1) if cell else (ALL, raw_key)
        if text not in derived:
            derived[text] = tuple(dict.fromkeys(measure.categorise(text)))
        where = (period, unit, label)
        for g, n in groups.items():
            members[where][g] += n
            for category in derived[text]:
                events[(where, category)][g] += n
    return members, events


def evaluate_categories(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    assert isinstance(measure, Categorised), f"{measure.id} is not a Categorised measure"
    members, events = categorised_counts(frame, measure, by)
    gtype = group_type(measure.attribute, by)
    reference = REFERENCE.get(measure.attribute)
    found = {category for (_, category) in events}
    categories = [*measure.categories, *sorted(found - set(measure.categories))]
    results: list[Result] = []
    comparisons = Comparisons()
    for where, groups in sorted(members.items()):
        period, unit, cell = where
        if period not in years:
            continue
        excluded = groups.get(codes.UNKNOWN, 0)
        for category in categories:
            inside = events.get((where, category), {})
            orientation = measure.compared.get(category)
            for g in ordered(groups):
                result = rated(
                    inside.get(g, 0),
                    groups[g],
                    measure.outnumbered,
                    measure=measure.id,
                    org=unit,
                    period=period,
                    group_type=gtype,
                    group=g,
                    breakdown=measure.label(cell, category),
                    excluded=excluded,
                    options=options,
                )
                if (
                    orientation is not None
                    and reference in groups
                    and is_focus(measure.attribute, by, g)
                    and not outnumbered(result, measure, reference, inside, groups)
                ):
                    c = compare(
                        inside.get(g, 0),
                        groups[g],
                        inside.get(reference, 0),
                        groups[reference],
                        orientation=orientation,
                    )
                    comparisons.add(result, reference, c)
                results.append(result)
    comparisons.adjust()
    return results
