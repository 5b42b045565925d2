"""The generated system the round-trip tests write as each export: built once, since every test
module reads the same one and none changes it."""

from __future__ import annotations

import pyarrow as pa
import pytest

from equitrack import synth
from tests.ingest_profiles.support import SEED


@pytest.fixture(scope="session")
def generated() -> dict[str, pa.Table]:
    return synth.generate("mini", seed=SEED)
