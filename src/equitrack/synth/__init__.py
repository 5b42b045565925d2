"""Synthetic integrated-care-system generator: realistic NHS workforce data with known,
named disparities, so every measure can be checked against the truth that produced it.

    tables = generate("llr", seed=7)                       # dict of pyarrow tables
    write(tables, Path("out"), fmt="csv")                 # <table>.csv per table
    fair = generate("llr", disparities=Disparities.none())
"""

from equitrack.synth.generate import generate
from equitrack.synth.params import ByGroup, Disparities
from equitrack.synth.presets import PRESETS, OrgSpec, Preset
from equitrack.synth.write import write

__all__ = ["PRESETS", "ByGroup", "Disparities", "OrgSpec", "Preset", "generate", "write"]
