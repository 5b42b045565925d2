"""How real exports write values: day-first dates, several spellings of one value, the odd
value in capitals or with a trailing space, Y/N flags, and CSV as Excel saves it.

Shared by the generator's export formats (`synth/write.py`), so every export is untidy in
the same, reproducible ways.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv


def day_first(values: pa.Array) -> pa.Array:
    """Dates as `31/03/2024`; blank stays blank."""
    return pc.strftime(values.cast(pa.timestamp("s")), "%d/%m/%Y")


def pick(
    rng: np.random.Generator, values: pa.Array, choices: dict[str, tuple[str, ...]]
) -> pa.Array:
    """Each value written as one of its spellings: mostly the first, sometimes another; a value
    with none listed is written as itself (so a new category never breaks an export)."""
    out = np.empty(len(values), dtype=object)
    raw = values.to_pylist()
    u = rng.random(len(values))
    for i, v in enumerate(raw):
        if v is None:
            out[i] = None
            continue
        options = choices.get(v, (v,))
        k = (
            0
            if u[i] < 0.8 or len(options) == 1
            else 1 + int((u[i] - 0.8) / 0.2 * (len(options) - 1))
        )
        out[i] = options[min(k, len(options) - 1)]
    return pa.array(out, pa.string())


def untidy(rng: np.random.Generator, values: pa.Array, share: float = 0.01) -> pa.Array:
    """A few values in capitals, and a few with a trailing space, as hand-kept reports have."""
    u = rng.random(len(values))
    upper = pc.utf8_upper(values)
    spaced = pc.binary_join_element_wise(values, " ", "")
    out = pc.if_else(pa.array(u < share), upper, values)
    return pc.if_else(pa.array((u >= share) & (u < 2 * share)), spaced, out)


def yes_no(values: pa.Array) -> pa.Array:
    return pc.if_else(values, "Y", "N")


def write_csv_export(export: pa.Table, path: Path) -> Path:
    """A CSV as Excel saves "CSV UTF-8": with a byte-order mark, quoting only where needed."""
    with path.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        pcsv.write_csv(export, fh, pcsv.WriteOptions(include_header=True, quoting_style="needed"))
    return path
