"""Generated systems shared by the synth tests (each is generated once per session)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from equitrack.synth import Disparities, generate

Tables = dict[str, pa.Table]


@pytest.fixture(scope="session")
def mini() -> Tables:
    return generate("mini", seed=3)


@pytest.fixture(scope="session")
def llr() -> Tables:
    return generate("llr", seed=7)


@pytest.fixture(scope="session")
def llr_fair() -> Tables:
    return generate("llr", seed=7, disparities=Disparities.none())
