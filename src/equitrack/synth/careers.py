"""Employment careers: one row per person's continuous spell at one organisation.

A career is what ESR splits into assignment rows when the band changes. Keeping careers
whole until the end makes the stock-and-flow arithmetic (joiners, leavers, promotions)
vectorised and exact in expectation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .timeline import NO_END

PRIMARY, BANK_ONLY, DUAL_BANK, SECOND_ORG, BOARD = range(5)

LEAVING_REASONS: tuple[str, ...] = (
    "Voluntary Resignation - Relocation",
    "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Promotion",
    "Voluntary Resignation - Better Reward Package",
    "Voluntary Resignation - Health",
    "Voluntary Resignation - Other/Not Known",
    "Voluntary Resignation - Incompatible Working Relationships",
    "Retirement Age",
    "Flexi Retirement",
    "End of Fixed Term Contract",
    "Dismissal - Conduct",
    "Dismissal - Capability",
    "Redundancy - Compulsory",
    "Death in Service",
    "Removed from Bank",
    "Employee Transfer",
)
REASON = {r: i for i, r in enumerate(LEAVING_REASONS)}
#: Weights of the voluntary reasons for an ordinary leaver.
VOLUNTARY_WEIGHTS = (0.22, 0.24, 0.14, 0.08, 0.05, 0.19, 0.03, 0.0, 0.0, 0.0, 0.0, 0.0,
                     0.01, 0.004, 0.0, 0.04)  # fmt: skip


@dataclass
class Careers:
    """Columnar careers; `exit` is NO_END for people still in post when the history ends."""

    person: np.ndarray
    org: np.ndarray
    group: np.ndarray  # staff group index (mixes.STAFF)
    band: np.ndarray  # band on joining (mixes.BANDS)
    contract: np.ndarray  # mixes.CONTRACTS
    fte: np.ndarray  # nan when not recorded (bank)
    start: np.ndarray
    exit: np.ndarray
    reason: np.ndarray  # LEAVING_REASONS index, -1 none
    role: np.ndarray  # PRIMARY, BANK_ONLY, ...
    seat: np.ndarray  # board seat kind (board.SEAT_KINDS), -1 none

    def __len__(self) -> int:
        return len(self.person)

    @classmethod
    def make(cls, n: int, **columns: np.ndarray | float | int) -> Careers:
        """A block of n careers; scalars are broadcast and missing columns get defaults."""
        defaults: dict[str, tuple[object, type]] = {
            "person": (0, np.int64), "org": (0, np.int16), "group": (0, np.int16),
            "band": (0, np.int16), "contract": (0, np.int8), "fte": (np.nan, np.float64),
            "start": (0, np.int32), "exit": (NO_END, np.int32), "reason": (-1, np.int16),
            "role": (PRIMARY, np.int8), "seat": (-1, np.int8),
        }  # fmt: skip
        out = {}
        for name, (default, dtype) in defaults.items():
            value = columns.get(name, default)
            out[name] = np.broadcast_to(np.asarray(value), (n,)).astype(dtype)
        return cls(**out)

    @classmethod
    def concat(cls, parts: list[Careers]) -> Careers:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def take(self, idx: np.ndarray) -> Careers:
        return Careers(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @property
    def left(self) -> np.ndarray:
        """Careers that end inside the history."""
        return self.exit != NO_END
