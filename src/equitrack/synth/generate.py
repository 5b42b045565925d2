"""Run the generator end to end and return every canonical table."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from equitrack.model.tables import TABLES

from . import (
    casework,
    development,
    events,
    frame,
    learning,
    mixes,
    pay,
    progression,
    recruitment,
    staffing,
    survey,
)
from .careers import LEAVING_REASONS
from .params import Disparities
from .people import DISABILITY, SEX, People
from .presets import PRESETS
from .progression import Segments
from .timeline import Horizon
from .workforce import World

STREAMS = ("staff", "promote", "cases", "ids", "training", "development", "appraisals",
           "recruitment", "leave", "incidents", "pay", "survey")  # fmt: skip


def person_ids(rng: np.random.Generator, n: int) -> pa.Array:
    """Unique 8-digit ESR-style employee numbers, in no particular order."""
    gap = max(int(0.9 * 89_999_999 / max(n, 1)), 1)
    numbers = 10_000_000 + np.cumsum(
        rng.integers(1, 2 * gap, n) if gap > 1 else np.ones(n, np.int64)
    )
    if numbers.size and numbers[-1] > 99_999_999:
        raise ValueError(f"too many people ({n}) for 8-digit employee numbers")
    return frame.text(rng.permutation(numbers))


def generate(
    preset: str = "llr",
    seed: int = 7,
    disparities: Disparities | None = None,
    end_year: int = 2026,
    years: int = 8,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pa.Table]:
    """A synthetic integrated care system: every canonical table, deterministic for a seed.

    History covers `years` financial years ending 31 March `end_year`, plus the staff already
    in post at the start. `disparities` defaults to `Disparities()`; use `Disparities.none()`
    for a system that treats everyone alike.
    """
    if preset not in PRESETS:
        raise KeyError(f"unknown preset {preset!r}; expected one of {', '.join(PRESETS)}")
    if years < 1:
        raise ValueError("years must be at least 1")
    say = _announcer(progress)
    world = World.of(PRESETS[preset], Horizon(end_year, years), disparities or Disparities())
    seeds = np.random.SeedSequence(seed).spawn(len(STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(STREAMS, seeds, strict=True)}

    folk, careers = staffing.build(rng["staff"], world)
    say(f"workforce: {len(folk):,} people, {len(careers):,} careers")
    promotions = progression.promote(rng["promote"], world, folk, careers)
    cases = casework.open_cases(rng["cases"], world, folk, careers)
    cases = casework.apply_dismissals(careers, cases, world.n_orgs)
    segs = progression.segments(careers, promotions)
    say(
        f"assignments: {len(segs):,} rows, {len(promotions.career):,} promotions, "
        f"{len(cases.career):,} cases"
    )
    del promotions

    pid = person_ids(rng["ids"], len(folk))
    org_codes = pa.array([o.code for o in world.preset.orgs], type=pa.string())
    out: dict[str, pa.Table] = {
        "organisations": _organisations(world),
        "people": _people(folk, pid),
        "assignments": _assignments(rng["ids"], segs, pid, org_codes),
        "disciplinary": _disciplinary(cases, pid, org_codes),
    }
    del cases
    dev = development.development(rng["development"], world, folk, segs)
    out["development"] = development.development_table(
        rng["development"], world, dev, segs, pid, org_codes
    )
    vac = recruitment.vacancies(rng["recruitment"], world, folk, careers, segs, dev)
    del careers, dev
    out["vacancies"] = recruitment.vacancy_table(world, vac, org_codes)
    out["applications"] = recruitment.applications(rng["recruitment"], world, folk, segs, vac, pid)
    del vac
    say(
        f"recruitment: {out['vacancies'].num_rows:,} vacancies, "
        f"{out['applications'].num_rows:,} applications"
    )
    out["training"] = learning.training(rng["training"], world, folk, segs, pid, org_codes)
    say(f"training: {out['training'].num_rows:,} records")
    out["appraisals"] = development.appraisals(rng["appraisals"], world, folk, segs, pid, org_codes)
    say(f"appraisals: {out['appraisals'].num_rows:,}")
    out["leave"] = events.leave(rng["leave"], world, folk, segs, pid, org_codes)
    out["incidents"] = events.incidents(rng["incidents"], world, folk, segs, pid, org_codes)
    say(f"leave: {out['leave'].num_rows:,} requests; incidents: {out['incidents'].num_rows:,}")
    out["pay"] = pay.pay(rng["pay"], world, folk, segs, pid, org_codes)
    say(f"pay: {out['pay'].num_rows:,} snapshot rows")
    out["survey"] = survey.survey(rng["survey"], world, folk, segs, org_codes)
    say("done: " + ", ".join(f"{name} {tbl.num_rows:,}" for name, tbl in out.items()))
    return {t.name: out[t.name] for t in TABLES}


def _announcer(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    def say(message: str) -> None:
        pa.default_memory_pool().release_unused()  # hand freed buffers back between stages
        if progress is not None:
            progress(message)

    return say


def _organisations(world: World) -> pa.Table:
    orgs = world.preset.orgs
    return frame.build(
        "organisations",
        {
            "org_code": [o.code for o in orgs],
            "name": [o.name for o in orgs],
            "org_type": [o.org_type for o in orgs],
            "system_code": [o.system_code for o in orgs],
        },
        len(orgs),
    )


def _people(folk: People, pid: pa.Array) -> pa.Table:
    return frame.build(
        "people",
        {
            "person_id": pid,
            "ethnic_code": frame.labels(mixes.ETHNIC_CODES, folk.code),
            "sex": frame.labels(SEX, folk.sex),
            "disability": frame.labels(DISABILITY, folk.disability),
            "birth_year": folk.birth_year,
            "religion": frame.labels(mixes.RELIGIONS, folk.religion),
            "sexual_orientation": frame.labels(mixes.ORIENTATIONS, folk.orientation),
            "international_recruit": folk.international,
            "nhs_start_date": folk.nhs_start,
        },
        len(folk),
    )


def _assignments(
    rng: np.random.Generator, segs: Segments, pid: pa.Array, org_codes: pa.Array
) -> pa.Table:
    """ESR-style rows: assignment number = employee number + "-" + running number."""
    n = len(segs)
    person = pid.take(segs.person)
    clinical = np.array([mixes.codes.is_clinical(g) for g in mixes.STAFF])[segs.group].astype(
        np.int8
    )
    clinical[rng.random(n) < 0.01] = -1  # sometimes left for the loader to derive
    board = segs.seat >= 0
    return frame.build(
        "assignments",
        {
            "assignment_id": frame.joined(person, frame.text(segs.seq), sep="-"),
            "person_id": person,
            "org_code": org_codes.take(segs.org),
            "start_date": segs.start,
            "end_date": segs.end,
            "pay_band": frame.labels(mixes.BANDS, segs.band),
            "staff_group": frame.labels(mixes.STAFF, segs.group),
            "clinical": clinical,
            "contract": frame.labels(mixes.CONTRACTS, segs.contract),
            "fte": segs.fte,
            "board_member": board,
            "board_voting": np.where(board, np.isin(segs.seat, (0, 1)), -1).astype(np.int8),
            "board_executive": np.where(board, np.isin(segs.seat, (1, 2)), -1).astype(np.int8),
            "leaving_reason": frame.labels(LEAVING_REASONS, segs.reason),
        },
        n,
    )


def _disciplinary(cases: casework.Cases, pid: pa.Array, org_codes: pa.Array) -> pa.Table:
    cases = cases.take(np.argsort(cases.opened, kind="stable"))
    n = len(cases.career)
    return frame.build(
        "disciplinary",
        {
            "case_id": frame.numbered("ER", n, 7),
            "person_id": pid.take(cases.person),
            "org_code": org_codes.take(cases.org),
            "case_type": frame.labels(casework.CASE_TYPES, cases.case_type),
            "opened_date": cases.opened,
            "formal_date": cases.formal,
            "suspended": cases.suspended,
            "closed_date": cases.closed,
            "outcome": frame.labels(casework.OUTCOMES, cases.outcome),
            "just_culture_answers": frame.labels(casework.PATHS, cases.path),
            "pre_formal_assessment": cases.assessed,
        },
        n,
    )
