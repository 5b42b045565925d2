"""The Python API: the same measures as the CLI, returned as a DataFrame or Arrow table.

import equitrack
df = equitrack.wres(2026, db="demo/equitrack.duckdb", by="broad")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from equitrack.measures import Request, Result, Scope, evaluate, family, to_arrow
from equitrack.measures.calendar import Interval, periods
from equitrack.measures.covered import expect
from equitrack.measures.declare import Measure, Shared, check_options, with_earlier_periods
from equitrack.measures.engine import has_interval
from equitrack.measures.registry import MEASURES
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.store import Store, connect

if TYPE_CHECKING:  # pandas only for `as_="pandas"`: the CLI's commands never load it
    import pandas as pd
    import pyarrow as pa

As = Literal["pandas", "arrow", "results"]


def run(
    families: str | Sequence[str],
    years: Sequence[int],
    *,
    store: Store,
    orgs: Sequence[str] = (),
    system: bool = False,
    by: str = "wres",
    options: Mapping[str, Any] | None = None,
    grouping: EthnicGrouping = DEFAULT_GROUPING,
    measures: Sequence[str] | None = None,
    interval: Interval = Interval.YEAR,
    shared: Shared | None = None,
) -> list[Result]:
    """Every measure of the families (or those named) for the years, organisations and grouping.

    Measures run together share their populations, so the whole suite costs little more than
    its largest family; runs given one `shared` (`sharing`) share them too, so asking again by
    another grouping costs only the grouping (the engine counts by ethnic code whatever the
    grouping). With `interval=MONTH` each reporting year comes back as its twelve
    months (`period` 202504 and so on), for SPC charts; measures counted once a year (the staff
    survey, pay) are left out of a monthly run. An option no measure of the run takes, or a
    value its declaration does not allow, raises `OptionError` before anything is counted.
    """
    chosen = measures_of(families, measures, interval)
    check_options(chosen, options, MEASURES.values())
    if not chosen:
        return []
    if shared is None:
        with sharing(chosen, years, interval) as shared:
            return run(
                families, years, store=store, orgs=orgs, system=system, by=by, options=options,
                grouping=grouping, measures=measures, interval=interval, shared=shared,
            )  # fmt: skip
    expect(shared, chosen)  # what the store covers, read once for every measure's tables
    request = Request(
        tuple(years), Scope(tuple(orgs), system), by, options, grouping, shared, interval
    )
    return [r for m in chosen for r in evaluate(store, m, request)]


def sharing(measures: Sequence[Measure], years: Sequence[int], interval: Interval) -> Shared:
    """What runs of `measures` over `years` share (see `run`), released at the end of a
    `with` block."""
    widest = 1 if interval is Interval.MONTH else max((m.window for m in measures), default=1)
    return Shared(with_earlier_periods(periods(years, interval), widest), measures)


def measures_of(
    families: str | Sequence[str],
    measures: Sequence[str] | None = None,
    interval: Interval = Interval.YEAR,
) -> list[Measure]:
    """The measures `run` counts for these families (those named, if any) and interval."""
    names = (families,) if isinstance(families, str) else tuple(families)
    return [
        m
        for n in names
        for m in family(n)
        if (measures is None or m.id in measures) and has_interval(m, interval)
    ]


def _shaped(results: list[Result], as_: As) -> pd.DataFrame | pa.Table | list[Result]:
    if as_ == "results":
        return results
    table = to_arrow(results)
    return table if as_ == "arrow" else table.to_pandas()


def _family(name: str):
    def measure_family(
        year: int,
        *,
        db: str | None = None,
        orgs: Sequence[str] = (),
        system: bool = False,
        by: str = "wres",
        options: Mapping[str, Any] | None = None,
        as_: As = "pandas",
    ) -> pd.DataFrame | pa.Table | list[Result]:
        store = connect(db, create=False)
        try:
            return _shaped(
                run(name, (year,), store=store, orgs=orgs, system=system, by=by, options=options),
                as_,
            )
        finally:
            store.close()

    measure_family.__name__ = name.replace("-", "_")
    measure_family.__doc__ = f"The {name.upper()} measures for reporting year `year` (to 31 March)."
    return measure_family


wres = _family("wres")
wdes = _family("wdes")
bank_wres = _family("bank-wres")
