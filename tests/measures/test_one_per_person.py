"""Staff in post and bank-only workers, as the measures build them, against the plain rule.

The populations rank only the assignments that overlap another of the same person in the
same unit, and pass the rest straight through. These tests hold that shortcut to the rule it
stands for (rank every active assignment of every person in every year) on people made to
collide: several assignments each, on dates at the 31 March and six-month boundaries, with
ties in fte, band and start that only the assignment id decides.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import ibis.expr.types as ir
import pytest

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.measures import populations as pop
from equitrack.store import Store, connect
from tests.factories import ORGANISATIONS, write_csv

YEARS = (2021, 2022, 2023, 2024)
DATES = (
    "2019-01-01", "2020-03-31", "2020-04-01", "2020-09-30", "2020-10-01", "2021-03-30",
    "2021-03-31", "2021-04-01", "2021-09-30", "2021-10-01", "2022-03-31", "2022-06-15",
    "2023-03-31", "2023-10-01", "2024-03-31",
)  # fmt: skip
BANDS = ("Band 3", "Band 5", "Band 5", "Band 8a", "Consultant", "Other")
CONTRACTS = ("permanent", "permanent", "fixed_term", "locum", "bank", "bank")


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


def _every_year(store: Store, scope: pop.Scope, bank: bool) -> ir.Table:
    """Every candidate assignment in every year it counts in, before any tie-break."""
    a = pop._in_scope(store, scope, store.table("assignments"))
    a = a.filter(a.contract == pop.BANK) if bank else a.filter(a.contract != pop.BANK)
    y = pop.years_table(YEARS)
    reaches = a.end_date >= (pop.bank_window_opens(y.snapshot) if bank else y.snapshot)
    return a.join(y, (a.start_date <= y.snapshot) & (a.end_date.isnull() | reaches))


def plain_workforce(store: Store, scope: pop.Scope) -> ir.Table:
    """The rule as written: rank every active assignment, keep the first."""
    chosen = pop._one_per(_every_year(store, scope, bank=False), ["period", "unit", "person_id"])
    return pop.with_person(store, chosen.select(*pop.ASSIGNED))


def plain_bank_only(store: Store, scope: pop.Scope) -> ir.Table:
    recent = _every_year(store, scope, bank=True)
    only = recent.anti_join(plain_workforce(store, scope), ["period", "unit", "person_id"])
    chosen = pop._one_per(only, ["period", "unit", "person_id"])
    return pop.with_person(store, chosen.select(*pop.ASSIGNED))


def rows(table: ir.Table) -> list[tuple]:
    t = table.select(*pop.MEMBER_COLUMNS).to_pyarrow().to_pylist()
    return sorted(tuple(r.values()) for r in t)


SCOPES = [pop.Scope(), pop.Scope(system=True)]


@pytest.mark.parametrize("scope", SCOPES, ids=["orgs", "system"])
def test_staff_in_post_are_those_the_plain_rule_chooses(store: Store, scope: pop.Scope) -> None:
    expected = rows(plain_workforce(store, scope))
    assert len(expected) > 300
    assert rows(pop.workforce(store, scope, YEARS)) == expected


@pytest.mark.parametrize("scope", SCOPES, ids=["orgs", "system"])
def test_bank_only_workers_are_those_the_plain_rule_chooses(store: Store, scope: pop.Scope) -> None:
    expected = rows(plain_bank_only(store, scope))
    assert len(expected) > 50
    assert rows(pop.bank_only(store, scope, YEARS)) == expected


def test_the_data_collide(store: Store) -> None:
    """Not vacuous: many people hold overlapping assignments, so the tie-break is exercised."""
    candidates = pop._candidates(store, pop.Scope(), bank=False)
    contested = pop._contested(candidates, pop._end).count().to_pyarrow().as_py()
    assert contested > 100
