"""One benchmark step per process, so each reports its own time and peak memory as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

YEARS = tuple(range(2019, 2027))


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
        "orgs": len(synth.PRESETS[preset].orgs),
        "staff": synth.PRESETS[preset].headcount,
        "peak_mb": _peak_mb(),
    }


def load(folder: str, db: str) -> dict:
    from equitrack.ingest import import_paths
    from equitrack.store import connect

    start = time.perf_counter()
    store = connect(db)
    result = import_paths([Path(folder)], store, rejects_dir=Path(folder).parent / "rejects")
    if not result.ok:
        raise SystemExit(f"import of {folder} failed")
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": result.rows_loaded,
        "rows_per_second": result.rows_loaded / seconds,
        "peak_mb": _peak_mb(),
    }


def _cpu() -> float:
    """This process's processor time, every thread's: on a machine shared with other work it
    varies less than the wall clock."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _raw_load(folder: Path, db: Path) -> tuple[float, float, int]:
    """DuckDB's own `CREATE TABLE AS` of every file of a folder: the load limit an import is
    compared with (no checks, no pseudonyms, no history). Wall and processor seconds, rows."""
    import duckdb

    db.unlink(missing_ok=True)
    start, cpu = time.perf_counter(), _cpu()
    con = duckdb.connect(str(db))
    rows = 0
    for path in sorted(folder.iterdir()):
        reader = {".csv": "read_csv", ".parquet": "read_parquet"}.get(path.suffix)
        if reader is None:
            continue
        con.execute(f"CREATE TABLE \"{path.stem}\" AS SELECT * FROM {reader}('{path}')")
        rows += con.execute(f'SELECT count(*) FROM "{path.stem}"').fetchone()[0]
    con.close()
    return time.perf_counter() - start, _cpu() - cpu, rows


def import_vs_raw(folder: str, repeats: str = "3") -> dict:
    """`equitrack import` of a folder against DuckDB's raw load of the same files, alternating
    in one process so that both meet the same machine; the best of `repeats` runs of each, in
    wall and in processor seconds (the ratio the issue's target is set on is the wall one)."""
    from equitrack.ingest import import_paths
    from equitrack.store import connect

    work = Path(folder).parent
    db, raw_db = work / "import-vs-raw.duckdb", work / "raw-load.duckdb"
    ours, ours_cpu, raw, raw_cpu = [], [], [], []
    rows = raw_rows = 0
    for _ in range(int(repeats)):
        seconds, cpu_seconds, raw_rows = _raw_load(Path(folder), raw_db)
        raw.append(seconds)
        raw_cpu.append(cpu_seconds)
        db.unlink(missing_ok=True)
        start, cpu = time.perf_counter(), _cpu()
        store = connect(str(db))
        result = import_paths([Path(folder)], store, rejects_dir=work / "rejects")
        if not result.ok:
            raise SystemExit(f"import of {folder} failed")
        store.close()
        ours.append(time.perf_counter() - start)
        ours_cpu.append(_cpu() - cpu)
        rows = result.rows_loaded
    db.unlink(missing_ok=True)
    raw_db.unlink(missing_ok=True)
    best, best_raw = min(ours), min(raw)
    return {
        "seconds": best,
        "rows": rows,
        "rows_per_second": rows / best,
        "raw_seconds": best_raw,
        "raw_rows": raw_rows,
        "raw_rows_per_second": raw_rows / best_raw,
        "ratio": best / best_raw,
        "cpu_seconds": min(ours_cpu),
        "raw_cpu_seconds": min(raw_cpu),
        "cpu_ratio": min(ours_cpu) / min(raw_cpu),
        "peak_mb": _peak_mb(),
    }


def _suite(url: str, family: str, years: int) -> tuple[float, int]:
    from equitrack import api
    from equitrack.measures.registry import FAMILIES
    from equitrack.store import connect

    store = connect(url, create=False)
    start = time.perf_counter()
    chosen = FAMILIES if family == "all" else family
    results = api.run(chosen, YEARS[-int(years) :], store=store)
    return time.perf_counter() - start, len(results)


def suite(db: str, family: str, years: str = str(len(YEARS))) -> dict:
    """Every measure of a family (or `all`), every organisation, the last `years` years."""
    seconds, rows = _suite(db, family, int(years))
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}


def export(db: str, folder: str) -> dict:
    """The canonical Parquet layout Spark reads."""
    from equitrack.store import connect
    from equitrack.store.export import export_parquet

    start = time.perf_counter()
    written = export_parquet(connect(db, create=False), Path(folder))
    return {
        "seconds": time.perf_counter() - start,
        "rows": sum(w.rows for w in written),
        "peak_mb": _peak_mb(),
    }


def _jvm_peak_mb() -> float:
    """Spark's work happens in its JVM, a child process: its own high-water mark."""
    from pyspark import SparkContext

    pid = SparkContext._gateway.proc.pid  # type: ignore[union-attr]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _spark_jobs() -> int:
    """How many Spark jobs the session has run: each costs a round of scheduling whatever
    its size, so the count says how much of a run is fixed cost. Job ids count up from 0, and
    the tracker keeps the latest (only the last thousand)."""
    from pyspark import SparkContext

    tracker = SparkContext._active_spark_context.statusTracker()  # type: ignore[union-attr]
    return max(tracker.getJobIdsForGroup(None), default=-1) + 1


def spark_suite(folder: str, family: str = "all") -> dict:
    """The same suite on Spark local mode, over the exported Parquet layout."""
    seconds, rows = _suite(f"spark:local[*]?parquet={folder}", family, len(YEARS))
    return {
        "seconds": seconds,
        "rows": rows,
        "jobs": _spark_jobs(),
        "peak_mb": _peak_mb() + _jvm_peak_mb(),
    }


def plain(folder: str) -> dict:
    """The plain pandas implementation of WRES 1-4 and 9 (tests/reference) on the same data."""
    import pyarrow.parquet as pq
    from tests.reference.plain_wres import all_indicators

    names = (
        "organisations",
        "people",
        "assignments",
        "vacancies",
        "applications",
        "disciplinary",
        "training",
    )
    tables = {n: pq.read_table(Path(folder) / f"{n}.parquet").to_pandas() for n in names}
    start = time.perf_counter()
    counts = all_indicators(tables, YEARS)
    return {"seconds": time.perf_counter() - start, "rows": len(counts), "peak_mb": _peak_mb()}


def engine_plain_subset(db: str) -> dict:
    """The engine on exactly what the plain implementation computes: WRES 1-4 and 9."""
    from equitrack import api
    from equitrack.store import connect

    store = connect(db, create=False)
    start = time.perf_counter()
    results = api.run(
        "wres", YEARS, store=store, measures=("wres1", "wres2", "wres3", "wres4", "wres9")
    )
    return {"seconds": time.perf_counter() - start, "rows": len(results), "peak_mb": _peak_mb()}


def profile(db: str, family: str = "all", top: str = "15") -> dict:
    """Where a suite's time goes: seconds per measure, and its slowest engine round trips.

    `family` is `all` or families joined by commas. Every query result fetched
    (`to_pyarrow`) and every population materialised (`Store.cache`) is timed and credited to
    the measure being evaluated; what is left of a measure's time is Python.
    """
    from ibis.expr.types.relations import Table

    from equitrack import api
    from equitrack.measures.registry import FAMILIES
    from equitrack.store import Store, connect

    current = ["(setup)"]
    queries: list[dict] = []

    def timed(kind: str, run):
        def wrapper(self, *args, **kwargs):
            start = time.perf_counter()
            out = run(self, *args, **kwargs)
            queries.append(
                {"measure": current[0], "kind": kind, "seconds": time.perf_counter() - start}
            )
            return out

        return wrapper

    Table.to_pyarrow = timed("fetch", Table.to_pyarrow)
    Store.cache = timed("materialise", Store.cache)
    evaluate = api.evaluate
    measures: dict[str, float] = {}

    def evaluate_timed(store, measure, request):
        current[0] = measure.id
        start = time.perf_counter()
        try:
            return evaluate(store, measure, request)
        finally:
            measures[measure.id] = time.perf_counter() - start

    api.evaluate = evaluate_timed
    store = connect(db, create=False)
    start = time.perf_counter()
    families = FAMILIES if family == "all" else tuple(family.split(","))
    results = api.run(families, YEARS, store=store)
    return {
        "seconds": time.perf_counter() - start,
        "rows": len(results),
        "peak_mb": _peak_mb(),
        "engine_seconds": sum(q["seconds"] for q in queries),
        "measures": dict(sorted(measures.items(), key=lambda kv: -kv[1])),
        "slowest": sorted(queries, key=lambda q: -q["seconds"])[: int(top)],
    }


def protected_release(db: str) -> dict:
    """The board release (`equitrack.release`): how long measuring every question and
    protecting it together take, and what secondary suppression hid to do it. The answers are
    then kept on disk, as `equitrack import` keeps them, for the commands timed after."""
    from equitrack import release, release_files
    from equitrack.disclosure import analyse, decide, policy_for, systems_of
    from equitrack.disclosure.counts import is_small
    from equitrack.store import connect

    store = connect(db, create=False)
    policy = policy_for("board")
    start = time.perf_counter()
    kept = release.answers(store)
    answers = kept.results()
    asked = time.perf_counter() - start
    analysis = analyse(answers, systems_of(store))  # read once: the build and what it hid
    built = release.build(store, policy, exact=analysis)
    decision = decide(answers, policy, analysis=analysis)
    values = decision.figures.values()
    staff = decision.figures.staff()
    hidden = [n for n, shown in decision.shown.items() if shown is None]
    secondary = [n for n in hidden if not is_small(values[n], policy)]
    large = [
        n
        for n in secondary
        if not n.unit.startswith("system:") and staff.get(n.unit, 0) > policy.spare_above
    ]
    years = len(release.released_years(store))
    shelf = release_files.shelf_of(store)
    if shelf is None:
        raise SystemExit("the release's answers cannot be kept beside the bench's store")
    shelf.keep_answers(kept, answers)
    store.close()
    return {
        "results": len(answers),
        "years": years,
        "ask_s": asked,
        "gate_s": built.seconds,
        "counts": len(values),
        "primary": len(hidden) - len(secondary),
        "secondary": len(secondary),
        "largest_secondary": max((values[n] for n in secondary), default=0),
        "secondary_in_large_orgs": len(large),
    }


def engine_vs_tuned(db: str, repeats: str = "3") -> dict:
    """`bench.tuned.engine_vs_tuned`, imported only by its own step (it brings Ibis and DuckDB,
    which would count in every other step's peak memory)."""
    from bench import tuned

    return tuned.engine_vs_tuned(db, repeats)


def cli_wres_system(db: str, year: str = str(YEARS[-1]), repeats: str = "3") -> dict:
    """`equitrack wres --year Y --system` as a user types it: a new process each time, start-up
    and all (issue 20: under 1 s on LLR); the best of `repeats`."""
    import subprocess

    command = [
        sys.executable, "-m", "equitrack.cli", "wres", "--year", year, "--system", "--db", db,
        "--format", "json",
    ]  # fmt: skip
    times = []
    for _ in range(int(repeats)):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
    return {"seconds": min(times), "all_seconds": times, "rows": 0, "peak_mb": _peak_mb()}


STEPS = {
    "release": protected_release,
    "tuned": engine_vs_tuned,
    "cli_wres": cli_wres_system,
    "generate": generate,
    "load": load,
    "import_vs_raw": import_vs_raw,
    "suite": suite,
    "export": export,
    "spark_suite": spark_suite,
    "plain": plain,
    "engine_subset": engine_plain_subset,
    "profile": profile,
}

if __name__ == "__main__":
    step, *args = sys.argv[1:]
    began = time.perf_counter()
    done = STEPS[step](*args)
    # every step says its time, peak memory and rows, which the bench's table of steps prints
    done.setdefault("seconds", time.perf_counter() - began)
    done.setdefault("peak_mb", _peak_mb())
    done.setdefault("rows", done.get("results", 0))
    print(json.dumps(done))
