"""NHS organisations known by their ODS code, so that an import can name the organisation of a
report that has no organisation column (`equitrack import FILE --org RXN`).

The list shipped in data/nhs_organisations.csv is a convenience (a hand-made subset of the NHS
Organisation Data Service), not the authority: an organisations.csv, or --org-name, wins.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import asdict, dataclass
from importlib import resources

#: An ODS code as organisations have them: three to five letters and digits (RWE, R0A, QK1).
ODS_CODE = re.compile(r"[A-Z0-9]{3,5}")
ORG_TYPES = ("trust", "icb", "other")
SHIPPED = "src/equitrack/model/data/nhs_organisations.csv"


@dataclass(frozen=True)
class Organisation:
    """A row of the organisations table."""

    org_code: str
    name: str
    org_type: str
    system_code: str | None = None

    def row(self) -> dict[str, str | None]:
        return asdict(self)


@functools.cache
def shipped() -> dict[str, Organisation]:
    """The shipped list, by code (comment lines start with #)."""
    text = resources.files("equitrack.model").joinpath("data/nhs_organisations.csv")
    lines = [ln for ln in text.read_text("utf-8").splitlines() if not ln.startswith("#")]
    return {
        row["org_code"]: Organisation(
            row["org_code"], row["name"], row["org_type"], row["system_code"] or None
        )
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    }


def known(code: str) -> Organisation | None:
    return shipped().get(code.strip().upper())


def how_to_name(code: str) -> str:
    """What a person types to name a missing organisation: every message about one says it."""
    name = "" if known(code) else ' --org-name "…" --org-type trust'
    return f"name it with --org {code}{name}, or load organisations.csv"


#: The hint on a file with no organisation column (its rows would have no org_code).
NO_ORG_COLUMN = (
    "for a file of one organisation, name it with --org CODE (for example --org RXN), "
    "or load the file with an organisation code column"
)
