"""`make bench`: how equitrack's cost grows with staff, organisations and years, on this machine.

For three sizes (LLR, an NHS England region, England): generate the synthetic system, import it
from Parquet (and LLR from CSV) and compare the import with DuckDB's raw load of the same
files, run the full measure suite (every family, every organisation) over 1, 4 and 8
years, export the Parquet layout and run the same suite on Spark local mode, and time the
engine against the plain pandas implementation of WRES 1-4 and 9 and against hand-tuned DuckDB
SQL of WRES 1-4 (`bench.tuned`, whose counts must agree), and on LLR time `equitrack wres
--system` as a new process. Each of issue 20's targets is printed beside the size it is set
for, met or not.

Each step runs in its own process, so its peak memory is its own. Figures are printed and
written into docs/scale.md between its markers, never asserted.

    python -m bench                 # all three sizes
    python -m bench llr region      # some of them
    python -m bench --no-spark      # skip Spark local mode
    python -m bench llr region --write-docs   # docs/scale.md from these sizes only (it says which)
    python -m bench pages --preset llr   # only the dashboard's pages, served (`bench.pages`)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import pages

#: Wide enough for the scaling table when the output goes to a file or a pipe.
console = Console(width=shutil.get_terminal_size((180, 24)).columns)
PRESETS = ("llr", "region", "national")
YEAR_COUNTS = (1, 4, 8)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "scale.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
#: The issue's targets on 2 cores, for the national preset.
IMPORT_TARGET, SUITE_TARGET, MEMORY_TARGET_MB = 1_000_000, 60.0, 8 * 1024


#: Spark local mode on two cores can take far longer than DuckDB; past this it is reported as
#: "over N min" rather than holding the whole benchmark up.
SPARK_LIMIT_S = int(os.environ.get("EQUITRACK_BENCH_SPARK_LIMIT", "1800"))


def run(*args: str, limit: float | None = None) -> dict:
    """One step in its own process group, so a step stopped at its limit takes its JVM along."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.steps", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"seconds": float(limit or 0), "rows": 0, "peak_mb": 0.0, "timed_out": True}
    if proc.returncode:
        console.print(stderr[-4000:])
        raise SystemExit(proc.returncode)
    return json.loads(stdout.strip().splitlines()[-1])


@dataclass
class Size:
    preset: str
    generated: dict = field(default_factory=dict)
    imported: dict = field(default_factory=dict)
    suites: dict[int, dict] = field(default_factory=dict)
    spark: dict | None = None
    engine: dict = field(default_factory=dict)
    plain: dict = field(default_factory=dict)
    tuned: dict = field(default_factory=dict)
    cli: dict | None = None  # the command measuring (no answers kept for the data)
    cli_kept: dict | None = None  # the command reading the answers `equitrack import` keeps
    raw: dict = field(default_factory=dict)
    raw_csv: dict = field(default_factory=dict)
    pages: dict | None = None

    def spark_ratio(self) -> float | None:
        """Spark local's full suite against DuckDB's on the same data and years."""
        if not self.spark or self.spark.get("timed_out") or YEAR_COUNTS[-1] not in self.suites:
            return None
        return self.spark["seconds"] / max(self.suites[YEAR_COUNTS[-1]]["seconds"], 1e-9)


def _steps_table(rows: list[tuple[str, dict]]) -> Table:
    table = Table(title="Every step", title_justify="left")
    for name in ("step", "rows", "seconds", "rows / second", "peak memory"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for step, r in rows:
        rate = r.get("rows_per_second") or r["rows"] / max(r["seconds"], 1e-9)
        table.add_row(
            step, f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{rate:,.0f}", f"{r['peak_mb']:,.0f} MB"
        )
    return table


def _scaling_rows(sizes: list[Size]) -> list[list[str]]:
    rows = []
    for s in sizes:
        g, i = s.generated, s.imported
        peak = max([i["peak_mb"], *(r["peak_mb"] for r in s.suites.values())])
        rows.append(
            [
                s.preset,
                f"{g['orgs']:,}",
                f"{g['staff']:,}",
                f"{g['rows'] / 1e6:,.1f}M",
                f"{i['seconds']:,.1f} s ({i['rows_per_second'] / 1e6:.2f}M rows/s)",
                *(f"{s.suites[n]['seconds']:,.1f} s" for n in YEAR_COUNTS),
                f"{peak / 1024:,.1f} GB",
                _spark_cell(s.spark, s.spark_ratio()),
                f"{s.tuned['ratio']:.2f}×" if s.tuned else "not run",
                f"{s.plain['seconds'] / s.engine['seconds']:.1f}×",
            ]
        )
    return rows


def _spark_cell(spark: dict | None, ratio: float | None) -> str:
    if not spark:
        return "not run"
    if spark.get("timed_out"):
        return f"over {spark['seconds'] / 60:.0f} min (stopped)"
    return (
        f"{spark['seconds']:,.1f} s ({ratio:.1f}× DuckDB)"
        if ratio
        else f"{spark['seconds']:,.1f} s"
    )


SCALING_HEADER = [
    "size",
    "orgs",
    "staff in post",
    "rows",
    "import from Parquet",
    *(f"suite, {n} yr" for n in YEAR_COUNTS),
    "peak memory",
    "Spark local, 8 yr",
    "WRES 1-4 vs tuned SQL",
    "engine vs pandas",
]


#: Issue 20's targets on 2 cores: the engine's WRES 1-4 against tuned SQL and Spark against
#: DuckDB (region), one `wres --system` call (LLR), the import against DuckDB's raw load.
TUNED_TARGET, SPARK_RATIO_TARGET, CLI_TARGET_S = 1.2, 3.0, 1.0


def _said(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _targets(sizes: list[Size]) -> list[str]:
    """Each target beside the size it is set for, where that size was measured."""
    by = {s.preset: s for s in sizes}
    out = []
    if national := by.get("national"):
        rate = national.imported["rows_per_second"]
        suite = national.suites[8]["seconds"]
        peak = max(national.imported["peak_mb"], national.suites[8]["peak_mb"])
        out += [
            f"national: import at least 1M rows/s: {rate / 1e6:.2f}M rows/s, "
            f"{_said(rate >= IMPORT_TARGET)}",
            f"national: full suite under 60 s: {suite:.1f} s, {_said(suite < SUITE_TARGET)}",
            f"national: peak memory under 8 GB: {peak / 1024:.1f} GB, "
            f"{_said(peak < MEMORY_TARGET_MB)}",
        ]
    for s in sizes:
        for kind, raw in (("CSV", s.raw_csv), ("Parquet", s.raw)):
            if raw:
                ratio = raw["ratio"]
                out.append(
                    f"{s.preset}: import from {kind} within {IMPORT_RATIO_TARGET}× of DuckDB's raw "
                    f"load: {ratio:.2f}× (processor time {raw['cpu_ratio']:.2f}×), "
                    f"{_said(ratio <= IMPORT_RATIO_TARGET)}"
                )
    if (region := by.get("region")) and region.tuned:
        ratio, agree = region.tuned["ratio"], region.tuned["disagreements"] == 0
        out.append(
            f"region: WRES 1-4 within {TUNED_TARGET}× of tuned SQL: {ratio:.2f}×, "
            f"{_said(ratio <= TUNED_TARGET)} (counts {'agree' if agree else 'DISAGREE'})"
        )
    if region and (ratio := region.spark_ratio()) is not None:
        out.append(
            f"region: Spark local within {SPARK_RATIO_TARGET}× of DuckDB: {ratio:.1f}×, "
            f"{_said(ratio <= SPARK_RATIO_TARGET)}"
        )
    llr = by.get("llr")
    for run, how in ((llr and llr.cli_kept, "reading the answers `equitrack import` keeps"),
                     (llr and llr.cli, "measuring (no answers kept for the data)")):  # fmt: skip
        if run:
            took = run["seconds"]
            out.append(
                f"llr: `equitrack wres --year 2026 --system` under {CLI_TARGET_S:.0f} s, {how}: "
                f"{took:.2f} s, {_said(took < CLI_TARGET_S)}"
            )
    if llr and llr.pages:
        out += _first_pages(llr.pages)
    return out


def _worst(by_page: dict[str, dict[str, dict]]) -> tuple[float, str]:
    """The slowest first request of any page for any reader, in seconds, and which."""
    return max(
        (t["cold_ms"] / 1000, f"{page} as {reader}")
        for page, readers in by_page.items()
        for reader, t in readers.items()
    )


def _first_pages(served: dict) -> list[str]:
    """Item 4's target (each page's first request within 1 s on LLR) at the three moments a
    visitor can come: at once after start-up, once the warm-up has finished, after a restart."""
    early = served["early_overview_s"]
    warm, which = _worst(served["pages"])
    told = (
        f" (HTTP {served['early_status']}: being prepared; its figures after "
        f"{served['early_figures_s']:.0f} s)"
        if served["early_status"] == 503
        else ""
    )
    out = [
        f"llr: first page within {pages.COLD_TARGET_S:.0f} s of `serve` starting: the overview, "
        f"asked at once, answered after {early:.1f} s{told}, "
        f"{_said(early < pages.COLD_TARGET_S)}; once the warm-up has finished "
        f"({served['warm_up_s']:.0f} s) the slowest first request {warm:.2f} s ({which}), "
        f"{_said(warm < pages.COLD_TARGET_S)}",
    ]
    if again := served.get("restart"):
        after, which = _worst(again["pages"])
        out.append(
            f"llr: after a restart (releases read back from disk in {again['read_s']:.1f} s) the "
            f"slowest first request, asked at once, {after:.1f} s ({which}){_prepared(again)}, "
            f"{_said(after < pages.COLD_TARGET_S)}"
        )
    if imported := served.get("after_import"):
        after, which = _worst(imported["pages"])
        out.append(
            f"llr: at the first start after `equitrack import` kept the releases and the first "
            f"pages' charts (read back, {imported['releases_built']} built by serve) the "
            f"slowest first request, asked at once, {after:.1f} s ({which}){_prepared(imported)}, "
            f"{_said(after < pages.COLD_TARGET_S)}"
        )
    return out


def _prepared(run: dict) -> str:
    """How many first requests said their figures were being prepared, and the longest wait
    for them (`bench.pages._first`)."""
    said = [t for readers in run["pages"].values() for t in readers.values() if "figures_ms" in t]
    if not said:
        return ""
    longest = max(t["figures_ms"] for t in said) / 1000
    return f"; {len(said)} said their figures were being prepared, the last shown after {longest:.1f} s"


def _markdown(sizes: list[Size], targets: list[str]) -> str:
    lines = [
        f"Measured by `make bench` on {dt.date.today():%d %B %Y}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB as the store, 8 reporting years "
        "(2019-2026) unless the column says otherwise.",
        "",
        "| " + " | ".join(SCALING_HEADER) + " |",
        "|" + "---|" * len(SCALING_HEADER),
        *("| " + " | ".join(r) + " |" for r in _scaling_rows(sizes)),
    ]
    if targets:
        lines += ["", "Issue 20's targets (2 cores):", "", *(f"- {t}" for t in targets)]
    return "\n".join(lines)


def _write_docs(markdown: str) -> None:
    text = DOCS.read_text()
    if START not in text or END not in text:
        console.print(f"[yellow]{DOCS} has no bench markers; table not written[/yellow]")
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n{markdown}\n{END}{tail}")
    console.print(f"Wrote the table into {DOCS}")


def _show_release(r: dict) -> None:
    """The board release: its build time and what secondary suppression cost."""
    console.print(
        f"  board release: {r['results']:,} results over {r['years']} years, measured in "
        f"{r['ask_s']:.1f}s and protected together in {r['gate_s']:.1f}s; of {r['counts']:,} "
        f"counts, {r['primary']:,} hidden as small and {r['secondary']:,} more by secondary "
        f"suppression (the largest {r['largest_secondary']:,}; "
        f"{r['secondary_in_large_orgs']:,} of organisations over 1,000 staff)"
    )


IMPORT_RATIO_TARGET = 1.5


def _show_tuned(r: dict) -> None:
    """The engine's WRES 1-4 against the tuned SQL (`bench.tuned`), and whether they agree."""
    agree = "agree" if not r["disagreements"] else f"DISAGREE in {r['disagreements']} rows"
    console.print(
        f"    engine {r['engine_seconds']:.2f} s, tuned SQL {r['tuned_seconds']:.2f} s: "
        f"{r['ratio']:.2f}×; counts {agree}"
    )
    for line in r["first_disagreements"]:
        console.print(f"      {line}")


def _against_raw(r: dict) -> None:
    """equitrack import against DuckDB's raw `CREATE TABLE AS` of the same files (issue 20:
    within 1.5×), in wall seconds and in processor seconds."""
    met = "met" if r["ratio"] <= IMPORT_RATIO_TARGET else "NOT met"
    console.print(
        f"    equitrack {r['rows_per_second']:,.0f} rows/s ({r['seconds']:.2f} s), DuckDB raw "
        f"load {r['raw_rows_per_second']:,.0f} rows/s ({r['raw_seconds']:.2f} s): "
        f"{r['ratio']:.2f}× (processor time {r['cpu_ratio']:.2f}×); within "
        f"{IMPORT_RATIO_TARGET}×: {met}"
    )


def measure(preset: str, work: Path, spark: bool, steps: list[tuple[str, dict]]) -> Size:
    size = Size(preset)
    folder, db, layout = work / preset, str(work / f"{preset}.duckdb"), work / f"{preset}-layout"

    def step(label: str, *args: str, limit: float | None = None) -> dict:
        r = run(*args, limit=limit)
        steps.append((label, r))
        console.print(f"  {label}: {r['seconds']:.1f}s, peak {r['peak_mb']:,.0f} MB")
        return r

    console.print(f"[bold]{preset}[/bold]")
    try:
        if preset == "llr":
            csv = work / "llr-csv"
            step("generate llr → csv", "generate", "llr", str(csv), "csv")
            from_csv = step("import llr from csv", "load", str(csv), str(work / "llr-csv.duckdb"))
            size.raw_csv = step("import llr from csv vs DuckDB", "import_vs_raw", str(csv))
            _against_raw(size.raw_csv)
            shutil.rmtree(csv, ignore_errors=True)
            # the same system as the exports real systems write, read through their profiles
            exports = work / "llr-exports"
            step("generate llr → exports", "generate", "llr", str(exports), "exports")
            through = step(
                "import llr from exports (profiles)", "load", str(exports),
                str(work / "llr-exports.duckdb"),
            )  # fmt: skip
            ratio = through["seconds"] / max(from_csv["seconds"], 1e-9)
            console.print(f"  reading through profiles takes {ratio:.2f}× the canonical import")
            shutil.rmtree(exports, ignore_errors=True)
        size.generated = step(
            f"generate {preset} → parquet", "generate", preset, str(folder), "parquet"
        )
        size.imported = step(f"import {preset} from parquet", "load", str(folder), db)
        repeats = "3" if preset == "llr" else "1"
        size.raw = step(
            f"import {preset} from parquet vs DuckDB", "import_vs_raw", str(folder), repeats
        )
        _against_raw(size.raw)
        for n in YEAR_COUNTS:
            size.suites[n] = step(f"full suite, {preset}, {n} years", "suite", db, "all", str(n))
        size.engine = step(f"engine WRES 1-4, 9, {preset}", "engine_subset", db)
        size.tuned = step(f"engine WRES 1-4 vs tuned SQL, {preset}", "tuned", db)
        _show_tuned(size.tuned)
        if preset == "llr":
            size.cli = step("equitrack wres --system, llr (a new process)", "cli_wres", db)
            _show_release(step("protected release, llr", "release", db))  # answers kept
            size.cli_kept = step(
                "equitrack wres --system, llr (a new process, the answers kept)", "cli_wres", db
            )
            size.pages = pages.served(db, data=str(folder))
            steps.append(("dashboard pages, llr, served", size.pages))
            pages.show(size.pages, console)
        size.plain = step(f"plain pandas WRES 1-4, 9, {preset}", "plain", str(folder))
        shutil.rmtree(folder, ignore_errors=True)
        if spark:
            step(f"export parquet layout, {preset}", "export", db, str(layout))
            size.spark = step(
                f"full suite on Spark local, {preset}",
                "spark_suite",
                str(layout),
                limit=SPARK_LIMIT_S,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(layout, ignore_errors=True)
        Path(db).unlink(missing_ok=True)
    return size


def main(presets: tuple[str, ...], spark: bool, write_docs: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix="equitrack-bench-"))
    os.environ.setdefault("EQUITRACK_KEY_FILE", str(work / "key"))
    steps: list[tuple[str, dict]] = []
    try:
        sizes = [measure(p, work, spark, steps) for p in presets]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    console.print(_steps_table(steps))
    scaling = Table(
        title="How cost grows (full suite: every measure, every organisation)", title_justify="left"
    )
    for name in SCALING_HEADER:
        scaling.add_column(name, justify="left" if name == "size" else "right")
    for row in _scaling_rows(sizes):
        scaling.add_row(*row)
    console.print(scaling)
    targets = _targets(sizes)
    for line in targets:
        console.print(f"  {line}")
    if set(presets) == set(PRESETS) or write_docs:
        _write_docs(_markdown(sizes, targets))


def pages_only(preset: str, db: str | None) -> None:
    """The dashboard's pages on `db`, or on `preset` generated and loaded first."""
    work = Path(tempfile.mkdtemp(prefix="equitrack-bench-"))
    os.environ.setdefault("EQUITRACK_KEY_FILE", str(work / "key"))
    try:
        data = None  # a store given is timed after an import only when made here
        if db is None:
            db, data = str(work / f"{preset}.duckdb"), str(work / preset)
            run("generate", preset, data, "parquet")
            run("load", data, db)
        result = pages.served(db, data=data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pages.show(result, console)
    print(json.dumps(result))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["pages"]:
        told = dict(zip(args[1::2], args[2::2], strict=False))
        pages_only(told.get("--preset", "llr"), told.get("--db"))
        raise SystemExit(0)
    chosen = tuple(a for a in args if a in PRESETS) or PRESETS
    main(chosen, spark="--no-spark" not in args, write_docs="--write-docs" in args)
