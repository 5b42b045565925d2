"""`make bench`: import throughput, and generating and importing the national preset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console()


def run(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.steps", *args], capture_output=True, text=True, env=os.environ
    )
    if proc.returncode:
        console.print(proc.stderr)
        raise SystemExit(proc.returncode)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="equitrack-bench-"))
    os.environ.setdefault("EQUITRACK_KEY_FILE", str(work / "key"))
    table = Table(title="equitrack benchmarks (2 cores)", title_justify="left")
    for name in ("step", "rows", "seconds", "rows / second", "peak memory"):
        table.add_column(name, justify="left" if name == "step" else "right")

    def add(step: str, r: dict) -> None:
        rate = r.get("rows_per_second") or r["rows"] / r["seconds"]
        table.add_row(
            step, f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{rate:,.0f}", f"{r['peak_mb']:,.0f} MB"
        )
        console.print(f"  {step}: {r['seconds']:.1f}s")

    try:
        for preset, fmt in (("llr", "csv"), ("llr", "parquet"), ("national", "parquet")):
            folder = work / f"{preset}-{fmt}"
            console.print(f"[bold]{preset} ({fmt})[/bold]")
            add(f"generate {preset} → {fmt}", run("generate", preset, str(folder), fmt))
            add(
                f"import {preset} from {fmt}",
                run("load", str(folder), str(work / f"{preset}-{fmt}.duckdb")),
            )
            shutil.rmtree(folder, ignore_errors=True)
        console.print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
