"""Numbers and lists as the text alternatives say them.

Why a module of its own: every chart's text alternative is computed from its data, and they
should all write a ratio, a share, a year and a list the same way as the tables and reports do
(round half up, ratios to 2 places, shares to 1; "2025/26" for reporting year 2026), so that a
screen-reader user hears the same figures a sighted reader sees.
"""

from __future__ import annotations

from collections.abc import Iterable

from equitrack.measures import calendar
from equitrack.stats.rounding import format_interval as interval
from equitrack.stats.rounding import format_number as number
from equitrack.stats.rounding import format_ratio as ratio
from equitrack.stats.rounding import format_share as share

NOT_SHOWN = "not shown"
#: How a legend reads an estimate resting on enough people, or on too few (ratios and curves).
ENOUGH = "Enough people to tell"
TOO_FEW = "Too few to tell"

#: Codes the data carries as categories (an incident's category) as a reader says them.
CATEGORY_WORDS = {
    "racist_abuse": "Racist abuse",
    "verbal_abuse": "Verbal abuse",
    "physical_assault": "Physical assault",
    "sexual": "Sexual harassment or assault",
    "other": "Other",
}

__all__ = [
    "CATEGORY_WORDS",
    "ENOUGH",
    "NOT_SHOWN",
    "TOO_FEW",
    "category",
    "interval",
    "join",
    "number",
    "paragraph",
    "period_label",
    "plural",
    "ratio",
    "sentence",
    "share",
    "staff",
]


def period_label(period: object) -> str:
    """A period as people write it (2025/26, Apr 2025); a label already made passes as is."""
    if isinstance(period, int) and not isinstance(period, bool):
        return calendar.label(period)
    return str(period)


def category(code: str) -> str:
    """A category as words: "Racist abuse" for racist_abuse; a code not in `CATEGORY_WORDS`
    that is written as a code (lower case, underscores) reads as its words; a label already
    made ("Band 8a") passes as is. So a chart never shows a raw code."""
    if code in CATEGORY_WORDS:
        return CATEGORY_WORDS[code]
    if code == code.lower() and code.strip():
        spoken = code.replace("_", " ").strip()
        return spoken[0].upper() + spoken[1:]
    return code


def staff(group: str) -> str:
    """ "Black staff", "Disabled staff"; a group already naming people is left as it is."""
    return group if group.endswith(("staff", "people")) else f"{group} staff"


def join(items: Iterable[str], word: str = "and") -> str:
    """ "A", "A and B", "A, B and C"."""
    parts = [item for item in items if item]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def sentence(text: str) -> str:
    """Sentence case for a clause: first letter capital, a full stop at the end."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def paragraph(*sentences: str) -> str:
    return " ".join(sentence(s) for s in sentences if s and s.strip())


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
