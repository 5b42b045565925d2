"""Bank WRES: the bank-only workforce against the substantive workforce."""

from __future__ import annotations

import ibis

from equitrack.measures import queries as q
from equitrack.measures import standard as std
from equitrack.measures.declare import Attribute, Frame, Kind, Measure
from equitrack.stats import Orientation

FAMILY = "bank-wres"


def bank_and_substantive(frame: Frame) -> ibis.Table:
    bank = q.bank_only(frame).mutate(workforce=ibis.literal("Bank"))
    staff = q.workforce(frame).mutate(workforce=ibis.literal("Substantive"))
    columns = ["period", "unit", "person_id", "ethnic_code", "sex", "disability", "workforce"]
    return ibis.union(bank.select(columns), staff.select(columns))


def international_bank(frame: Frame) -> ibis.Table:
    b = q.bank_only(frame)
    return b.filter(b.international_recruit.fill_null(False))


MEASURES = (
    Measure(
        id="bank1", family=FAMILY, title="Bank and substantive workforce by ethnicity",
        kind=Kind.REPRESENTATION, population=bank_and_substantive, breakdown=lambda t: t.workforce,
        phrase="{Who} were {share} of the workforce",
    ),
    Measure(
        id="bank1_sex", family=FAMILY, title="Bank and substantive workforce by sex",
        kind=Kind.REPRESENTATION, population=bank_and_substantive, breakdown=lambda t: t.workforce,
        attribute=Attribute.SEX, phrase="{Who} were {share} of the workforce",
    ),
    std.formal_process_entry(
        "bank3", FAMILY,
        "Relative likelihood of bank workers entering the formal disciplinary process",
        "conduct", bank=True,
    ),
    std.training_access(
        "bank4", FAMILY,
        "Relative likelihood of bank workers accessing non-mandatory training and CPD",
        q.bank_only, q.bank_trained,
        description="WRES 4 for the bank: bank-only workers at 31 March with non-mandatory "
        "training at the organisation starting in the year.",
    ),
    Measure(
        id="bank_removal", family=FAMILY,
        title="Relative likelihood of removal from the bank (dismissal or removal)",
        kind=Kind.COMPARISON, population=q.bank_only, event=q.bank_leavers_removed,
        orientation=Orientation.HARM, options=std.POOLED, choices=std.POOLED_CHOICES,
        phrase="to be removed from the bank",
    ),
    Measure(
        id="bank_route", family=FAMILY,
        title="Bank workers who entered through international recruitment",
        kind=Kind.COMPARISON, population=q.bank_only, event=international_bank,
        orientation=Orientation.NEUTRAL,
        phrase="to have joined the bank through international recruitment",
    ),
    *(
        std.survey_item(
            f"bank_survey_wres{n}", FAMILY, f"Bank worker survey, WRES item {n}", f"wres{n}",
            population=q.bank_only, instrument="bank",
        )
        for n in (5, 6, 7, 8)
    ),
)  # fmt: skip
