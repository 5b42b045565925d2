"""Results as JSON and CSV: the keys are the result fields, one record per figure."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from equitrack.measures import Result, to_arrow
from equitrack.outputs.neutral import write_csv as write_table_csv


def records(results: Iterable[Result]) -> list[dict[str, Any]]:
    return [r.record() for r in results]


def to_json(results: Iterable[Result]) -> str:
    return json.dumps(records(results), indent=2, default=str)


def write_csv(results: Iterable[Result], path: Path) -> None:
    write_table_csv(to_arrow(results), path)
