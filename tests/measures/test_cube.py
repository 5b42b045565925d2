"""The count cube: a run's measures rolled up from one count of their shared population give
exactly what each measure counts alone, and the population is read once."""

from __future__ import annotations

import ibis.expr.operations as ops
import pyarrow as pa
import pytest

from equitrack import api
from equitrack.measures import MEASURES, Request, Scope, evaluate, to_arrow
from equitrack.measures import cube as cube_module
from equitrack.measures.calendar import Interval
from equitrack.measures.declare import Shared
from equitrack.store import Store

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEARS = (2025, 2026)
KEYS = ["measure", "org", "period", "breakdown", "group_type", "group"]


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in KEYS])


@pytest.mark.parametrize(
    ("families", "options", "by"),
    [
        (("wres",), None, "wres"),
        (("wres", "wdes", "bank-wres", "scrutiny"), None, "detailed"),
        # options other measures of the run plan their flags and columns without
        (
            ("wres", "wdes"),
            {"staff_group": "Nursing and Midwifery Registered", "appointed": "offered"},
            "broad",
        ),
    ],
)
def test_a_run_counts_what_each_measure_counts_alone(
    llr: Store, families: tuple[str, ...], options: dict | None, by: str
) -> None:
    together = api.run(families, YEARS, store=llr, options=options, by=by)
    ids = sorted({r.measure for r in together})
    alone = []
    for measure_id in ids:
        m = MEASURES[measure_id]
        taken = {k: v for k, v in (options or {}).items() if k in m.options}
        request = Request(YEARS, Scope(), by, taken)
        alone += evaluate(llr, m, request)
    expected, actual = _sorted(to_arrow(alone)), _sorted(to_arrow(together))
    assert actual.num_rows > 0
    assert actual.equals(expected)


def test_the_staff_in_post_are_counted_once_for_wres_1_to_4_and_9(
    llr: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[frozenset[str]] = []
    build = cube_module.build

    def counted_build(*args, **kwargs):
        made = build(*args, **kwargs)
        built.append(made.dims)
        return made

    monkeypatch.setattr(cube_module, "build", counted_build)
    read: list[ops.Node] = []
    fetched = Shared.fetched

    def recorded(self: Shared, expr):
        read.append(expr.op())
        return fetched(self, expr)

    monkeypatch.setattr(Shared, "fetched", recorded)
    measures = [MEASURES[i] for i in ("wres1", "wres3", "wres4", "wres9")]
    with api.sharing(measures, YEARS, Interval.YEAR) as shared:
        api.run("wres", YEARS, store=llr, measures=[m.id for m in measures], shared=shared)
        staff = {t.op() for _, t in shared._tables.values()}
        cubes = {c.table.op() for c in shared._cubes.values()}
    # one cube, by the columns WRES 1 breaks down by and the ethnic code every one counts
    assert built == [frozenset({"period", "unit", "ethnic_code", "clinical", "pay_band"})]
    reading = [q for q in read if staff & set(q.find(ops.Relation))]
    rolled = [q for q in read if cubes & set(q.find(ops.Relation))]
    assert reading == []
    # WRES 1's cells; everyone by ethnic code (WRES 3 and 9 ask the same); with training (WRES 4)
    assert len(rolled) == 4 and len(set(rolled)) == 3
