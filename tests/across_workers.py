"""What the test processes of one run (`make test`'s xdist workers) build once between them.

A generated system, or the exact answers measured for it, is the same whichever worker makes
it: the first to need it builds it into a folder the run's workers share, under a lock, and
the others wait for it there and copy or read it (each still has its own store).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: Written last into a folder `built_once` made: a folder without it was left half made.
_DONE = ".built"


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder this run's workers share: the parent of each worker's own temporary folder
    under xdist (pytest-N/popen-gwK), else this process's own (never an earlier run's)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "across-workers"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """`path`'s lock held, across processes: the others wait until it is let go."""
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def built_once(folder: Path, make: Callable[[Path], None]) -> Path:
    """`folder`, made by `make(folder)` by the first worker to ask (the others wait for it)."""
    with locked(folder.with_name(folder.name + ".lock")):
        if not (folder / _DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
            folder.mkdir(mode=0o700)
            make(folder)
            (folder / _DONE).touch()
    return folder
