"""The populations measures count, as Ibis expressions: staff in post, bank-only staff, boards.

Each is one query over every requested year at once (a small table of years joined on the
snapshot date), so it runs unchanged on DuckDB, PostgreSQL and Spark. Rows carry `unit`: the
organisation, or the system when figures are for the whole integrated care system, so that a
person is counted once per unit.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from equitrack.model import codes
from equitrack.store import Store

BANK = "bank"


@dataclass(frozen=True)
class Scope:
    """Which organisations, and whether they are reported one by one or as their system."""

    orgs: tuple[str, ...] = ()  # empty = every organisation in the store
    system: bool = False

    def as_option(self) -> dict[str, object]:
        return {"orgs": list(self.orgs), "system": self.system}


def snapshot(year: int) -> dt.date:
    """Reporting year Y is the financial year to 31 March Y."""
    return dt.date(year, 3, 31)


def year_start(year: int) -> dt.date:
    return dt.date(year - 1, 4, 1)


def years_table(years: Sequence[int]) -> ir.Table:
    return _years_table(tuple(sorted(set(years))))


@functools.cache
def _years_table(years: tuple[int, ...]) -> ir.Table:
    """One memtable per set of years, so each registers once however often it is used."""
    return ibis.memtable(
        {
            "period": list(years),
            "snapshot": [snapshot(y) for y in years],
            "year_start": [year_start(y) for y in years],
            "bank_window_start": [dt.date(y - 1, 10, 1) for y in years],
        },
        schema={
            "period": "int64",
            "snapshot": "date",
            "year_start": "date",
            "bank_window_start": "date",
        },
    )


def band_rank(pay_band: ir.StringValue) -> ir.IntegerValue:
    ranks = {band: codes.band_rank(band) for band in codes.AFC_BANDS}
    return pay_band.substitute(ranks, else_=ibis.literal(0)).cast("int64")


SYSTEM_PREFIX = "system:"


def units(store: Store, scope: Scope) -> ir.Table:
    """org_code → unit: the organisation itself, or `system:<code>` for its system.

    System codes are often an ICB's own ODS code (LLR's is QK1, the ICB's), so a system unit is
    prefixed to keep it apart from the organisation.
    """
    o = store.table("organisations")
    if scope.orgs:
        o = o.filter(o.org_code.isin(list(scope.orgs)))
    unit = (
        ibis.literal(SYSTEM_PREFIX).concat(o.system_code.fill_null("ALL"))
        if scope.system
        else o.org_code
    )
    return o.select("org_code", unit=unit)


def _active_on(start: ir.DateValue, end: ir.DateValue, day: ir.DateValue) -> ir.BooleanValue:
    return (start <= day) & (end.isnull() | (end >= day))


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


def with_person(store: Store, table: ir.Table) -> ir.Table:
    p = store.table("people").select(
        "person_id", "ethnic_code", "sex", "disability", "international_recruit"
    )
    return table.join(p, "person_id", how="left")


def assignments_at_snapshots(store: Store, scope: Scope, years: Sequence[int]) -> ir.Table:
    """Every assignment active on each year's 31 March, with the year and the unit."""
    a = _in_scope(store, scope, store.table("assignments"))
    y = years_table(years)
    return a.join(y, _active_on(a.start_date, a.end_date, y.snapshot))


#: What measures read of a member; narrow, because populations are materialised and reused.
MEMBER_COLUMNS = (
    "period",
    "unit",
    "org_code",
    "person_id",
    "pay_band",
    "staff_group",
    "clinical",
    "contract",
)


def workforce(store: Store, scope: Scope, years: Sequence[int]) -> ir.Table:
    """Staff in post at 31 March of each year: non-bank, one row per person, unit and year."""
    active = assignments_at_snapshots(store, scope, years)
    active = active.filter(active.contract != BANK)
    chosen = _one_per(active, ["period", "unit", "person_id"]).select(*MEMBER_COLUMNS)
    return with_person(store, chosen)


def bank_only(store: Store, scope: Scope, years: Sequence[int]) -> ir.Table:
    """Active bank workers at 31 March: a bank assignment in the six months to the date and no
    non-bank assignment in the unit on it. One row per person, unit and year."""
    a = _in_scope(store, scope, store.table("assignments"))
    y = years_table(years)
    bank = a.filter(a.contract == BANK)
    recent = bank.join(
        y,
        (bank.start_date <= y.snapshot)
        & (bank.end_date.isnull() | (bank.end_date >= y.bank_window_start)),
    )
    substantive = workforce(store, scope, years).select("period", "unit", "person_id")
    only = recent.anti_join(substantive, ["period", "unit", "person_id"])
    chosen = _one_per(only, ["period", "unit", "person_id"]).select(*MEMBER_COLUMNS)
    return with_person(store, chosen)


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
