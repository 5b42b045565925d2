"""Pay snapshots at 31 March: hourly pay from the band's pay scale, and clinical excellence
awards for some consultants (the only bonus pay in most trusts)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import frame, mixes
from .people import People
from .progression import Segments
from .sampling import happens, with_odds
from .timeline import YEAR_DAYS, day
from .workforce import World

#: Annual pay range (entry, top of scale) for 2025/26.
SCALES_2026 = {
    "Band 1": (24_465, 24_465), "Band 2": (24_465, 24_465), "Band 3": (24_937, 26_598),
    "Band 4": (27_485, 30_162), "Band 5": (29_970, 36_483), "Band 6": (37_338, 44_962),
    "Band 7": (46_148, 52_809), "Band 8a": (53_755, 60_504), "Band 8b": (62_215, 72_293),
    "Band 8c": (74_290, 85_601), "Band 8d": (88_168, 101_677), "Band 9": (105_385, 121_271),
    "VSM": (140_000, 230_000), "Consultant": (109_725, 145_478),
    "Specialty Doctor": (59_175, 95_400), "Specialist": (100_870, 111_337),
    "Associate Specialist": (100_000, 111_000), "Specialty Registrar": (55_329, 70_425),
    "Core Training": (49_909, 55_329), "Foundation Year 1": (38_831, 38_831),
    "Foundation Year 2": (44_439, 44_439), "Other": (24_000, 45_000),
}  # fmt: skip
#: Pay award in each financial year, to take 2025/26 scales back in time.
AWARDS = {2026: 0.036, 2025: 0.055, 2024: 0.05, 2023: 0.05, 2022: 0.03, 2021: 0.03, 2020: 0.02}
WEEKS, AFC_HOURS, MEDICAL_HOURS = 52.143, 37.5, 40.0
LOW = np.array([SCALES_2026[b][0] for b in mixes.BANDS], dtype=np.float64)
HIGH = np.array([SCALES_2026[b][1] for b in mixes.BANDS], dtype=np.float64)
HOURS = np.array(
    [MEDICAL_HOURS if b in mixes.codes.MEDICAL_GRADES else AFC_HOURS for b in mixes.BANDS]
)


def _deflator(fy: int) -> float:
    """Pay in FY `fy` relative to 2025/26 (or the mirror image for later years)."""
    factor = 1.0
    for year in range(fy + 1, 2027):
        factor /= 1 + AWARDS.get(year, 0.025)
    return factor * 1.025 ** max(fy - 2026, 0)


def pay(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """One row per person and organisation at each 31 March (built a year at a time, to keep
    memory flat at national scale)."""
    years = [_snapshot(rng, world, folk, segs, fy, pid, org_codes) for fy in world.horizon.fy]
    return pa.concat_tables(years)


def _snapshot(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    fy: int,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """Everyone paid at 31 March of `fy`: one row per person and organisation, preferring a
    substantive assignment over bank work and the larger fte."""
    snap = day(fy, 3, 31)
    idx = np.flatnonzero(segs.active(snap))
    fte = np.nan_to_num(segs.fte[idx], nan=0.0)
    idx = idx[np.lexsort((-fte, segs.bank[idx], segs.org[idx], segs.person[idx]))]
    key = segs.person[idx] * world.n_orgs + segs.org[idx]
    idx = idx[np.append(True, key[1:] != key[:-1])]
    n = len(idx)
    band = segs.band[idx]
    position = np.clip((snap - segs.start[idx]) / YEAR_DAYS / 4 + rng.normal(0, 0.08, n), 0, 1)
    annual = (LOW[band] + position * (HIGH[band] - LOW[band])) * _deflator(fy)
    hourly = annual / (WEEKS * HOURS[band]) * (1 + rng.normal(0, 0.01, n))
    odds = world.disp.bonus_odds.vector()[folk.group[segs.person[idx]]]
    award = (band == mixes.BAND[mixes.codes.CONSULTANT]) & happens(rng, with_odds(0.35, odds))
    bonus = np.where(award, np.round(rng.lognormal(np.log(12_000), 0.6, n), 2), np.nan)
    return frame.build(
        "pay",
        {
            "person_id": pid.take(segs.person[idx]),
            "org_code": org_codes.take(segs.org[idx]),
            "snapshot_date": np.full(n, snap, dtype=np.int32),
            "hourly_pay": np.round(hourly, 2),
            "bonus_pay": bonus,
        },
        n,
    )
