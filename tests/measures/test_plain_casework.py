"""The engine agrees, count for count, with plain pandas implementations of the leave,
casework, just-culture and pay-gap measures written from the spec alone
(tests/reference/plain_casework.py and plain_pay.py), on generated systems with hand-made
edge cases added, per organisation and per system."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.measures import Request, Scope, evaluate, measure
from equitrack.store import Store, connect
from equitrack.synth import generate, write
from tests.reference import plain_casework, plain_pay

YEARS = tuple(range(2019, 2027))
MEASURES = tuple(plain_casework.MEASURES)
TABLES = ("organisations", "people", "assignments", "disciplinary", "leave", "pay")

Key = tuple[str, str, int, str | None, str]


def engine_counts(store: Store, system: bool) -> dict[Key, tuple[int, int]]:
    counts: dict[Key, tuple[int, int]] = {}
    for measure_id in MEASURES:
        request = Request(years=YEARS, scope=Scope(system=system))
        for r in evaluate(store, measure(measure_id), request):
            key = (r.measure, r.org, int(r.period), r.breakdown, r.group)
            assert key not in counts, f"engine returned {key} twice"
            counts[key] = (int(r.numerator), int(r.denominator))
    return counts


def plain_counts(tables: dict[str, pd.DataFrame], system: bool) -> dict[Key, tuple[int, int]]:
    frame = plain_casework.all_measures(tables, YEARS, system)
    counts: dict[Key, tuple[int, int]] = {}
    for row in frame.itertuples(index=False):
        key = (row.measure, row.org, int(row.period), row.breakdown, row.group)
        assert key not in counts, f"plain returned {key} twice"
        counts[key] = (int(row.numerator), int(row.denominator))
    return counts


def engine_pay(store: Store, system: bool) -> dict[tuple, tuple]:
    out = {}
    for r in evaluate(store, measure("pay_gap"), Request(years=YEARS, scope=Scope(system=system))):
        key = (int(r.period), r.org, r.breakdown, r.group, r.reference_group)
        if r.breakdown.startswith("Pay quarter"):
            out[key] = (r.rate,)
        elif r.reference_group is not None:
            out[key] = (r.numerator, r.denominator, r.difference)
        else:
            out[key] = (r.numerator, r.denominator)
    return out


def differences(engine: dict, plain: dict, limit: int = 15) -> str:
    def same(a, b) -> bool:
        if a is None or b is None or len(a) != len(b):
            return a == b
        return all(
            x == pytest.approx(y, rel=1e-9, abs=1e-9) if isinstance(x, float) else x == y
            for x, y in zip(a, b, strict=True)
        )

    keys = sorted(set(engine) | set(plain), key=lambda k: tuple(str(x) for x in k))
    wrong = [k for k in keys if not same(engine.get(k), plain.get(k))]
    lines = [f"{len(wrong)} of {len(keys)} figures differ:"] if wrong else []
    lines += [f"  {k}: engine {engine.get(k)} vs plain {plain.get(k)}" for k in wrong[:limit]]
    return "\n".join(lines)


def _d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def with_edge_cases(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The generated tables plus rows whose counts each hinge on one rule."""
    people, spells, cases, requests, pay = [], [], [], [], []

    def person(code: str, international: bool | None = None) -> str:
        pid = f"EDGE{len(people):03d}"
        people.append(
            {"person_id": pid, "ethnic_code": code, "international_recruit": international}
        )
        return pid

    def spell(pid: str, start: str, end: str | None = None, contract: str = "permanent") -> None:
        spells.append(
            {"assignment_id": f"{pid}-{len(spells)}", "person_id": pid, "org_code": "RXA",
             "start_date": _d(start), "end_date": _d(end), "pay_band": "Band 5",
             "staff_group": "Nursing and Midwifery Registered", "contract": contract, "fte": 1.0}
        )  # fmt: skip

    def case(pid: str, formal: str | None, **values: object) -> None:
        cases.append(
            {"case_id": f"EDGECASE{len(cases):03d}", "person_id": pid, "org_code": "RXA",
             "case_type": values.pop("case_type", "conduct"), "opened_date": _d("2023-04-01"),
             "formal_date": _d(formal),
             **{k: _d(v) if k == "closed_date" else v for k, v in values.items()}}
        )  # fmt: skip

    for code in ("A", " n ", "H", "", "Z", "cp"):
        # bank-only on the formal date (bank spell ended within six months): Bank
        p = person(code)
        spell(p, "2022-01-01", "2024-03-01", contract="bank")
        case(p, "2024-07-15", suspended=True, closed_date="2025-01-20", outcome="dismissal")
        # six calendar months back from 31 Aug is 29 Feb, so the window opens on 1 March: a
        # spell ending on 1 March is Bank, one ending on 29 February is not
        p = person(code)
        spell(p, "2022-01-01", "2024-03-01", contract="bank")
        case(p, "2024-08-31", suspended=None, just_culture_answers="1A = n, 2a = y")
        p = person(code)
        spell(p, "2022-01-01", "2024-02-29", contract="bank")
        case(p, "2024-08-31", suspended=True)
        # formal on 31 March (window from 1 October) and on 1 April (from 2 October), with bank
        # spells ending the day before, on and after the window's first day
        for formal, first in (("2024-03-31", date(2023, 10, 1)), ("2024-04-01", date(2023, 10, 2))):
            for shift in (-1, 0, 1):
                p = person(code)
                end = date.fromordinal(first.toordinal() + shift).isoformat()
                spell(p, "2022-01-01", end, contract="bank")
                case(p, formal, suspended=shift >= 0)
        # left before 31 March after the case went formal: still an entrant
        p = person(code)
        spell(p, "2020-01-01", "2024-02-01")
        case(p, "2024-01-10", suspended=True)
        # a bank spell ended more than six months before: Substantive
        p = person(code)
        spell(p, "2022-01-01", "2023-12-31", contract="bank")
        case(p, "2024-07-15", pre_formal_assessment=True, closed_date="2024-07-20")
        # bank and substantive at once: Substantive; 182 days is not longer than 182
        p = person(code)
        spell(p, "2022-01-01", contract="bank")
        spell(p, "2023-01-01")
        case(p, "2024-06-01", closed_date="2024-11-30", outcome="final_written_warning")
        case(p, "2024-06-01", closed_date="2024-12-01", outcome=None)  # 183 days, no outcome
        # paths: incomplete, past an outcome, a bad answer, a repeat, blank, capability
        for answers in (
            "1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=N",
            "1a=Y;2a=N",
            "1a=maybe",
            "1a=N;1a=N;2a=Y",
            "   ",
            "1a=N;2a=N;2b=N;2c=N;3a=Y;3b=N",
        ):
            case(p, "2025-01-05", just_culture_answers=answers, suspended=False)
        case(p, "2025-01-05", case_type="capability", suspended=True)
        case(p, None, suspended=True)  # never formal
        # leave: withdrawn and pending left out; year boundaries; international unknown
        intl = person(code, international=True)
        spell(intl, "2020-01-01")
        for i, (decision, day) in enumerate(
            (("declined", "2024-03-31"), ("declined", "2024-04-01"), ("approved", "2025-03-31"),
             ("withdrawn", "2024-06-01"), ("pending", "2024-06-01"), ("declined", "2024-06-01"))
        ):  # fmt: skip
            for who in (intl, p):
                requests.append(
                    {"request_id": f"EDGELV{len(requests):04d}", "person_id": who,
                     "org_code": "RXA", "leave_type": ("annual", "extended")[i % 2],
                     "requested_date": _d(day), "start_date": _d(day), "days": 1.0,
                     "decision": decision}
                )  # fmt: skip
        # pay: an earlier snapshot in a year is ignored; bonus 0 is not a bonus
        pay.append({"person_id": intl, "org_code": "RXA", "snapshot_date": _d("2023-09-30"),
                    "hourly_pay": 99.0, "bonus_pay": 5.0})  # fmt: skip
        pay.append({"person_id": p, "org_code": "QXA", "snapshot_date": _d("2026-03-31"),
                    "hourly_pay": 20.0, "bonus_pay": 0.0})  # fmt: skip

    additions = {
        "people": people,
        "assignments": spells,
        "disciplinary": cases,
        "leave": requests,
        "pay": pay,
    }
    out = {name: tables[name] for name in TABLES}
    for name, rows in additions.items():
        schema = tables[name].schema
        columns = [pa.array([row.get(f.name) for row in rows], type=f.type) for f in schema]
        out[name] = pa.concat_tables([tables[name], pa.Table.from_arrays(columns, schema=schema)])
    return out


@pytest.fixture(scope="module")
def mini_edges(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("casework")
    tables = with_edge_cases(generate("mini", seed=11))
    write(tables, tmp / "data", "parquet")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(tmp / "pseudonymisation.key"))
        mp.delenv(config.KEY_ENV, raising=False)
        store = connect(str(tmp / "test.duckdb"))
        result = import_paths([tmp / "data"], store, rejects_dir=tmp / "rejects")
        assert result.ok and result.rows_rejected == 0, result
    yield store, {k: v.to_pandas() for k, v in tables.items()}
    store.close()


@pytest.fixture(scope="module")
def llr_tables(loaded_system: Callable[..., Store]):
    """The session's generated LLR system and the tables it was loaded from."""
    store = loaded_system("llr")
    data = Path(store.url).parent / "data"
    return store, {name: pq.read_table(data / f"{name}.parquet").to_pandas() for name in TABLES}


@pytest.mark.parametrize("system", [False, True], ids=["orgs", "system"])
def test_casework_agrees_with_plain_pandas_on_edge_cases(mini_edges, system: bool) -> None:
    store, tables = mini_edges
    engine, plain = engine_counts(store, system), plain_counts(tables, system)
    assert {k[0] for k in plain} == set(MEASURES)
    assert not differences(engine, plain), differences(engine, plain)


def test_casework_agrees_with_plain_pandas_on_llr(llr_tables) -> None:
    store, tables = llr_tables
    engine, plain = engine_counts(store, False), plain_counts(tables, False)
    assert len(plain) > 3000
    assert not differences(engine, plain), differences(engine, plain)


@pytest.mark.parametrize("system", [False, True], ids=["orgs", "system"])
def test_pay_gap_agrees_with_plain_pandas(mini_edges, llr_tables, system: bool) -> None:
    for store, tables in (mini_edges, llr_tables) if system else (mini_edges,):
        engine, plain = engine_pay(store, system), plain_pay.pay_gap(tables, YEARS, system)
        assert any(k[2] == "Bonus pay: median" for k in plain)
        assert not differences(engine, plain), differences(engine, plain)
