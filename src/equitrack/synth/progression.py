"""Promotions, and the split of careers into ESR-style assignment rows at each band change."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import mixes
from .careers import DUAL_BANK, PRIMARY, SECOND_ORG, Careers
from .people import People
from .timeline import YEAR_DAYS, overlap, uniform_days
from .workforce import World


@dataclass
class Promotions:
    """Each promotion: the career, the first day in the new band, and the band."""

    career: np.ndarray
    day: np.ndarray  # first day in the new band
    band: np.ndarray


def promote(rng: np.random.Generator, world: World, folk: People, careers: Careers) -> Promotions:
    """Moves up the ladder, year by year, at a hazard that carries the promotion disparity."""
    h = world.horizon
    nxt, up = mixes.ladder()
    hazard = world.disp.promotion_hazard.vector()[folk.group[careers.person]]
    eligible = np.isin(careers.role, (PRIMARY, SECOND_ORG)) & ~np.isin(
        careers.contract, (mixes.BANK, mixes.HONORARY)
    )
    band = careers.band.copy()
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for fy in h.fy:
        lo, hi = h.bounds(fy)
        touch, a, b = overlap(careers.start.astype(np.int64) + 30, careers.exit, lo, hi)
        can = np.flatnonzero(eligible & touch & (nxt[careers.group, band] >= 0))
        exposure = (b[can] - a[can] + 1) / YEAR_DAYS
        rate = -np.log1p(-up[careers.group[can], band[can]]) * hazard[can]
        won = can[rng.random(len(can)) < -np.expm1(-rate * exposure)]
        day = uniform_days(rng, a[won], b[won])
        band[won] = nxt[careers.group[won], band[won]]
        found.append((won, day, band[won].copy()))
    return Promotions(*(np.concatenate([f[i] for f in found]) for i in range(3)))


@dataclass
class Segments:
    """Assignment rows: a career split at each promotion. `end` is NO_END while current."""

    career: np.ndarray
    person: np.ndarray
    org: np.ndarray
    group: np.ndarray
    band: np.ndarray
    contract: np.ndarray
    fte: np.ndarray
    start: np.ndarray
    end: np.ndarray
    reason: np.ndarray
    role: np.ndarray
    seat: np.ndarray
    seq: np.ndarray  # the n in "<person_id>-<n>"
    promoted: np.ndarray  # bool: this row starts with a promotion

    def __len__(self) -> int:
        return len(self.career)

    def take(self, idx: np.ndarray) -> Segments:
        return Segments(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def active(self, day: int) -> np.ndarray:
        return (self.start <= day) & (self.end >= day)

    @property
    def bank(self) -> np.ndarray:
        return self.contract == mixes.BANK

    def staff_rows(self) -> np.ndarray:
        """Rows that make a person-year of exposure: not the bank side of a dual contract."""
        return self.role != DUAL_BANK


def segments(careers: Careers, promotions: Promotions) -> Segments:
    """Assignment rows: the old row ends the day before the new band starts."""
    career = np.concatenate([np.arange(len(careers)), promotions.career])
    start = np.concatenate([careers.start, promotions.day]).astype(np.int32)
    band = np.concatenate([careers.band, promotions.band]).astype(np.int16)
    promoted = np.concatenate([np.zeros(len(careers), bool), np.ones(len(promotions.career), bool)])
    keep = start <= careers.exit[career]
    career, start, band, promoted = career[keep], start[keep], band[keep], promoted[keep]
    order = np.lexsort((start, career))
    career, start, band, promoted = career[order], start[order], band[order], promoted[order]
    same_next = np.append(career[1:] == career[:-1], False)
    end = careers.exit[career].copy()
    end[same_next] = start[1:][same_next[:-1]] - 1
    reason = np.where(same_next, -1, careers.reason[career]).astype(np.int16)
    person = careers.person[career]
    by_person = np.lexsort((career, start, person))
    seq = np.empty(len(career), dtype=np.int64)
    sorted_person = person[by_person]
    first = np.searchsorted(sorted_person, sorted_person, side="left")
    seq[by_person] = np.arange(len(career)) - first + 1
    return Segments(
        career=career,
        person=person,
        org=careers.org[career],
        group=careers.group[career],
        band=band,
        contract=careers.contract[career],
        fte=careers.fte[career],
        start=start,
        end=end.astype(np.int32),
        reason=reason,
        role=careers.role[career],
        seat=careers.seat[career],
        seq=seq,
        promoted=promoted,
    )
