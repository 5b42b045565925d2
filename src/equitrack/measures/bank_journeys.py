"""Recommendations 2 and 9: do bank staff have different journeys, and worse experiences?

Conversion from the bank to a substantive post within the year, racist abuse recorded against
staff (bank and substantive), whether an action was recorded for racist abuse incidents, and
the mix of incidents affecting bank-only and substantive staff.

An incident's contract is the affected person's standing at the incident's organisation on the
incident date, by the rules of the staff-in-post and bank-only populations: `Substantive` with
a non-bank assignment active that day; `Bank` without one but with a bank assignment in the six
months up to it; `Not known` when no person is recorded or neither holds.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from equitrack.measures import bank_wres
from equitrack.measures import populations as pop
from equitrack.measures import queries as q
from equitrack.measures.declare import Frame, Kind, Measure, subset
from equitrack.measures.progression import followed, with_previous_years
from equitrack.stats import Orientation

FAMILY = "scrutiny"
RACIST_ABUSE = "racist_abuse"
BANK_CELL, SUBSTANTIVE_CELL, NOT_KNOWN_CELL, ALL_CELL = "Bank", "Substantive", "Not known", "All"
#: An action value that records that nothing was done.
NO_ACTION = "none"


def bank_converters_base(frame: Frame) -> ir.Table:
    """Bank-only workers at 31 March Y-1 (active bank workers with no substantive post in the
    unit), labelled with the year Y in which their conversion is looked for."""
    return followed(frame, q.bank_only(with_previous_years(frame)))


def converted(frame: Frame) -> ir.Table:
    """Those of them in the substantive workforce of the same unit at 31 March Y."""
    staff = q.workforce(frame).select("period", "unit", "person_id")
    return bank_converters_base(frame).semi_join(staff, ["period", "unit", "person_id"])


def _with_all(table: ir.Table, column: str) -> ir.Table:
    """Every row once under its own cell and again under `All`."""
    return ibis.union(table, table.mutate(**{column: ibis.literal(ALL_CELL)}))


def bank_and_substantive(frame: Frame) -> ir.Table:
    """Substantive staff in post and bank-only workers at 31 March (Bank WRES's population),
    with their contract cell."""
    return bank_wres.bank_and_substantive(frame).rename(contract_cell="workforce")


def _incidents_in_scope(frame: Frame, years: tuple[int, ...]) -> ir.Table:
    i = frame.store.table("incidents")
    i = i.mutate(period=frame.period_of(i.incident_date))
    i = i.filter(i.period.isin(list(years)))
    return i.join(pop.units(frame.store, frame.scope), "org_code")


def staff_abused(frame: Frame) -> ir.Table:
    """Members of the 31 March population with a racist abuse incident recorded against them at
    an organisation of the unit in the year (each person once, in their 31 March cell)."""
    members = racist_abuse_population(frame)
    i = _incidents_in_scope(frame, frame.periods)
    i = i.filter(i.category == RACIST_ABUSE, i.person_id.notnull())
    return members.semi_join(
        i.select("period", "unit", "person_id"), ["period", "unit", "person_id"]
    )


def racist_abuse_population(frame: Frame) -> ir.Table:
    return _with_all(bank_and_substantive(frame), "contract_cell")


def _incidents_with_contract(frame: Frame, years: tuple[int, ...]) -> ir.Table:
    """Incidents in the years, one row each, with the affected person's contract on the day and
    their equality attributes (blank when no person is recorded)."""
    i = _incidents_in_scope(frame, years).select(
        "incident_id", "period", "unit", "org_code", "incident_date", "person_id", "category",
        "source", "action",
    )  # fmt: skip
    substantive, bank = (
        pop.holding_on(frame.store, i, "incident_id", "incident_date", bank=b)
        for b in (False, True)
    )
    cell = ibis.cases(
        (i.incident_id.isin(substantive.incident_id), SUBSTANTIVE_CELL),
        (i.incident_id.isin(bank.incident_id), BANK_CELL),
        else_=NOT_KNOWN_CELL,
    )
    tagged = i.select(
        "incident_id", "period", "unit", "person_id", "category", "source", "action",
        contract_cell=cell,
    )  # fmt: skip
    return pop.with_person(frame.store, tagged)


def incidents_with_contract(frame: Frame) -> ir.Table:
    """Shared by `incident_action` and `bank_incidents`: materialised once per run."""
    return frame.population(
        "incidents_with_contract", lambda years: _incidents_with_contract(frame, years)
    )


def racist_incidents(frame: Frame) -> ir.Table:
    i = incidents_with_contract(frame)
    return _with_all(i.filter(i.category == RACIST_ABUSE), "contract_cell")


def action_recorded(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    action = t.action.strip().lower()
    return t.action.notnull() & (action != "") & (action != NO_ACTION)


def incident_cell(t: ir.Table) -> ir.StringValue:
    return t.contract_cell.concat(" | ", t.category)


MEASURES = (
    Measure(
        id="bank_conversion",
        phrase="to move from the bank to a substantive post within the year",
        family=FAMILY,
        title="Conversion from the bank to a substantive post within the year",
        kind=Kind.COMPARISON,
        population=bank_converters_base,
        event=converted,
        orientation=Orientation.BENEFIT,
        description="Bank-only workers at 31 March Y-1 (a bank assignment in the six months to "
        "that day and no substantive post in the unit); the event is being in the substantive "
        "workforce (staff in post, any non-bank contract) of the same unit at 31 March Y. "
        "Groups from the person's record.",
    ),
    Measure(
        id="racist_abuse",
        phrase="to be affected by racist abuse",
        family=FAMILY,
        title="Staff affected by racist abuse (incidents recorded against them)",
        kind=Kind.COMPARISON,
        population=racist_abuse_population,
        event=staff_abused,
        orientation=Orientation.HARM,
        breakdown=lambda t: t.contract_cell,
        description="Substantive staff in post and bank-only workers at 31 March, by contract "
        "(Bank, Substantive, and both together as All); the event is at least one incident in "
        "the year with category racist_abuse recorded against the person at an organisation "
        "of the unit, whatever their contract on the day. Incidents with no person recorded, "
        "and people who had left by 31 March, cannot be counted here (see bank_incidents for "
        "every incident).",
    ),
    Measure(
        id="incident_action",
        phrase="to have an action recorded on a racist abuse incident against them",
        family=FAMILY,
        title="Racist abuse incidents with an action recorded",
        kind=Kind.COMPARISON,
        population=racist_incidents,
        event=subset(racist_incidents, action_recorded),
        orientation=Orientation.BENEFIT,
        breakdown=lambda t: t.contract_cell,
        description="Incidents in the year with category racist_abuse, one each, by the "
        "affected person's group (Unknown when no person is recorded) and their contract on "
        "the incident date at that organisation (Bank, Substantive, Not known, and All); the "
        "event is an action recorded, that is action neither blank nor 'none'.",
    ),
    Measure(
        id="bank_incidents",
        phrase="{share} of incidents affected {who}",
        family=FAMILY,
        title="Incidents affecting bank and substantive staff, by category",
        kind=Kind.REPRESENTATION,
        population=incidents_with_contract,
        breakdown=incident_cell,
        description="Incidents in the year (abuse, violence and harassment against staff), one "
        "each, counted by the affected person's contract on the incident date at that "
        "organisation (Bank, Substantive, Not known) and category: cell 'Bank | racist_abuse' "
        "and so on, with 'Bank | All' per contract and 'All'. Each row is the group's share of "
        "the cell's incidents; a category's share of a contract's incidents is the cell's "
        "denominator over the 'contract | All' denominator.",
    ),
)
