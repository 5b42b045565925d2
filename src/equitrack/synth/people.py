"""Who the staff are: ethnic code, sex, disability, age, religion, orientation.

Ethnicity is drawn per organisation from a minority share calibrated against the band mix,
so minority staff are concentrated where they are in real trusts (bands 2-6, medicine) while
the organisation's overall share lands on its target.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from equitrack.model import codes

from . import mixes
from .frame import weights
from .params import GROUPS, UNKNOWN, WHITE
from .presets import OrgSpec
from .sampling import pick, pick_cumulative, pick_rows, present
from .timeline import YEAR_DAYS, calendar_year


@dataclass
class People:
    """Columnar person attributes; index = person number."""

    code: np.ndarray  # index into mixes.ETHNIC_CODES
    sex: np.ndarray  # index into SEX
    disability: np.ndarray  # index into DISABILITY
    birth_year: np.ndarray
    religion: np.ndarray
    orientation: np.ndarray
    international: np.ndarray  # bool
    nhs_start: np.ndarray  # day number

    def __len__(self) -> int:
        return len(self.code)

    @property
    def group(self) -> np.ndarray:
        """Broad ethnic group index (params.GROUPS)."""
        return mixes.CODE_GROUP[self.code]

    @classmethod
    def concat(cls, parts: list[People]) -> People:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )


SEX: tuple[str, ...] = tuple(codes.SEX_CODES)
DISABILITY: tuple[str, ...] = tuple(codes.DISABILITY_CODES)
DISABILITY_WEIGHTS = {"Y": 0.05, "N": 0.78, "U": 0.17}


@dataclass(frozen=True)
class EthnicMix:
    """Per-organisation ethnic sampling tables."""

    unknown: np.ndarray  # share unknown, per org
    minority_mix: np.ndarray  # org x 4 (Mixed, Asian, Black, Other)
    table_of_org: np.ndarray  # index into code_tables, per org
    code_tables: np.ndarray  # mix x GROUPS x ETHNIC_CODES cumulative

    @classmethod
    def of(cls, orgs: tuple[OrgSpec, ...]) -> EthnicMix:
        names = list(mixes.CODE_MIXES)
        return cls(
            np.array([o.unknown_share for o in orgs]),
            np.array([o.minority_mix for o in orgs]),
            np.array([names.index(o.code_mix) for o in orgs]),
            np.stack([mixes.code_table(mixes.CODE_MIXES[name]) for name in names]),
        )


def calibrate_odds(target: float, values: np.ndarray, counts: np.ndarray) -> float:
    """Base odds o such that the mean of o*m / (1 + o*m) over people equals `target`, where
    `counts[i]` people have odds multiplier `values[i]`."""
    if counts.sum() == 0:
        return target / (1 - target)
    lo, hi = -12.0, 12.0
    for _ in range(60):
        mid = (lo + hi) / 2
        odds = np.exp(mid) * values
        share = (counts * odds / (1 + odds)).sum() / counts.sum()
        lo, hi = (mid, hi) if share < target else (lo, mid)
    return float(np.exp((lo + hi) / 2))


def ethnic_codes(
    rng: np.random.Generator,
    mix: EthnicMix,
    org: np.ndarray,
    group: np.ndarray,
    minority_odds: np.ndarray,
    international: np.ndarray,
) -> np.ndarray:
    """A raw ethnic code id per person: unknown, White or a minority group, then the code."""
    n = len(org)
    p = minority_odds / (1 + minority_odds)
    broad = np.where(rng.random(n) < p, 1, WHITE).astype(np.int16)
    minority = np.flatnonzero(broad == 1)
    weights = mix.minority_mix[org[minority]] * mixes.group_minority_tilt()[group[minority], 1:5]
    broad[minority] = pick_rows(rng, weights) + 1
    broad[rng.random(n) < mix.unknown[org]] = UNKNOWN
    code = np.empty(n, dtype=np.int16)
    u = rng.random(n)
    table = mix.table_of_org[org]
    for t in range(len(mix.code_tables)):
        for g in range(len(GROUPS)):
            sel = np.flatnonzero((broad == g) & (table == t))
            cum = mix.code_tables[t, g]
            code[sel] = np.minimum(np.searchsorted(cum, u[sel], side="right"), len(cum) - 1)
    ir = np.flatnonzero(international)
    code[ir] = rng.choice(len(mixes.ETHNIC_CODES), size=len(ir), p=mixes.ir_weights())
    return code


def _age_at_start(rng: np.random.Generator, band: np.ndarray) -> np.ndarray:
    """Typical age on taking up a post in each band or grade."""
    base = np.full(len(mixes.BANDS), 24.0)
    for name, i in mixes.BAND.items():
        rank = codes.band_rank(name)
        base[i] = 20 + 2.2 * max(rank - 1, 0) if rank else base[i]
    for name, age in (
        ("Foundation Year 1", 23),
        ("Foundation Year 2", 24),
        ("Core Training", 26),
        ("Specialty Registrar", 29),
        ("Consultant", 36),
        ("Specialty Doctor", 30),
        ("Specialist", 40),
        ("Associate Specialist", 42),
        ("Other", 20),
    ):
        base[mixes.BAND[name]] = age
    return np.clip(base[band] + rng.gamma(2.0, 3.5, len(band)), 17, 66)


def sample(
    rng: np.random.Generator,
    mix: EthnicMix,
    org: np.ndarray,
    group: np.ndarray,
    band: np.ndarray,
    start: np.ndarray,
    minority_odds: np.ndarray,
    international: np.ndarray,
) -> People:
    """One new person per spell: the attributes that stay with them across spells."""
    n = len(org)
    code = ethnic_codes(rng, mix, org, group, minority_odds, international)
    female = np.array([mixes.FEMALE_SHARE[g] for g in mixes.STAFF])[group]
    u = rng.random(n)
    sex = np.where(u < female, SEX.index("F"), SEX.index("M")).astype(np.int8)
    sex[u > 0.994] = SEX.index("U")
    sex[(u > 0.992) & (u <= 0.994)] = SEX.index("X")
    age = _age_at_start(rng, band)
    birth_year = calendar_year(start) - np.floor(age).astype(np.int64)
    earlier = rng.random(n) < 0.35
    nhs_start = np.where(
        earlier, start - (rng.uniform(0.5, 12, n) * YEAR_DAYS).astype(np.int64), start
    )
    nhs_start = np.where(
        international, start, np.maximum(nhs_start, start - (age - 17) * YEAR_DAYS)
    )
    religion = np.empty(n, dtype=np.int16)
    table = mixes.religion_table()
    for c in present(code):
        sel = np.flatnonzero(code == c)
        religion[sel] = pick_cumulative(rng, table[c], len(sel))
    return People(
        code=code,
        sex=sex,
        disability=pick(rng, weights(DISABILITY, DISABILITY_WEIGHTS), n).astype(np.int8),
        birth_year=birth_year,
        religion=religion,
        orientation=pick(rng, mixes.ORIENTATION_WEIGHTS, n),
        international=np.asarray(international, dtype=bool),
        nhs_start=nhs_start.astype(np.int32),
    )
