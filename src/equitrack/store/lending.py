"""A DuckDB file shared in turn between the dashboard and the command line.

DuckDB lets one process at a time write a database file, and a process that has it open keeps
every other out, readers included. So that `equitrack import`, `status`, `measure` and the
reports run while `equitrack serve` is up, the dashboard holds the file only while it uses it
(a `Lender`): it lets it go after a moment without use, at once when a command has asked for it
(the command touches a `.wanted` file beside the database while it waits), and opens it again
when a request next needs it. While a command has it, pages already measured are answered from
memory and signed-in users stay signed in; a page that must read the store waits for the
command to finish. A reader never sees part of an import (`equitrack.store.connection`): the
dashboard answers from the data before the import or after it.

Opening the file costs a few hundred milliseconds (the catalogue is read, the store's version
checked), so the dashboard keeps it open while requests keep coming rather than per request.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from equitrack.store.connection import Store, StoreBusy

#: Seconds without use after which the dashboard lets the file go, asked or not.
IDLE = 2.0
#: A command's request for the file counts for this long after its last touch: a command
#: killed while waiting does not keep the dashboard away for ever.
FRESH = 5.0
#: How often a waiting side tries again.
POLL = 0.05


def wanted_file(url: str) -> Path:
    return Path(url).expanduser().with_name(Path(url).name + ".wanted")


def ask_for(url: str) -> None:
    """Tell the dashboard a command is waiting for the file (touched on every try)."""
    with suppress(OSError):
        wanted_file(url).touch()


def asked_for(url: str) -> bool:
    try:
        return time.time() - wanted_file(url).stat().st_mtime < FRESH
    except OSError:
        return False


def stop_asking(url: str) -> None:
    with suppress(OSError):
        os.unlink(wanted_file(url))


class Lender:
    """The dashboard's hold on a DuckDB file: open while in use, let go when idle or asked for.

    `open_store` opens the file (raising `StoreBusy` when another process has it);
    `on_open` runs on each fresh opening, before anyone uses it (the dashboard checks there
    whether the data changed while it did not hold the file)."""

    def __init__(
        self,
        store: Store,
        open_store: Callable[[], Store],
        on_open: Callable[[Store], None],
        *,
        idle: float = IDLE,
    ) -> None:
        self.url = store.url
        self._store: Store | None = store
        self._open_store, self._on_open, self._idle = open_store, on_open, idle
        self._users = 0
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._watch, name="equitrack-lender", daemon=True).start()

    @property
    def holding(self) -> bool:
        return self._store is not None

    @contextmanager
    def hold(self, wait: float) -> Iterator[Store]:
        """The open store for the block, waiting up to `wait` seconds for a command that has
        the file to finish (else `StoreBusy`). Blocks in several threads share one opening."""
        store = self._take(time.monotonic() + wait)
        try:
            yield store
        finally:
            with self._lock:
                self._users -= 1
                self._last = time.monotonic()
                if self._users == 0 and asked_for(self.url):
                    self._let_go()

    def _take(self, deadline: float) -> Store:
        while True:
            with self._lock:
                if self._closed.is_set():
                    raise StoreBusy(f"{self.url} is closed")
                if self._store is None and not asked_for(self.url):
                    with suppress(StoreBusy):
                        store = self._open_store()
                        self._on_open(store)
                        self._store = store
                # join an opening in use even when asked: the users finish, then it goes
                if self._store is not None and (self._users or not asked_for(self.url)):
                    self._users += 1
                    return self._store
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"{self.url} is in use by another equitrack process (an import?); "
                    "try again when it has finished"
                )
            time.sleep(POLL)

    def _let_go(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _watch(self) -> None:
        while not self._closed.wait(min(self._idle, 0.25)):
            with self._lock:
                idle = time.monotonic() - self._last >= self._idle
                if self._users == 0 and (idle or asked_for(self.url)):
                    self._let_go()

    def close(self) -> None:
        with self._lock:
            self._closed.set()
            self._let_go()
