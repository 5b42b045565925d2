"""The date a staff-in-post report is "as at", read from its title block.

ESR BI reports saved as CSV or a workbook start with a few title rows: the report's name, its
parameters and when it ran ("Staff in Post", "As at date: 31/03/2024", "Run date: 05/04/2024").
Only a date after words that say "as at" is taken (as at, as of, effective date, snapshot
date, census date): a run or print date is when the report was made, not the date it
describes. The date is read in the forms the profile declares, as every other date is; a
title naming two different as-at dates is refused rather than guessed between.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from equitrack.ingest.dates import read_one

#: Words that introduce the date a report describes.
_LABEL = re.compile(
    r"\b(as\s+at|as\s+of|effective(\s+date)?|snapshot(\s+date)?|census(\s+date)?)\b", re.I
)
#: Something that may be a date: 31/03/2024, 31-MAR-2024, 31 March 2024, 2024-03-31.
_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}"
)


class AsAtError(ValueError):
    """A title block whose as-at date cannot be told."""


def as_at_in_title(rows: Sequence[Sequence[str]], forms: tuple[str, ...]) -> dt.date | None:
    """The as-at date a title block states (None when it states none)."""
    found: dict[dt.date, str] = {}
    for row in rows:
        text = " ".join(str(c).strip() for c in row if c is not None and str(c).strip())
        label = _LABEL.search(text)
        if label is None:
            continue
        for token in _DATE.findall(text[label.end() :]):
            reading = read_one(token, forms)
            if reading.iso is None:
                raise AsAtError(f"the title's as-at date: {reading.reason}")
            found.setdefault(dt.date.fromisoformat(reading.iso), text)
            break
    if len(found) > 1:
        shown = " and ".join(f"'{t}'" for t in found.values())
        raise AsAtError(f"the title block names two as-at dates ({shown}); give --as-at")
    return next(iter(found), None)
