"""How much of a file equitrack will read, so that a broken or hostile file is refused with a
message instead of exhausting the machine's memory or time (and, on the dashboard, every other
user's patience).

Each limit has a default and an environment variable that changes it, read when a file is
read (docs/profiles.md, "Reading limits"). A file over a limit is refused whole, naming the
limit and its variable, so that a genuine file that needs more can be let through knowingly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    env: str
    default: int
    unit: str  # how the value is written in messages: "MB", "columns", …
    what: str  # what is limited, for the documentation

    def value(self) -> int:
        """The limit in force: the environment's, else the default."""
        from equitrack.ingest.readers import ReadError  # readers reads the limits

        raw = os.environ.get(self.env, "").strip().replace("_", "").replace(",", "")
        if not raw:
            return self.default
        if not raw.isascii() or not raw.isdigit() or int(raw) == 0:
            raise ReadError(
                f"{self.env} must be a positive whole number of {self.unit}, not "
                f"{os.environ[self.env]!r}"
            )
        return int(raw)

    def says(self) -> str:
        """The limit as a message ends: `the limit is 1,000 columns (EQUITRACK_MAX_COLUMNS)`."""
        return f"the limit is {self.value():,} {self.unit} ({self.env})"


MB = 1 << 20

FILE_SIZE = Limit("EQUITRACK_MAX_FILE_MB", 4096, "MB", "the size of one file")
COLUMNS = Limit(
    "EQUITRACK_MAX_COLUMNS", 1000, "columns", "columns in a file's header (ESR's widest is ~300)"
)
CELL = Limit(
    "EQUITRACK_MAX_CELL_CHARS",
    32_767,
    "characters",
    "characters in one value (Excel's own limit for a cell)",
)
UNPACKED = Limit(
    "EQUITRACK_MAX_UNPACKED_MB",
    8192,
    "MB",
    "what a workbook's parts, or a Parquet file's columns, add up to once decompressed, read "
    "from the zip's directory or the Parquet footer before anything is decompressed",
)
XLSX_RATIO = Limit(
    "EQUITRACK_MAX_XLSX_RATIO",
    100,
    "times",
    "how many times larger a workbook part over 1 MB may be unzipped than zipped",
)
#: A part this small cannot do harm, however well it compresses (a blank sheet compresses 300×).
RATIO_GRACE_BYTES = 1 * MB
ALL = (FILE_SIZE, COLUMNS, CELL, UNPACKED, XLSX_RATIO)
