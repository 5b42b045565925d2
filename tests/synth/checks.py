"""Checks of generated tables against the model, and the plain-pandas measures the tests use.

Deliberately independent of the generator's internals: only the model and pandas.
"""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model import codes
from equitrack.model.tables import TABLES, Kind

ARROW = {
    Kind.STR: pa.string(),
    Kind.ENUM: pa.string(),
    Kind.INT: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.DATE: pa.date32(),
    Kind.BOOL: pa.bool_(),
}


def model_problems(tables: dict[str, pa.Table]) -> list[str]:
    """Every way the tables break the model: columns, types, allowed values, nulls, keys, refs."""
    problems: list[str] = []
    for spec in TABLES:
        tbl = tables[spec.name]
        if tuple(tbl.column_names) != spec.column_names:
            problems.append(f"{spec.name}: columns {tbl.column_names}")
            continue
        for col in spec.columns:
            arr = tbl.column(col.name)
            if arr.type != ARROW[col.kind]:
                problems.append(f"{spec.name}.{col.name}: type {arr.type}")
            if col.required and not col.blank_allowed and arr.null_count:
                problems.append(f"{spec.name}.{col.name}: {arr.null_count} nulls")
            if col.required and col.kind in (Kind.STR, Kind.ENUM) and not col.blank_allowed:
                blanks = pc.sum(pc.equal(arr, "")).as_py() or 0
                if blanks:
                    problems.append(f"{spec.name}.{col.name}: {blanks} blanks")
            if col.allowed:
                bad = set(pc.unique(arr.drop_null()).to_pylist()) - set(col.allowed)
                if bad:
                    problems.append(f"{spec.name}.{col.name}: not allowed {sorted(bad)[:5]}")
            if col.references:
                ref_table, ref_col = col.references.split(".")
                known = tables[ref_table].column(ref_col)
                missing = pc.sum(
                    pc.invert(pc.is_in(arr.drop_null(), value_set=known.combine_chunks()))
                ).as_py()
                if missing:
                    problems.append(f"{spec.name}.{col.name}: {missing} unresolved references")
        if spec.key:
            keys = tbl.select(list(spec.key)).to_pandas()
            dupes = int(keys.duplicated().sum())
            if dupes:
                problems.append(f"{spec.name}: {dupes} duplicate keys {spec.key}")
    return problems


def ordering_problems(tables: dict[str, pa.Table]) -> list[str]:
    """Date orderings and counts the contract implies."""
    problems = []

    def df(name: str, cols: list[str]) -> pd.DataFrame:
        return tables[name].select(cols).to_pandas()

    a = df("assignments", ["start_date", "end_date"])
    if (a.end_date.notna() & (a.end_date < a.start_date)).any():
        problems.append("assignments end before start")
    d = df("disciplinary", ["opened_date", "formal_date", "closed_date"])
    if (d.closed_date.notna() & (d.closed_date < d.opened_date)).any():
        problems.append("cases closed before opened")
    if (d.formal_date.notna() & (d.formal_date < d.opened_date)).any():
        problems.append("cases formal before opened")
    dv = df("development", ["start_date", "end_date"])
    if (dv.end_date.notna() & (dv.end_date < dv.start_date)).any():
        problems.append("development ends before start")
    s = df("survey", ["responses", "positive"])
    if ((s.positive > s.responses) | (s.positive < 0)).any():
        problems.append("survey positive outside 0..responses")
    v = df("vacancies", ["panel_size", "panel_minority_members"])
    if (v.panel_minority_members > v.panel_size).any():
        problems.append("panel minority members above panel size")
    ap = df("applications", ["shortlisted", "appointed"])
    if (ap.appointed & ~ap.shortlisted).any():
        problems.append("appointed without shortlisting")
    return problems


def wres_group(code: pd.Series) -> pd.Series:
    return code.fillna("").map(codes.DEFAULT_GROUPING.wres_group)


def broad_group(code: pd.Series) -> pd.Series:
    return code.fillna("").map(codes.DEFAULT_GROUPING.broad_group)


def relative_likelihood(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """(a/n1) / (c/n2) with its Katz log 95% interval."""
    rl = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rl, rl * math.exp(-1.959964 * se), rl * math.exp(1.959964 * se)


def odds_ratio(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """Odds of a/n1 over odds of c/n2, with its Woolf log 95% interval."""
    b, d = n1 - a, n2 - c
    ratio = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return ratio, ratio * math.exp(-1.959964 * se), ratio * math.exp(1.959964 * se)


def workforce_at(tables: dict[str, pa.Table], when: str) -> pd.DataFrame:
    """Staff in post on a date: active non-bank assignments, once per person per organisation."""
    a = (
        tables["assignments"]
        .select(["person_id", "org_code", "start_date", "end_date", "contract", "pay_band"])
        .to_pandas()
    )
    day = pd.Timestamp(when).date()
    active = a[
        (a.start_date <= day) & (a.end_date.isna() | (a.end_date >= day)) & (a.contract != "bank")
    ]
    people = (
        tables["people"].select(["person_id", "ethnic_code", "international_recruit"]).to_pandas()
    )
    out = active.drop_duplicates(["person_id", "org_code"]).merge(people, on="person_id")
    out["wres"] = wres_group(out.ethnic_code)
    out["broad"] = broad_group(out.ethnic_code)
    return out


def senior(band: pd.Series) -> pd.Series:
    return band.map(codes.is_senior)


def mantel_haenszel_rr(
    df: pd.DataFrame, stratum: str, exposed: str, event: str
) -> tuple[float, float, float]:
    """Risk ratio exposed vs unexposed pooled over strata, with the Greenland-Robins interval."""
    num = den = var_num = 0.0
    for _, s in df.groupby(stratum):
        n1 = int(s[exposed].sum())
        n0 = len(s) - n1
        a = int(s.loc[s[exposed], event].sum())
        c = int(s.loc[~s[exposed], event].sum())
        total = n1 + n0
        if n1 == 0 or n0 == 0:
            continue
        num += a * n0 / total
        den += c * n1 / total
        var_num += (n1 * n0 * (a + c) - a * c * total) / total**2
    rr = num / den
    se = math.sqrt(var_num / (num * den))
    return rr, rr * math.exp(-1.959964 * se), rr * math.exp(1.959964 * se)
