"""Where equitrack keeps things by default. Environment variables override every default."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "EQUITRACK_DB"
KEY_ENV = "EQUITRACK_PSEUDONYM_KEY"
KEY_FILE_ENV = "EQUITRACK_KEY_FILE"
DEFAULT_DB = "equitrack.duckdb"
DUCKDB_MEMORY_ENV = "EQUITRACK_DUCKDB_MEMORY"
#: DuckDB's own default is 80% of the machine; a big import would take it all for buffers and
#: leave nothing for the Arrow data being checked. Above this DuckDB spills to disk.
DEFAULT_DUCKDB_MEMORY = "4GB"


def duckdb_memory() -> str:
    return os.environ.get(DUCKDB_MEMORY_ENV) or DEFAULT_DUCKDB_MEMORY


def default_db() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


def key_file() -> Path:
    """The pseudonymisation key lives outside the database and outside the repository."""
    if explicit := os.environ.get(KEY_FILE_ENV):
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "equitrack" / "pseudonymisation.key"
