"""How equitrack reads a column header: as people write it, whatever the system's style.

One normaliser serves every place a header is compared: choosing a profile (`detect.py`),
finding a rule's columns (`mapping.py`), `ignore` and `keep`, and telling whether a header
names a personal identifier (`identifying.py`). ESR's reports write `Employee Number`, its
interface files and warehouse extracts `EmployeeNumber`, `EMPLOYEE_NUMBER` or
`employee-number`: all are one header, because case, spaces, underscores, punctuation and
CamelCase are ignored. Letters and digits are never ignored, so `Q14a` and `Q14b` stay apart.
"""

from __future__ import annotations

import re

#: Where CamelCase starts a word: `EmployeeNumber`, `NHSUniqueID`, `DateofBirth2`.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


def header_words(header: object) -> list[str]:
    """A header's words: CamelCase split, lower case, anything but letters and digits a
    separator (so `Last_Name`, `LastName` and `last-name` are the words `last`, `name`)."""
    text = _CAMEL.sub(" ", str(header).replace("\ufeff", ""))
    return [w for w in _SEPARATORS.split(text.casefold()) if w]


def header_key(header: object) -> str:
    """How two headers are compared: their words run together (`employeenumber`).

    A header of symbols only (`%`, `#`) is compared as written, spaces aside, so that it is
    not the same header as every other such one.
    """
    words = header_words(header)
    if words:
        return "".join(words)
    return _SPACES.sub("", str(header).replace("\ufeff", "")).casefold()
