"""Staff survey results as providers deliver them: counts per organisation, year, question
and group. Responses are about 45% of each group's headcount; the positive count is drawn
binomially from a rate carrying the survey disparities."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from equitrack.model import codes

from . import frame
from .careers import BANK_ONLY
from .params import GROUPS, MINORITY, UNKNOWN, WHITE
from .people import People
from .progression import Segments
from .sampling import distinct, with_odds
from .timeline import day
from .workforce import World

MEASURES = ("wres5", "wres6", "wres7", "wres8")
#: White staff's rate per measure (5, 6, 8: experienced it; 7: yes, equal opportunities).
WHITE_RATES = {"nss": (0.26, 0.23, 0.58, 0.065), "bank": (0.30, 0.25, 0.52, 0.09)}
RESPONSE = {"nss": 0.45, "bank": 0.2}


def _headcounts(world: World, folk: People, segs: Segments, when: int, bank: bool) -> np.ndarray:
    """org x broad group headcount: staff in post, or bank-only workers, once per org."""
    rows = segs.active(when) & ((segs.role == BANK_ONLY) if bank else ~segs.bank)
    idx = np.flatnonzero(rows)
    key = distinct(segs.person[idx] * world.n_orgs + segs.org[idx])
    person, org = np.divmod(key, world.n_orgs)
    out = np.zeros((world.n_orgs, len(GROUPS)), dtype=np.int64)
    np.add.at(out, (org, folk.group[person]), 1)
    return out


def _odds(world: World, measure: int) -> np.ndarray:
    """Odds ratios by broad group for one measure (Unknown sits a little worse than White)."""
    d = world.disp
    by = (
        d.survey_adverse_odds,
        d.survey_adverse_odds,
        d.survey_equal_opportunity_odds,
        d.survey_discrimination_odds,
    )[measure].vector()
    by[UNKNOWN] = 1.2 if measure != 2 else 0.85
    return by


def survey(
    rng: np.random.Generator, world: World, folk: People, segs: Segments, org_codes: pa.Array
) -> pa.Table:
    """NHS Staff Survey and bank worker survey aggregates, WRES 5-8."""
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("org", "year", "inst", "measure", "gtype", "gval", "resp", "pos")
    }
    values = (codes.WHITE, codes.BME, "all", "bank", *GROUPS[1:5])
    for fy in world.horizon.fy:
        year = fy - 1
        for inst in ("nss", "bank"):
            heads = _headcounts(world, folk, segs, day(year, 10, 1), inst == "bank")
            keep = heads.sum(axis=1) > (0 if inst == "nss" else 20)
            resp = rng.binomial(heads, RESPONSE[inst])
            drift = rng.normal(0, 0.12, (world.n_orgs, len(MEASURES)))
            for m, measure in enumerate(MEASURES):
                base = WHITE_RATES[inst][m] * np.exp(drift[:, m])[:, None]
                pos = rng.binomial(
                    resp, with_odds(np.clip(base, 0.01, 0.95), _odds(world, m)[None, :])
                )
                groups = [
                    ("wres", 0, resp[:, WHITE], pos[:, WHITE]),
                    ("wres", 1, resp[:, MINORITY].sum(1), pos[:, MINORITY].sum(1)),
                ]
                if inst == "nss":
                    groups.append(("all", 2, resp.sum(1), pos.sum(1)))
                    groups += [
                        ("ethnic_group", 4 + i, resp[:, g], pos[:, g])
                        for i, g in enumerate(MINORITY)
                    ]
                    groups.insert(2, ("ethnic_group", 0, resp[:, WHITE], pos[:, WHITE]))
                else:
                    groups.append(("staff_type", 3, resp.sum(1), pos.sum(1)))
                for gtype, gval, r, p in groups:
                    orgs = np.flatnonzero(keep)
                    cols["org"].append(orgs)
                    cols["year"].append(np.full(len(orgs), year))
                    cols["inst"].append(np.full(len(orgs), inst))
                    cols["measure"].append(np.full(len(orgs), measure))
                    cols["gtype"].append(np.full(len(orgs), gtype))
                    cols["gval"].append(np.full(len(orgs), values[gval]))
                    cols["resp"].append(r[orgs])
                    cols["pos"].append(p[orgs])
    c = {k: np.concatenate(v) for k, v in cols.items()}
    return frame.build(
        "survey",
        {
            "org_code": org_codes.take(pa.array(c["org"])),
            "survey_year": c["year"],
            "instrument": c["inst"],
            "measure": c["measure"],
            "group_type": c["gtype"],
            "group_value": c["gval"],
            "responses": c["resp"],
            "positive": c["pos"],
        },
        len(c["org"]),
    )
