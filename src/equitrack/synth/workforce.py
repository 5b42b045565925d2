"""The stock and flow of staff: who was in post at the start, who joined each year, who left.

Each organisation is a grid of (staff group, band) cells. Joiners arrive in each cell at the
rate that replaces its leavers and those promoted out of it, less those promoted into it, plus
growth, so headcount follows the target path in expectation while people really move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import mixes, people
from .careers import BANK_ONLY, PRIMARY, Careers
from .params import Disparities
from .people import EthnicMix, People
from .presets import Preset
from .sampling import exponential_days, pick
from .timeline import NO_END, YEAR_DAYS, Horizon, calendar_year

#: Share of nurse joiners recruited from overseas, by financial year (waves peaked 2021-24).
IR_WAVES = {2019: 0.06, 2020: 0.08, 2021: 0.18, 2022: 0.32, 2023: 0.38, 2024: 0.30, 2025: 0.14}
BANK_MINORITY_ODDS = 1.6  # bank workforces are more diverse than substantive ones
CONVERSION_RATE = 0.2  # bank leavers who move to a substantive post, at parity
MOVERS, CONCURRENT = 0.02, 0.005  # leavers who join another org in the system; dual-org staff
#: Second-organisation staff in post at the end, per member of staff elsewhere in the system
#: (measured from runs with MOVERS and CONCURRENT as above).
SECOND_ORG_STOCK = 0.012
BOARD_SIZE = 16.5  # average board seats per organisation (staffing.SEATS)


@dataclass(frozen=True)
class World:
    """Everything fixed about one generation run."""

    preset: Preset
    horizon: Horizon
    disp: Disparities
    mix: EthnicMix
    system: np.ndarray  # system index per org
    kind: np.ndarray  # mixes.KINDS index per org

    @classmethod
    def of(cls, preset: Preset, horizon: Horizon, disp: Disparities) -> World:
        systems = list(dict.fromkeys(o.system_code for o in preset.orgs))
        return cls(
            preset,
            horizon,
            disp,
            EthnicMix.of(preset.orgs),
            np.array([systems.index(o.system_code) for o in preset.orgs]),
            np.array([mixes.KINDS.index(o.kind) for o in preset.orgs]),
        )

    @property
    def n_orgs(self) -> int:
        return len(self.preset.orgs)


def _shares(world: World, bank: bool) -> np.ndarray:
    """org x staff group x band shares of the workforce (bank-only shares scaled by size)."""
    out = np.stack([mixes.cell_shares(o.kind, bank) for o in world.preset.orgs])
    if bank:
        out *= np.array([o.bank_share for o in world.preset.orgs])[:, None, None]
    return out


def _own_staff_target(world: World) -> np.ndarray:
    """Headcount to grow in each org's own cells: the target less board members and the
    staff who arrive from elsewhere in the system."""
    head = np.array([o.headcount for o in world.preset.orgs], dtype=np.float64)
    inflow = np.zeros(world.n_orgs)
    for o in range(world.n_orgs):
        peers = np.flatnonzero((world.system == world.system[o]) & (np.arange(world.n_orgs) != o))
        if len(peers):
            inflow[peers] += SECOND_ORG_STOCK * head[o] * head[peers] / head[peers].sum()
    return np.maximum(head - BOARD_SIZE - inflow, head * 0.5)


def _retirement() -> np.ndarray:
    """Annual share of each band reaching retirement age in post: older in higher bands."""
    rank = np.array([mixes.codes.band_rank(b) for b in mixes.BANDS], dtype=np.float64)
    rate = 0.0025 * rank + 0.001
    for grade, sub in mixes.codes.MEDICAL_GRADES.items():
        rate[mixes.BAND[grade]] = 0.0 if sub == mixes.codes.TRAINEE else 0.02
    return rate


def _joiner_rates(world: World, stock: np.ndarray, bank_stock: np.ndarray) -> np.ndarray:
    """Expected substantive joiners per cell for a year with the given mid-year stock."""
    g = world.preset.growth
    nxt, up = mixes.ladder()
    rates = (mixes.leave_rates() + _retirement()[None, :] + g + up)[None] * stock
    for s, b in zip(*np.nonzero(nxt >= 0), strict=True):
        rates[:, s, nxt[s, b]] -= up[s, b] * stock[:, s, b]
    rates = np.clip(rates, 0, None)
    conversions = bank_stock.sum(axis=(1, 2)) * mixes.BANK_LEAVE_RATE * CONVERSION_RATE
    total = rates.sum(axis=(1, 2))
    scale = np.clip(1 - conversions / np.maximum(total, 1e-9), 0, 1)
    return rates * scale[:, None, None]


def _cells(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """org, staff group and band for each person counted in an org x group x band grid."""
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    org, rest = np.divmod(flat, counts.shape[1] * counts.shape[2])
    group, band = np.divmod(rest, counts.shape[2])
    return org.astype(np.int16), group.astype(np.int16), band.astype(np.int16)


def _contracts(rng: np.random.Generator, group: np.ndarray, band: np.ndarray) -> np.ndarray:
    """Contract type: trainee doctors on fixed terms, a few locums and honorary contracts."""
    n = len(group)
    contract = np.full(n, mixes.PERMANENT, dtype=np.int8)
    u = rng.random(n)
    contract[u < 0.06] = mixes.FIXED_TERM
    contract[u > 0.995] = mixes.HONORARY
    medical = group == mixes.MEDICAL
    contract[medical & (u > 0.93)] = mixes.LOCUM
    trainee = np.isin(band, mixes.TRAINEE_GRADES)
    contract[trainee] = np.where(u[trainee] < 0.94, mixes.FIXED_TERM, mixes.LOCUM)
    contract[group == mixes.SG["Students"]] = mixes.FIXED_TERM
    return contract


def _fte(rng: np.random.Generator, group: np.ndarray, contract: np.ndarray) -> np.ndarray:
    """Mostly full time (doctors more so); honorary posts are sessional; bank has no fte."""
    n = len(group)
    full = np.where(group == mixes.MEDICAL, 0.85, 0.6)
    part = np.array([0.4, 0.5, 0.6, 0.64, 0.7, 0.8, 0.9])[pick(rng, (1, 2, 2, 1, 1, 3, 1), n)]
    fte = np.where(rng.random(n) < full, 1.0, part)
    fte[contract == mixes.HONORARY] = 0.1
    fte[contract == mixes.BANK] = np.nan
    return fte


def _international(
    rng: np.random.Generator,
    world: World,
    org: np.ndarray,
    group: np.ndarray,
    band: np.ndarray,
    fy: np.ndarray,
) -> np.ndarray:
    """Who was recruited from overseas: mostly band 5 nurses, some doctors, in waves."""
    wave = np.array([IR_WAVES.get(int(y), 0.05) for y in range(1990, 2100)])[
        np.clip(fy - 1990, 0, 109)
    ]
    intensity = np.array([o.international for o in world.preset.orgs])[org] * wave
    share = np.zeros(len(org))
    share[(group == mixes.NURSE) & (band == mixes.BAND["Band 5"])] = 1.0
    doctors = ("Specialty Doctor", "Specialty Registrar", "Core Training")
    share[(group == mixes.MEDICAL) & np.isin(band, [mixes.BAND[b] for b in doctors])] = 0.8
    share[group == mixes.ACS] = 0.06
    return rng.random(len(org)) < np.clip(share * intensity, 0, 0.9)


def base_odds(world: World, org: np.ndarray, band: np.ndarray) -> np.ndarray:
    """Calibrated minority odds per organisation, so the band mix hits its target share."""
    mult = mixes.band_minority_odds(world.disp.senior_band_odds)
    n_bands = len(mixes.BANDS)
    counts = np.bincount(org.astype(np.int64) * n_bands + band, minlength=world.n_orgs * n_bands)
    counts = counts.reshape(world.n_orgs, n_bands)
    return np.array(
        [
            people.calibrate_odds(o.minority_share, mult, counts[i])
            for i, o in enumerate(world.preset.orgs)
        ]
    )


def stock_and_flow(rng: np.random.Generator, world: World) -> tuple[People, Careers]:
    """Staff in post at the start and every joiner since, substantive and bank-only.

    Each career is a new person; minority odds are calibrated per organisation so the
    band mix lands on the organisation's target share.
    """
    h, g = world.horizon, world.preset.growth
    n0 = _own_staff_target(world) * np.exp(-g * h.years)
    sub, bank = _shares(world, False), _shares(world, True)
    blocks: list[tuple[np.ndarray, bool, int | None]] = []
    for bank_block, shares in ((False, sub), (True, bank)):
        counts = np.stack(
            [
                rng.multinomial(
                    round(n0[o] * shares[o].sum()),
                    shares[o].ravel() / max(shares[o].sum(), 1e-12),
                )
                for o in range(world.n_orgs)
            ]
        ).reshape(shares.shape)
        blocks.append((counts, bank_block, None))
    for k, fy in enumerate(h.fy):
        stock = n0[:, None, None] * np.exp(g * (k + 0.5))
        rates = _joiner_rates(world, stock * sub, stock * bank)
        bank_rates = (mixes.BANK_LEAVE_RATE + g) * stock * bank
        blocks.append((rng.poisson(rates), False, fy))
        blocks.append((rng.poisson(bank_rates), True, fy))
    parts = [_block(rng, world, counts, is_bank, fy) for counts, is_bank, fy in blocks]
    careers = Careers.concat([c for c, _ in parts])
    international = np.concatenate([i for _, i in parts])
    odds = base_odds(
        world, careers.org[careers.role == PRIMARY], careers.band[careers.role == PRIMARY]
    )
    mult = mixes.band_minority_odds(world.disp.senior_band_odds)[careers.band]
    minority_odds = (
        odds[careers.org] * mult * np.where(careers.role == BANK_ONLY, BANK_MINORITY_ODDS, 1.0)
    )
    folk = people.sample(
        rng,
        world.mix,
        careers.org,
        careers.group,
        careers.band,
        careers.start,
        minority_odds,
        international,
    )
    careers.person = np.arange(len(careers), dtype=np.int64)
    _plausible_ages(rng, world, folk, careers)
    return folk, careers


def _plausible_ages(rng: np.random.Generator, world: World, folk: People, careers: Careers) -> None:
    """Nobody in the starting stock is past 63, nor joined before 18."""
    first_year = int(calendar_year(np.array([world.horizon.start]))[0])
    old = folk.birth_year < first_year - 63
    folk.birth_year[old] = first_year - rng.integers(45, 64, int(old.sum()))
    adult = ((folk.birth_year[careers.person] + 18 - 1970) * YEAR_DAYS).astype(np.int64)
    careers.start[:] = np.minimum(np.maximum(careers.start, adult), careers.exit - 1)
    folk.nhs_start[:] = np.clip(folk.nhs_start, adult, careers.start)


def _block(
    rng: np.random.Generator, world: World, counts: np.ndarray, bank: bool, fy: int | None
) -> tuple[Careers, np.ndarray]:
    """Careers for one grid of counts: the starting stock (fy None) or one year's joiners."""
    h = world.horizon
    org, group, band = _cells(counts)
    n = len(org)
    rate = np.full(n, mixes.BANK_LEAVE_RATE) if bank else mixes.leave_rates()[group, band]
    wait = exponential_days(rng, rate)
    if fy is None:
        tenure = np.minimum(exponential_days(rng, rate), int(40 * YEAR_DAYS))
        start = h.start - 1 - tenure
        exit_ = h.start + wait
        international = (
            rng.random(n)
            < np.where(group == mixes.NURSE, 0.05, 0.0)
            * np.array([o.international for o in world.preset.orgs])[org]
        )
    else:
        lo, hi = h.bounds(fy)
        start = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
        exit_ = start + np.maximum(wait, 1)
        international = (
            np.zeros(n, dtype=bool)
            if bank
            else _international(rng, world, org, group, band, np.full(n, fy))
        )
    contract = np.full(n, mixes.BANK, dtype=np.int8) if bank else _contracts(rng, group, band)
    careers = Careers.make(
        n,
        org=org,
        group=group,
        band=band,
        contract=contract,
        fte=_fte(rng, group, contract),
        start=start,
        exit=np.where(exit_ > h.end, NO_END, exit_),
        role=BANK_ONLY if bank else PRIMARY,
    )
    return careers, international
