"""Employee-relations cases: informal concerns, formal investigations, suspensions, outcomes,
and the just-culture path recorded (or not) before a case went formal.

Entry into formal process carries `formal_disciplinary_risk` (WRES 3). A dismissal ends the
person's employment with the organisation on the day the case closes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from equitrack.model.tables import allowed

from .careers import BANK_ONLY, PRIMARY, REASON, SECOND_ORG, Careers
from .frame import weights
from .people import People
from .sampling import happens, pick, with_odds
from .timeline import NO_DATE, YEAR_DAYS, overlap, uniform_days
from .workforce import World

CASE_TYPES = allowed("disciplinary", "case_type")
OUTCOMES = allowed("disciplinary", "outcome")
DISMISSAL, FINAL, FIRST = (
    OUTCOMES.index(o) for o in ("dismissal", "final_written_warning", "first_written_warning")
)
CAPABILITY = CASE_TYPES.index("capability")
#: Per person-year, at parity: (case type, formal?) -> rate.
RATES = {
    ("conduct", True): 0.0065, ("capability", True): 0.0022, ("other", True): 0.0004,
    ("conduct", False): 0.009, ("capability", False): 0.004, ("other", False): 0.001,
}  # fmt: skip
#: Outcomes of formal cases that end without a warning, and of cases that stay informal.
MILD = weights(OUTCOMES, {"no_case_to_answer": 0.6, "informal_action": 0.3, "other": 0.1})
INFORMAL = weights(OUTCOMES, {"no_case_to_answer": 0.3, "informal_action": 0.6, "other": 0.1})

NODES = ("1a", "2a", "2b", "2c", "3a", "3b", "3c", "4a", "4b", "4c", "5a")
#: The answers on the one path that supports individual action (outcome G).
G_PATH = ("N", "N", "N", "N", "Y", "Y", "Y", "N", "N", "N", "N")
#: The outcome reached by leaving the G path at each node (by giving the other answer).
EXIT_OUTCOME = ("A", "B", "C", "C", "D", "D", "D", "E", "E", "E", "F")
LETTERS = "ABCDEFG"
FORMAL_PATHS = (0.06, 0.02, 0.06, 0.14, 0.14, 0.08, 0.50)  # A..G for cases that went formal
INFORMAL_PATHS = (0.0, 0.05, 0.10, 0.30, 0.30, 0.10, 0.15)
INCONSISTENT = 0.04  # answers carry on past the first outcome


def _answers(stop: int, carry_on: bool) -> str:
    """The recorded path that leaves the G path at node `stop` (11 = reaches G)."""
    answers = [f"{n}={a}" for n, a in zip(NODES[:stop], G_PATH[:stop], strict=True)]
    if stop < len(NODES):
        answers.append(f"{NODES[stop]}={'N' if G_PATH[stop] == 'Y' else 'Y'}")
        if carry_on:
            answers += [
                f"{n}={a}" for n, a in zip(NODES[stop + 1 :], G_PATH[stop + 1 :], strict=True)
            ]
    return ";".join(answers)


#: Valid paths 0..11, then paths 0..10 continued past their outcome.
PATHS: tuple[str, ...] = tuple(_answers(i, False) for i in range(12)) + tuple(
    _answers(i, True) for i in range(11)
)


def _path_ids(rng: np.random.Generator, weights: tuple[float, ...], n: int) -> np.ndarray:
    """Pick an outcome letter, then one of the exits that lead to it, maybe over-answered."""
    letter = pick(rng, weights, n)
    exits_by_letter = [
        [i for i, o in enumerate(EXIT_OUTCOME) if o == LETTERS[k]] or [11] for k in range(7)
    ]
    choice = rng.random(n)
    stop = np.empty(n, dtype=np.int64)
    for k, exits in enumerate(exits_by_letter):
        sel = letter == k
        stop[sel] = np.array(exits)[np.floor(choice[sel] * len(exits)).astype(np.int64)]
    carry = (stop < 11) & happens(rng, INCONSISTENT, n)
    return np.where(carry, 12 + stop, stop)


@dataclass
class Cases:
    career: np.ndarray
    person: np.ndarray
    org: np.ndarray
    case_type: np.ndarray
    opened: np.ndarray
    formal: np.ndarray  # NO_DATE when never formal
    suspended: np.ndarray  # int8: 1, 0, -1 unknown
    closed: np.ndarray  # NO_DATE while open
    outcome: np.ndarray  # -1 while open
    path: np.ndarray  # index into PATHS, -1 when no assessment
    assessed: np.ndarray  # int8: 1, 0

    def take(self, idx: np.ndarray) -> Cases:
        return Cases(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})


def open_cases(rng: np.random.Generator, world: World, folk: People, careers: Careers) -> Cases:
    """Cases per person-year, with the disparity on entry into formal process."""
    h, d = world.horizon, world.disp
    eligible = np.isin(careers.role, (PRIMARY, SECOND_ORG, BANK_ONLY))
    group = folk.group[careers.person]
    bank = careers.role == BANK_ONLY
    risk = d.formal_disciplinary_risk.vector()[group] * np.where(
        bank, d.bank_disciplinary_risk, 1.0
    )
    parts: list[tuple[np.ndarray, ...]] = []
    for k, fy in enumerate(h.fy):
        lo, hi = h.bounds(fy)
        touch, a, b = overlap(careers.start, careers.exit, lo, hi)
        idx = np.flatnonzero(eligible & touch)
        exposure = (b[idx] - a[idx] + 1) / YEAR_DAYS
        for (type_name, formal), rate in RATES.items():
            ctype = CASE_TYPES.index(type_name)
            lam = rate * exposure * (risk[idx] if formal else np.where(bank[idx], 1.3, 1.0))
            hit = idx[rng.random(len(idx)) < -np.expm1(-lam)]
            n = len(hit)
            parts.append(
                (
                    hit,
                    np.full(n, ctype),
                    np.full(n, formal),
                    uniform_days(rng, a[hit], b[hit]),
                    np.full(n, k),
                )
            )
    career, ctype, formal, opened, year = (np.concatenate([p[i] for p in parts]) for i in range(5))
    return _progress(rng, world, folk, careers, career, ctype.astype(np.int8), formal, opened, year)


def _progress(
    rng: np.random.Generator,
    world: World,
    folk: People,
    careers: Careers,
    career: np.ndarray,
    ctype: np.ndarray,
    formal: np.ndarray,
    opened: np.ndarray,
    year: np.ndarray,
) -> Cases:
    """What happened next: formal date, suspension, assessment, outcome and closure."""
    h, d = world.horizon, world.disp
    n = len(career)
    group = folk.group[careers.person[career]]
    bank = careers.role[career] == BANK_ONLY
    formal_day = opened + rng.integers(3, 45, n)
    formal = formal & (formal_day <= h.end)
    suspended = (
        formal
        & happens(rng, with_odds(np.where(bank, 0.15, 0.10), d.suspension_odds.vector()[group]))
    ).astype(np.int8)
    suspended[happens(rng, 0.02, n)] = -1
    p_assess = 0.15 + 0.6 * year / max(h.years - 1, 1)
    assessed = np.where(
        formal,
        happens(rng, with_odds(p_assess, d.assessment_odds.vector()[group])),
        happens(rng, 0.4, n),
    )
    path = np.where(formal, _path_ids(rng, FORMAL_PATHS, n), _path_ids(rng, INFORMAL_PATHS, n))
    severe = happens(rng, with_odds(0.45, d.severe_outcome_odds.vector()[group]))
    harsh = np.where(bank, 0.40, 0.22)
    u = rng.random(n)
    severe_outcome = np.where(
        u < harsh, DISMISSAL, np.where(u < harsh + (1 - harsh) * 0.4, FINAL, FIRST)
    )
    mild_outcome = pick(rng, MILD, n)
    informal_outcome = pick(rng, INFORMAL, n)
    outcome = np.where(formal, np.where(severe, severe_outcome, mild_outcome), informal_outcome)
    took = np.where(formal, 30 + rng.gamma(2.0, 60.0, n), rng.integers(14, 120, n))
    closed = (np.where(formal, formal_day, opened) + took).astype(np.int64)
    done = closed <= h.end
    return Cases(
        career=career,
        person=careers.person[career],
        org=careers.org[career],
        case_type=ctype,
        opened=opened.astype(np.int32),
        formal=np.where(formal, formal_day, NO_DATE).astype(np.int32),
        suspended=suspended,
        closed=np.where(done, closed, NO_DATE).astype(np.int32),
        outcome=np.where(done, outcome, -1).astype(np.int8),
        path=np.where(assessed, path, -1).astype(np.int16),
        assessed=assessed.astype(np.int8),
    )


def apply_dismissals(careers: Careers, cases: Cases, n_orgs: int) -> Cases:
    """End employment at the organisation on the day a dismissal closes; drop later cases."""
    dismissed = cases.outcome == DISMISSAL
    key_d = cases.person[dismissed] * n_orgs + cases.org[dismissed]
    day_d = cases.closed[dismissed].astype(np.int64)
    kind = np.where(
        cases.case_type[dismissed] == CAPABILITY,
        REASON["Dismissal - Capability"],
        REASON["Dismissal - Conduct"],
    )
    order = np.lexsort((day_d, key_d))
    key_d, day_d, kind = key_d[order], day_d[order], kind[order]
    first = np.append(True, key_d[1:] != key_d[:-1])
    key_d, day_d, kind = key_d[first], day_d[first], kind[first]
    key_c = careers.person * n_orgs + careers.org
    pos = np.clip(np.searchsorted(key_d, key_c), 0, max(len(key_d) - 1, 0))
    hit = (len(key_d) > 0) & (key_d[pos] == key_c) if len(key_d) else np.zeros(len(careers), bool)
    hit &= (day_d[pos] < careers.exit.astype(np.int64)) & (day_d[pos] >= careers.start)
    careers.exit[hit] = day_d[pos[hit]]
    careers.reason[hit] = np.where(
        careers.role[hit] == BANK_ONLY, REASON["Removed from Bank"], kind[pos[hit]]
    )
    keep = cases.opened <= careers.exit[cases.career]
    return cases.take(np.flatnonzero(keep))
