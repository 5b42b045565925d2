"""`make bench`: import throughput; generating and importing the national preset; the measure
suites on LLR and national, and the engine against the plain pandas implementation.

Each step runs in its own process so that its peak memory is its own. Figures are printed,
never asserted. `python -m bench llr` runs the LLR steps only.
"""

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
PRESETS = ("llr", "national")


def run(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.steps", *args], capture_output=True, text=True, env=os.environ
    )
    if proc.returncode:
        console.print(proc.stderr[-4000:])
        raise SystemExit(proc.returncode)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(presets: tuple[str, ...]) -> None:
    work = Path(tempfile.mkdtemp(prefix="equitrack-bench-"))
    os.environ.setdefault("EQUITRACK_KEY_FILE", str(work / "key"))
    table = Table(title="equitrack benchmarks (this machine)", title_justify="left")
    for name in ("step", "rows", "seconds", "rows / second", "peak memory"):
        table.add_column(name, justify="left" if name == "step" else "right")
    ratios = Table(
        title="Engine against the plain pandas implementation (WRES 1-4 and 9, all organisations, 2019-2026)",
        title_justify="left",
    )
    for name in ("preset", "engine s", "plain s", "plain / engine"):
        ratios.add_column(name, justify="left" if name == "preset" else "right")

    def add(step: str, r: dict) -> dict:
        rate = r.get("rows_per_second") or r["rows"] / max(r["seconds"], 1e-9)
        table.add_row(
            step, f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{rate:,.0f}", f"{r['peak_mb']:,.0f} MB"
        )
        console.print(f"  {step}: {r['seconds']:.1f}s, peak {r['peak_mb']:,.0f} MB")
        return r

    try:
        for preset in presets:
            console.print(f"[bold]{preset}[/bold]")
            folder, db = work / preset, str(work / f"{preset}.duckdb")
            if preset == "llr":
                csv = work / "llr-csv"
                add("generate llr → csv", run("generate", "llr", str(csv), "csv"))
                add("import llr from csv", run("load", str(csv), str(work / "llr-csv.duckdb")))
                shutil.rmtree(csv, ignore_errors=True)
            add(f"generate {preset} → parquet", run("generate", preset, str(folder), "parquet"))
            add(f"import {preset} from parquet", run("load", str(folder), db))
            for family in ("wres", "wdes", "bank-wres"):
                add(f"{family} suite, {preset}, all orgs, 8 years", run("suite", db, family))
            engine = add(f"engine WRES 1-4, 9, {preset}", run("engine_subset", db))
            plain = add(f"plain pandas WRES 1-4, 9, {preset}", run("plain", str(folder)))
            ratios.add_row(
                preset,
                f"{engine['seconds']:.1f}",
                f"{plain['seconds']:.1f}",
                f"{plain['seconds'] / engine['seconds']:.1f}×",
            )
            shutil.rmtree(folder, ignore_errors=True)
            Path(db).unlink(missing_ok=True)
        console.print(table)
        console.print(ratios)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    chosen = tuple(a for a in sys.argv[1:] if a in PRESETS) or PRESETS
    main(chosen)
