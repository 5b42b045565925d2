"""A small hand-made store for the report tests: counts a reader can check by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from equitrack import config
from equitrack.store import Store
from tests.measures.builders import System

#: Staff in post at 31 March 2026 by ethnic code as recorded; blank and Z are not known.
IN_POST = {"A": 40, "H": 12, "": 3, "Z": 2}
STAFF = sum(IN_POST.values())  # 57
KNOWN = STAFF - IN_POST[""] - IN_POST["Z"]  # 52: 91.2% of staff in post


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One organisation (RX1): the staff in IN_POST, plus people who are not staff in post at
    31 March 2026 and must not count: a leaver and a bank worker, both of unknown ethnicity."""
    folder = tmp_path_factory.mktemp("reports-store")
    s = System()
    for code, n in IN_POST.items():
        s.people_of(code, n)
    s.person("", end="2025-06-30")
    s.person("", contract="bank", start="2025-10-01")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(folder / "key"))
        store = s.load(folder)
    yield store
    store.close()
