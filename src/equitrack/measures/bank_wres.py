"""Bank WRES: the bank-only workforce against the substantive workforce."""

from __future__ import annotations

import ibis

from equitrack.measures import queries as q
from equitrack.measures import survey
from equitrack.measures.declare import Attribute, Frame, Kind, Measure
from equitrack.stats import Orientation, Pooling

FAMILY = "bank-wres"


def bank_and_substantive(frame: Frame) -> ibis.Table:
    bank = q.bank_only(frame).mutate(workforce=ibis.literal("Bank"))
    staff = q.workforce(frame).mutate(workforce=ibis.literal("Substantive"))
    columns = ["period", "unit", "person_id", "ethnic_code", "sex", "disability", "workforce"]
    return ibis.union(bank.select(columns), staff.select(columns))


def international_bank(frame: Frame) -> ibis.Table:
    b = q.bank_only(frame)
    return b.filter(b.international_recruit.fill_null(False))


POOLING_OPTIONS = {"window": 2, "pooling": Pooling.POOLED.value}
POOLING_CHOICES = {"window": (1, 2), "pooling": tuple(p.value for p in Pooling)}

MEASURES = (
    Measure(
        id="bank1", family=FAMILY, title="Bank and substantive workforce by ethnicity",
        kind=Kind.REPRESENTATION, population=bank_and_substantive, breakdown=lambda t: t.workforce,
    ),
    Measure(
        id="bank1_sex", family=FAMILY, title="Bank and substantive workforce by sex",
        kind=Kind.REPRESENTATION, population=bank_and_substantive, breakdown=lambda t: t.workforce,
        attribute=Attribute.SEX,
    ),
    Measure(
        id="bank3", family=FAMILY,
        title="Relative likelihood of bank workers entering the formal disciplinary process",
        kind=Kind.COMPARISON, population=q.bank_only, event=q.formal_entrants("conduct", bank=True),
        outnumbered=q.BANK_ENTRANTS_OUTNUMBER, orientation=Orientation.HARM, window=2, options=POOLING_OPTIONS, choices=POOLING_CHOICES,
    ),
    Measure(
        id="bank4", family=FAMILY,
        title="Relative likelihood of bank workers accessing non-mandatory training and CPD",
        kind=Kind.COMPARISON, population=q.bank_only, event=q.bank_trained,
        orientation=Orientation.BENEFIT,
        description="WRES 4 for the bank: bank-only workers at 31 March with non-mandatory "
        "training at the organisation starting in the year; ratio = White / BME.",
    ),
    Measure(
        id="bank_removal", family=FAMILY,
        title="Relative likelihood of removal from the bank (dismissal or removal)",
        kind=Kind.COMPARISON, population=q.bank_only, event=q.bank_leavers_removed,
        orientation=Orientation.HARM, window=2, options=POOLING_OPTIONS, choices=POOLING_CHOICES,
    ),
    Measure(
        id="bank_route", family=FAMILY,
        title="Bank workers who entered through international recruitment",
        kind=Kind.COMPARISON, population=q.bank_only, event=international_bank,
        orientation=Orientation.NEUTRAL,
    ),
    *(
        Measure(
            id=f"bank_survey_wres{n}", family=FAMILY, title=f"Bank worker survey, WRES item {n}",
            kind=Kind.SURVEY, population=q.bank_only, orientation=survey.orientation(f"wres{n}"),
            options={"survey_measure": f"wres{n}", "instrument": "bank"},
        )
        for n in (5, 6, 7, 8)
    ),
)  # fmt: skip
