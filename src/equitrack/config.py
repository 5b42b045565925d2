"""Where equitrack keeps things by default. Environment variables override every default."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "EQUITRACK_DB"
KEY_ENV = "EQUITRACK_PSEUDONYM_KEY"
KEY_FILE_ENV = "EQUITRACK_KEY_FILE"
DEFAULT_DB = "equitrack.duckdb"
DUCKDB_MEMORY_ENV = "EQUITRACK_DUCKDB_MEMORY"
PROFILES_ENV = "EQUITRACK_PROFILES"
LOG_LEVEL_ENV = "EQUITRACK_LOG_LEVEL"
#: Each request and each import is logged at INFO; warnings and errors are always worth a line.
DEFAULT_LOG_LEVEL = "INFO"
#: DuckDB's own default is 80% of the machine; a big import would take it all for buffers and
#: leave nothing for the Arrow data being checked. Above this DuckDB spills to disk.
DEFAULT_DUCKDB_MEMORY = "4GB"
LOCK_WAIT_ENV = "EQUITRACK_LOCK_WAIT"
#: How long a command waits for a DuckDB file another process (the dashboard) is using, in
#: seconds: the dashboard lets it go within a moment of being asked.
DEFAULT_LOCK_WAIT = 120.0


def duckdb_memory() -> str:
    return os.environ.get(DUCKDB_MEMORY_ENV) or DEFAULT_DUCKDB_MEMORY


def log_level() -> str:
    """The level of the JSON logs (`equitrack.logs`): DEBUG, INFO, WARNING, ERROR or CRITICAL."""
    return (os.environ.get(LOG_LEVEL_ENV) or DEFAULT_LOG_LEVEL).strip().upper()


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV) or DEFAULT_LOCK_WAIT))
    except ValueError:
        return DEFAULT_LOCK_WAIT


def default_db() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "equitrack"


def profile_dirs() -> list[Path]:
    """Folders of an organisation's own profiles, offered to detection beside the shipped ones.

    EQUITRACK_PROFILES names one or more folders (separated as PATH is); by default the
    `profiles` folder beside the key.
    """
    if explicit := os.environ.get(PROFILES_ENV):
        return [Path(p).expanduser() for p in explicit.split(os.pathsep) if p.strip()]
    return [_config_home() / "profiles"]


def key_file() -> Path:
    """The pseudonymisation key lives outside the database and outside the repository."""
    if explicit := os.environ.get(KEY_FILE_ENV):
        return Path(explicit).expanduser()
    return _config_home() / "pseudonymisation.key"
