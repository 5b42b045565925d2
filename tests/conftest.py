"""Every test gets its own pseudonymisation key and database, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from equitrack import config


@pytest.fixture(autouse=True)
def isolated_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    key_file = tmp_path_factory.mktemp("key") / "pseudonymisation.key"
    monkeypatch.setenv(config.KEY_FILE_ENV, str(key_file))
    monkeypatch.delenv(config.KEY_ENV, raising=False)
    monkeypatch.delenv(config.DB_ENV, raising=False)
    return key_file


@pytest.fixture(autouse=True)
def in_tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files a command writes by default (rejects/, equitrack.duckdb) land in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"
