"""The populations measures count, as Ibis expressions: staff in post, bank-only staff, boards.

Each is one query over every requested year at once (a small table of years joined on the
snapshot date), so it runs unchanged on DuckDB, PostgreSQL and Spark. Rows carry `unit`: the
organisation, or the system when figures are for the whole integrated care system, so that a
person is counted once per unit.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from equitrack.measures import calendar
from equitrack.model import codes
from equitrack.model.codes import NO_SYSTEM, SYSTEM_PREFIX
from equitrack.store import Store

BANK = "bank"


@dataclass(frozen=True)
class Scope:
    """Which organisations, and whether they are reported one by one or as their system."""

    orgs: tuple[str, ...] = ()  # empty = every organisation in the store
    system: bool = False

    def as_option(self) -> dict[str, object]:
        return {"orgs": list(self.orgs), "system": self.system}


def snapshot(period: int) -> dt.date:
    """Reporting year Y is the financial year to 31 March Y; a month ends on its last day."""
    return calendar.end(period)


def year_start(period: int) -> dt.date:
    return calendar.start(period)


def periods_table(periods: Sequence[int]) -> ir.Table:
    """Each period with its snapshot day and first day (a reporting year's 31 March and 1 April
    before; a month's last and first days)."""
    return _periods_table(tuple(sorted(set(periods)))).drop(ORDINAL)


#: The periods table's key for joining on a period's `calendar.ordinal` (`_expand`).
ORDINAL = "_ordinal"


@functools.cache
def _periods_table(years: tuple[int, ...]) -> ir.Table:
    """One memtable per set of years, so each registers once however often it is used."""
    return ibis.memtable(
        {
            "period": list(years),
            "snapshot": [snapshot(y) for y in years],
            "year_start": [year_start(y) for y in years],
            ORDINAL: [calendar.ordinal(y) for y in years],
        },
        schema={"period": "int64", "snapshot": "date", "year_start": "date", ORDINAL: "int64"},
    )


def band_rank(pay_band: ir.StringValue) -> ir.IntegerValue:
    ranks = {band: codes.band_rank(band) for band in codes.AFC_BANDS}
    return pay_band.substitute(ranks, else_=ibis.literal(0)).cast("int64")


def band_of_rank(rank: ir.IntegerValue) -> ir.StringValue:
    """The AfC band a rank stands for ("Band 5"); null for 0 (not on the AfC ladder)."""
    bands = {codes.band_rank(band): band for band in codes.AFC_BANDS}
    return rank.substitute(bands, else_=ibis.null().cast("string"))


def units(store: Store, scope: Scope) -> ir.Table:
    """org_code → unit: the organisation itself, or `system:<code>` for its system.

    System codes are often an ICB's own ODS code (LLR's is QK1, the ICB's), so a system unit is
    prefixed to keep it apart from the organisation.
    """
    return store.built(("units", scope), lambda: _units(store, scope))


def _units(store: Store, scope: Scope) -> ir.Table:
    o = store.table("organisations")
    if scope.orgs:
        o = o.filter(o.org_code.isin(list(scope.orgs)))
    unit = (
        ibis.literal(SYSTEM_PREFIX).concat(o.system_code.fill_null(NO_SYSTEM))  # system_unit
        if scope.system
        else o.org_code
    )
    return o.select("org_code", unit=unit)


def bank_window_opens(day: ir.DateValue) -> ir.DateValue:
    """The first day of the six months ending on `day`: the day after `day` minus six calendar
    months (1 October for 31 March; 31 March for 30 September). The spec's one window, used
    wherever bank-only is decided: at 31 March, at month ends, and on any event's date."""
    return (day - ibis.interval(months=6) + ibis.interval(days=1)).cast("date")


def _active_on(start: ir.DateValue, end: ir.DateValue, day: ir.DateValue) -> ir.BooleanValue:
    return (start <= day) & (end.isnull() | (end >= day))


def _held_in_bank_window(
    start: ir.DateValue, end: ir.DateValue, day: ir.DateValue
) -> ir.BooleanValue:
    """Held on at least one day of the six months ending on `day`."""
    return (start <= day) & (end.isnull() | (end >= bank_window_opens(day)))


def holding_on(store: Store, events: ir.Table, key: str, day: str, bank: bool) -> ir.Table:
    """The `key`s of `events` whose person held, at the event's organisation, a bank assignment
    in the six months ending on the event's `day` (`bank`), or else a non-bank one active on it."""
    a = store.table("assignments").select(
        "person_id", "org_code", "contract", "start_date", "end_date"
    )
    e = events.select(key, "person_id", "org_code", day)
    held = (_held_in_bank_window if bank else _active_on)(a.start_date, a.end_date, e[day])
    joined = e.join(
        a,
        [
            e.person_id == a.person_id,
            e.org_code == a.org_code,
            (a.contract == BANK) if bank else (a.contract != BANK),
            held,
        ],
    )
    return joined.select(e[key]).distinct()


def bank_only_on(store: Store, events: ir.Table, key: str, day: str) -> ir.Table:
    """The `key`s of events whose person was bank-only in the organisation on `day`: the same
    rule as the bank-only workforce at 31 March, applied on the event's own date."""
    bank = holding_on(store, events, key, day, bank=True)
    return bank.anti_join(holding_on(store, events, key, day, bank=False), key)


def _in_scope(store: Store, scope: Scope, table: ir.Table) -> ir.Table:
    u = units(store, scope)
    return table.join(u, "org_code")


def _one_per(table: ir.Table, keys: Sequence[str]) -> ir.Table:
    """One assignment per person and unit: largest fte, then highest band, then earliest start,
    then smallest assignment id (the spec's tie-break)."""
    window = ibis.window(
        group_by=[table[k] for k in keys],
        order_by=[
            ibis.desc(table.fte.fill_null(0.0)),
            ibis.desc(band_rank(table.pay_band)),
            table.start_date,
            table.assignment_id,
        ],
    )
    ranked = table.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


#: The equality attributes a member carries from `people`.
PERSON_ATTRIBUTES = ("ethnic_code", "sex", "disability", "international_recruit")


def with_person(store: Store, table: ir.Table) -> ir.Table:
    """`table` with its person's attributes (null where the person is not on file)."""
    p = store.table("people").select("person_id", *PERSON_ATTRIBUTES)
    return table.left_join(p, "person_id").select(*table.columns, *PERSON_ATTRIBUTES)


def assignments_at_snapshots(store: Store, scope: Scope, years: Sequence[int]) -> ir.Table:
    """Every assignment active on each year's 31 March, with the year and the unit."""
    return _at_snapshot(years)(_in_scope(store, scope, store.table("assignments")))


#: What measures read of a member's chosen assignment (the rest comes from the person).
ASSIGNED = ("period", "unit", "person_id", "pay_band", "clinical", "staff_group")
#: What measures read of a member; narrow, because populations are materialised and reused.
MEMBER_COLUMNS = (*ASSIGNED, *PERSON_ATTRIBUTES)

#: What choosing one assignment per person needs of each candidate assignment.
CANDIDATE_COLUMNS = (
    "unit",
    "person_id",
    "assignment_id",
    "start_date",
    "end_date",
    "fte",
    "pay_band",
    "clinical",
    "staff_group",
)

#: Materialises an intermediate read twice (by default it is just inlined twice).
Keep = Callable[[ir.Table], ir.Table]
#: The years (a `periods_table`) each candidate counts in: joins candidates to the years.
Expand = Callable[[ir.Table], ir.Table]
#: The last day a candidate can still count (null = open), for a cheap test of overlap.
Reach = Callable[[ir.Table], ir.DateValue]


def _as_is(table: ir.Table) -> ir.Table:
    return table


def _candidates(store: Store, scope: Scope, bank: bool) -> ir.Table:
    """Bank, or else non-bank, assignments in scope, with their unit."""
    a = _in_scope(store, scope, store.table("assignments"))
    a = a.filter(a.contract == BANK) if bank else a.filter(a.contract != BANK)
    return a.select(*CANDIDATE_COLUMNS)


#: An open end's reach in the overlap test: later than any date a store holds.
_OPEN = ibis.date(9999, 12, 31)


def _contested(candidates: ir.Table, reach: Reach) -> ir.Table:
    """The candidates the tie-break may have to decide between.

    Those whose interval (start to `reach`) overlaps another candidate's for the same unit and
    person: two candidates counting in the same year overlap, so every candidate outside this
    set is alone in each of its years. Those without a person or an assignment id go here too,
    so that only the tie-break ever decides for them. Most people never hold two assignments at
    once, so this is a small table, and ranking only it spares a window over every person-year.
    """
    spans = candidates.mutate(_reach=reach(candidates).fill_null(_OPEN))
    other = spans.view()
    # A semi-join, not a join and a DISTINCT: each candidate once, however many it overlaps,
    # without building the pairs. Its conditions are plain comparisons (an open end is a far
    # date, not an OR with IS NULL), so every engine runs it as a hash join on unit and person;
    # DuckDB makes any other semi-join condition a nested loop.
    overlapping = spans.semi_join(
        other,
        [
            spans.unit == other.unit,
            spans.person_id == other.person_id,
            spans.assignment_id != other.assignment_id,
            spans.start_date <= other._reach,
            other.start_date <= spans._reach,
        ],
    ).select(*candidates.columns)
    unkeyed = candidates.filter(candidates.person_id.isnull() | candidates.assignment_id.isnull())
    return ibis.union(overlapping, unkeyed)


def _chosen(
    store: Store, candidates: ir.Table, expand: Expand, reach: Reach, keep: Keep
) -> ir.Table:
    """One candidate per person, unit and year, by the tie-break, with the person's attributes.

    Only the contested candidates are ranked; the rest are chosen wherever they count. The
    result is the same set of rows as ranking every candidate in every year.
    """
    contested = keep(_contested(candidates, reach))
    clear = candidates.filter(candidates.person_id.notnull(), candidates.assignment_id.notnull())
    clear = clear.anti_join(contested, "assignment_id")
    ranked = _one_per(expand(contested), ["period", "unit", "person_id"])
    return ibis.union(
        expand(with_person(store, clear)).select(*MEMBER_COLUMNS),
        with_person(store, ranked).select(*MEMBER_COLUMNS),
    )


#: Whether what runs from `start` to `end` (null = open) counts in the period ending on `day`.
Counts = Callable[[ir.DateValue, ir.DateValue, ir.DateValue], ir.BooleanValue]


def _expand(years: Sequence[int], counts: Counts, reach: Reach) -> Expand:
    """Each row once for each period it `counts` in, through an equality join.

    A row can count only from the period its start falls in to the one its `reach` falls in
    (a period counts on its last day, on or after every day in it), so it is repeated for each
    period ordinal between the two and joined to the periods on the ordinal; `counts` then keeps
    exactly the periods it counts in. No engine needs a range join, which Spark can only run as
    a nested loop over every row and period.
    """
    y = _periods_table(tuple(sorted(set(years))))
    ordinals = sorted(calendar.ordinal(p) for p in set(years))
    first, last = (ordinals[0], ordinals[-1]) if ordinals else (0, -1)
    months = {calendar.is_month(p) for p in years}
    if len(months) > 1:
        raise ValueError("periods must be all reporting years or all months")
    interval = calendar.Interval.MONTH if months == {True} else calendar.Interval.YEAR

    def expand(t: ir.Table) -> ir.Table:
        since = ibis.greatest(calendar.ordinal_of(t.start_date, interval), first)
        until = calendar.ordinal_of(reach(t), interval).fill_null(last)
        spread = t.mutate(**{ORDINAL: ibis.range(since, ibis.least(until, last) + 1).unnest()})
        joined = spread.join(y, ORDINAL)
        kept = joined.filter(counts(joined.start_date, joined.end_date, joined.snapshot))
        return kept.drop(ORDINAL)

    return expand


def _end(t: ir.Table) -> ir.DateValue:
    return t.end_date


def _end_and_bank_window(t: ir.Table) -> ir.DateValue:
    """No later than the last day whose window reaches the end (ending 30 September reaches
    up to 30 March): a bound for the overlap test and the expansion, which only need it not to
    fall short."""
    return t.end_date + ibis.interval(months=6)


def _at_snapshot(years: Sequence[int]) -> Expand:
    return _expand(years, _active_on, _end)


def _in_bank_window(years: Sequence[int]) -> Expand:
    """A bank assignment counts in a year if it ran on a day of the six months to 31 March."""
    return _expand(years, _held_in_bank_window, _end_and_bank_window)


def staff_in_post(
    store: Store, scope: Scope, years: Sequence[int], keep: Keep = _as_is
) -> ir.Table:
    """Staff in post at 31 March of each year: non-bank, one row per person, unit and year."""
    candidates = _candidates(store, scope, bank=False)
    return _chosen(store, candidates, _at_snapshot(years), _end, keep)


def bank_only_workers(
    store: Store,
    scope: Scope,
    years: Sequence[int],
    substantive: ir.Table | None = None,
    keep: Keep = _as_is,
) -> ir.Table:
    """Active bank workers at 31 March: a bank assignment in the six months to the date and no
    non-bank assignment in the unit on it. One row per person, unit and year.

    `substantive` is the workforce for these years, when the caller already has it. Leaving out
    those in it after the tie-break, rather than before, removes whole (person, unit, year)
    groups either way, so the same rows remain.
    """
    if substantive is None:
        substantive = staff_in_post(store, scope, years, keep)
    candidates = _candidates(store, scope, bank=True)
    chosen = _chosen(store, candidates, _in_bank_window(years), _end_and_bank_window, keep)
    return chosen.anti_join(substantive, ["period", "unit", "person_id"])


def board(store: Store, scope: Scope, years: Sequence[int]) -> ir.Table:
    """Board members at 31 March: an active assignment with a board seat, any contract."""
    active = assignments_at_snapshots(store, scope, years)
    seats = active.filter(active.board_member.fill_null(False))
    window = ibis.window(
        group_by=[seats.period, seats.unit, seats.person_id],
        order_by=[
            ibis.desc(ibis.ifelse(seats.board_voting.fill_null(False), 1, 0)),
            ibis.desc(ibis.ifelse(seats.board_executive.fill_null(False), 1, 0)),
            seats.assignment_id,
        ],
    )
    ranked = seats.mutate(_rank=ibis.row_number().over(window))
    return with_person(store, ranked.filter(ranked._rank == 0).drop("_rank"))
