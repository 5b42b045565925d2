"""The LLR system the measure tests share (`loaded_system` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from equitrack.store import Store


@pytest.fixture(scope="session")
def llr(loaded_system: Callable[..., Store]) -> Store:
    return loaded_system("llr")


@pytest.fixture(scope="session")
def llr_db_path(llr: Store) -> Path:
    return Path(llr.url)
