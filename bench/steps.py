"""One benchmark step per process, so each reports its own time and peak memory as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(preset: str, out: str, fmt: str) -> dict:
    from equitrack import synth

    start = time.perf_counter()
    tables = synth.generate(preset, seed=7)
    generated = time.perf_counter() - start
    synth.write(tables, Path(out), fmt)
    return {
        "seconds": time.perf_counter() - start,
        "generate_seconds": generated,
        "rows": sum(t.num_rows for t in tables.values()),
        "people": tables["people"].num_rows,
        "peak_mb": _peak_mb(),
    }


def load(folder: str, db: str) -> dict:
    from equitrack.ingest import import_paths
    from equitrack.store import connect

    start = time.perf_counter()
    store = connect(db)
    result = import_paths([Path(folder)], store)
    if not result.ok:
        raise SystemExit(f"import of {folder} failed")
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": result.rows_loaded,
        "rows_per_second": result.rows_loaded / seconds,
        "peak_mb": _peak_mb(),
    }


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    print(json.dumps({"generate": generate, "load": load}[step](*args)))
