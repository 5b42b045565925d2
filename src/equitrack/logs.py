"""Logs an operator can use: one JSON object per line, with no personal data in them.

Each line has `time` (UTC, ISO 8601), `level`, `logger` and `event`, then the event's own
fields (`log(...)`), so a log shipper can index them without parsing prose. What goes into a
line is chosen where it is logged, from a short list of fields that carry no personal data:
a request's route template (never its path or query string), an import's file name and row
counts (never a row). The level comes from EQUITRACK_LOG_LEVEL or `equitrack serve
--log-level`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import IO, Any

from equitrack import config

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: The attribute of a log record that holds its structured fields.
FIELDS = "equitrack_fields"


class LogLevelProblem(ValueError):
    """A log level that is not one of LEVELS: the message says which are."""


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: the standard fields, then the record's own."""

    def format(self, record: logging.LogRecord) -> str:
        at = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, Any] = {
            "time": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update(getattr(record, FIELDS, {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def log(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `event` with its structured `fields` (keep them free of personal data)."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={FIELDS: fields})


def parse_level(name: str | None) -> int:
    wanted = (name or config.log_level()).strip().upper()
    if wanted not in LEVELS:
        raise LogLevelProblem(f"the log level {name!r} is not one of {', '.join(LEVELS)}")
    return logging.getLevelNamesMapping()[wanted]


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Standard error as it is when a line is written, not when the handler was made: a
    caller that swaps it (a test runner, a command run in-process) gets the lines, and a
    stream closed since is never written to."""

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _: IO[str]) -> None:
        pass


#: The handler `configure` installed, replaced if it is called again.
_HANDLER: logging.Handler | None = None


def configure(level: str | None = None, stream: IO[str] | None = None) -> None:
    """Write every log line of the process (equitrack's, and the web server's) as JSON to
    `stream` (standard error) at `level` (else EQUITRACK_LOG_LEVEL, else INFO)."""
    global _HANDLER
    root = logging.getLogger()
    if _HANDLER is not None:
        root.removeHandler(_HANDLER)
    _HANDLER = logging.StreamHandler(stream) if stream is not None else _Stderr()
    _HANDLER.setFormatter(JsonFormatter())
    root.addHandler(_HANDLER)
    root.setLevel(parse_level(level))
