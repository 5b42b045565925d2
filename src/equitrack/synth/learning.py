"""Training records: statutory and EDI refreshers, and non-mandatory training and CPD.

Rates are per person-year of employment, so part-years count in proportion. Non-mandatory
training carries `nonmandatory_training` (WRES 4). EDI training is mostly e-learning, with
interactive race-equality learning sets from 2021/22 and Active Bystander from 2022/23.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from equitrack.model.tables import allowed

from . import frame, mixes
from .frame import weights
from .people import People
from .progression import Segments
from .sampling import happens, pick, pick_cumulative, present
from .timeline import YEAR_DAYS, overlap, uniform_days
from .workforce import World

DELIVERY = allowed("training", "delivery")


@dataclass(frozen=True)
class Course:
    """A course in the catalogue; `from_fy` is the first financial year it ran."""

    name: str
    category: str
    mandatory: bool
    delivery: dict[str, float]  # weights by delivery mode
    from_fy: int = 0


STATUTORY = tuple(
    Course(name, "statutory", True, {"elearning": 0.85, "face_to_face": 0.1, "blended": 0.05})
    for name in ("Fire Safety", "Information Governance and Data Security",
                 "Infection Prevention and Control", "Safeguarding Adults Level 2",
                 "Health, Safety and Welfare", "Conflict Resolution", "Moving and Handling",
                 "Basic Life Support")
)  # fmt: skip
EDI_MANDATORY = Course(
    "Equality, Diversity and Human Rights",
    "edi",
    True,
    {"elearning": 0.92, "face_to_face": 0.04, "virtual_live": 0.04},
)
OPTIONAL = (
    Course(
        "Leadership Essentials",
        "leadership",
        False,
        {"face_to_face": 0.5, "virtual_live": 0.3, "blended": 0.2},
    ),
    Course("Mary Seacole Programme", "leadership", False, {"virtual_live": 0.2, "blended": 0.8}),
    Course(
        "Rosalind Franklin Programme", "leadership", False, {"virtual_live": 0.3, "blended": 0.7}
    ),
    Course(
        "Compassionate Leadership", "leadership", False, {"face_to_face": 0.4, "virtual_live": 0.6}
    ),
    Course("Advanced Life Support", "clinical", False, {"face_to_face": 1}),
    Course(
        "Clinical Supervision Skills", "clinical", False, {"face_to_face": 0.5, "virtual_live": 0.5}
    ),
    Course("Preceptorship Programme", "clinical", False, {"face_to_face": 0.3, "blended": 0.7}),
    Course("Venepuncture and Cannulation", "clinical", False, {"face_to_face": 1}),
    Course("Sepsis Recognition", "clinical", False, {"elearning": 0.7, "face_to_face": 0.3}),
    Course(
        "Race Equality Learning Set", "edi", False, {"face_to_face": 0.8, "virtual_live": 0.2}, 2022
    ),
    Course(
        "Cultural Intelligence Workshop",
        "edi",
        False,
        {"face_to_face": 0.5, "virtual_live": 0.5},
        2022,
    ),
    Course("Inclusive Recruitment", "edi", False, {"elearning": 0.5, "virtual_live": 0.5}, 2021),
    Course(
        "Active Bystander",
        "active_bystander",
        False,
        {"face_to_face": 0.55, "virtual_live": 0.45},
        2023,
    ),
)
COURSES = (*STATUTORY, EDI_MANDATORY, *OPTIONAL)
#: Per person-year: statutory refreshers, EDI refresher (every three years), non-mandatory.
RATES = {"statutory": 0.55, "edi": 0.3, "optional": 0.3}
OPTIONAL_WEIGHT = {"leadership": 0.3, "clinical": 0.5, "edi": 0.12, "active_bystander": 0.18}


def exposure(segs: Segments, lo: int, hi: int, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rows touching [lo, hi]: their indices, first and last day inside it, and person-years."""
    touch, a, b = overlap(segs.start, segs.end, lo, hi)
    idx = np.flatnonzero(rows & touch)
    return idx, a[idx], b[idx], (b[idx] - a[idx] + 1) / YEAR_DAYS


def training(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """Course records: statutory and EDI refreshers for all, CPD with the disparity. Built a
    year at a time to keep memory flat at national scale."""
    years, first = [], 1
    for fy in world.horizon.fy:
        year = _training_year(rng, world, folk, segs, fy, first, pid, org_codes)
        first += year.num_rows
        years.append(year)
    return pa.concat_tables(years)


def _training_year(
    rng: np.random.Generator,
    world: World,
    folk: People,
    segs: Segments,
    fy: int,
    first: int,
    pid: pa.Array,
    org_codes: pa.Array,
) -> pa.Table:
    """One financial year's training records, numbered from `first`."""
    idx, a, b, expo = exposure(segs, *world.horizon.bounds(fy), segs.staff_rows())
    bank = segs.bank[idx]
    cpd = world.disp.nonmandatory_training.vector()[folk.group[segs.person[idx]]]
    parts = []
    for kind, rate in RATES.items():
        scale = np.where(bank, 0.5, 1.0) * cpd if kind == "optional" else np.where(bank, 0.8, 1.0)
        pos = np.repeat(np.arange(len(idx)), rng.poisson(rate * expo * scale))
        parts.append((pos, _courses(rng, kind, fy, segs.group[idx[pos]])))
    pos = np.concatenate([p for p, _ in parts])
    course = np.concatenate([c for _, c in parts])
    row, start = idx[pos], uniform_days(rng, a[pos], b[pos])
    modes = np.array([weights(DELIVERY, c.delivery) for c in COURSES])
    delivery = np.empty(len(row), dtype=np.int8)
    for c in present(course):
        sel = np.flatnonzero(course == c)
        delivery[sel] = pick(rng, modes[c], len(sel))
    mandatory = np.array([c.mandatory for c in COURSES])[course]
    done = happens(rng, np.where(mandatory, 0.93, 0.88)) & (start <= world.horizon.end - 14)
    n = len(row)
    return frame.build(
        "training",
        {
            "record_id": frame.numbered("TR", n, 9, first),
            "person_id": pid.take(segs.person[row]),
            "org_code": org_codes.take(segs.org[row]),
            "course": frame.labels([c.name for c in COURSES], course),
            "category": frame.labels([c.category for c in COURSES], course),
            "mandatory": mandatory,
            "delivery": frame.labels(DELIVERY, delivery),
            "start_date": start,
            "completed": done,
        },
        n,
    )


def _courses(rng: np.random.Generator, kind: str, fy: int, group: np.ndarray) -> np.ndarray:
    """Course ids for enrolments of one kind (statutory, edi, optional) in a year."""
    n = len(group)
    if kind == "statutory":
        return rng.integers(0, len(STATUTORY), n)
    if kind == "edi":
        return np.full(n, len(STATUTORY))
    first = len(STATUTORY) + 1
    avail = [i for i, c in enumerate(OPTIONAL) if c.from_fy <= fy]
    w = np.array(
        [
            OPTIONAL_WEIGHT[OPTIONAL[i].category]
            / sum(1 for j in avail if OPTIONAL[j].category == OPTIONAL[i].category)
            for i in avail
        ]
    )
    chosen = np.array(avail)[pick_cumulative(rng, np.cumsum(w), n)]
    clinical = np.array([mixes.codes.is_clinical(g) for g in mixes.STAFF])[group]
    non_clinical_course = np.array([OPTIONAL[i].category == "clinical" for i in chosen]) & ~clinical
    chosen[non_clinical_course] = 0  # admin staff take leadership rather than clinical courses
    return first + chosen
