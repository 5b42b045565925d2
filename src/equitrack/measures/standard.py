"""The indicators WRES, WDES and Bank WRES share, each made by one small factory.

WDES 2 is WRES 2 with groups from disability; Bank WRES 3 is WRES 3 over bank workers; every
survey indicator is a survey item read the same way. Declaring each shape once (as fairlearn
derives its metrics from a table) keeps the siblings from drifting apart: a fix to one is a fix
to all, and their words (`Measure.phrase`) come with the shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from equitrack.measures import queries as q
from equitrack.measures import survey
from equitrack.measures.declare import Attribute, Kind, Measure, Query, subset
from equitrack.stats import Orientation, Pooling

ETHNICITY = Attribute.ETHNICITY
#: How an appointment is read from an application: appointed, or offered a post.
APPOINTED = ("appointed", "offered")
#: Two years pooled by default, as WRES 3 counts disciplinary entry; one year or the mean of
#: the two years' rates can be chosen.
POOLED = {"window": 2, "pooling": Pooling.POOLED.value}
POOLED_CHOICES = {"window": (1, 2), "pooling": tuple(p.value for p in Pooling)}
STAFF_IN_POST = "{Who} were {share} of staff in post"


def representation_by_band(
    id: str,
    family: str,
    title: str,
    attribute: Attribute = ETHNICITY,
    *,
    options: Mapping[str, Any] | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
    description: str = "",
) -> Measure:
    """Staff in post at 31 March by band (WRES 1, WDES 1)."""
    return Measure(
        id=id, family=family, title=title, kind=Kind.REPRESENTATION, population=q.workforce,
        breakdown=q.wres1_cell, attribute=attribute, options=dict(options or {}),
        choices=dict(choices or {}), description=description, phrase=STAFF_IN_POST,
    )  # fmt: skip


def appointment_from_shortlisting(
    id: str, family: str, title: str, attribute: Attribute = ETHNICITY, description: str = ""
) -> Measure:
    """Appointed from shortlisting (WRES 2, WDES 2): a benefit, read as appointed or offered."""
    return Measure(
        id=id, family=family, title=title, kind=Kind.COMPARISON, population=q.shortlisted,
        event=subset(q.shortlisted, q.appointed), attribute=attribute,
        orientation=Orientation.BENEFIT, options={"appointed": "appointed"},
        choices={"appointed": APPOINTED}, description=description,
        phrase="to be appointed from shortlisting",
    )  # fmt: skip


def formal_process_entry(
    id: str,
    family: str,
    title: str,
    case_type: str,
    attribute: Attribute = ETHNICITY,
    *,
    bank: bool = False,
    description: str = "",
) -> Measure:
    """Entering a formal process (WRES 3, WDES 3, Bank WRES 3): a harm, two years pooled."""
    return Measure(
        id=id, family=family, title=title, kind=Kind.COMPARISON,
        population=q.bank_only if bank else q.workforce,
        event=q.formal_entrants(case_type, bank=bank),
        outnumbered=q.BANK_ENTRANTS_OUTNUMBER if bank else q.ENTRANTS_OUTNUMBER,
        attribute=attribute, orientation=Orientation.HARM, options=POOLED,
        choices=POOLED_CHOICES, description=description,
        phrase=f"to enter a formal {'disciplinary' if case_type == 'conduct' else case_type} "
        "process",
    )  # fmt: skip


def training_access(
    id: str,
    family: str,
    title: str,
    population: Query,
    event: Query,
    *,
    options: Mapping[str, Any] | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
    description: str = "",
) -> Measure:
    """Accessing non-mandatory training and CPD (WRES 4, Bank WRES 4): a benefit."""
    return Measure(
        id=id, family=family, title=title, kind=Kind.COMPARISON, population=population,
        event=event, orientation=Orientation.BENEFIT, options=dict(options or {}),
        choices=dict(choices or {}), description=description,
        phrase="to access non-mandatory training and CPD",
    )  # fmt: skip


def board_gap(
    id: str, family: str, title: str, attribute: Attribute = ETHNICITY, description: str = ""
) -> Measure:
    """Board representation against the workforce (WRES 9, WDES 10), by seat."""
    return Measure(
        id=id, family=family, title=title, kind=Kind.GAP, population=q.board_seats,
        breakdown=lambda t: t.seat, attribute=attribute, description=description,
    )  # fmt: skip


def survey_item(
    id: str,
    family: str,
    title: str,
    item: str,
    *,
    population: Query = q.workforce,
    instrument: str = "nss",
    attribute: Attribute = ETHNICITY,
    options: Mapping[str, Any] | None = None,
    description: str = "",
) -> Measure:
    """A staff survey item as the provider counted it: its direction and words are the item's
    (`survey.orientation`, `survey.ITEM_PHRASES`), whichever standard reads it."""
    return Measure(
        id=id, family=family, title=title, kind=Kind.SURVEY, population=population,
        attribute=attribute, orientation=survey.orientation(item),
        options={"survey_measure": item, "instrument": instrument, **(options or {})},
        description=description, phrase=survey.ITEM_PHRASES[item],
    )  # fmt: skip
