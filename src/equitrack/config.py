"""Where equitrack keeps things by default. Environment variables override every default."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
RELEASES_ENV = "EQUITRACK_RELEASES"
#: Values of RELEASES_ENV that turn keeping releases on disk off.
OFF = frozenset({"off", "0", "no", "false", "none"})


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


def releases_dir(url: str, backend: str) -> Path | None:
    """Where the protected releases of the database at `url` are kept between runs
    (`equitrack.release_files`), or None for none: a folder beside a DuckDB file; for a server
    database (PostgreSQL), one of its own under the user's state folder. RELEASES_ENV says "off"
    to keep none, or names a folder to keep every database's in (one folder each)."""
    chosen = (os.environ.get(RELEASES_ENV) or "").strip()
    if chosen.lower() in OFF:
        return None
    file = backend == "duckdb" and "://" not in url and url and ":memory:" not in url
    if file and not chosen:
        return Path(str(Path(url).expanduser().resolve()) + ".releases")
    if not file and backend != "postgres" and not chosen:
        return None  # Spark and other read-only engines: their data are managed elsewhere
    name = str(Path(url).expanduser().resolve()) if file else _without_password(url)
    base = Path(chosen).expanduser() if chosen else _state_home() / "releases"
    return base / hashlib.sha256(name.encode()).hexdigest()[:24]


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _state_home() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "equitrack"


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
