"""Scrutiny recommendations 7, 8 and 10: leave decisions, disciplinary casework, just culture.

- Rec 7 asks whether internationally recruited staff can take their leave: the share of leave
  requests declined, by ethnic group, for international recruits and others, by leave type.
- Rec 8 asks whether disciplinary processes are fair (WRES 3 counts who enters them): once a
  case is formal, who is suspended, whose case ends in a final written warning or dismissal,
  and whose case drags on.
- Rec 10 asks for a just and learning culture: whether formal cases were preceded by a
  just-culture assessment, where the recorded path led (outcome A-G, derived from the answers
  by `equitrack.model.just_culture`, never typed), and which formal cases rest on a path that
  does not support action against the individual.

Casework counts cases, not people: a person with two formal cases in a year is two cases.
Every case measure is split by contract at the formal date (bank-only in the organisation on
that date, as Bank WRES counts them, or substantive), with the whole in the unlabelled "All"
cell; option `contract=combined` gives the whole alone.
"""

from __future__ import annotations

import functools

import ibis
import ibis.expr.types as ir

from equitrack.measures import populations as pop
from equitrack.measures.categories import Categorised
from equitrack.measures.counting import ALL
from equitrack.measures.declare import Frame, Kind, Measure, subset
from equitrack.model.just_culture import OUTCOMES, Assessment, assess
from equitrack.stats import Orientation

FAMILY = "scrutiny"

BANK_CELL, SUBSTANTIVE_CELL = "Bank", "Substantive"
CONTRACT = ("split", "combined")
CASE_TYPES = ("conduct", "capability", "other", "all")

# --- who was bank-only on a day ------------------------------------------------------------


def with_contract(frame: Frame, events: ir.Table, key: str, day: str) -> ir.Table:
    """The events with `contract_cell`: "Bank" when bank-only on `day`, else "Substantive"."""
    bank = pop.bank_only_on(frame.store, events, key, day)
    return ibis.union(
        events.semi_join(bank, key).mutate(contract_cell=ibis.literal(BANK_CELL)),
        events.anti_join(bank, key).mutate(contract_cell=ibis.literal(SUBSTANTIVE_CELL)),
    )


def _cells(table: ir.Table, frame: Frame) -> ir.Table:
    """Each member once in the "All" cell and, with `contract=split`, again in its contract's."""
    whole = table.mutate(cell=ibis.literal(ALL))
    if frame.options.get("contract", "split") == "combined":
        return whole
    return ibis.union(whole, table.mutate(cell=table.contract_cell))


def _cell(t: ir.Table) -> ir.StringValue:
    return t.cell


# --- cases ----------------------------------------------------------------------------------

CASE_COLUMNS = (
    "period",
    "unit",
    "org_code",
    "case_id",
    "person_id",
    "case_type",
    "formal_date",
    "closed_date",
    "suspended",
    "outcome",
    "just_culture_answers",
    "pre_formal_assessment",
    "contract_cell",
)


def _formal_cases_by(frame: Frame, years: tuple[int, ...], day: str) -> ir.Table:
    """Cases that went formal, in the year `day` falls in, with the person's attributes."""
    d = frame.store.table("disciplinary")
    d = d.filter(d.formal_date.notnull(), d[day].notnull())
    d = d.mutate(period=frame.period_of(d[day]))
    d = d.filter(d.period.isin(list(years))).join(pop.units(frame.store, frame.scope), "org_code")
    d = with_contract(frame, d, "case_id", "formal_date").select(*CASE_COLUMNS)
    return pop.with_person(frame.store, d)


def _of_type(table: ir.Table, frame: Frame) -> ir.Table:
    case_type = frame.options.get("case_type", "conduct")
    return table if case_type == "all" else table.filter(table.case_type == case_type)


def cases_entering_formal(frame: Frame) -> ir.Table:
    """Cases whose formal_date falls in the year (one row per case and cell)."""
    cases = frame.population(
        "scrutiny.casework.formal_by_formal_date",
        lambda years: _formal_cases_by(frame, years, "formal_date"),
    )
    return _cells(_of_type(cases, frame), frame)


def formal_cases_closed(frame: Frame) -> ir.Table:
    """Formal cases whose closed_date falls in the year (one row per case and cell)."""
    cases = frame.population(
        "scrutiny.casework.formal_by_closed_date",
        lambda years: _formal_cases_by(frame, years, "closed_date"),
    )
    return _cells(_of_type(cases, frame), frame)


# rec 8: suspension, outcome severity, duration


def suspension_population(frame: Frame) -> ir.Table:
    cases = cases_entering_formal(frame)
    if frame.options.get("suspension_unknown") == "exclude":
        return cases.filter(cases.suspended.notnull())
    return cases


def suspended(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.suspended.fill_null(False)


#: What counts as a severe outcome, by option value.
SEVERE = {
    "final_warning_or_dismissal": ("final_written_warning", "dismissal"),
    "any_warning_or_dismissal": ("first_written_warning", "final_written_warning", "dismissal"),
    "dismissal": ("dismissal",),
}


def closed_with_outcome(frame: Frame) -> ir.Table:
    cases = formal_cases_closed(frame)
    return cases.filter(cases.outcome.notnull())


def severe(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.outcome.isin(list(SEVERE[frame.options.get("severe", "final_warning_or_dismissal")]))


def lasted_longer(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    """Closed more than `threshold_days` days after the formal date."""
    days = int(frame.options.get("threshold_days", 182))
    return t.closed_date > t.formal_date + ibis.interval(days=days)


# rec 10: just culture


def _answered(t: ir.Table) -> ir.BooleanValue:
    return t.just_culture_answers.fill_null("").strip() != ""


def assessed(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    """A pre-formal assessment flagged, or a just-culture path recorded."""
    return t.pre_formal_assessment.fill_null(False) | _answered(t)


def assessed_cases(frame: Frame) -> ir.Table:
    cases = cases_entering_formal(frame)
    return cases.filter(_answered(cases))


def _answers(t: ir.Table) -> ir.StringValue:
    return t.just_culture_answers


@functools.lru_cache(maxsize=4096)
def _assessment(text: str) -> Assessment:
    return assess(text or None)


INVALID = "Invalid path"
INDIVIDUAL_ACTION = "Individual action (A or G)"
SYSTEM_LEARNING = "System learning (D or E)"
OUTCOME_CATEGORIES = (
    *(f"Outcome {code}" for code in OUTCOMES),
    INVALID,
    INDIVIDUAL_ACTION,
    SYSTEM_LEARNING,
)


def outcome_categories(text: str) -> tuple[str, ...]:
    """Where a recorded path leads: its outcome, and the roll-ups the spec asks for."""
    a = _assessment(text)
    if not a.valid:
        return (INVALID,)
    return (
        f"Outcome {a.outcome}",
        *((INDIVIDUAL_ACTION,) if a.supports_individual_action else ()),
        *((SYSTEM_LEARNING,) if a.system_learning else ()),
    )


UNSUPPORTED = "Does not support individual action"
NO_ASSESSMENT = "No assessment"
ENDS_B_TO_F = "Outcome B to F"
UNSUPPORTED_CATEGORIES = (UNSUPPORTED, NO_ASSESSMENT, INVALID, ENDS_B_TO_F)


def unsupported_categories(text: str) -> tuple[str, ...]:
    """Flagged when the path does not support individual action, with the reason."""
    a = _assessment(text)
    if a.formal_case_flag is None:
        return ()
    reason = NO_ASSESSMENT if a.empty else INVALID if not a.valid else ENDS_B_TO_F
    return (UNSUPPORTED, reason)


# --- rec 7: leave -----------------------------------------------------------------------------

DECIDED = ("approved", "declined")
INTERNATIONAL, OTHERS = "International recruit", "Others"
ALL_TYPES, ALL_STAFF = "All types", "All staff"
LEAVE_SPLIT = ("international", "contract")


def decided_leave(frame: Frame) -> ir.Table:
    """Leave requests made in the year and decided (approved or declined), in four cells each:
    All; <who> | All types; <who> | <leave type>; All staff | <leave type>. <who> is
    international recruit or not (`split=international`), or bank or substantive on the date
    of the request (`split=contract`)."""
    lv = frame.store.table("leave")
    lv = lv.filter(lv.decision.isin(list(DECIDED)))
    lv = lv.mutate(period=frame.period_of(lv.requested_date))
    lv = lv.filter(lv.period.isin(list(frame.periods))).join(
        pop.units(frame.store, frame.scope), "org_code"
    )
    lv = lv.select(
        "period", "unit", "org_code", "request_id", "person_id", "leave_type", "requested_date",
        "decision",
    )  # fmt: skip
    if frame.options.get("split", "international") == "contract":
        lv = with_contract(frame, lv, "request_id", "requested_date")
        lv = pop.with_person(frame.store, lv)
        lv = lv.mutate(who=lv.contract_cell)
    else:
        lv = pop.with_person(frame.store, lv)
        lv = lv.mutate(
            who=ibis.ifelse(
                lv.international_recruit.fill_null(False),
                ibis.literal(INTERNATIONAL),
                ibis.literal(OTHERS),
            )
        )
    return ibis.union(
        lv.mutate(cell=ibis.literal(ALL)),
        lv.mutate(cell=lv.who.concat(" | ", ALL_TYPES)),
        lv.mutate(cell=lv.who.concat(" | ", lv.leave_type)),
        lv.mutate(cell=ibis.literal(ALL_STAFF).concat(" | ", lv.leave_type)),
    )


def declined(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.decision == "declined"


# --- declarations -----------------------------------------------------------------------------

CASE_OPTIONS = {"case_type": "conduct", "contract": "split"}
CASE_CHOICES = {"case_type": CASE_TYPES, "contract": CONTRACT}
SPLIT_NOTE = (
    " Split by contract at the formal date: bank-only in the organisation (as Bank WRES counts "
    "them) or substantive; the unlabelled row is everyone."
)

MEASURES = (
    Measure(
        id="leave_declined",
        phrase="to have a leave request declined",
        family=FAMILY,
        title="Leave requests declined (international recruits and others, by leave type)",
        kind=Kind.COMPARISON,
        population=decided_leave,
        event=subset(decided_leave, declined),
        orientation=Orientation.HARM,
        breakdown=_cell,
        options={"split": "international"},
        choices={"split": LEAVE_SPLIT},
        description="Leave requests made in the year (by requested_date) and decided, approved "
        "or declined (withdrawn and pending requests are left out); share declined, by the "
        "ethnicity of the person asking. Counted per request. Cells: "
        "everyone; international recruits (people.international_recruit; blank counts as not) "
        "and others, over all leave types and per type; and everyone per type. Option "
        "split=contract splits by bank-only or substantive on the date of the request instead.",
    ),
    Measure(
        id="suspension",
        phrase="to be suspended once a case was formal",
        family=FAMILY,
        title="Suspension once a case is formal",
        kind=Kind.COMPARISON,
        population=suspension_population,
        event=subset(suspension_population, suspended),
        orientation=Orientation.HARM,
        breakdown=_cell,
        options={**CASE_OPTIONS, "suspension_unknown": "not_suspended"},
        choices={**CASE_CHOICES, "suspension_unknown": ("not_suspended", "exclude")},
        description="Cases entering the formal process in the year (formal_date in the year; "
        "conduct cases by default, option case_type), counted per case; share suspended."
        " A blank suspended flag counts as not suspended (option "
        "suspension_unknown=exclude leaves such cases out)." + SPLIT_NOTE,
    ),
    Measure(
        id="severe_outcome",
        phrase="to have a formal case end in a severe outcome",
        family=FAMILY,
        title="Formal cases ending in a final written warning or dismissal",
        kind=Kind.COMPARISON,
        population=closed_with_outcome,
        event=subset(closed_with_outcome, severe),
        orientation=Orientation.HARM,
        breakdown=_cell,
        options={**CASE_OPTIONS, "severe": "final_warning_or_dismissal"},
        choices={**CASE_CHOICES, "severe": tuple(SEVERE)},
        description="Formal cases closed in the year (closed_date in the year) with an outcome "
        "recorded; share whose outcome is severe: a final written warning or dismissal by "
        "default (option severe: any_warning_or_dismissal adds first written warnings, "
        "dismissal counts dismissal alone)." + SPLIT_NOTE,
    ),
    Measure(
        id="long_case",
        phrase="to have a formal case last more than {threshold_days} days",
        family=FAMILY,
        title="Formal cases lasting longer than six months",
        kind=Kind.COMPARISON,
        population=formal_cases_closed,
        event=subset(formal_cases_closed, lasted_longer),
        orientation=Orientation.HARM,
        breakdown=_cell,
        options={**CASE_OPTIONS, "threshold_days": 182},
        choices={**CASE_CHOICES, "threshold_days": range(1, 3651)},  # up to ten years
        description="Formal cases closed in the year (closed_date in the year); share closed "
        "more than threshold_days days (default 182, about six months) after the formal date, "
        "the time a person spends under formal process. The threshold "
        "is a choice, not a national standard: ACAS expects cases to be dealt with without "
        "unreasonable delay, and many NHS policies aim to finish investigations within a few "
        "months." + SPLIT_NOTE,
    ),
    Measure(
        id="jc_assessed",
        phrase="to have a just-culture assessment before a formal case",
        family=FAMILY,
        title="Formal cases preceded by a just-culture assessment",
        kind=Kind.COMPARISON,
        population=cases_entering_formal,
        event=subset(cases_entering_formal, assessed),
        orientation=Orientation.BENEFIT,
        breakdown=_cell,
        options=CASE_OPTIONS,
        choices=CASE_CHOICES,
        description="Cases entering the formal process in the year (conduct by default); share "
        "with pre_formal_assessment true or a just-culture path recorded "
        "(just_culture_answers), valid or not." + SPLIT_NOTE,
    ),
    Categorised(
        id="jc_outcomes",
        phrase="to have an assessed case in “{category}”",
        family=FAMILY,
        title="Just-culture outcome (A-G) of assessed formal cases",
        kind=Kind.CATEGORIES,
        population=assessed_cases,
        key=_answers,
        categorise=outcome_categories,
        categories=OUTCOME_CATEGORIES,
        compared={
            INDIVIDUAL_ACTION: Orientation.HARM,
            SYSTEM_LEARNING: Orientation.BENEFIT,
        },
        breakdown=_cell,
        options=CASE_OPTIONS,
        choices=CASE_CHOICES,
        description="Cases entering the formal process in the year with a just-culture path "
        "recorded; each group's share ending in each outcome A-G, derived from the recorded "
        "answers by walking NHS Improvement's 2018 guide (an invalid path, one that skips a "
        "question or carries on past its outcome, is shown as such). Roll-ups: individual "
        "action (A, or the full path to G), compared as a harm; system learning (D or E), "
        "compared as a benefit." + SPLIT_NOTE,
    ),
    Categorised(
        id="jc_unsupported",
        phrase="to have a formal case whose just-culture path does not support individual action",
        family=FAMILY,
        title="Formal cases whose just-culture path does not support individual action",
        kind=Kind.CATEGORIES,
        population=cases_entering_formal,
        key=_answers,
        categorise=unsupported_categories,
        categories=UNSUPPORTED_CATEGORIES,
        compared={UNSUPPORTED: Orientation.HARM},
        headline=UNSUPPORTED,
        breakdown=_cell,
        options=CASE_OPTIONS,
        choices=CASE_CHOICES,
        description="Cases entering the formal process in the year (conduct by default); share "
        "whose recorded just-culture path does not support action against the individual: no "
        "path recorded, an invalid path, or a path ending in B to F (only A, or the full path "
        "to G, supports it). Each reason is also shown on its own. A "
        "pre_formal_assessment flag without a recorded path is not an assessment here."
        + SPLIT_NOTE,
    ),
)
