"""The Workforce Disability Equality Standard metrics computed from records and the survey."""

from __future__ import annotations

from equitrack.measures import queries as q
from equitrack.measures import survey
from equitrack.measures.declare import Attribute, Kind, Measure, subset
from equitrack.measures.wres import APPOINTED
from equitrack.stats import Orientation, Pooling

FAMILY = "wdes"
D = Attribute.DISABILITY

MEASURES = (
    Measure(
        id="wdes1", family=FAMILY, title="Representation by band, by disability",
        kind=Kind.REPRESENTATION, population=q.workforce, breakdown=q.wres1_cell, attribute=D,
    ),
    Measure(
        id="wdes2", family=FAMILY,
        title="Relative likelihood of appointment from shortlisting (non-disabled / disabled)",
        kind=Kind.COMPARISON, population=q.shortlisted, event=subset(q.shortlisted, q.appointed),
        attribute=D, orientation=Orientation.BENEFIT,
        options={"appointed": "appointed"}, choices={"appointed": APPOINTED},
    ),
    Measure(
        id="wdes3", family=FAMILY,
        title="Relative likelihood of entering the formal capability process (disabled / non-disabled)",
        kind=Kind.COMPARISON, population=q.workforce, event=q.formal_entrants("capability"),
        outnumbered=q.ENTRANTS_OUTNUMBER,
        attribute=D, orientation=Orientation.HARM, window=2,
        options={"window": 2, "pooling": Pooling.POOLED.value},
        choices={"window": (1, 2), "pooling": tuple(p.value for p in Pooling)},
    ),
    Measure(
        id="wdes10", family=FAMILY, title="Board representation by disability",
        kind=Kind.GAP, population=q.board_seats, breakdown=lambda t: t.seat, attribute=D,
    ),
    *(
        Measure(
            id=f"wdes{n}", family=FAMILY, title=f"Staff survey, WDES metric {n}", kind=Kind.SURVEY,
            population=q.workforce, attribute=D, orientation=survey.orientation(f"wdes{n}"),
            options={"survey_measure": f"wdes{n}", "instrument": "nss", "reference": "Not disabled"},
        )
        for n in (4, 5, 6, 7, 8, 9)
    ),
)  # fmt: skip
