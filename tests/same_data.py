"""Byte-identical stores share their releases in the tests: each is built once per process.

A copy of a generated system (`tests.web.conftest.mini_copy`) is a database of its own, and
`equitrack.release` keeps what it builds per database, so every copy would measure and protect
the same data again (a minute or more each). The suite knows what the program cannot: the copy's
data are the source's until something is loaded into it. So stores registered here as the same
data keep their releases (the exact answers, and each audience's protected release) in one
dictionary, for the data version they were registered at only; whatever one builds after its
data change is its own, as always. And the answers measured for those data are each store's
last (`release._ASKED`), so new data in a copy ask again only the measures that read them.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from equitrack import config, release, release_files
from equitrack.store import Store
from equitrack.store.coverage import version
from tests import across_workers

#: The key `release._kept` keeps a data version's exact answers under.
_ANSWERS = release._ANSWERS


class _Common:
    """What the stores of the same data at one version share."""

    def __init__(self, at: tuple[Any, ...]) -> None:
        self.at = at
        self.kept: dict[Any, Any] = {}
        self.asked: release.Answers | None = None
        self.members: weakref.WeakSet[Any] = weakref.WeakSet()

    def answered(self, asked: release.Answers) -> None:
        """These data's answers: every member's last answers, unless it has its own since."""
        self.asked = asked
        for database in list(self.members):
            release._ASKED.setdefault(database, asked)


#: By the source's file and data version.
_COMMON: dict[tuple[str, tuple[Any, ...]], _Common] = {}


class _Kept(dict):
    """One database's entries in `release._CACHE` (see `release._kept`): its own, and at the
    common version the common ones too."""

    def __init__(self, database: Any, common: _Common, own: dict[Any, Any]) -> None:
        super().__init__(own)
        self.common = common
        self.database = weakref.ref(database)
        for key, value in own.items():
            self._share(key, value)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or (self._shared(key) and key in self.common.kept)

    def __getitem__(self, key: Any) -> Any:
        if super().__contains__(key) or not self._shared(key):
            return super().__getitem__(key)
        return self.common.kept[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._share(key, value)

    def _shared(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and key[0] == self.common.at

    def _share(self, key: Any, value: Any) -> None:
        database = self.database()
        if not self._shared(key) or database is None:
            return
        if key[1] == _ANSWERS:
            asked = release._ASKED.get(database)
            if asked is None:
                return  # not measured by `release._analysed`: kept as the database's own
            self.common.answered(asked)
        self.common.kept.setdefault(key, value)


def same_data(source: Store, *copies: Store) -> None:
    """`copies` (byte copies of `source`, nothing loaded into them since) and `source` share
    what is built for the data they have now."""
    at = version(source)
    common = _COMMON.setdefault((source.url, at), _Common(at))
    for store in (source, *copies):
        assert version(store) == at, "a store registered as the same data is at the same version"
        with release._LOCK:
            kept = release._CACHE.get(store.database)
            if not isinstance(kept, _Kept) or kept.common is not common:
                release._CACHE[store.database] = _Kept(store.database, common, dict(kept or {}))
            common.members.add(store.database)
            if common.asked is not None:
                release._ASKED.setdefault(store.database, common.asked)


def measured(source: Store, kept: Path | None = None) -> None:
    """`source`'s exact answers measured now, once per process and data version, for every
    store of the same data (as `release.release_for` measures them). With `kept`, a folder
    the run's workers share (`tests.across_workers`), they are measured once in the run: kept
    there by the first worker, as `equitrack.release_files` keeps them for a restarted server,
    and read back by the others (a worker's copy of a generated system is byte for byte the
    same database, so the files' key, which names the data, is the same)."""
    same_data(source)
    if kept is None:
        release._kept(source, _ANSWERS, lambda: release._analysed(source))
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.RELEASES_ENV, str(kept))
        shelf = release_files.shelf_of(source)
    assert shelf is not None, "the answers can be kept"
    lock = across_workers.locked(kept.with_name(kept.name + ".lock"))
    with lock, pytest.MonkeyPatch.context() as mp:
        mp.setattr(release_files, "shelf_of", lambda store: replace(shelf, folder=kept))
        release._kept(source, _ANSWERS, lambda: release._analysed(source))
