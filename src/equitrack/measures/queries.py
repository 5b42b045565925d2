"""Populations and events shared by WRES, WDES and Bank WRES, as Ibis queries over a Frame."""

from __future__ import annotations

from dataclasses import replace

import ibis
import ibis.expr.types as ir

from equitrack.measures import calendar
from equitrack.measures import populations as pop
from equitrack.measures.declare import Among, Frame, Query
from equitrack.model import codes
from equitrack.store import Store

BANK = pop.BANK


ALL_STAFF_GROUPS = "all"


def latest_year(store: Store) -> int | None:
    """The latest reporting year with anyone starting or in post (None when nobody is loaded):
    the default year of every command, page and report."""
    a = store.table("assignments")
    year = calendar.period_of(a.start_date, calendar.Interval.YEAR)
    return a.aggregate(top=year.max()).to_pyarrow().column("top")[0].as_py()


def workforce(frame: Frame) -> ir.Table:
    """Staff in post at 31 March, of one staff group when the measure's `staff_group` option
    names one (WRES 1 and 4 take it; the shared population is filtered, not rebuilt)."""
    staff = frame.population(
        "workforce", lambda years: pop.staff_in_post(frame.store, frame.scope, years, frame.keep)
    )
    group = frame.options.get("staff_group", ALL_STAFF_GROUPS)
    return staff if group == ALL_STAFF_GROUPS else staff.filter(staff.staff_group == group)


def bank_only(frame: Frame) -> ir.Table:
    """Bank-only workers, leaving out the shared workforce rather than deriving it again."""

    def build(years: tuple[int, ...]) -> ir.Table:
        staff = workforce(replace(frame, periods=years))
        return pop.bank_only_workers(frame.store, frame.scope, years, staff, frame.keep)

    return frame.population("bank_only", build)


def wres1_cell(t: ir.Table) -> ir.StringValue:
    """WRES 1 rows: clinical or non-clinical, then the AfC band or the medical subgroup."""
    medical = {grade: sub for grade, sub in codes.MEDICAL_GRADES.items()}
    band = t.pay_band.substitute(medical, else_=t.pay_band)
    side = ibis.cases((t.clinical.fill_null(True), "Clinical"), else_="Non-clinical")
    return side.concat(" | ", band)


def shortlisted(frame: Frame) -> ir.Table:
    """Shortlisted applications in each year, by the equality data declared on them."""
    a = frame.store.table("applications")
    v = frame.store.table("vacancies").select("vacancy_id", "org_code")
    units = pop.units(frame.store, frame.scope)
    joined = a.join(v, "vacancy_id").join(units, "org_code")
    joined = joined.mutate(period=frame.period_of(joined.applied_date))
    return joined.filter(
        joined.shortlisted.fill_null(False), joined.period.isin(list(frame.periods))
    )


def appointed(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    column = t.offered if frame.options.get("appointed") == "offered" else t.appointed
    return column.fill_null(False)


def _cases_entering_formal(frame: Frame, case_type: str) -> ir.Table:
    d = frame.store.table("disciplinary")
    d = d.filter(d.case_type == case_type, d.formal_date.notnull())
    d = d.mutate(period=frame.period_of(d.formal_date))
    d = d.filter(d.period.isin(list(frame.periods)))
    return d.join(pop.units(frame.store, frame.scope), "org_code")


#: Entrants count whether or not still employed at 31 March, so they can outnumber a group.
ENTRANTS_OUTNUMBER = (
    "more people entered the formal process than were in post on 31 March, because leavers count"
)
BANK_ENTRANTS_OUTNUMBER = (
    "more people entered the formal process than were bank-only workers on 31 March, because "
    "leavers count"
)


def formal_entrants(case_type: str, bank: bool = False) -> Query:
    """People entering a formal case in the year, once per person, unit and year.

    Those who were bank-only on the formal date count in Bank WRES (`bank=True`), the others in
    WRES 3 / WDES 3, whether or not they are still employed at 31 March.
    """

    def query(frame: Frame) -> ir.Table:
        cases = _cases_entering_formal(frame, case_type)
        bank_cases = pop.bank_only_on(frame.store, cases, "case_id", "formal_date")
        chosen = (
            cases.semi_join(bank_cases, "case_id")
            if bank
            else cases.anti_join(bank_cases, "case_id")
        )
        people = chosen.select("period", "unit", "person_id").distinct()
        return pop.with_person(frame.store, people)

    return query


def training_keys(frame: Frame) -> ir.Table:
    """Who had non-mandatory training at each unit in each of the frame's periods."""
    tr = frame.store.table("training")
    tr = tr.filter(~tr.mandatory).join(pop.units(frame.store, frame.scope), "org_code")
    tr = tr.mutate(period=frame.period_of(tr.start_date)).select("person_id", "unit", "period")
    # only the years the staff are in: a no-op for the result, but it lets the engine build the
    # join on the (smaller) training side rather than on every person-year of staff
    return tr.filter(tr.period.isin(list(frame.periods)))


TRAINED_ON = ("person_id", "unit", "period")
#: Staff in post at 31 March with non-mandatory training at the organisation in the year.
trained = Among(workforce, training_keys, TRAINED_ON)
#: Bank-only workers at 31 March with non-mandatory training at the organisation.
bank_trained = Among(bank_only, training_keys, TRAINED_ON)


def board_seats(frame: Frame) -> ir.Table:
    """Board members, once in `All` and again under each kind of seat they hold."""
    b = pop.board(frame.store, frame.scope, frame.periods)
    voting = b.board_voting.fill_null(False)
    executive = b.board_executive.fill_null(False)
    kinds = [
        b.mutate(seat=ibis.literal("All")),
        b.filter(voting).mutate(seat=ibis.literal("Voting")),
        b.filter(executive).mutate(seat=ibis.literal("Executive")),
        b.filter(~executive).mutate(seat=ibis.literal("Non-executive")),
    ]
    return ibis.union(*kinds)


def bank_leavers_removed(frame: Frame) -> ir.Table:
    """Bank workers whose bank assignment ended in the year by dismissal or removal."""
    a = frame.store.table("assignments")
    reason = a.leaving_reason.lower()
    removed = a.filter(
        a.contract == BANK,
        a.end_date.notnull(),
        reason.contains("dismiss") | reason.contains("remov"),
    )
    removed = removed.join(pop.units(frame.store, frame.scope), "org_code")
    removed = removed.mutate(period=frame.period_of(removed.end_date))
    removed = removed.filter(removed.period.isin(list(frame.periods)))
    return pop.with_person(frame.store, removed.select("period", "unit", "person_id").distinct())
