"""Careers over time (recommendations 1, 2 and 9): how long until promotion, or until a bank
worker gets a substantive post, by group, when not everyone gets there.

Each journey is one row per person and unit, worked out in the engine by one backend-neutral
Ibis query (the same on DuckDB, PostgreSQL and Spark), which also turns each person's dates
into a duration in days and an outcome (as :func:`equitrack.stats.survival.durations_from_dates`
does) and counts the people per unit, ethnic group key, duration and outcome: only those
counts come to Python, which hands them to :func:`equitrack.stats.survival.careers_over_time`:
Kaplan–Meier curves, cumulative incidence with leaving as a competing event (Aalen–Johansen)
and log-rank tests of each group against White.

- **Time to promotion** (:func:`time_to_promotion`): from a person's first substantive (not
  bank) assignment on an Agenda for Change band in the unit, the days until they first start a
  substantive assignment in the unit on a higher band. The competing event is leaving the unit
  without promotion: the end of their last substantive assignment there. People still there
  without promotion are censored at the end of the data. Those who start at VSM, the top of the
  ladder, cannot be promoted and are left out.
- **Bank to substantive** (:func:`bank_to_substantive`): from a person's first bank assignment
  in the unit, when they held no substantive assignment there before it, the days until their
  first substantive assignment in the unit. It counts as a conversion when it starts before
  their bank work ends or within `grace_days` (31) after (ESR often ends the bank assignment the
  day before the new post starts). The competing event is leaving the bank without converting:
  the end of their last bank assignment there, with no substantive start within the grace.

Only journeys that start on or after 1 April of `first_year - 1` are followed (default: the
eight reporting years to `end_year`), because a history that begins part-way through people's
careers would otherwise count years in which their promotions were never recorded. The end of
the data is 31 March of `end_year` (default: the latest reporting year anyone starts in);
anything after it has not happened yet. A person is followed once per unit: per organisation,
or in the whole system with `Scope(system=True)` (a move within the system is not leaving).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from equitrack.measures import populations as pop
from equitrack.measures.counting import group_key, group_of, ordered
from equitrack.measures.declare import Attribute, Kind, Optioned
from equitrack.measures.populations import Scope
from equitrack.measures.queries import latest_year
from equitrack.model import codes
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.stats.survival import (
    CENSORED,
    COMPETING,
    EVENT,
    CareersOverTime,
    careers_over_time,
)
from equitrack.store import Store

PROMOTION = "promotion"
BANK_TO_SUBSTANTIVE = "bank_to_substantive"
JOURNEYS = (PROMOTION, BANK_TO_SUBSTANTIVE)
DIMENSIONS = ("wres", "broad")
REFERENCE = codes.WHITE
#: Journeys followed by default: those starting in the eight reporting years to the end year.
HISTORY_YEARS = 8
GRACE_DAYS = 31
TOP_RANK = codes.band_rank("VSM")


@dataclass(frozen=True)
class Counts:
    """One group's people on the journey and how each one's journey ended (or not yet)."""

    people: int = 0
    events: int = 0
    competing: int = 0
    censored: int = 0


@dataclass(frozen=True)
class Journey:
    """One journey in one unit: the survival analysis and every group's counts.

    `analysis` covers the groups of known ethnicity (Unknown is counted in `counts` but left out
    of the curves and tests, as from every comparison); it is None when no one of known
    ethnicity is on the journey. Durations are in days.
    """

    journey: str
    unit: str
    by: str
    end_of_data: dt.date
    cohort_from: dt.date
    counts: dict[str, Counts]
    analysis: CareersOverTime | None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def excluded(self) -> int:
        """People of unknown ethnicity on the journey (counted, not analysed)."""
        return self.counts.get(codes.UNKNOWN, Counts()).people


def time_to_promotion(
    store: Store,
    scope: Scope | None = None,
    by: str = "wres",
    end_year: int | None = None,
    *,
    first_year: int | None = None,
    grouping: EthnicGrouping = DEFAULT_GROUPING,
) -> list[Journey]:
    """Time from the first substantive AfC assignment in the unit to the first higher band."""
    scope = scope or Scope()
    end_year = _end_year(store, end_year)
    first_year = end_year - HISTORY_YEARS + 1 if first_year is None else first_year
    end, since = pop.snapshot(end_year), pop.year_start(first_year)
    counted = promotion_counts(store, scope, end, since)
    return _analyse(PROMOTION, _fetch(counted), by, end, since, grouping, {})


def bank_to_substantive(
    store: Store,
    scope: Scope | None = None,
    by: str = "wres",
    end_year: int | None = None,
    *,
    first_year: int | None = None,
    grace_days: int = GRACE_DAYS,
    grouping: EthnicGrouping = DEFAULT_GROUPING,
) -> list[Journey]:
    """Time from the first bank assignment in the unit to the first substantive assignment."""
    scope = scope or Scope()
    end_year = _end_year(store, end_year)
    first_year = end_year - HISTORY_YEARS + 1 if first_year is None else first_year
    end, since = pop.snapshot(end_year), pop.year_start(first_year)
    counted = bank_counts(store, scope, end, since, grace_days)
    return _analyse(
        BANK_TO_SUBSTANTIVE, _fetch(counted), by, end, since, grouping, {"grace_days": grace_days}
    )


# --------------------------------------------------------------------------------------------
# The engine's part: one row per person and unit, then people counted per duration and outcome


def _assignments(store: Store, scope: Scope, end: dt.date) -> ir.Table:
    a = store.table("assignments").join(pop.units(store, scope), "org_code")
    a = a.filter(a.start_date <= ibis.literal(end))
    return a.select("unit", "person_id", "contract", "pay_band", "start_date", "end_date")


def _last_end(spells: ir.Table, end: dt.date) -> ir.Table:
    """Per unit and person: the end of their last spell, null while any spell is still open at
    the end of the data."""
    still_open = spells.end_date.isnull() | (spells.end_date > ibis.literal(end))
    per = spells.group_by(["unit", "person_id"]).aggregate(
        _open=ibis.ifelse(still_open, 1, 0).sum(), _last=spells.end_date.max()
    )
    return per.select(
        "unit", "person_id", competing=ibis.ifelse(per._open == 0, per._last, ibis.null("date"))
    )


def _with_group(store: Store, rows: ir.Table) -> ir.Table:
    people = store.table("people").select("person_id", "ethnic_code")
    joined = rows.left_join(people, rows.person_id == people.person_id)
    return joined.select(
        "unit", "start", "event", "competing", key=group_key(joined, Attribute.ETHNICITY)
    )


def promotion_rows(store: Store, scope: Scope, end: dt.date, since: dt.date) -> ir.Table:
    """unit, key (the ethnic group key), start, event (first higher band), competing (left)."""
    a = _assignments(store, scope, end)
    a = a.filter(a.contract != pop.BANK).mutate(rank=pop.band_rank(a.pay_band))
    afc = a.filter(a.rank > 0)
    first = afc.group_by(["unit", "person_id"]).aggregate(start=afc.start_date.min())
    on_first = afc.join(first, ["unit", "person_id", afc.start_date == first.start])
    starts = on_first.group_by(["unit", "person_id", "start"]).aggregate(
        start_rank=on_first.rank.max()
    )
    starts = starts.filter(starts.start >= ibis.literal(since), starts.start_rank < TOP_RANK)
    later = a.join(starts, ["unit", "person_id"])
    later = later.filter(later.rank > later.start_rank, later.start_date > later.start)
    promoted = later.group_by(["unit", "person_id"]).aggregate(event=later.start_date.min())
    left = _last_end(a, end)
    rows = starts.left_join(promoted, ["unit", "person_id"]).select(
        "unit", "person_id", "start", "event"
    )
    rows = rows.left_join(left, ["unit", "person_id"]).select(
        "unit", "person_id", "start", "event", "competing"
    )
    return _with_group(store, rows)


def bank_rows(store: Store, scope: Scope, end: dt.date, since: dt.date) -> ir.Table:
    """unit, key, start (first bank), event (first substantive start after it), competing (the
    end of their last bank assignment, null while one is open)."""
    a = _assignments(store, scope, end)
    bank = a.filter(a.contract == pop.BANK)
    substantive = a.filter(a.contract != pop.BANK)
    first = bank.group_by(["unit", "person_id"]).aggregate(start=bank.start_date.min())
    first_post = substantive.group_by(["unit", "person_id"]).aggregate(
        event=substantive.start_date.min()
    )
    rows = first.left_join(first_post, ["unit", "person_id"]).select(
        "unit", "person_id", "start", "event"
    )
    rows = rows.filter(
        rows.start >= ibis.literal(since), rows.event.isnull() | (rows.event > rows.start)
    )
    rows = rows.left_join(_last_end(bank, end), ["unit", "person_id"]).select(
        "unit", "person_id", "start", "event", "competing"
    )
    return _with_group(store, rows)


def counted_outcomes(
    rows: ir.Table, end: dt.date, event: ir.DateValue, competing: ir.DateValue
) -> ir.Table:
    """unit, key, days, outcome, people: the people of `rows` counted per unit, ethnic group
    key, duration in whole days and outcome code, from each one's `start` and the dates of
    its `event` and `competing` event (null: not happened).

    The arithmetic of :func:`equitrack.stats.survival.durations_from_dates`, in the engine:
    dates after `end` have not happened yet; an event on the day of leaving counts as the
    event; whoever has neither is censored at `end`. A spell recorded as ending before it
    starts ends, for this purpose, on its first day. The journeys' queries never give an event
    before the start, nor a start after `end`.
    """
    start, limit = rows.start, ibis.literal(end)
    competing = ibis.ifelse(competing < start, start, competing)  # null stays null
    has_event = ibis.ifelse(event.isnull(), False, event <= limit)
    has_competing = ibis.ifelse(competing.isnull(), False, competing <= limit)
    event_first = has_event & ~(has_competing & (event > competing))
    competing_first = has_competing & ~event_first
    stop = ibis.cases((event_first, event), (competing_first, competing), else_=limit)
    outcome = ibis.cases((event_first, EVENT), (competing_first, COMPETING), else_=CENSORED)
    per = rows.select("unit", "key", days=stop.delta(start, unit="day"), outcome=outcome)
    return per.group_by(["unit", "key", "days", "outcome"]).aggregate(people=per.count())


def promotion_counts(store: Store, scope: Scope, end: dt.date, since: dt.date) -> ir.Table:
    """The time-to-promotion journey's people, counted (see :func:`counted_outcomes`)."""
    rows = promotion_rows(store, scope, end, since)
    return counted_outcomes(rows, end, rows.event, rows.competing)


def bank_counts(
    store: Store, scope: Scope, end: dt.date, since: dt.date, grace_days: int
) -> ir.Table:
    """The bank-to-substantive journey's people, counted (see :func:`counted_outcomes`): a
    first substantive start before their bank work ends or within `grace_days` after it is
    the event; otherwise the end of their bank work is the competing event."""
    rows = bank_rows(store, scope, end, since)
    substantive, left = rows.event, rows.competing
    converted = substantive.notnull() & (
        left.isnull() | (substantive.delta(left, unit="day") <= ibis.literal(grace_days))
    )
    return counted_outcomes(
        rows,
        end,
        ibis.ifelse(converted, substantive, ibis.null("date")),
        ibis.ifelse(converted, ibis.null("date"), left),
    )


def _fetch(counted: ir.Table) -> list[dict[str, Any]]:
    return counted.to_pyarrow().to_pylist()


def _end_year(store: Store, end_year: int | None) -> int:
    if end_year is not None:
        return end_year
    top = latest_year(store)
    if top is None:
        raise ValueError("no assignments are loaded, so there is no end of data; give end_year")
    return top


# --------------------------------------------------------------------------------------------
# Python's part: the survival analysis of the counted people


def _analyse(
    journey: str,
    rows: list[dict[str, Any]],
    by: str,
    end: dt.date,
    since: dt.date,
    grouping: EthnicGrouping,
    extra: dict[str, Any],
) -> list[Journey]:
    """One Journey per unit from the engine's counted rows (see :func:`counted_outcomes`)."""
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {', '.join(DIMENSIONS)}, not {by!r}")
    per_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        per_unit[r["unit"]].append(r)
    options = {
        "end_of_data": end.isoformat(),
        "cohort_from": since.isoformat(),
        "ethnic_grouping": grouping.as_option(),
        **extra,
    }
    journeys = []
    for unit in sorted(per_unit):
        found = sorted(per_unit[unit], key=lambda r: (r["days"], r["outcome"], str(r["key"])))
        durations = np.array([r["days"] for r in found], dtype=np.int64)
        events = np.array([r["outcome"] for r in found], dtype=np.int64)
        people = np.array([r["people"] for r in found], dtype=np.int64)
        groups = np.array(
            [group_of(r["key"], Attribute.ETHNICITY, by, grouping) for r in found], dtype=object
        )
        counts = {
            g: Counts(
                people=int(people[groups == g].sum()),
                events=int(people[(groups == g) & (events == EVENT)].sum()),
                competing=int(people[(groups == g) & (events == COMPETING)].sum()),
                censored=int(people[(groups == g) & (events == CENSORED)].sum()),
            )
            for g in ordered(set(groups.tolist()))
        }
        known = groups != codes.UNKNOWN
        analysis = None
        if known.any():
            names = set(groups[known].tolist())
            analysis = careers_over_time(
                durations[known],
                events[known],
                groups[known].tolist(),
                counts=people[known],
                reference=REFERENCE if REFERENCE in names and len(names) > 1 else None,
            )
        journeys.append(Journey(journey, unit, by, end, since, counts, analysis, options))
    return journeys


# --------------------------------------------------------------------------------------------
# The journeys as registered measures


@dataclass(frozen=True)
class JourneyMeasure(Optioned):
    """A journey declared like every other measure, so `equitrack measures`, docs/measures.md,
    the command line, the dashboard and the scrutiny paper all read it from the registry
    (`registry.JOURNEYS`). `follow(store, scope, by, end_year)` returns one `Journey` per unit;
    `recommendation` is the one it evidences, `section` its section's id in the paper."""

    id: str
    family: str
    title: str
    follow: Callable[..., list[Journey]]
    recommendation: int
    section: str
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    attribute: Attribute = Attribute.ETHNICITY
    kind: Kind = Kind.JOURNEY


FAMILY = "journeys"
_FOLLOWED = (
    "Only journeys starting in the eight reporting years to the end year are followed (a "
    "history that begins part-way through careers would miss earlier events); the data ends "
    "at 31 March of the end year, and people still on the journey then are censored. Per "
    "group: people, events, competing events, the median time, the share there by 3 and 5 "
    "years (Aalen–Johansen cumulative incidence), and a log-rank test against White."
)
JOURNEY_MEASURES = (
    JourneyMeasure(
        id="time_to_promotion",
        family=FAMILY,
        title="Time to first promotion",
        follow=time_to_promotion,
        recommendation=1,
        section="time-to-promotion",
        options={"history_years": HISTORY_YEARS},
        description="From a person's first substantive (not bank) assignment on an Agenda for "
        "Change band in the unit, the days until they first start a substantive assignment in "
        "the unit on a higher band; leaving the unit without promotion is the competing event. "
        "Those who start at VSM cannot be promoted and are left out. " + _FOLLOWED,
    ),
    JourneyMeasure(
        id="bank_to_substantive",
        family=FAMILY,
        title="From the bank to a substantive post",
        follow=bank_to_substantive,
        recommendation=2,
        section="bank-to-substantive",
        options={"history_years": HISTORY_YEARS, "grace_days": GRACE_DAYS},
        description="From a person's first bank assignment in the unit, when they held no "
        "substantive assignment there before it, the days until their first substantive "
        "assignment in the unit, counted as a conversion when it starts before their bank work "
        "ends or within `grace_days` after; leaving the bank without converting is the "
        "competing event. " + _FOLLOWED,
    ),
)
