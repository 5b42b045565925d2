"""The measure engine agrees, count for count, with a plain pandas implementation of WRES
indicators 1, 2, 3, 4 and 9 written independently from the spec (tests/reference/plain_wres.py).

Synthetic systems are written as canonical CSV, imported with the engine's importer, measured
by the engine, and compared with the plain counts computed from the same generated tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.measures import Request, evaluate, measure
from equitrack.store import connect
from equitrack.synth import Disparities, generate, write
from tests.reference import plain_wres

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEARS = tuple(range(2019, 2027))
#: The generated data start in FY 2019 (April 2018), so pooled WRES 3 needs Y-1 >= 2019.
WRES3_YEARS = tuple(range(2020, 2027))
MEASURES = ("wres1", "wres2", "wres3", "wres4", "wres9")

Key = tuple[str, str, int, str | None, str]
Counts = dict[Key, tuple[int, int]]


def _keep(key: Key, numerator: int, denominator: int) -> bool:
    """The rows both sides must agree on. A 0-of-0 row says nothing; WRES 1 compares only
    groups present in a cell; WRES 9 reports White and BME only; WRES 3 needs two years."""
    measure_id, _, period, _, group = key
    if numerator == 0 and denominator == 0:
        return False
    if measure_id == "wres1" and numerator == 0:
        return False
    if measure_id == "wres9" and group not in ("White", "BME"):
        return False
    return not (measure_id == "wres3" and period not in WRES3_YEARS)


def engine_counts(store, measures: Iterable[str] = MEASURES) -> Counts:
    counts: Counts = {}
    for measure_id in measures:
        for r in evaluate(store, measure(measure_id), Request(years=YEARS)):
            key = (r.measure, r.org, int(r.period), r.breakdown, r.group)
            assert key not in counts, f"engine returned {key} twice"
            if _keep(key, int(r.numerator), int(r.denominator)):
                counts[key] = (int(r.numerator), int(r.denominator))
    return counts


def plain_counts(tables) -> Counts:
    frame = plain_wres.all_indicators({k: v.to_pandas() for k, v in tables.items()}, YEARS)
    counts: Counts = {}
    for row in frame.itertuples(index=False):
        breakdown = None if pd.isna(row.breakdown) else row.breakdown
        key = (row.measure, row.org, int(row.period), breakdown, row.group)
        assert key not in counts, f"plain returned {key} twice"
        if _keep(key, int(row.numerator), int(row.denominator)):
            counts[key] = (int(row.numerator), int(row.denominator))
    return counts


def differences(engine: Counts, plain: Counts, limit: int = 15) -> str:
    keys = sorted(set(engine) | set(plain), key=lambda k: tuple(str(x) for x in k))
    wrong = [k for k in keys if engine.get(k) != plain.get(k)]
    if not wrong:
        return ""
    lines = [f"{len(wrong)} of {len(keys)} counts differ (numerator, denominator):"]
    lines += [
        f"  {' / '.join(str(x) for x in k)}: engine {engine.get(k)} vs plain {plain.get(k)}"
        for k in wrong[:limit]
    ]
    if len(wrong) > limit:
        lines.append(f"  ... and {len(wrong) - limit} more")
    return "\n".join(lines)


def _measured(tmp: Path, tables) -> tuple[Counts, Counts]:
    """Both sides' counts for one generated system."""
    folder = tmp / "csv"
    write(tables, folder, "csv")
    # module-scoped fixtures run before the autouse key isolation, so isolate here too
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(tmp / "pseudonymisation.key"))
        mp.delenv(config.KEY_ENV, raising=False)
        mp.delenv(config.DB_ENV, raising=False)
        store = connect(str(tmp / "test.duckdb"))
        result = import_paths([folder], store, rejects_dir=tmp / "rejects")
        assert result.ok and result.rows_rejected == 0, result
        engine = engine_counts(store)
    return engine, plain_counts(tables)


@pytest.fixture(scope="module")
def mini_11(tmp_path_factory: pytest.TempPathFactory) -> tuple[Counts, Counts]:
    return _measured(tmp_path_factory.mktemp("mini11"), generate("mini", seed=11))


@pytest.fixture(scope="module")
def mini_3(tmp_path_factory: pytest.TempPathFactory) -> tuple[Counts, Counts]:
    return _measured(tmp_path_factory.mktemp("mini3"), generate("mini", seed=3))


@pytest.fixture(scope="module")
def mini_fair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Counts, Counts]:
    tables = generate("mini", seed=11, disparities=Disparities.none())
    return _measured(tmp_path_factory.mktemp("fair"), tables)


def _only(counts: Counts, measure_id: str) -> Counts:
    return {k: v for k, v in counts.items() if k[0] == measure_id}


@pytest.mark.parametrize("measure_id", MEASURES)
def test_engine_agrees_with_plain_pandas(mini_11, measure_id: str) -> None:
    engine, plain = (_only(side, measure_id) for side in mini_11)
    assert plain, "the plain implementation produced nothing to compare"
    assert not differences(engine, plain), differences(engine, plain)


def test_every_org_and_year_is_compared(mini_11) -> None:
    _engine, plain = mini_11
    for measure_id in MEASURES:
        years = WRES3_YEARS if measure_id == "wres3" else YEARS
        seen = {(k[1], k[2]) for k in _only(plain, measure_id)}
        assert seen == {(org, y) for org in ("RXA", "QXA") for y in years}, measure_id
    assert {k[3] for k in _only(plain, "wres9")} == set(plain_wres.BOARD_SEATS)


@pytest.mark.parametrize("measure_id", MEASURES)
def test_engine_agrees_with_plain_pandas_on_another_seed(mini_3, measure_id: str) -> None:
    engine, plain = (_only(side, measure_id) for side in mini_3)
    assert not differences(engine, plain), differences(engine, plain)


@pytest.mark.parametrize("measure_id", MEASURES)
def test_engine_agrees_with_plain_pandas_without_disparities(mini_fair, measure_id: str) -> None:
    engine, plain = (_only(side, measure_id) for side in mini_fair)
    assert not differences(engine, plain), differences(engine, plain)


# --- hand-made edge cases on top of a generated system ------------------------------------
# The generator never gives anyone two active assignments or two board seats, so the
# tie-breaks, bank exclusions and boundaries are exercised by people added here.


def _d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def with_edge_cases(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The generated tables plus people whose counts hinge on one rule each."""
    people, spells, cases, courses, apps = [], [], [], [], []
    codes = ["A", "n", " H ", "cp", "Z", "99", "", "X", "PA", "b1", "C", "m"]

    def person(n: int) -> str:
        pid = f"EDGE{n:03d}"
        people.append({"person_id": pid, "ethnic_code": codes[n % len(codes)]})
        return pid

    def spell(
        pid,
        band,
        group,
        start,
        end=None,
        *,
        fte=1.0,
        contract="permanent",
        org="RXA",
        clinical=...,
        board=None,
    ):
        row = {
            "assignment_id": f"{pid}-{len(spells):03d}",
            "person_id": pid,
            "org_code": org,
            "start_date": _d(start),
            "end_date": _d(end),
            "pay_band": band,
            "staff_group": group,
            "clinical": (group not in ("Administrative and Clerical", "Estates and Ancillary"))
            if clinical is ...
            else clinical,
            "contract": contract,
            "fte": fte,
            "board_member": board is not None,
            "board_voting": None if board is None else board[0],
            "board_executive": None if board is None else board[1],
        }
        spells.append(row)

    admin, nurse, estates, medic = (
        "Administrative and Clerical",
        "Nursing and Midwifery Registered",
        "Estates and Ancillary",
        "Medical and Dental",
    )
    n = 0
    for _ in range(3):  # a few of each, so every group gets some
        # the larger fte wins, from 2020
        p = person(n := n + 1)
        spell(p, "Band 5", nurse, "2019-06-01", fte=0.6)
        spell(p, "Band 3", admin, "2020-01-01", fte=0.8)
        # equal fte: the higher band wins, from 2021-05
        p = person(n := n + 1)
        spell(p, "Band 6", nurse, "2019-01-01")
        spell(p, "Band 8a", admin, "2021-05-01")
        # equal fte and band: the earlier start wins
        p = person(n := n + 1)
        spell(p, "Band 4", nurse, "2018-05-01", "2025-12-31")
        spell(p, "Band 4", admin, "2018-06-01")
        # a blank fte counts as 0
        p = person(n := n + 1)
        spell(p, "Band 7", admin, "2018-01-01", fte=None)
        spell(p, "Band 2", nurse, "2018-01-01", fte=0.5)
        # a medical grade ranks below every AfC band
        p = person(n := n + 1)
        spell(p, "Consultant", medic, "2018-01-01")
        spell(p, "Band 2", admin, "2019-01-01")
        # blank clinical, derived from the staff group
        spell(person(n := n + 1), "Band 3", estates, "2018-01-01", clinical=None)
        spell(person(n := n + 1), "Foundation Year 1", medic, "2023-08-01", clinical=None)
        spell(person(n := n + 1), "Band 4", "Students", "2018-01-01", clinical=None)
        spell(person(n := n + 1), "Other", admin, "2018-01-01", clinical=None)
        # a bank spell never counts in the workforce, however large
        p = person(n := n + 1)
        spell(p, "Band 2", admin, "2018-01-01", fte=0.3, contract="fixed_term")
        spell(p, "Band 8d", nurse, "2018-01-01", contract="bank")
        spell(person(n := n + 1), "Band 5", nurse, "2018-01-01", contract="bank")
        # locum and honorary contracts do count
        spell(person(n := n + 1), "Specialist", medic, "2018-01-01", contract="locum")
        spell(person(n := n + 1), "Band 9", admin, "2018-01-01", contract="honorary")
        # snapshot boundaries: starts on 31 March, ends on 31 March, ends the day before
        spell(person(n := n + 1), "Band 6", nurse, "2024-03-31")
        spell(person(n := n + 1), "Band 6", nurse, "2018-01-01", "2023-03-31")
        spell(person(n := n + 1), "Band 6", nurse, "2018-01-01", "2023-03-30")
        # in both organisations: counted in each
        p = person(n := n + 1)
        spell(p, "Band 5", nurse, "2018-01-01")
        spell(p, "Band 7", admin, "2018-01-01", org="QXA")

        # board: two seats, the voting one wins; a voting seat beats an executive one
        p = person(n := n + 1)
        spell(p, "VSM", admin, "2018-01-01", board=(False, False))
        spell(p, "VSM", admin, "2019-01-01", board=(True, True))
        p = person(n := n + 1)
        spell(p, "VSM", admin, "2018-01-01", board=(False, True))
        spell(p, "Other", admin, "2018-01-01", fte=0.1, board=(True, False))
        # a bank board member counts on the board, not in the workforce; blank voting is not
        spell(
            person(n := n + 1), "Other", admin, "2018-01-01", contract="bank", board=(True, False)
        )
        spell(person(n := n + 1), "VSM", admin, "2018-01-01", board=(None, None))
        spell(person(n := n + 1), "VSM", admin, "2020-01-01", "2024-03-30", board=(True, True))

        # formal disciplinary (conduct at RXA unless said otherwise)
        def case(pid, formal, case_type="conduct", org="RXA"):
            opened = "2018-04-01" if formal is None else formal
            cases.append(
                {
                    "case_id": f"{pid}-case{len(cases):03d}",
                    "person_id": pid,
                    "org_code": org,
                    "case_type": case_type,
                    "opened_date": _d(opened),
                    "formal_date": _d(formal),
                }
            )

        p = person(n := n + 1)  # bank-only: a bank spell ended within six months
        spell(p, "Band 3", nurse, "2022-01-01", "2024-03-01", contract="bank")
        case(p, "2024-07-15")
        p = person(n := n + 1)  # bank spell ended more than six months before: counted
        spell(p, "Band 3", nurse, "2022-01-01", "2023-12-31", contract="bank")
        case(p, "2024-07-15")
        p = person(n := n + 1)  # exactly six calendar months (31 Aug back to 29 Feb): bank-only
        spell(p, "Band 3", nurse, "2022-01-01", "2024-02-29", contract="bank")
        case(p, "2024-08-31")
        p = person(n := n + 1)  # bank and substantive at once: counted
        spell(p, "Band 3", nurse, "2022-01-01", contract="bank")
        spell(p, "Band 3", nurse, "2023-01-01")
        case(p, "2024-10-01")
        p = person(n := n + 1)  # employed only at the other organisation: counted at RXA
        spell(p, "Band 5", nurse, "2018-01-01", org="QXA")
        case(p, "2023-05-05")
        p = person(n := n + 1)  # two conduct cases in a year count once; others not at all
        spell(p, "Band 5", nurse, "2018-01-01")
        case(p, "2024-04-01")
        case(p, "2025-03-31")
        case(p, "2024-03-31")
        case(p, "2023-06-01", case_type="capability")
        case(p, "2023-06-01", case_type="other")
        case(p, None)
        p = person(n := n + 1)  # a bank spell that starts after the formal date: counted
        spell(p, "Band 3", nurse, "2024-09-01", contract="bank")
        case(p, "2024-08-01")
        p = person(n := n + 1)  # left before the formal date, not bank: counted
        spell(p, "Band 3", nurse, "2018-01-01", "2022-12-31")
        case(p, "2023-02-01")

        # training: non-mandatory at the same organisation, starting in the year
        def course(pid, start, mandatory=False, org="RXA"):
            courses.append(
                {
                    "record_id": f"{pid}-course{len(courses):03d}",
                    "person_id": pid,
                    "org_code": org,
                    "course": "Edge course",
                    "mandatory": mandatory,
                    "start_date": _d(start),
                }
            )

        p = person(n := n + 1)
        spell(p, "Band 5", nurse, "2018-01-01")
        course(p, "2024-04-01")  # FY 2025
        course(p, "2024-03-31")  # FY 2024
        course(p, "2023-01-01", mandatory=True)
        course(p, "2022-01-01", org="QXA")

    # applications: ethnicity as declared on the application, shortlisted only
    vacancies = [
        {
            "vacancy_id": f"EDGEVAC{i}",
            "org_code": org,
            "pay_band": "Band 5",
            "opened_date": _d("2018-04-01"),
            "advert": "external",
            "opportunity_type": "post",
        }
        for i, org in enumerate(("RXA", "QXA"))
    ]
    for i in range(40):
        shortlisted = i % 4 != 0
        apps.append(
            {
                "application_id": f"EDGEAPP{i:03d}",
                "vacancy_id": f"EDGEVAC{i % 2}",
                "applicant_id": f"EDGEAPPLICANT{i:03d}",
                "ethnic_code": codes[i % len(codes)],
                "applied_date": _d(("2024-03-31", "2024-04-01", "2025-03-31", "2022-07-01")[i % 4]),
                "shortlisted": shortlisted,
                "appointed": shortlisted and i % 3 == 0,
            }
        )

    additions = {
        "people": people,
        "assignments": spells,
        "disciplinary": cases,
        "training": courses,
        "vacancies": vacancies,
        "applications": apps,
    }
    out = dict(tables)
    for name, rows in additions.items():
        schema = tables[name].schema
        columns = [pa.array([row.get(f.name) for row in rows], type=f.type) for f in schema]
        extra = pa.Table.from_arrays(columns, schema=schema)
        out[name] = pa.concat_tables([tables[name], extra])
    return out


@pytest.fixture(scope="module")
def mini_edges(tmp_path_factory: pytest.TempPathFactory) -> tuple[Counts, Counts]:
    tables = with_edge_cases(generate("mini", seed=11))
    return _measured(tmp_path_factory.mktemp("edges"), tables)


@pytest.mark.parametrize("measure_id", MEASURES)
def test_engine_agrees_with_plain_pandas_on_edge_cases(mini_edges, measure_id: str) -> None:
    engine, plain = (_only(side, measure_id) for side in mini_edges)
    assert not differences(engine, plain), differences(engine, plain)
