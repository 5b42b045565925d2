"""Small vectorised sampling helpers shared by the generator modules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pick(rng: np.random.Generator, weights: Sequence[float], n: int) -> np.ndarray:
    """n indices drawn from fixed weights."""
    w = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(w), size=n, p=w / w.sum()).astype(np.int16)


def pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One index per row of a weight matrix (rows need not sum to 1)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1).astype(np.int16)


def pick_cumulative(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    """n indices from a cumulative distribution."""
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(cum) - 1)


def with_odds(p: np.ndarray | float, odds_ratio: np.ndarray | float) -> np.ndarray:
    """The probability whose odds are `odds_ratio` times the odds of `p`."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    odds = p / (1 - p) * odds_ratio
    return odds / (1 + odds)


def happens(rng: np.random.Generator, p: np.ndarray | float, n: int | None = None) -> np.ndarray:
    """Bernoulli draws."""
    size = len(p) if n is None else n  # type: ignore[arg-type]
    return rng.random(size) < p


def present(values: np.ndarray) -> np.ndarray:
    """The distinct small non-negative integers in `values` (faster than np.unique)."""
    return np.flatnonzero(np.bincount(values.astype(np.int64))) if len(values) else values[:0]


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values, by sorting."""
    s = np.sort(values)
    return s[np.append(True, s[1:] != s[:-1])] if len(s) else s


def exponential_days(rng: np.random.Generator, rate: np.ndarray) -> np.ndarray:
    """Waiting times in days for annual hazards `rate`."""
    return (rng.exponential(1.0, len(rate)) / np.maximum(rate, 1e-9) * 365.25).astype(np.int64)
