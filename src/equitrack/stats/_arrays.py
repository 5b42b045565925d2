"""Column-shaped inputs (lists, numpy arrays, pyarrow arrays) read one way everywhere.

The funnel and pay-gap functions take one value per organisation or per person. Callers hold
those as numpy arrays, pyarrow arrays (with nulls) or plain lists, so they are converted here
once: numbers to float64 with NaN wherever a value is missing, labels to ``str | None``.
Nothing is dropped here; deciding what a missing value means is the caller's job, and each
caller counts what it leaves out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np


def _plain(values: Any) -> Any:
    # pyarrow Array and ChunkedArray (nulls become None); pandas Series via tolist
    if hasattr(values, "to_pylist"):
        return values.to_pylist()
    return values


def as_floats(values: Any, name: str) -> np.ndarray:
    """One-dimensional float64 array; None, null and NaN all become NaN."""
    if values is None:
        raise TypeError(f"{name} is required")
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of numbers, not a string")
    values = _plain(values)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers (or None for missing)") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def as_labels(values: Any, name: str) -> list[str | None]:
    """Labels as strings; None, null, NaN and blank strings become None (not known)."""
    if values is None:
        raise TypeError(f"{name} is required")
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, not a single string")
    labels: list[str | None] = []
    for value in _plain(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            labels.append(None)
            continue
        text = str(value)
        labels.append(text if text.strip() else None)
    return labels


def same_length(name_lengths: Iterable[tuple[str, int]]) -> int:
    """All inputs describe the same rows; say which do not."""
    pairs = list(name_lengths)
    lengths = {length for _, length in pairs}
    if len(lengths) > 1:
        described = ", ".join(f"{name} has {length}" for name, length in pairs)
        raise ValueError(f"inputs must have one value per row: {described}")
    return pairs[0][1] if pairs else 0
