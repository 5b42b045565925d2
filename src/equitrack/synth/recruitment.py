"""Vacancies and applications, built backwards from who was actually appointed.

Every joiner, promotion and advertised development opportunity is a vacancy whose appointee
is already known. The other candidates are drawn so that, per organisation, the chance of
appointment once shortlisted is `appointment_odds` times White's, and the chance of being
shortlisted is `shortlisting_odds` times White's: the WRES 2 ratio is recovered exactly in
expectation, without fixing anyone's ethnicity twice.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model.tables import allowed

from . import frame, mixes
from .careers import BANK_ONLY, PRIMARY, SECOND_ORG, Careers
from .development import INFORMAL, KINDS, SELECTION
from .frame import weights
from .params import GROUPS
from .people import DISABILITY, SEX, People
from .progression import Segments
from .sampling import pick
from .workforce import World

ADVERTS = allowed("vacancies", "advert")
EXTERNAL, INTERNAL, EOI, NOT_ADVERTISED = (
    ADVERTS.index(a) for a in ("external", "internal", "expression_of_interest", "not_advertised")
)
OPPORTUNITIES = allowed("vacancies", "opportunity_type")
POST = OPPORTUNITIES.index("post")
#: How posts are advertised: filled by a new joiner, or by a promotion.
JOINER_ADVERTS = {"external": 0.85, "internal": 0.10, "expression_of_interest": 0.03,
                  "not_advertised": 0.02}  # fmt: skip
PROMOTION_ADVERTS = {"external": 0.45, "internal": 0.45, "expression_of_interest": 0.10}
SHORTLIST = 3.2  # shortlisted candidates per advertised vacancy, appointee included
APPLICANTS_PER_SHORTLISTED = 1.8
NOMINATED = SELECTION.index("nominated")
RECRUITED_GRADES = tuple(mixes.BAND[b] for b in ("Consultant", "Specialist", "Specialty Doctor"))


def _conversions(careers: Careers, segs: Segments, n_orgs: int) -> np.ndarray:
    """Rows that start the day after the same person left the bank at the same organisation."""

    def key(person: np.ndarray, org: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (person * n_orgs + org) * 100_000 + day.astype(np.int64) % 100_000

    bank = careers.role == BANK_ONLY
    left = key(careers.person[bank], careers.org[bank], careers.exit[bank])
    return np.isin(key(segs.person, segs.org, segs.start.astype(np.int64) - 1), left)


def vacancies(
    rng: np.random.Generator,
    world: World,
    folk: People,
    careers: Careers,
    segs: Segments,
    dev: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Posts filled by joiners and promotions, and development opportunities, with appointees."""
    h = world.horizon
    afc = np.array([mixes.codes.band_rank(b) > 0 for b in mixes.BANDS])
    staff = np.isin(segs.role, (PRIMARY, SECOND_ORG)) & ~segs.bank & (segs.start >= h.start + 130)
    joiners = np.flatnonzero(staff & ~segs.promoted & ~np.isin(segs.band, mixes.TRAINEE_GRADES))
    promoted = np.flatnonzero(
        staff & segs.promoted & (afc[segs.band] | np.isin(segs.band, RECRUITED_GRADES))
    )
    kinds = [KINDS.index(k) for k in ("secondment", "acting_up", "talent_programme")]
    opps = np.flatnonzero(np.isin(dev["kind"], kinds) & (dev["start"] >= h.start + 60))

    ir = folk.international[segs.person[joiners]] & (
        segs.start[joiners] == folk.nhs_start[segs.person[joiners]]
    )
    converted = _conversions(careers, segs.take(joiners), world.n_orgs)
    n_j, n_p, n_o = len(joiners), len(promoted), len(opps)
    advert_j = pick(rng, weights(ADVERTS, JOINER_ADVERTS), n_j)
    advert_j[converted] = np.where(rng.random(converted.sum()) < 0.6, INTERNAL, EXTERNAL)
    advert_j[ir] = EXTERNAL
    advert_p = pick(rng, weights(ADVERTS, PROMOTION_ADVERTS), n_p)
    route = dev["route"][opps]
    advert_o = np.where(
        route == INFORMAL,
        NOT_ADVERTISED,
        np.where(
            rng.random(n_o) < 0.5, EOI, np.where(route == NOMINATED, NOT_ADVERTISED, INTERNAL)
        ),
    )
    kind_name = np.array(KINDS)[dev["kind"][opps]]
    otype_o = np.array([OPPORTUNITIES.index(k) for k in kind_name], dtype=np.int64)
    otype_p = np.where(rng.random(n_p) < 0.07, OPPORTUNITIES.index("development_post"), POST)
    rows_o = dev["row"][opps]
    nxt, _ = mixes.ladder()
    step = nxt[segs.group[rows_o], segs.band[rows_o]]
    band_o = np.where((kind_name == "acting_up") & (step >= 0), step, segs.band[rows_o])
    start = np.concatenate([segs.start[joiners], segs.start[promoted], dev["start"][opps]])
    lead = np.concatenate([rng.integers(50, 120, n_j + n_p), rng.integers(20, 60, n_o)])
    out = {
        "row": np.concatenate([joiners, promoted, rows_o]),
        "band": np.concatenate([segs.band[joiners], segs.band[promoted], band_o]),
        "opened": (start - lead).astype(np.int32),
        "advert": np.concatenate([advert_j, advert_p, advert_o]).astype(np.int8),
        "otype": np.concatenate([np.full(n_j, POST, dtype=np.int64), otype_p, otype_o]),
        "internal": np.concatenate([converted, np.ones(n_p + n_o, bool)]),
        "international": np.concatenate([ir, np.zeros(n_p + n_o, bool)]),
    }
    out["person"] = segs.person[out["row"]]
    out["org"] = segs.org[out["row"]]
    out["group"] = segs.group[out["row"]]
    order = np.lexsort((out["opened"], out["international"], out["org"]))
    out = {k: v[order] for k, v in out.items()}
    _panels(rng, world, out)
    return out


def _panels(rng: np.random.Generator, world: World, vac: dict[str, np.ndarray]) -> None:
    """Interview panels of 3-5, more often ethnically diverse in later years."""
    n = len(vac["org"])
    share = np.array([o.minority_share for o in world.preset.orgs])[vac["org"]]
    k = world.horizon.fy_of(vac["opened"]) - world.horizon.fy[0]
    p = np.clip(share * (0.45 + 0.1 * k), 0.02, 0.6)
    size = rng.integers(3, 6, n)
    minority = rng.binomial(size, p)
    none = vac["advert"] == NOT_ADVERTISED
    vac["panel_size"] = np.where(none, -1, size)
    vac["panel_minority"] = np.where(none, -1, minority)


def _pool_shares(
    appointed: np.ndarray, stratum: np.ndarray, n_strata: int, weight: np.ndarray, per_pick: float
) -> tuple[np.ndarray, np.ndarray]:
    """Group shares and count per pick of the unsuccessful, so that each group's success rate
    is `weight` times White's and there are `per_pick` candidates per success on average."""
    counts = np.zeros((n_strata, len(GROUPS)))
    np.add.at(counts, (stratum, appointed), 1)
    total = counts.sum(axis=1, keepdims=True)
    white_rate = (counts / weight).sum(axis=1, keepdims=True) / np.maximum(total * per_pick, 1e-9)
    rest = np.clip(counts * (1 / np.maximum(white_rate * weight, 1e-9) - 1), 0, None)
    mean = rest.sum(axis=1) / np.maximum(total[:, 0], 1)
    shares = rest / np.maximum(rest.sum(axis=1, keepdims=True), 1e-12)
    shares[rest.sum(axis=1) == 0, 0] = 1.0
    return np.cumsum(shares, axis=1), mean


def _draw_groups(rng: np.random.Generator, cum: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    """A broad group per candidate; candidates arrive sorted by stratum."""
    out = np.empty(len(stratum), dtype=np.int8)
    u = rng.random(len(stratum))
    bounds = np.searchsorted(stratum, np.arange(len(cum) + 1))
    for s in np.flatnonzero(np.diff(bounds)):
        lo, hi = bounds[s], bounds[s + 1]
        out[lo:hi] = np.minimum(np.searchsorted(cum[s], u[lo:hi], side="right"), len(GROUPS) - 1)
    return out


def _codes_for(
    rng: np.random.Generator,
    world: World,
    org: np.ndarray,
    group: np.ndarray,
    international: np.ndarray,
) -> np.ndarray:
    """A raw ethnic code for each external candidate of a known broad group."""
    ir = mixes.code_table({c: w for c, w in mixes.IR_MIX.items() if c not in mixes.UNKNOWN_MIX})
    out = np.empty(len(org), dtype=np.int16)
    u = rng.random(len(org))
    for t in range(len(world.mix.code_tables)):
        for g in range(len(GROUPS)):
            for is_ir in (False, True):
                sel = np.flatnonzero(
                    (world.mix.table_of_org[org] == t) & (group == g) & (international == is_ir)
                )
                cum = ir[g] if is_ir else world.mix.code_tables[t, g]
                out[sel] = np.minimum(np.searchsorted(cum, u[sel], side="right"), len(cum) - 1)
    return out


def _insiders(
    rng: np.random.Generator,
    folk: People,
    segs: Segments,
    org: np.ndarray,
    group: np.ndarray,
    when: np.ndarray,
    exclude: np.ndarray,
) -> np.ndarray:
    """Staff of the organisation and group in post on the day (-1 where none was found)."""
    pool = np.flatnonzero(np.isin(segs.role, (PRIMARY, SECOND_ORG)) & ~segs.bank)
    key = segs.org[pool].astype(np.int64) * len(GROUPS) + folk.group[segs.person[pool]]
    order = np.argsort(key, kind="stable")
    pool, key = pool[order], key[order]
    want = org.astype(np.int64) * len(GROUPS) + group
    lo, hi = np.searchsorted(key, want, "left"), np.searchsorted(key, want, "right")
    found = np.full(len(org), -1, dtype=np.int64)
    for _ in range(4):
        todo = np.flatnonzero((found < 0) & (hi > lo))
        pick_ = pool[lo[todo] + np.floor(rng.random(len(todo)) * (hi - lo)[todo]).astype(np.int64)]
        ok = (
            (segs.start[pick_] <= when[todo])
            & (segs.end[pick_] >= when[todo])
            & (segs.person[pick_] != exclude[todo])
        )
        found[todo[ok]] = segs.person[pick_[ok]]
    return found


def applications(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    vac: dict[str, np.ndarray],
    pid: pa.Array,
) -> pa.Table:
    """One row per application: the appointee, other shortlisted candidates, the rest."""
    d = world.disp
    adv = np.flatnonzero(vac["advert"] != NOT_ADVERTISED)
    stratum = vac["org"][adv].astype(np.int64) * 2 + vac["international"][adv]
    n_strata = world.n_orgs * 2
    appointee_group = folk.group[vac["person"][adv]]
    cum_s, mean_s = _pool_shares(
        appointee_group, stratum, n_strata, d.appointment_odds.vector(), SHORTLIST
    )
    others = rng.poisson(mean_s[stratum])
    short_v = np.repeat(np.arange(len(adv)), others)
    short_g = _draw_groups(rng, cum_s, stratum[short_v])
    all_short_g = np.concatenate([appointee_group, short_g])
    all_short_s = np.concatenate([stratum, stratum[short_v]])
    cum_n, mean_n = _pool_shares(
        all_short_g, all_short_s, n_strata, d.shortlisting_odds.vector(), APPLICANTS_PER_SHORTLISTED
    )
    rejected = rng.poisson(mean_n[stratum] * (1 + others))
    rej_v = np.repeat(np.arange(len(adv)), rejected)
    rej_g = _draw_groups(rng, cum_n, stratum[rej_v])

    v = np.concatenate([np.arange(len(adv)), short_v, rej_v])
    group = np.concatenate([appointee_group, short_g, rej_g])
    kind = np.concatenate(
        [
            np.zeros(len(adv), np.int8),
            np.ones(len(short_v), np.int8),
            np.full(len(rej_v), 2, np.int8),
        ]
    )
    order = np.argsort(v, kind="stable")
    v, group, kind = v[order], group[order], kind[order]
    vac_idx = adv[v]
    n = len(v)
    applied = vac["opened"][vac_idx] + rng.integers(1, 21, n)
    internal_post = np.isin(vac["advert"][vac_idx], (INTERNAL, EOI)) | (
        vac["otype"][vac_idx] != POST
    )
    insider = (kind > 0) & (internal_post | (rng.random(n) < 0.2)) & ~vac["international"][vac_idx]
    who = np.where(kind == 0, vac["person"][vac_idx], -1)
    ins = np.flatnonzero(insider)
    who[ins] = _insiders(
        rng,
        folk,
        segs,
        vac["org"][vac_idx[ins]],
        group[ins],
        applied[ins],
        vac["person"][vac_idx[ins]],
    )
    external = who < 0
    code = np.where(external, 0, folk.code[np.maximum(who, 0)]).astype(np.int16)
    code[external] = _codes_for(
        rng,
        world,
        vac["org"][vac_idx[external]],
        group[external],
        vac["international"][vac_idx[external]],
    )
    sex = np.where(external, pick(rng, (0.74, 0.25, 0.003, 0.007), n), folk.sex[np.maximum(who, 0)])
    disability = np.where(
        external, pick(rng, (0.07, 0.83, 0.10), n), folk.disability[np.maximum(who, 0)]
    )
    outsider_ids = frame.joined("C", frame.text(1_000_000_000 + np.arange(n)))
    applicant = pc.if_else(pa.array(external), outsider_ids, pid.take(pa.array(np.maximum(who, 0))))
    shortlisted = kind < 2
    appointed = kind == 0
    offered = appointed | (shortlisted & (rng.random(n) < 0.04))
    interviewed = appointed | (shortlisted & (rng.random(n) < 0.95))
    internal = np.where(kind == 0, vac["internal"][vac_idx], ~external)
    return frame.build(
        "applications",
        {
            "application_id": frame.numbered("AP", n, 9),
            "vacancy_id": _vacancy_ids(len(vac["org"])).take(pa.array(vac_idx)),
            "applicant_id": applicant,
            "ethnic_code": frame.labels(mixes.ETHNIC_CODES, code),
            "sex": frame.labels(SEX, sex),
            "disability": frame.labels(DISABILITY, disability),
            "internal": internal,
            "international": vac["international"][vac_idx],
            "applied_date": applied,
            "shortlisted": shortlisted,
            "interviewed": interviewed,
            "offered": offered,
            "appointed": appointed,
        },
        n,
    )


def _vacancy_ids(n: int) -> pa.Array:
    return frame.numbered("VAC", n, 8)


def vacancy_table(world: World, vac: dict[str, np.ndarray], org_codes: pa.Array) -> pa.Table:
    n = len(vac["org"])
    return frame.build(
        "vacancies",
        {
            "vacancy_id": _vacancy_ids(n),
            "org_code": org_codes.take(pa.array(vac["org"])),
            "pay_band": frame.labels(mixes.BANDS, vac["band"]),
            "staff_group": frame.labels(mixes.STAFF, vac["group"]),
            "opened_date": vac["opened"],
            "advert": frame.labels(ADVERTS, vac["advert"]),
            "opportunity_type": frame.labels(OPPORTUNITIES, vac["otype"]),
            "panel_size": pa.array(vac["panel_size"], type=pa.int64(), mask=vac["panel_size"] < 0),
            "panel_minority_members": pa.array(
                vac["panel_minority"], type=pa.int64(), mask=vac["panel_minority"] < 0
            ),
        },
        n,
    )
