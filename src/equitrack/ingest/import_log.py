"""A log line for every file an import reads and one for the import (`equitrack.logs`).

Whoever runs imports (the command line, a scheduled job, the dashboard's uploads) sees in the
logs which files went into which tables, how many rows loaded or were refused, how it ended and
how long it took: file names (never their folders, which can name a person) and counts, never
a row's contents.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

from equitrack.logs import log

if TYPE_CHECKING:
    from equitrack.ingest.load import ImportResult

LOG = logging.getLogger("equitrack.imports")
P = ParamSpec("P")


def logged(
    import_paths: Callable[P, ImportResult],
) -> Callable[P, ImportResult]:
    """`import_paths`, logging what became of it, including an import that raised."""

    @functools.wraps(import_paths)
    def logging_import(*args: P.args, **kwargs: P.kwargs) -> ImportResult:
        started, import_id = time.perf_counter(), secrets.token_hex(4)
        try:
            result = import_paths(*args, **kwargs)
        except BaseException as exc:
            paths: Sequence[Path] = args[0] if args else kwargs.get("paths", ())  # type: ignore[assignment]
            log(
                LOG,
                "import",
                logging.WARNING,
                import_id=import_id,
                files=[Path(p).name for p in paths],
                outcome="stopped",
                reason=type(exc).__name__,
                duration_ms=_since(started),
            )
            raise
        _log_result(result, import_id, _since(started))
        return result

    return logging_import


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _log_result(result: ImportResult, import_id: str, duration_ms: float) -> None:
    """A line per file, then the import's: `import_id` ties them together."""
    for r in result.sources:
        fields: dict[str, Any] = {
            "import_id": import_id,
            "file": r.source.path.name,
            "table": r.source.table,
            "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded,
            "rows_rejected": r.rows_rejected,
            "outcome": r.status,
        }
        if r.source.sheet:
            fields["sheet"] = r.source.sheet
        log(LOG, "import file", **fields)
    log(
        LOG,
        "import",
        logging.INFO if result.ok else logging.WARNING,
        import_id=import_id,
        files=len(result.sources),
        rows_loaded=result.rows_loaded,
        rows_rejected=result.rows_rejected,
        outcome="loaded" if result.ok else "not loaded",
        duration_ms=duration_ms,
    )
