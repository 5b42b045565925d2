"""How long work reports progress without the library depending on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Advance = Callable[[int], None]


class Progress(Protocol):
    def task(self, description: str, total: int | None) -> Advance:
        """Start a task; the returned function advances it by some amount."""
        ...


class Silent:
    def task(self, description: str, total: int | None) -> Advance:
        return lambda _n: None
