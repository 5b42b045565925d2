"""One generated system, loaded into DuckDB and PostgreSQL by import, and read by Spark from
the Parquet that DuckDB exports: the three engines every measure must agree on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from equitrack import config, synth
from equitrack.ingest import import_paths
from equitrack.store import Store, connect
from equitrack.store.export import export_parquet
from tests.engines.servers import postgres_server, spark_available

SEED = 11


@pytest.fixture(scope="session")
def engine_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated data and the key every engine's import shares, so pseudonyms match."""
    home = tmp_path_factory.mktemp("engines")
    synth.write(synth.generate("mini", seed=SEED), home / "data", "parquet")
    return home


@pytest.fixture
def engine_key(engine_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.KEY_FILE_ENV, str(engine_home / "key"))


def _load(url: str, home: Path) -> Store:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(home / "key"))
        store = connect(url)
        result = import_paths([home / "data"], store, rejects_dir=home / "rejects")
        assert result.ok, result
    return store


@pytest.fixture(scope="session")
def duck(engine_home: Path) -> Iterator[Store]:
    store = _load(str(engine_home / "duck.duckdb"), engine_home)
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres(postgres_url: str, engine_home: Path) -> Iterator[Store]:
    store = _load(postgres_url, engine_home)
    yield store
    store.close()


@pytest.fixture(scope="session")
def parquet_layout(duck: Store, engine_home: Path) -> Path:
    folder = engine_home / "layout"
    export_parquet(duck, folder)
    return folder


@pytest.fixture(scope="session")
def spark(parquet_layout: Path) -> Iterator[Store]:
    spark_available()
    store = connect(f"spark:local[2]?parquet={parquet_layout}", create=False)
    yield store
    # the session is left for the process: PySpark restarts badly within one interpreter


@pytest.fixture(scope="session")
def engines(duck: Store, postgres: Store, spark: Store) -> dict[str, Store]:
    return {"duckdb": duck, "postgres": postgres, "spark": spark}
