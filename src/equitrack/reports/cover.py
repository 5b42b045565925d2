"""The scrutiny paper's cover sheet, filled from configuration: the committee, meeting,
officers, purpose, what the committee is asked to do and the implications, as a council
committee paper gives them. The shipped `paper.toml` is an example to copy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from equitrack.reports.content import Cover
from equitrack.tracker.plan import PlanProblem, read_toml

PAPER_ENV = "EQUITRACK_PAPER"

#: The sheet's items in the order papers give them: (key in the file, heading printed).
ITEMS = (
    ("committee", "Committee"),
    ("meeting", "Date of meeting"),
    ("report_of", "Report of"),
    ("author", "Report author"),
    ("contact", "Contact"),
    ("wards", "Wards affected"),
    ("key_decision", "Key decision"),
    ("purpose", "Purpose of the report"),
    ("asked", "The committee is asked to"),
    ("equality", "Equality implications"),
    ("financial", "Financial implications"),
    ("legal", "Legal implications"),
    ("background", "Background papers"),
)


class CoverProblem(PlanProblem):
    """A paper file that cannot be used; the message names the file and the key."""


def paper_path() -> Path | None:
    explicit = os.environ.get(PAPER_ENV)
    return Path(explicit).expanduser() if explicit else None


def load(path: Path | None = None) -> dict[str, Any]:
    """The `[cover]` table of the paper file (the shipped example when none is named)."""
    data, where = read_toml(
        path or paper_path(), "equitrack.reports", "paper.toml", "the shipped paper.toml"
    )
    cover = data.get("cover", {})
    if not isinstance(cover, dict):
        raise CoverProblem(f"{where}: [cover] must be a table of keys")
    known = {key for key, _ in ITEMS}
    unknown = sorted(set(cover) - known)
    if unknown:
        raise CoverProblem(
            f"{where}: [cover] has no key {', '.join(unknown)}; the keys are {', '.join(sorted(known))}"
        )
    for key, value in cover.items():
        ok = isinstance(value, str) or (
            key == "asked" and isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            kind = "text or a list of texts" if key == "asked" else "text"
            raise CoverProblem(f"{where}: [cover] {key} must be {kind}")
    return cover


def cover(config: dict[str, Any], *, year: str, where: str, title: str) -> Cover:
    """The sheet for one paper: the report's title first, then each item the file gives."""
    items = [("Title", title)]
    for key, heading in ITEMS:
        value = config.get(key)
        if not value:
            continue
        if isinstance(value, list):
            value = "\n".join(f"{n}. {v}" for n, v in enumerate(value, 1))
        items.append((heading, value.replace("{year}", year).replace("{where}", where)))
    return Cover(tuple(items))
