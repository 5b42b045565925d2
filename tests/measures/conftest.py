"""Loaded synthetic systems shared by the measure tests (built once per session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from equitrack import config, synth
from equitrack.ingest import import_paths
from equitrack.store import Store, connect


@pytest.fixture(scope="session")
def loaded_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Store]]:
    """Returns a store holding a generated system; each (preset, parity) is built once."""
    cache: dict[tuple[str, bool], Store] = {}
    base = tmp_path_factory.mktemp("systems")

    def build(preset: str = "llr", parity: bool = False) -> Store:
        if (preset, parity) not in cache:
            folder = base / f"{preset}-{'parity' if parity else 'default'}"
            tables = synth.generate(
                preset, seed=7, disparities=synth.Disparities.none() if parity else None
            )
            synth.write(tables, folder / "data", "parquet")
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv(config.KEY_FILE_ENV, str(base / "key"))
                store = connect(str(folder / "db.duckdb"))
                assert import_paths([folder / "data"], store).ok
            cache[(preset, parity)] = store
        return cache[(preset, parity)]

    yield build
    for store in cache.values():
        store.close()


@pytest.fixture(scope="session")
def llr(loaded_system: Callable[..., Store]) -> Store:
    return loaded_system("llr")


@pytest.fixture(scope="session")
def llr_db_path(llr: Store) -> Path:
    return Path(llr.url)
