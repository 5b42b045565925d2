"""The Workforce Disability Equality Standard metrics computed from records and the survey."""

from __future__ import annotations

from equitrack.measures import standard as std
from equitrack.measures.declare import Attribute

FAMILY = "wdes"
D = Attribute.DISABILITY

MEASURES = (
    std.representation_by_band("wdes1", FAMILY, "Representation by band, by disability", D),
    std.appointment_from_shortlisting(
        "wdes2",
        FAMILY,
        "Relative likelihood of appointment from shortlisting (non-disabled / disabled)",
        D,
    ),
    std.formal_process_entry(
        "wdes3",
        FAMILY,
        "Relative likelihood of entering the formal capability process (disabled / non-disabled)",
        "capability",
        D,
    ),
    std.board_gap("wdes10", FAMILY, "Board representation by disability", D),
    *(
        std.survey_item(
            f"wdes{n}",
            FAMILY,
            f"Staff survey, WDES metric {n}",
            f"wdes{n}",
            attribute=D,
            options={"reference": "Not disabled"},
        )
        for n in (4, 5, 6, 7, 8, 9)
    ),
)
