"""The dashboard as visitors meet it: `equitrack serve` started on a store, then each page's
first request (cold) and its 95th percentile once kept (warm), with 1 and 8 visitors at once.

Run on its own with `python -m bench pages --preset llr` (or `--db PATH` for a store already
loaded); `make bench` runs it on LLR. Figures are printed and returned, never asserted.

The server is the real command in its own process, so its start-up (imports, the warm-up it
runs in the background) is what a visitor meets. A viewer signs in as soon as it answers and
asks for the overview (what a visitor meets during the warm-up). Cold is measured once the
server says its warm-up has finished (its `warm-up finished` log line, timed too): each
reader's first request to each page.

Then the server is started again on the same store (a deploy, a reboot): it reads back the
protected releases the first one kept on disk (`equitrack.release_files`), so each reader's
first request to each page, asked as soon as it answers, is timed too. The bench keeps those
files in a folder of its own (`EQUITRACK_RELEASES`), so the first start builds them.

Given the data folder the store was loaded from, it also times the first start after new data:
`equitrack import` of the folder into a new store, which builds the board release and keeps it
on disk, then `serve` on that store, each reader's first request to each page asked at once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

#: Every page of the menu, and an organisation's.
PAGES = ("/", "/recommendations", "/journeys", "/organisations/{org}", "/downloads", "/data")
#: Whole-system readers: board figures, and exact ones.
READERS = {"viewer": "viewer", "analyst": "analyst"}
#: A viewer who asks for the overview as soon as the server answers, before its warm-up ends.
EARLY = "early"
CLIENTS = (1, 8)
#: The issue's target for a page's first request after start-up.
COLD_TARGET_S = 1.0
#: The bench's target for a page once kept, one visitor at a time (95th percentile).
WARM_TARGET_MS = 300
#: Longest wait for the server's warm-up (the protected release is built in it).
WARM_UP_LIMIT_S = float(os.environ.get("EQUITRACK_BENCH_WARM_UP_LIMIT", "3600"))
PASSWORD = "bench password, long enough"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _readers(db: str, create: bool = False) -> None:
    """A whole-system user of each reader's role (in a new store, with `create`)."""
    from equitrack.store import connect
    from equitrack.web.users import add_user

    store = connect(db, create=create)
    try:
        for name, role in {**READERS, EARLY: "viewer"}.items():
            add_user(store, f"bench-{name}", PASSWORD, role, ["*"], by="bench")
    finally:
        store.close()


def _first_org(db: str) -> str:
    """The organisation whose page is asked for."""
    from equitrack.store import connect

    store = connect(db, create=False)
    try:
        return store.table("organisations").org_code.to_pyarrow().to_pylist()[0]
    finally:
        store.close()


class Served:
    """`equitrack serve` in its own process, its JSON log lines read as they come."""

    def __init__(self, db: str, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "equitrack.cli", "serve", "--db", db, "--port", str(self.port),
             "--insecure-cookies", "--log-level", "INFO"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
        self.events: list[tuple[float, dict]] = []
        self.said: list[str] = []  # what else it wrote: why it stopped, if it did
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            try:
                event = json.loads(line)
            except ValueError:
                self.said = [*self.said[-20:], line]
                continue
            self.events.append((time.perf_counter() - self.started, event))
            if event.get("event") == "warm-up step":  # progress, while the release is built
                print(f"    warm-up: {event['step']}, {event['seconds']:.1f} s", flush=True)

    def wait_for(self, check, limit: float) -> float:
        """Seconds from start until `check()` is true (polled)."""
        deadline = time.perf_counter() + limit
        while not check():
            if self.proc.poll() is not None:
                said = "".join(self.said)
                raise SystemExit(f"equitrack serve stopped (exit {self.proc.returncode}):\n{said}")
            if time.perf_counter() > deadline:
                raise SystemExit(f"equitrack serve: not ready after {limit:.0f} s")
            time.sleep(0.05)
        return time.perf_counter() - self.started

    def answering(self) -> bool:
        try:
            return httpx.get(f"{self.base}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def warmed(self) -> dict | None:
        return next((e for _, e in self.events if e.get("event") == "warm-up finished"), None)

    def peak_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/sign-in", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )  # not followed: the overview's first request is the page's own
    if answer.status_code != 303:
        raise SystemExit(f"bench could not sign in as {username}: {answer.status_code}")
    return client


def _timed(client: httpx.Client, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    status = client.get(path).status_code
    return time.perf_counter() - start, status


def _first(client: httpx.Client, path: str) -> dict:
    """A page's first request as a visitor makes it: the first answer's time and status; if
    it said the figures are being prepared (503), asked again each second, as a visitor
    would, until it shows them (`figures_ms`, from the first request)."""
    start = time.perf_counter()
    cold, status = _timed(client, path)
    row: dict = {"status": status, "cold_ms": cold * 1000}
    if status == 503:
        while status == 503 and time.perf_counter() - start < WARM_UP_LIMIT_S:
            time.sleep(1)
            status = _timed(client, path)[1]
        row |= {"figures_status": status, "figures_ms": (time.perf_counter() - start) * 1000}
    return row


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[max(0, round(0.95 * len(times)) - 1)]


def _warm(base: str, cookies: httpx.Cookies, path: str, clients: int, repeats: int) -> float:
    """The 95th percentile of `repeats` requests from each of `clients` at once."""

    def visitor(_: int) -> list[float]:
        with httpx.Client(base_url=base, cookies=cookies, timeout=600) as client:
            return [_timed(client, path)[0] for _ in range(repeats)]

    with ThreadPoolExecutor(clients) as pool:
        times = [t for each in pool.map(visitor, range(clients)) for t in each]
    return _p95(times)


def served(db: str, repeats: int = 20, data: str | None = None) -> dict:
    """Start `equitrack serve` on `db`; each page's cold and warm times for each reader; then
    start it again and time each page's first request after the restart; and with `data`
    (the folder `db` was loaded from), after an import of it into a new store
    (`after_import`)."""
    _readers(db)
    org = _first_org(db)
    kept = tempfile.mkdtemp(prefix="equitrack-bench-releases-")
    env = {"EQUITRACK_RELEASES": kept}  # built by the first start, read back by the second
    server = Served(db, env)
    try:
        ready = server.wait_for(server.answering, 120)
        client = _signed_in(server.base, f"bench-{EARLY}")
        early = _first(client, "/")
        client.close()
        warmed = server.wait_for(lambda: server.warmed() is not None, WARM_UP_LIMIT_S)
        pages: dict[str, dict[str, dict]] = {}
        for reader in READERS:
            client = _signed_in(server.base, f"bench-{reader}")
            for template in PAGES:
                path = template.format(org=org)
                row = _first(client, path)
                for n in CLIENTS:
                    row[f"p95_ms_{n}"] = _warm(server.base, client.cookies, path, n, repeats) * 1000
                pages.setdefault(template, {})[reader] = row
            client.close()
        peak = server.peak_mb()
    finally:
        server.stop()
    failed = (server.warmed() or {}).get("failed")
    written = [e for _, e in server.events if e.get("event") == "release kept on disk"]
    try:
        kept_mb = sum(f.stat().st_size for f in Path(kept).rglob("*") if f.is_file()) / 1e6
        again = restarted(db, org, env)
    finally:
        shutil.rmtree(kept, ignore_errors=True)
    imported = after_import(data) if data is not None else None
    return {
        "seconds": time.perf_counter() - server.started,
        "rows": sum(len(r) for r in pages.values()) * (1 + sum(CLIENTS) * repeats),
        "peak_mb": peak,
        "ready_s": ready,
        "early_overview_s": early["cold_ms"] / 1000,
        "early_status": early["status"],
        "early_figures_s": early.get("figures_ms", early["cold_ms"]) / 1000,
        "warm_up_s": warmed,
        "warm_up_failed": failed,
        "pages": pages,
        "restart": again,
        "after_import": imported,
        "kept_files": len(written),
        "kept_write_s": sum(e.get("seconds", 0.0) for e in written),
        "kept_mb": kept_mb,
    }


def restarted(db: str, org: str, env: dict[str, str]) -> dict:
    """`equitrack serve` started again on `db`, its releases kept: each reader's first request
    to each page, asked as soon as it answers (during its warm-up, which reads them back)."""
    server = Served(db, env)
    try:
        ready = server.wait_for(server.answering, 120)
        first: dict[str, dict[str, dict]] = {}
        overview = 0.0
        for reader in READERS:
            client = _signed_in(server.base, f"bench-{reader}")
            for template in PAGES:
                first.setdefault(template, {})[reader] = _first(client, template.format(org=org))
                overview = overview or time.perf_counter() - server.started
            client.close()
        warmed = server.wait_for(lambda: server.warmed() is not None, WARM_UP_LIMIT_S)
        read_back = [e for _, e in server.events if e.get("event") == "release read from disk"]
        built = [e for _, e in server.events if e.get("event") == "release kept on disk"]
    finally:
        server.stop()
    return {
        "ready_s": ready,
        "first_overview_s": overview,
        "warm_up_s": warmed,
        "releases_read": len(read_back),
        "releases_built": len(built),
        "read_s": sum(e.get("seconds", 0.0) for e in read_back),
        "pages": first,
    }


def after_import(data: str) -> dict:
    """`equitrack import` of `data` into a store whose users are there already (as on a
    dashboard in use when next year's exports arrive), which keeps the releases its readers
    see and the charts of the first pages on disk (as by default), then `serve` started on it:
    each reader's first request to each page, asked as soon as it answers (`restarted`): the
    first start after new data are loaded."""
    work = Path(tempfile.mkdtemp(prefix="equitrack-bench-import-"))
    db = str(work / "imported.duckdb")
    env = {"EQUITRACK_RELEASES": str(work / "releases")}
    try:
        _readers(db, create=True)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "equitrack.cli", "import", data, "--db", db],
            capture_output=True, text=True, env={**os.environ, **env, "EQUITRACK_LOG_LEVEL": "INFO"},
        )  # fmt: skip
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"equitrack import failed (exit {done.returncode}):\n{done.stderr}")
        events = []
        for line in done.stderr.splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue  # the progress bars
        built = next((e for e in events if e.get("event") == "board release built at import"), {})
        drawn = next((e for e in events if e.get("event") == "first pages drawn at import"), {})
        result = restarted(db, _first_org(db), env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        **result, "import_s": seconds, "release_s": built.get("seconds"),
        "drawn_s": drawn.get("seconds"),
    }  # fmt: skip


def show(result: dict, console: Console) -> None:
    """Each page's first request against the 1 s target, and its warm 95th percentiles."""
    console.print(
        f"  equitrack serve answered after {result['ready_s']:.1f} s; a viewer who signed in "
        f"then had an answer to the overview after {result['early_overview_s']:.1f} s more "
        f"({result['early_status']}), its figures after {result['early_figures_s']:.1f} s; the "
        "warm-up "
        f"finished after {result['warm_up_s']:.1f} s ({result['warm_up_failed']} steps failed)"
    )
    table = Table(title="Dashboard pages, served (cold: the first request after start-up)",
                  title_justify="left")  # fmt: skip
    heads = ["page", "reader", "status", "cold", f"cold under {COLD_TARGET_S:.0f} s", "figures",
             *(f"warm p95, {n} client{'s' * (n > 1)}" for n in CLIENTS),
             f"1 client under {WARM_TARGET_MS} ms"]  # fmt: skip
    for name in heads:
        table.add_column(name, justify="left" if name in ("page", "reader") else "right")
    for page, readers in result["pages"].items():
        for reader, t in readers.items():
            met = "met" if t["cold_ms"] < COLD_TARGET_S * 1000 else "NOT met"
            table.add_row(
                page, reader, str(t["status"]), f"{t['cold_ms']:,.0f} ms", met, _figures(t),
                *(f"{t[f'p95_ms_{n}']:,.0f} ms" for n in CLIENTS),
                "met" if t["p95_ms_1"] < WARM_TARGET_MS else "NOT met",
            )  # fmt: skip
    console.print(table)
    again = result.get("restart")
    if not again:
        return
    console.print(
        f"  restarted on the same store: answered after {again['ready_s']:.1f} s, the first "
        f"overview after {again['first_overview_s']:.1f} s from start ({again['releases_read']} "
        f"files read back from disk in {again['read_s']:.1f} s); its warm-up finished after "
        f"{again['warm_up_s']:.1f} s. The first start kept {result['kept_files']} files "
        f"({result['kept_mb']:.0f} MB) in {result['kept_write_s']:.1f} s"
    )
    console.print(_first_requests("After a restart", again["pages"]))
    imported = result.get("after_import")
    if not imported:
        return
    release, drawn = imported["release_s"], imported["drawn_s"]
    console.print(
        f"  after `equitrack import` into a new store with the readers' accounts "
        f"({imported['import_s']:.1f} s, the releases "
        + (f"built and kept in {release:.1f} s of it" if release else "NOT kept")
        + (f", the first pages drawn in {drawn:.1f} s" if drawn else ", the first pages NOT drawn")
        + f"): serve answered after {imported['ready_s']:.1f} s, the first overview after "
        f"{imported['first_overview_s']:.1f} s from start ({imported['releases_read']} files read "
        f"back, {imported['releases_built']} built); its warm-up finished after "
        f"{imported['warm_up_s']:.1f} s"
    )
    console.print(_first_requests("After an import", imported["pages"]))


def _first_requests(when: str, by_page: dict[str, dict[str, dict]]) -> Table:
    """Each page's first request for each reader, against the 1 s target."""
    table = Table(title=f"{when} (cold: each page's first request, asked at once)",
                  title_justify="left")  # fmt: skip
    heads = ("page", "reader", "status", "cold", f"cold under {COLD_TARGET_S:.0f} s", "figures")
    for name in heads:
        table.add_column(name, justify="left" if name in ("page", "reader") else "right")
    for page, readers in by_page.items():
        for reader, t in readers.items():
            met = "met" if t["cold_ms"] < COLD_TARGET_S * 1000 else "NOT met"
            table.add_row(
                page, reader, str(t["status"]), f"{t['cold_ms']:,.0f} ms", met, _figures(t)
            )
    return table


def _figures(first: dict) -> str:
    """When a first request that said "being prepared" showed its figures (`_first`)."""
    if "figures_ms" not in first:
        return "at once"
    return f"{first['figures_ms'] / 1000:,.1f} s ({first['figures_status']})"
