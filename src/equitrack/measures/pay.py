"""The ethnicity pay gap, from the pay table at each organisation's snapshot in the year.

Following the UK government's 2023 ethnicity pay reporting guidance (the gender pay gap rules
with ethnic groups for sexes; the arithmetic is `equitrack.stats.pay_gap`): mean and median
hourly pay gap of each group against White British (national code A) and White (A, B, C),
positive meaning the group is paid less; all minority groups together ("BME") as a group of
its own; each group's share of each hourly pay quarter, ties at a boundary spread evenly;
bonus gaps and the share receiving a bonus where bonus pay is recorded; and the share of
staff whose ethnicity is not known.

The snapshot for reporting year Y is each organisation's latest snapshot_date in the
financial year (1 April Y-1 to 31 March Y; normally 31 March Y). A system figure pools its
organisations' snapshots: someone paid by two organisations counts in each, as each
employer's return would count them. Medians and quarters need every value, so the engine
counts people per distinct value: per year, unit, organisation and snapshot, ethnic code,
hourly pay and bonus pay (`pay_counts`), a few rows per pay point rather than one per person;
`equitrack.stats.pay_gap` takes those counts and gives the figures it gives for the people one
by one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.measures import populations as pop
from equitrack.measures.counting import (
    DIMENSIONS,
    group_key,
    group_type,
    once_for_every_grouping,
    ordered,
)
from equitrack.measures.declare import Attribute, Frame, Kind, Measure, check_options
from equitrack.measures.result import Result, rated
from equitrack.model import codes
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.stats import PayGapReport, pay_gap
from equitrack.stats.reasons import Code, Reason
from equitrack.store import Store

FAMILY = "scrutiny"
WHITE_BRITISH = "White British"
STAFF = ("all", "substantive", "bank", "medical", "non_medical")
#: The `staff` choices that split by staff group, not by contract.
BY_STAFF_GROUP = ("medical", "non_medical")

#: Breakdown labels of the pay-gap results.
HOURLY, BONUS = "Hourly pay", "Bonus pay"
QUARTER_NAMES = {1: "lowest paid", 2: "lower middle", 3: "upper middle", 4: "highest paid"}
BONUS_RECEIVED = "Received bonus pay"
NOT_KNOWN = "Ethnicity not known"


def quarter_label(quarter: int) -> str:
    return f"Pay quarter {quarter} ({QUARTER_NAMES[quarter]})"


def pay_rows(frame: Frame) -> ir.Table:
    """One row per pay record at each organisation's latest snapshot in each year."""
    p = frame.store.table("pay").join(pop.units(frame.store, frame.scope), "org_code")
    p = p.mutate(period=frame.period_of(p.snapshot_date))
    p = p.filter(p.period.isin(list(frame.periods)))
    latest = p.snapshot_date.max().over(ibis.window(group_by=[p.org_code, p.period]))
    p = p.mutate(_latest=latest)
    p = p.filter(p.snapshot_date == p._latest)
    staff = frame.options.get("staff", "all")
    if staff in BY_STAFF_GROUP:
        # doctors and dentists, or everyone else: the two add up to all staff, so a gap that
        # doctors' pay makes or hides overall shows in neither alone
        medical = lambda a: a.staff_group == codes.MEDICAL_STAFF_GROUP  # noqa: E731
        p = _holding(frame, p, medical, held=staff == "medical")
    elif staff != "all":
        p = _holding(frame, p, lambda a: a.contract != pop.BANK, held=staff == "substantive")
    p = p.select(
        "period", "unit", "org_code", "person_id", "snapshot_date", "hourly_pay", "bonus_pay"
    )
    return pop.with_person(frame.store, p)


def _holding(
    frame: Frame, p: ir.Table, which: Callable[[ir.Table], ir.BooleanValue], *, held: bool
) -> ir.Table:
    """Pay records of people who hold (or, `held=False`, do not hold) an assignment `which`
    picks, active at the organisation on the snapshot date."""
    a = frame.store.table("assignments")
    a = a.filter(which(a)).select("person_id", "org_code", "start_date", "end_date")
    on = [
        p.person_id == a.person_id,
        p.org_code == a.org_code,
        a.start_date <= p.snapshot_date,
        a.end_date.isnull() | (a.end_date >= p.snapshot_date),
    ]
    return p.semi_join(a, on) if held else p.anti_join(a, on)


@dataclass(frozen=True)
class UnitPayGap:
    """The pay-gap report for one unit (organisation or system) and reporting year."""

    period: int
    unit: str
    group_type: str
    snapshots: dict[str, str]  # org_code -> ISO snapshot date used
    report: PayGapReport
    #: The group and reference names, each with the national codes it stands for.
    definitions: dict[str, tuple[str, ...]]

    def same_people(self, group: str, reference: str) -> bool:
        return set(self.definitions[group]) == set(self.definitions[reference])

    def record(self) -> dict[str, Any]:
        """Everything, as plain JSON-ready values (quarter counts as floats)."""
        tables = self.report.to_arrow()
        return {
            "org": self.unit,
            "period": self.period,
            "group_type": self.group_type,
            "snapshots": self.snapshots,
            "headcount": self.report.headcount,
            "gaps": [
                row
                for row in tables["pay_gaps"].to_pylist()
                if not self.same_people(row["group"], row["reference"])
            ],
            "quarters": tables["pay_quarters"].to_pylist(),
            "bonus_receipt": tables["bonus_receipt"].to_pylist(),
            "bonus_reason": self.report.bonus_reason,
            "unknown": tables["unknown"].to_pylist()[0],
            "excluded": self.report.excluded,
            "options": self.report.options,
        }


def _definitions(
    by: str, grouping: EthnicGrouping, present: set[str]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Groups (those with anyone present) and references, as national codes."""
    name = {
        "wres": grouping.wres_group,
        "broad": grouping.broad_group,
        "detailed": grouping.detailed_group,
    }[by]
    named: dict[str, list[str]] = {}
    for category in codes.NATIONAL_CATEGORIES:
        named.setdefault(name(category.code), []).append(category.code)
    minority = [c.code for c in codes.NATIONAL_CATEGORIES if c.wres_group == codes.BME]
    named.setdefault(codes.BME, minority)
    groups = {
        g: tuple(named[g]) for g in ordered(named) if any(code in present for code in named[g])
    }
    white = tuple(c.code for c in codes.NATIONAL_CATEGORIES if c.wres_group == codes.WHITE)
    references = {WHITE_BRITISH: ("A",), codes.WHITE: white}
    return groups, references


#: What `pay_counts` counts people by, besides the ethnic code.
COUNTED_BY = ("period", "unit", "org_code", "snapshot_date", "hourly_pay", "bonus_pay")


def pay_counts(members: ir.Table) -> ir.Table:
    """People (`people`) per period, unit, organisation, snapshot date, ethnic code, hourly pay
    and bonus pay, with the code's ethnic key (`_key`): everything the pay gap needs, as counts.

    Keyed after counting, so that the string functions run on the counts rather than on every
    person (as `counting.grouped` does); codes that share a key (C and C3) stay apart, as
    counting them together again would cost the engine more than the few rows it saves.
    """
    counted = members.group_by([*COUNTED_BY, "ethnic_code"]).aggregate(people=members.count())
    return counted.mutate(
        _key=group_key(counted, Attribute.ETHNICITY),
        hourly_pay=counted.hourly_pay.cast("float64"),
        bonus_pay=counted.bonus_pay.cast("float64"),
    ).drop("ethnic_code")


def _snapshots(counted: pa.Table) -> dict[tuple[int, str], dict[str, str]]:
    """Per (period, unit): each organisation's snapshot date used, in organisation order."""
    dates = counted.group_by(["period", "unit", "org_code", "snapshot_date"]).aggregate([])
    snapshots: dict[tuple[int, str], dict[str, str]] = {}
    for d in sorted(dates.to_pylist(), key=lambda d: (d["period"], d["unit"], d["org_code"])):
        where = (int(d["period"]), d["unit"])
        snapshots.setdefault(where, {})[d["org_code"]] = d["snapshot_date"].isoformat()
    return snapshots


def _units(counted: pa.Table) -> list[tuple[int, str, pa.Table]]:
    """The counts of each (period, unit), in period then unit order."""
    counted = counted.sort_by([("period", "ascending"), ("unit", "ascending")])
    n = counted.num_rows
    if n == 0:
        return []
    period = counted["period"].to_numpy()
    unit = counted["unit"].combine_chunks()
    other_unit = pc.not_equal(unit.slice(1), unit.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    edges = (np.flatnonzero((period[1:] != period[:-1]) | other_unit) + 1).tolist()
    return [
        (int(period[a]), unit[a].as_py(), counted.slice(a, b - a))
        for a, b in zip([0, *edges], [*edges, n], strict=True)
    ]


def _labels(keys: pa.ChunkedArray) -> pa.ChunkedArray:
    """Each ethnic key as `stats.pay_gap` labels it: its national code, or Unknown."""
    distinct = pc.unique(keys)
    named = [k if k in codes.CATEGORY_BY_CODE else codes.UNKNOWN for k in distinct.to_pylist()]
    return pc.take(pa.array(named, pa.string()), pc.index_in(keys, value_set=distinct))


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """Missing values as NaN, as `stats.pay_gap` reads them."""
    return column.to_numpy().astype(np.float64)


def unit_reports(frame: Frame, measure: Measure, by: str) -> list[UnitPayGap]:
    """Count the people for the frame's years and compute one report per unit and year."""
    if by not in DIMENSIONS:
        raise ValueError(f"--by must be one of {', '.join(DIMENSIONS)}")
    counted = once_for_every_grouping(
        frame, measure.id, lambda: frame.shared.fetched(pay_counts(measure.population(frame)))
    )
    snapshots = _snapshots(counted)
    gtype = group_type(Attribute.ETHNICITY, by)
    reports = []
    for period, unit, chunk in _units(counted.append_column("_label", _labels(counted["_key"]))):
        labels = chunk["_label"].to_pylist()
        groups, references = _definitions(by, frame.grouping, set(labels))
        report = pay_gap(
            _floats(chunk["hourly_pay"]),
            labels,
            references={k: list(v) for k, v in references.items()},
            groups={k: list(v) for k, v in groups.items()},
            bonus=_floats(chunk["bonus_pay"]),
            counts=chunk["people"].to_numpy(),
        )
        reports.append(
            UnitPayGap(
                period,
                unit,
                gtype,
                snapshots.get((period, unit), {}),
                report,
                {**groups, **references},
            )
        )
    return reports


def _centres(stat: str, mine: float | None, theirs: float | None) -> Reason:
    """A group's mean or median pay against the reference's (amounts, not counts)."""
    pay = {"group_pay": mine, "reference_pay": theirs}
    return Reason(
        Code.PAY_CENTRES, {"stat": stat, **{k: v for k, v in pay.items() if v is not None}}
    )


def results_of(unit: UnitPayGap, measure_id: str, options: Mapping[str, Any]) -> list[Result]:
    """A unit's report in the one Result shape: gaps (difference = gap in %, numerator and
    denominator the group's and the reference's headcounts), quarter shares (rate = the
    group's share of the quarter; fractional people are in `reason`), bonus receipt and the
    share whose ethnicity is not known."""
    report = unit.report
    recorded = {**options, "snapshots": unit.snapshots}
    unknown = report.unknown.unknown
    common = {
        "measure": measure_id,
        "org": unit.unit,
        "period": unit.period,
        "group_type": unit.group_type,
        "options": recorded,
    }
    out: list[Result] = []
    for gap in (*report.gaps, *report.bonus_gaps):
        if unit.same_people(gap.group, gap.reference):
            continue
        label = HOURLY if gap.measure == "hourly" else BONUS
        for stat, value, mine, theirs in (
            ("mean", gap.mean_gap, gap.group_mean, gap.reference_mean),
            ("median", gap.median_gap, gap.group_median, gap.reference_median),
        ):
            row = Result(
                group=gap.group,
                numerator=gap.group_headcount,
                denominator=gap.reference_headcount,
                reference_group=gap.reference,
                difference=value,
                breakdown=f"{label}: {stat}",
                excluded=unknown,
                **common,
            )
            row.say(gap.why or _centres(stat, mine, theirs))
            out.append(row)
    for quarter in report.quarters:
        row = Result(
            group=quarter.group,
            numerator=None,
            denominator=None,
            rate=quarter.share,
            breakdown=quarter_label(quarter.quarter),
            **common,
        )
        people = {"people": float(quarter.people), "quarter_size": float(quarter.quarter_size)}
        row.say(quarter.why or Reason(Code.QUARTER_PEOPLE, people))
        out.append(row)
    for receipt in report.bonus_receipt:
        out.append(
            rated(
                receipt.received,
                receipt.headcount,
                group=receipt.group,
                breakdown=BONUS_RECEIVED,
                **common,
            )
        )
    out.append(
        rated(
            unknown,
            report.unknown.total,
            group=codes.UNKNOWN,
            breakdown=NOT_KNOWN,
            why=Reason(
                Code.NOT_KNOWN,
                {} if report.unknown.share is None else {"share": report.unknown.share},
            ),
            **common,
        )
    )
    return out


def evaluate_pay_gap(
    frame: Frame, measure: Measure, by: str, years: Sequence[int], window: int, options: dict
) -> list[Result]:
    return [
        r
        for unit in unit_reports(frame, measure, by)
        if unit.period in years
        for r in results_of(unit, measure.id, options)
    ]


MEASURE = Measure(
    id="pay_gap",
    family=FAMILY,
    title="Ethnicity pay gap (mean and median hourly pay, quarters, bonus)",
    kind=Kind.PAY_GAP,
    population=pay_rows,
    options={"staff": "all"},
    choices={"staff": STAFF},
    description="From the pay table at each organisation's latest snapshot in the year: the "
    "mean and median hourly pay gap of each group, and of all minority groups together (BME), "
    "against White British (code A) and White (A, B, C), as (reference - group) / reference "
    "in %, positive meaning the group is paid less; each group's share of each hourly pay "
    "quarter (ties at a boundary spread evenly, so a share may rest on fractional people); "
    "mean and median bonus gaps among those receiving a bonus, and the share receiving one, "
    "where bonus pay is recorded; the share whose ethnicity is not known. Option staff: all "
    "(default), substantive (an active non-bank assignment on the snapshot date), bank, "
    "medical (an active Medical and Dental assignment at the organisation on the snapshot "
    "date) or non_medical (everyone else).",
)

MEASURES = (MEASURE,)


def pay_gap_report(
    store: Store,
    year: int,
    scope: pop.Scope | None = None,
    *,
    by: str = "wres",
    grouping: EthnicGrouping = DEFAULT_GROUPING,
    options: Mapping[str, Any] | None = None,
) -> list[UnitPayGap]:
    """The full pay-gap report (gaps, quarters, bonus, unknown) for each unit in `year`; an
    option the pay gap does not take is refused (`OptionError`)."""
    check_options(MEASURES, options)
    resolved = MEASURE.resolve(options)
    frame = Frame(store, scope or pop.Scope(), (year,), resolved, grouping)
    return [u for u in unit_reports(frame, MEASURE, by) if u.period == year]


def report_results(
    reports: Sequence[UnitPayGap],
    scope: pop.Scope | None = None,
    *,
    grouping: EthnicGrouping = DEFAULT_GROUPING,
    options: Mapping[str, Any] | None = None,
) -> list[Result]:
    """Reports from `pay_gap_report` as Results, with the options the engine records."""
    recorded = {
        **MEASURE.resolve(options),
        "scope": (scope or pop.Scope()).as_option(),
        "ethnic_grouping": grouping.as_option(),
    }
    return [r for unit in reports for r in results_of(unit, MEASURE.id, recorded)]


def reports_json(reports: Sequence[UnitPayGap]) -> str:
    return json.dumps([u.record() for u in reports], indent=2, default=str)
