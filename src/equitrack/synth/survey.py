"""Staff survey results as providers deliver them: counts per organisation, year, question
and group. Responses are about 45% of each group's headcount; the positive count is drawn
binomially from a rate carrying the survey disparities.

The NHS Staff Survey also gives the WDES items by disability (staff in post declared disabled
or not; those with no declaration are left out of that breakdown, as respondents who skip the
question are). Those are drawn after every WRES item, so adding them left the WRES rows for a
seed as they were."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from equitrack.model import codes

from . import frame
from .careers import BANK_ONLY
from .params import GROUPS, MINORITY, UNKNOWN, WHITE
from .people import DISABILITY, People
from .progression import Segments
from .sampling import distinct, with_odds
from .timeline import day
from .workforce import World

MEASURES = ("wres5", "wres6", "wres7", "wres8")
#: White staff's rate per measure (5, 6, 8: experienced it; 7: yes, equal opportunities).
WHITE_RATES = {"nss": (0.26, 0.23, 0.58, 0.065), "bank": (0.30, 0.25, 0.52, 0.09)}
RESPONSE = {"nss": 0.45, "bank": 0.2}

#: NHS Staff Survey items behind the WDES survey metrics, with non-disabled staff's rate and
#: whether answering yes is the adverse answer. 4: harassment, bullying or abuse from managers
#: or colleagues; 5: equal opportunities for career progression; 6: felt pressure from a
#: manager to come to work when not well enough; 7: satisfied the organisation values their
#: work; 9: would recommend the organisation as a place to work (the engagement item a count
#: can carry). 8, adequate adjustments, is asked of disabled staff only.
WDES_ITEMS = {
    "wdes4": (0.19, True),
    "wdes5": (0.58, False),
    "wdes6": (0.19, True),
    "wdes7": (0.46, False),
    "wdes9": (0.63, False),
}
WDES_ADJUSTMENTS = ("wdes8", 0.73)
DISABLED, NOT_DISABLED = DISABILITY.index("Y"), DISABILITY.index("N")
DISABILITY_VALUES = (codes.DISABILITY_CODES["Y"], codes.DISABILITY_CODES["N"])


def _staff(world: World, segs: Segments, when: int, bank: bool) -> tuple[np.ndarray, np.ndarray]:
    """(person, org) of staff in post, or of bank-only workers, once per org."""
    rows = segs.active(when) & ((segs.role == BANK_ONLY) if bank else ~segs.bank)
    idx = np.flatnonzero(rows)
    key = distinct(segs.person[idx] * world.n_orgs + segs.org[idx])
    return np.divmod(key, world.n_orgs)


def _count(world: World, org: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """org x group headcount."""
    out = np.zeros((world.n_orgs, n_groups), dtype=np.int64)
    np.add.at(out, (org, group), 1)
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
    by_disability: list[np.ndarray] = []  # per survey year, org x disability, staff in post
    for fy in world.horizon.fy:
        year = fy - 1
        for inst in ("nss", "bank"):
            person, org = _staff(world, segs, day(year, 10, 1), inst == "bank")
            heads = _count(world, org, folk.group[person], len(GROUPS))
            if inst == "nss":
                by_disability.append(_count(world, org, folk.disability[person], len(DISABILITY)))
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
    _wdes(rng, world, by_disability, cols)
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


def _wdes(
    rng: np.random.Generator,
    world: World,
    by_disability: list[np.ndarray],
    cols: dict[str, list[np.ndarray]],
) -> None:
    """NHS Staff Survey WDES items by disability, appended to `cols`.

    Disabled staff's odds of the adverse answer are `survey_disability_adverse_odds` times
    non-disabled staff's, in the same organisation and year.
    """
    adverse = world.disp.survey_disability_adverse_odds
    for fy, heads in zip(world.horizon.fy, by_disability, strict=True):
        orgs = np.flatnonzero(heads.sum(axis=1) > 0)
        resp = rng.binomial(heads[orgs][:, [DISABLED, NOT_DISABLED]], RESPONSE["nss"])
        drift = rng.normal(0, 0.12, (len(orgs), len(WDES_ITEMS) + 1))
        items = [
            (m, rate, adverse if bad else 1 / adverse) for m, (rate, bad) in WDES_ITEMS.items()
        ]
        for i, (measure, rate, odds) in enumerate(items):
            base = np.clip(rate * np.exp(drift[:, i]), 0.01, 0.95)[:, None]
            pos = rng.binomial(resp, with_odds(base, np.array([odds, 1.0])[None, :]))
            for j, value in enumerate(DISABILITY_VALUES):
                _append(cols, orgs, fy - 1, measure, value, resp[:, j], pos[:, j])
        measure, rate = WDES_ADJUSTMENTS
        pos = rng.binomial(resp[:, 0], np.clip(rate * np.exp(drift[:, -1]), 0.01, 0.95))
        _append(cols, orgs, fy - 1, measure, DISABILITY_VALUES[0], resp[:, 0], pos)


def _append(
    cols: dict[str, list[np.ndarray]],
    orgs: np.ndarray,
    year: int,
    measure: str,
    value: str,
    resp: np.ndarray,
    pos: np.ndarray,
) -> None:
    """One NHS Staff Survey disability row per organisation."""
    n = len(orgs)
    cols["org"].append(orgs)
    cols["year"].append(np.full(n, year))
    cols["inst"].append(np.full(n, "nss"))
    cols["measure"].append(np.full(n, measure))
    cols["gtype"].append(np.full(n, "disability"))
    cols["gval"].append(np.full(n, value))
    cols["resp"].append(resp)
    cols["pos"].append(pos)
