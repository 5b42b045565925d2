"""The rest of the workforce picture: bank journeys, dual contracts, people at two
organisations, boards, and why each leaver left."""

from __future__ import annotations

import numpy as np

from . import mixes, people
from .careers import (
    BANK_ONLY,
    BOARD,
    DUAL_BANK,
    PRIMARY,
    REASON,
    SECOND_ORG,
    VOLUNTARY_WEIGHTS,
    Careers,
)
from .people import People
from .sampling import exponential_days, pick, present
from .timeline import NO_END, YEAR_DAYS, calendar_year
from .workforce import CONCURRENT, CONVERSION_RATE, MOVERS, World, stock_and_flow

NO_REASON = -2  # the spell ends but employment with the organisation goes on
BANK_REMOVAL = 0.07  # share of bank leavers removed from the bank, at parity
DUAL_SHARE = 0.10  # substantive staff who also hold a bank assignment

#: Board seats: (title, kind). Kinds: 0 voting non-executive, 1 voting executive,
#: 2 non-voting executive, 3 non-voting (associate) non-executive.
SEATS = (
    ("Chair", 0), ("Chief Executive", 1), ("Director of Finance", 1), ("Medical Director", 1),
    ("Director of Nursing", 1), ("Chief Operating Officer", 1), ("Director of People", 2),
    ("Director of Strategy", 2), ("Associate Non-Executive Director", 3),
    *(("Non-Executive Director", 0),) * 9,
)  # fmt: skip
MIN_NEDS = 6


def build(rng: np.random.Generator, world: World) -> tuple[People, Careers]:
    """Every career in the history, with people attached and leaving reasons set."""
    folk, careers = stock_and_flow(rng, world)
    careers = Careers.concat([careers, _bank_fates(rng, world, folk, careers)])
    careers = Careers.concat([careers, _dual_bank(rng, world, careers)])
    careers = Careers.concat([careers, _second_org(rng, world, careers)])
    board_people, board = _board(rng, world, len(folk))
    folk = People.concat([folk, board_people])
    careers = Careers.concat([careers, board])
    _retire(rng, world, folk, careers)
    _leaving_reasons(rng, folk, careers)
    return folk, careers


def _bank_fates(rng: np.random.Generator, world: World, folk: People, careers: Careers) -> Careers:
    """Bank leavers: some removed from the bank, some converted to a substantive post."""
    h, d = world.horizon, world.disp
    idx = np.flatnonzero((careers.role == BANK_ONLY) & careers.left & (careers.exit < h.end))
    grp = folk.group[careers.person[idx]]
    u = rng.random(len(idx))
    removed = u < np.minimum(BANK_REMOVAL * d.bank_removal_risk.vector()[grp], 0.9)
    careers.reason[idx[removed]] = REASON["Removed from Bank"]
    converts = ~removed & (
        rng.random(len(idx)) < CONVERSION_RATE * d.bank_conversion_odds.vector()[grp]
    )
    conv = idx[converts]
    careers.reason[conv] = NO_REASON
    start = careers.exit[conv].astype(np.int64) + 1
    rate = mixes.leave_rates()[careers.group[conv], careers.band[conv]]
    exit_ = start + exponential_days(rng, rate)
    contract = np.full(len(conv), mixes.PERMANENT)
    return Careers.make(
        len(conv),
        person=careers.person[conv],
        org=careers.org[conv],
        group=careers.group[conv],
        band=careers.band[conv],
        contract=contract,
        fte=np.where(rng.random(len(conv)) < 0.6, 1.0, 0.8),
        start=start,
        exit=np.where(exit_ > h.end, NO_END, exit_),
        role=PRIMARY,
    )


def _dual_bank(rng: np.random.Generator, world: World, careers: Careers) -> Careers:
    """Substantive staff who also pick up bank shifts: a bank assignment alongside."""
    h = world.horizon
    eligible = (careers.role == PRIMARY) & np.isin(
        careers.group,
        [mixes.NURSE, mixes.ACS, mixes.ADMIN, mixes.SG["Allied Health Professionals"]],
    )
    idx = np.flatnonzero(
        eligible & (careers.exit >= h.start) & (rng.random(len(careers)) < DUAL_SHARE)
    )
    lo = np.maximum(careers.start[idx].astype(np.int64), h.start - int(3 * YEAR_DAYS))
    hi = np.minimum(careers.exit[idx].astype(np.int64), h.end)
    ok = hi > lo
    idx, lo, hi = idx[ok], lo[ok], hi[ok]
    start = lo + np.floor(rng.random(len(idx)) * (hi - lo)).astype(np.int64)
    end = np.minimum(start + exponential_days(rng, np.full(len(idx), 0.3)), careers.exit[idx])
    n = len(idx)
    return Careers.make(
        n,
        person=careers.person[idx],
        org=careers.org[idx],
        group=careers.group[idx],
        band=careers.band[idx],
        contract=mixes.BANK,
        start=start,
        exit=np.where(end >= h.end, NO_END, end),
        reason=NO_REASON,
        role=DUAL_BANK,
    )


def other_org(rng: np.random.Generator, world: World, org: np.ndarray) -> np.ndarray:
    """Another organisation in the same system, weighted by size (-1 if there is none)."""
    head = np.array([o.headcount for o in world.preset.orgs], dtype=np.float64)
    out = np.full(len(org), -1, dtype=np.int16)
    for o in present(org):
        others = np.flatnonzero((world.system == world.system[o]) & (np.arange(world.n_orgs) != o))
        if len(others):
            sel = np.flatnonzero(org == o)
            out[sel] = rng.choice(others, size=len(sel), p=head[others] / head[others].sum())
    return out


def _second_org(rng: np.random.Generator, world: World, careers: Careers) -> Careers:
    """People at two organisations: movers within the system and concurrent posts."""
    h = world.horizon
    base = (careers.role == PRIMARY) & ~np.isin(careers.band, mixes.TRAINEE_GRADES)
    u = rng.random(len(careers))
    movers = np.flatnonzero(
        base & careers.left & (careers.exit < h.end - 60) & (careers.reason == -1) & (u < MOVERS)
    )
    concurrent = np.flatnonzero(base & (careers.exit >= h.start) & (u > 1 - CONCURRENT))
    parts = []
    for idx, moving in ((movers, True), (concurrent, False)):
        other = other_org(rng, world, careers.org[idx])
        idx, other = idx[other >= 0], other[other >= 0]
        n = len(idx)
        if moving:
            start = careers.exit[idx].astype(np.int64) + rng.integers(1, 60, n)
            nxt, _ = mixes.ladder()
            up = nxt[careers.group[idx], careers.band[idx]]
            promoted = (up >= 0) & (rng.random(n) < 0.35)
            band = np.where(promoted, up, careers.band[idx])
            careers.reason[idx] = np.where(
                promoted, REASON["Voluntary Resignation - Promotion"], REASON["Employee Transfer"]
            )
            contract = np.full(n, mixes.PERMANENT)
            rate = mixes.leave_rates()[careers.group[idx], band]
            fte = careers.fte[idx]
        else:
            lo = np.maximum(careers.start[idx].astype(np.int64), h.start)
            hi = np.minimum(careers.exit[idx].astype(np.int64), h.end)
            start = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
            band = careers.band[idx]
            medical = careers.group[idx] == mixes.MEDICAL
            contract = np.where(
                medical,
                mixes.HONORARY,
                np.where(rng.random(n) < 0.5, mixes.FIXED_TERM, mixes.PERMANENT),
            )
            rate = np.full(n, 0.3)
            fte = np.where(contract == mixes.HONORARY, 0.1, 0.2)
        exit_ = start + np.maximum(exponential_days(rng, rate), 1)
        parts.append(
            Careers.make(
                n,
                person=careers.person[idx],
                org=other,
                group=careers.group[idx],
                band=band,
                contract=contract,
                fte=fte,
                start=start,
                exit=np.where(exit_ > h.end, NO_END, exit_),
                role=SECOND_ORG,
            )
        )
    return Careers.concat(parts)


def _board(rng: np.random.Generator, world: World, first_person: int) -> tuple[People, Careers]:
    """Board seat holders over the years: chairs, non-executives and executive directors."""
    h = world.horizon
    n_orgs, n_seats, chain = world.n_orgs, len(SEATS), 5
    neds = MIN_NEDS + rng.integers(0, 4, n_orgs)
    titles = np.array([t for t, _ in SEATS])
    used = np.ones((n_orgs, n_seats), dtype=bool)
    ned_rank = np.cumsum(titles == "Non-Executive Director") * (titles == "Non-Executive Director")
    used &= ~(ned_rank[None, :] > neds[:, None])
    org, seat = np.nonzero(used)
    k = len(org)
    tenure = rng.uniform(3, 7, (k, chain)) * YEAR_DAYS
    first = h.start - rng.uniform(0, 6, k) * YEAR_DAYS
    starts = (
        first[:, None]
        + np.concatenate([np.zeros((k, 1)), np.cumsum(tenure, axis=1)[:, :-1]], axis=1)
    ).astype(np.int64)
    exits = (starts + tenure - 1).astype(np.int64)
    keep = starts <= h.end
    holder_org = np.broadcast_to(org[:, None], keep.shape)[keep].astype(np.int16)
    holder_seat = np.broadcast_to(seat[:, None], keep.shape)[keep]
    start, exit_ = starts[keep], exits[keep]
    kind = np.array([kd for _, kd in SEATS], dtype=np.int8)[holder_seat]
    title = titles[holder_seat]
    group = np.full(len(start), mixes.ADMIN, dtype=np.int16)
    group[title == "Medical Director"] = mixes.MEDICAL
    group[title == "Director of Nursing"] = mixes.NURSE
    executive = np.isin(kind, (1, 2))
    band = np.where(executive, mixes.BAND["VSM"], mixes.BAND["Other"]).astype(np.int16)
    target = np.array([o.minority_share for o in world.preset.orgs])
    board_odds = (target / (1 - target))[holder_org] * world.disp.board_representation_odds
    n = len(start)
    folk = people.sample(
        rng,
        world.mix,
        holder_org,
        group,
        np.full(n, mixes.BAND["VSM"]),
        start,
        board_odds,
        np.zeros(n, dtype=bool),
    )
    careers = Careers.make(
        n,
        person=np.arange(first_person, first_person + n),
        org=holder_org,
        group=group,
        band=band,
        contract=np.where(executive, mixes.PERMANENT, mixes.FIXED_TERM),
        fte=np.where(executive, 1.0, np.where(title == "Chair", 0.2, 0.1)),
        start=start,
        exit=np.where(exit_ > h.end, NO_END, exit_),
        role=BOARD,
        seat=kind,
    )
    return folk, careers


def _retire(rng: np.random.Generator, world: World, folk: People, careers: Careers) -> None:
    """Staff retire somewhere between 60 and 68 (board members serve out their terms)."""
    age = rng.uniform(60, 68, len(folk))
    retire_day = ((folk.birth_year + age - 1970) * YEAR_DAYS).astype(np.int64)[careers.person]
    due = (
        (retire_day < careers.exit)
        & (retire_day > careers.start)
        & (retire_day <= world.horizon.end)
    )
    due &= careers.role != BOARD
    careers.exit[due] = retire_day[due]
    careers.reason[due] = np.where(
        careers.reason[due] == NO_REASON, NO_REASON, REASON["Retirement Age"]
    )


def _leaving_reasons(rng: np.random.Generator, folk: People, careers: Careers) -> None:
    """Why each remaining leaver left: retirement with age, end of fixed term, or a resignation."""
    idx = np.flatnonzero(careers.left & (careers.reason == -1))
    n = len(idx)
    reason = pick(rng, VOLUNTARY_WEIGHTS, n)
    age = calendar_year(careers.exit[idx]) - folk.birth_year[careers.person[idx]]
    retire = (age >= 60) & (rng.random(n) < 0.75)
    reason[retire] = np.where(
        rng.random(retire.sum()) < 0.85, REASON["Retirement Age"], REASON["Flexi Retirement"]
    )
    fixed = np.isin(careers.contract[idx], (mixes.FIXED_TERM, mixes.HONORARY)) & (
        rng.random(n) < 0.75
    )
    reason[fixed & ~retire] = REASON["End of Fixed Term Contract"]
    careers.reason[idx] = reason
    careers.reason[careers.reason == NO_REASON] = -1
