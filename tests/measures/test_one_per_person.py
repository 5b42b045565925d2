"""Staff in post and bank-only workers, as the measures build them, against the plain rule.

The populations rank only the assignments that overlap another of the same person in the
same unit, and pass the rest straight through. These tests hold that shortcut to the rule it
stands for, written from the spec in plain pandas (`tests/reference/plain_staff.py`: rank every
active assignment of every person in every year), on people made to collide: several
assignments each, on dates at the 31 March and six-month boundaries, with ties in fte, band and
start that only the assignment id decides.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import ibis.expr.types as ir
import pandas as pd
import pytest

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.measures import populations as pop
from equitrack.store import Store, connect
from tests.factories import ORGANISATIONS, write_csv
from tests.reference import plain_staff as plain

YEARS = (2021, 2022, 2023, 2024)
DATES = (
    "2019-01-01", "2020-03-31", "2020-04-01", "2020-09-30", "2020-10-01", "2021-03-30",
    "2021-03-31", "2021-04-01", "2021-09-30", "2021-10-01", "2022-03-31", "2022-06-15",
    "2023-03-31", "2023-10-01", "2024-03-31",
)  # fmt: skip
BANDS = ("Band 3", "Band 5", "Band 5", "Band 8a", "Consultant", "Other")
CONTRACTS = ("permanent", "permanent", "fixed_term", "locum", "bank", "bank")
#: Grades that rank alike in the tie-break (neither is an AfC band) but read differently, so
#: that which twin the assignment id chooses shows in the rows compared.
TWIN_BAND = {"Consultant": "Other", "Other": "Consultant"}


def _colliding(seed: int, people: int = 250) -> dict[str, list[dict[str, str]]]:
    """People with one to four assignments each, often at once, in two organisations."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, str]]] = {"people": [], "assignments": []}
    for p in range(people):
        pid = f"{p + 1:08d}"
        rows["people"].append({"person_id": pid, "ethnic_code": rng.choice("AHNZ")})
        for n in range(rng.randint(1, 4)):
            start = rng.choice(DATES)
            later = [d for d in DATES if d >= start]
            rows["assignments"].append(
                {
                    "assignment_id": f"{pid}-{rng.randint(0, 99):02d}-{n}",
                    "person_id": pid,
                    "org_code": rng.choice(("RWE", "RWE", "RT5")),
                    "start_date": start,
                    "end_date": rng.choice(["", "", *later]),
                    "pay_band": rng.choice(BANDS),
                    "staff_group": "Nursing and Midwifery Registered",
                    "contract": rng.choice(CONTRACTS),
                    "fte": rng.choice(["", "0.5", "1.0", "1.0"]),
                }
            )
        if rng.random() < 0.25:  # a twin that only the assignment id tells apart
            first = rows["assignments"][-1]
            band = TWIN_BAND.get(first["pay_band"], first["pay_band"])
            rows["assignments"].append({**first, "assignment_id": f"{pid}-twin", "pay_band": band})
    return rows


@pytest.fixture(scope="module", params=[3, 17])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp(f"colliding{request.param}")
    tables = {"organisations": ORGANISATIONS, **_colliding(request.param)}
    for name, rows in tables.items():
        write_csv(folder / f"{name}.csv", rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(folder / "key"))
        mp.delenv(config.KEY_ENV, raising=False)
        store = connect(str(folder / "db.duckdb"))
        assert import_paths([folder], store).ok
    yield store
    store.close()


@pytest.fixture(scope="module")
def tables(store: Store) -> plain.Tables:
    """The stored tables as pandas, for the plain rule (ids are the stored pseudonyms)."""
    names = ("organisations", "people", "assignments")
    return plain.prepare({n: store.table(n).to_pandas() for n in names})


def rows(found: ir.Table | pd.DataFrame) -> list[tuple]:
    frame = found.select(*pop.MEMBER_COLUMNS).to_pandas() if isinstance(found, ir.Table) else found
    frame = frame[list(pop.MEMBER_COLUMNS)].astype(object)
    return sorted(
        (tuple(None if pd.isna(v) else v for v in r) for r in frame.itertuples(index=False)),
        key=repr,
    )


SCOPES = [pop.Scope(), pop.Scope(system=True)]


@pytest.mark.parametrize("scope", SCOPES, ids=["orgs", "system"])
def test_staff_in_post_are_those_the_plain_rule_chooses(
    store: Store, tables: plain.Tables, scope: pop.Scope
) -> None:
    expected = rows(plain.staff_in_post(tables, YEARS, scope.system))
    assert len(expected) > 300
    assert rows(pop.staff_in_post(store, scope, YEARS)) == expected


@pytest.mark.parametrize("scope", SCOPES, ids=["orgs", "system"])
def test_bank_only_workers_are_those_the_plain_rule_chooses(
    store: Store, tables: plain.Tables, scope: pop.Scope
) -> None:
    expected = rows(plain.bank_only(tables, YEARS, scope.system))
    assert len(expected) > 50
    assert rows(pop.bank_only_workers(store, scope, YEARS)) == expected


@pytest.mark.parametrize("scope", SCOPES, ids=["orgs", "system"])
def test_every_step_of_the_tie_break_decides_some(tables: plain.Tables, scope: pop.Scope) -> None:
    """Not vacuous: people hold several assignments in post at once, and each step of the
    tie-break (down to the assignment id) is the one that decides for some of them."""
    decided = plain.decided_by(tables, YEARS, scope.system)
    assert sum(decided.values()) > 80
    assert min(decided.values()) >= 5, decided
