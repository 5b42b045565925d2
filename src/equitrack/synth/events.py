"""Leave requests and zero-tolerance incidents, as events per person-year.

Internationally recruited staff ask for extended leave more often (family abroad) and are
refused more often (`leave_declined_international_odds`); racist abuse falls on minority and
bank staff (`racist_abuse_rate`, `bank_incident_rate`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from equitrack.model.tables import allowed

from . import frame, mixes
from .frame import weights
from .people import People
from .progression import Segments
from .sampling import happens, pick, pick_rows, with_odds
from .timeline import YEAR_DAYS, overlap, uniform_days
from .workforce import World

LEAVE_TYPES = allowed("leave", "leave_type")
DECISIONS = allowed("leave", "decision")
APPROVED, DECLINED, WITHDRAWN, PENDING = (
    DECISIONS.index(d) for d in ("approved", "declined", "withdrawn", "pending")
)
#: Per leave type: share of requests, multiplier for international recruits, chance of being
#: declined (White staff, not internationally recruited), and days requested (min, max).
_LEAVE = {
    "annual": (0.45, 1.0, 0.06, 1, 10),
    "special": (0.07, 1.0, 0.10, 1, 3),
    "unpaid": (0.07, 1.5, 0.18, 5, 30),
    "extended": (0.08, 4.0, 0.22, 15, 42),
    "compassionate": (0.08, 1.0, 0.03, 1, 5),
    "carers": (0.07, 1.0, 0.08, 1, 5),
    "study": (0.18, 1.0, 0.12, 1, 5),
}
TYPE_WEIGHTS, INTERNATIONAL_TYPE_MULT, DECLINE, MIN_DAYS, MAX_DAYS = (
    weights(LEAVE_TYPES, {t: v[i] for t, v in _LEAVE.items()}) for i in range(5)
)
ANNUAL = LEAVE_TYPES.index("annual")
LEAVE_RATE = 0.4  # requests recorded per person-year (bank workers: a quarter of this)


def _person_years(segs: Segments, lo: int, hi: int) -> tuple[np.ndarray, ...]:
    touch, a, b = overlap(segs.start, segs.end, lo, hi)
    idx = np.flatnonzero(touch & segs.staff_rows())
    return idx, a[idx], b[idx], (b[idx] - a[idx] + 1) / YEAR_DAYS


def leave(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """Leave requests and decisions."""
    h, d = world.horizon, world.disp
    parts = []
    for fy in h.fy:
        idx, a, b, expo = _person_years(segs, *h.bounds(fy))
        count = rng.poisson(LEAVE_RATE * expo * np.where(segs.bank[idx], 0.25, 1.0))
        pos = np.repeat(np.arange(len(idx)), count)
        parts.append((idx[pos], uniform_days(rng, a[pos], b[pos])))
    row = np.concatenate([p[0] for p in parts])
    requested = np.concatenate([p[1] for p in parts])
    n = len(row)
    person = segs.person[row]
    ir = folk.international[person]
    weights = TYPE_WEIGHTS[None, :] * np.where(ir[:, None], INTERNATIONAL_TYPE_MULT[None, :], 1.0)
    ltype = pick_rows(rng, weights)
    odds = d.leave_declined_odds.vector()[folk.group[person]] * np.where(
        ir, d.leave_declined_international_odds, 1.0
    )
    declined = happens(rng, with_odds(DECLINE[ltype], odds))
    decision = np.where(declined, DECLINED, APPROVED)
    decision[happens(rng, 0.04, n)] = WITHDRAWN
    decision[(requested > h.end - 21) & happens(rng, 0.7, n)] = PENDING
    days = rng.integers(MIN_DAYS[ltype].astype(np.int64), MAX_DAYS[ltype].astype(np.int64) + 1)
    days = days.astype(np.float64)
    days[(ltype == ANNUAL) & happens(rng, 0.1, n)] -= 0.5
    return frame.build(
        "leave",
        {
            "request_id": frame.numbered("LV", n, 9),
            "person_id": pid.take(person),
            "org_code": org_codes.take(segs.org[row]),
            "leave_type": frame.labels(LEAVE_TYPES, ltype),
            "requested_date": requested,
            "start_date": requested + rng.integers(5, 61, n),
            "days": days,
            "decision": frame.labels(DECISIONS, decision),
        },
        n,
    )


CATEGORIES = allowed("incidents", "category")
SOURCES = allowed("incidents", "source")
RACIST = CATEGORIES.index("racist_abuse")
#: Per person-year for White substantive clinical staff; share raised by staff (not public).
_RATE = {"racist_abuse": 0.006, "verbal_abuse": 0.06, "physical_assault": 0.02, "sexual": 0.004}
CATEGORY_RATES = weights(CATEGORIES, {**_RATE, "other": 0.01})
_BY_STAFF = {"racist_abuse": 0.2, "verbal_abuse": 0.25, "physical_assault": 0.05, "sexual": 0.3}
STAFF_SOURCE = weights(CATEGORIES, {**_BY_STAFF, "other": 0.4})
ACTIONS = ("none", "warning_letter", "police", "verbal_warning", "banned_from_site",
           "local_resolution", "hr_investigation")  # fmt: skip
PUBLIC_ACTIONS = (0.35, 0.25, 0.08, 0.15, 0.02, 0.15, 0.0)
STAFF_ACTIONS = (0.3, 0.0, 0.05, 0.0, 0.0, 0.35, 0.3)


def incidents(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """Abuse, violence and harassment against staff, with the action taken."""
    h, d = world.horizon, world.disp
    clinical = np.array([mixes.codes.is_clinical(g) for g in mixes.STAFF])
    racism = d.racist_abuse_rate.vector()[folk.group[segs.person]]
    parts = []
    for fy in h.fy:
        idx, a, b, expo = _person_years(segs, *h.bounds(fy))
        base = (
            expo
            * np.where(clinical[segs.group[idx]], 1.0, 0.3)
            * np.where(segs.bank[idx], d.bank_incident_rate, 1.0)
        )
        for c, rate in enumerate(CATEGORY_RATES):
            lam = rate * base * (racism[idx] if c == RACIST else 1.0)
            hit = np.flatnonzero(rng.random(len(idx)) < -np.expm1(-lam))
            parts.append((idx[hit], uniform_days(rng, a[hit], b[hit]), np.full(len(hit), c)))
    row, when, cat = (np.concatenate([p[i] for p in parts]) for i in range(3))
    order = np.argsort(when, kind="stable")
    row, when, cat = row[order], when[order], cat[order]
    n = len(row)
    staff = happens(rng, STAFF_SOURCE[cat])
    action = np.where(staff, pick(rng, STAFF_ACTIONS, n), pick(rng, PUBLIC_ACTIONS, n))
    action[(cat == RACIST) & ~staff & happens(rng, 0.06, n)] = ACTIONS.index("police")
    recorded = happens(rng, 0.85, n)
    person = pid.take(pa.array(segs.person[row], mask=~recorded))
    return frame.build(
        "incidents",
        {
            "incident_id": frame.numbered("INC", n, 8),
            "org_code": org_codes.take(segs.org[row]),
            "incident_date": when,
            "person_id": person,
            "source": frame.labels(
                SOURCES, np.where(staff, SOURCES.index("staff"), SOURCES.index("patient_or_public"))
            ),
            "category": frame.labels(CATEGORIES, cat),
            "action": frame.labels(ACTIONS, action),
        },
        n,
    )
