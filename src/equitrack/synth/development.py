"""Development and appraisals: who is picked for the chances to move up, and who is named
as a successor.

Development picked informally (no advert) carries `informal_selection_odds`; programmes aimed
at minority staff carry `positive_action_rate`; succession pools carry `succession_odds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from equitrack.model.tables import allowed

from . import frame, mixes
from .careers import BOARD, PRIMARY, SECOND_ORG
from .learning import exposure
from .params import GROUPS, MINORITY
from .people import People
from .progression import Segments
from .sampling import happens, pick_cumulative, present, with_odds
from .staffing import other_org
from .timeline import NO_DATE, uniform_days
from .workforce import World

KINDS = allowed("development", "kind")
SELECTION = allowed("development", "selection")
INFORMAL = SELECTION.index("informal")


@dataclass(frozen=True)
class Opportunity:
    """A kind of development: how often White staff get it, how people are picked, when it
    started, how long it lasts (days) and how often it is hosted by another organisation."""

    rate: float
    routes: dict[str, float]  # share by selection route
    from_fy: int
    days: tuple[int, int]
    hosted: float


def _routes(open_application: float, nominated: float, informal: float) -> dict[str, float]:
    return {"open_application": open_application, "nominated": nominated, "informal": informal}


DEV = {
    "shadowing": Opportunity(0.010, _routes(0.2, 0.2, 0.6), 0, (1, 5), 0.10),
    "mentoring": Opportunity(0.010, _routes(0.6, 0.3, 0.1), 0, (90, 365), 0.05),
    "reverse_mentoring": Opportunity(0.0015, _routes(0.5, 0.5, 0), 2021, (180, 365), 0.0),
    "coaching": Opportunity(0.008, _routes(0.5, 0.3, 0.2), 0, (42, 180), 0.05),
    "talent_programme": Opportunity(0.004, _routes(0.7, 0.3, 0), 0, (120, 365), 0.0),
    "secondment": Opportunity(0.004, _routes(0.3, 0.2, 0.5), 0, (90, 365), 0.45),
    "acting_up": Opportunity(0.006, _routes(0.2, 0.2, 0.6), 0, (60, 300), 0.0),
}  # fmt: skip
TARGETED = ("reverse_mentoring", "talent_programme")
PROGRAMMES = (
    "Developing Diverse Leadership", "Developing You, Developing Me", "We Nurture", "Stepping Up",
    "Reciprocal Mentoring", "Reverse Mentoring Programme", "Leadership Academy Coaching Register",
)  # fmt: skip


def _route_rates(world: World, fy: int) -> np.ndarray:
    """Rate per person-year for each broad group x (kind, selection route)."""
    d = world.disp
    out = np.zeros((len(GROUPS), len(KINDS) * len(SELECTION)))
    for kind, spec in DEV.items():
        if fy < spec.from_fy:
            continue
        for r, route in enumerate(SELECTION):
            mult = d.informal_selection_odds.vector() if r == INFORMAL else np.ones(len(GROUPS))
            if kind in TARGETED and r != INFORMAL:
                mult = mult * d.positive_action_rate.vector()
            out[:, KINDS.index(kind) * len(SELECTION) + r] = (
                spec.rate * spec.routes.get(route, 0) * mult
            )
    return out


def development(
    rng: np.random.Generator, world: World, folk: People, segs: Segments
) -> dict[str, np.ndarray]:
    """Development records as arrays (the recruitment module advertises some of them)."""
    h = world.horizon
    group = folk.group[segs.person]
    rows = np.isin(segs.role, (PRIMARY, SECOND_ORG)) & ~segs.bank
    parts = []
    for fy in h.fy:
        idx, a, b, expo = exposure(segs, *h.bounds(fy), rows)
        rates = _route_rates(world, fy)
        count = rng.poisson(rates.sum(axis=1)[group[idx]] * expo)
        pos = np.repeat(np.arange(len(idx)), count)
        g = group[idx[pos]]
        which = np.empty(len(pos), dtype=np.int64)
        for gi in present(g):
            sel = np.flatnonzero(g == gi)
            which[sel] = pick_cumulative(rng, np.cumsum(rates[gi]), len(sel))
        parts.append((idx[pos], uniform_days(rng, a[pos], b[pos]), which, np.full(len(pos), fy)))
    row, start, which, fy = (np.concatenate([p[i] for p in parts]) for i in range(4))
    kind, route = np.divmod(which, len(SELECTION))
    spec = [DEV[k] for k in KINDS]
    lo = np.array([s.days[0] for s in spec])[kind]
    hi = np.array([s.days[1] for s in spec])[kind]
    end = start + rng.integers(lo, hi + 1)
    host = np.where(
        rng.random(len(row)) < np.array([s.hosted for s in spec])[kind],
        other_org(rng, world, segs.org[row]),
        -1,
    )
    return {
        "row": row,
        "kind": kind,
        "route": route,
        "start": start,
        "end": end,
        "programme": _programme(rng, world, segs, row, kind, fy, group[row]),
        "host": host,
    }


def _programme(
    rng: np.random.Generator,
    world: World,
    segs: Segments,
    row: np.ndarray,
    kind: np.ndarray,
    fy: np.ndarray,
    group: np.ndarray,
) -> np.ndarray:
    """Named programmes: Developing Diverse Leadership and Stepping Up for talent programmes,
    Developing You, Developing Me for bands 8b-8c from 2023/24, We Nurture for minority staff
    in mental health trusts from 2021/22, and the mentoring and coaching schemes."""
    n = len(row)
    prog = np.full(n, -1)
    band = segs.band[row]
    talent = kind == KINDS.index("talent_programme")
    prog[talent] = np.where(rng.random(talent.sum()) < 0.7, 0, 3)
    senior = np.isin(band, [mixes.BAND["Band 8b"], mixes.BAND["Band 8c"]])
    prog[talent & senior & (fy >= 2024)] = 1
    mh = world.kind[segs.org[row]] == mixes.KINDS.index("mental_health")
    minority = np.isin(group, MINORITY)
    prog[talent & mh & minority & (fy >= 2022) & (rng.random(n) < 0.5)] = 2
    prog[(kind == KINDS.index("mentoring")) & (rng.random(n) < 0.3)] = 4
    prog[kind == KINDS.index("reverse_mentoring")] = 5
    prog[(kind == KINDS.index("coaching")) & (rng.random(n) < 0.4)] = 6
    return prog


def development_table(
    rng: np.random.Generator,
    world: World,
    dev: dict[str, np.ndarray],
    segs: Segments,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """The development table; placements still running at the end have no end date."""
    h = world.horizon
    n = len(dev["row"])
    ended = dev["end"] <= h.end
    return frame.build(
        "development",
        {
            "record_id": frame.numbered("DV", n, 8),
            "person_id": pid.take(segs.person[dev["row"]]),
            "org_code": org_codes.take(segs.org[dev["row"]]),
            "host_org_code": org_codes.take(pa.array(dev["host"], mask=dev["host"] < 0)),
            "kind": frame.labels(KINDS, dev["kind"]),
            "programme": frame.labels(PROGRAMMES, dev["programme"]),
            "selection": frame.labels(SELECTION, dev["route"]),
            "start_date": dev["start"],
            "end_date": np.where(ended, dev["end"], NO_DATE),
            "completed": np.where(ended, happens(rng, 0.88, n), -1).astype(np.int8),
        },
        n,
    )


# --- appraisals --------------------------------------------------------------------------------


def appraisals(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """One appraisal a year for most staff; EDI objectives spread; succession pools skew White."""
    h, d = world.horizon, world.disp
    rows = np.isin(segs.role, (PRIMARY, SECOND_ORG, BOARD)) & ~segs.bank
    parts = []
    for k, fy in enumerate(h.fy):
        idx, a, b, expo = exposure(segs, *h.bounds(fy), rows)
        last = np.append(segs.career[idx][1:] != segs.career[idx][:-1], True)
        idx, a, b, expo = idx[last], a[last], b[last], expo[last]
        had = (expo >= 0.25) & happens(rng, 0.82, len(idx))
        idx, a, b = idx[had], a[had], b[had]
        edi = happens(rng, 0.04 + 0.42 * k / max(h.years - 1, 1), len(idx))
        senior = np.array([mixes.codes.band_rank(x) >= 7 for x in mixes.BANDS])[segs.band[idx]]
        odds = d.succession_odds.vector()[folk.group[segs.person[idx]]]
        pool = (senior & happens(rng, with_odds(0.07, odds))).astype(np.int8)
        if k < 2:
            pool[:] = -1  # succession pools were not recorded in the first years
        parts.append((idx, uniform_days(rng, a, b), edi, pool))
    row, when, edi, pool = (np.concatenate([p[i] for p in parts]) for i in range(4))
    return frame.build(
        "appraisals",
        {
            "person_id": pid.take(segs.person[row]),
            "org_code": org_codes.take(segs.org[row]),
            "appraisal_date": when,
            "edi_objective": edi,
            "succession_pool": pool,
        },
        len(row),
    )
