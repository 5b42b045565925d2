"""The ethnicity pay gap in plain pandas, written from the spec alone (measures.md, "Ethnicity
pay gap", and the pay table in data-contract.md). Shares no code with the engine or with
`equitrack.stats.pay_gap`.

For each reporting year and unit: each organisation's latest pay snapshot in the financial
year; mean and median hourly pay of each WRES group (White: A, B, C; BME: the other national
codes) against White British (A) and White, gap = (reference - group) / reference x 100;
each group's share of each hourly pay quarter, people tied on a pay value spread evenly over
the places their block fills; bonus gaps among those with a bonus above 0 and the share
receiving one (where anyone in the unit has bonus pay recorded); the unknown share.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import pandas as pd

from tests.reference.dates import reporting_year

WHITE_CODES = set("ABC")
BME_CODES = set("DEFGHJKLMNPRS")
GROUPS = {"White": WHITE_CODES, "BME": BME_CODES}
REFERENCES = {"White British": {"A"}, "White": WHITE_CODES}


def _snapshots(tables: dict[str, pd.DataFrame], years: Iterable[int], system: bool):
    pay = tables["pay"].copy()
    pay["snapshot_date"] = pd.to_datetime(pay["snapshot_date"])
    pay["period"] = reporting_year(pay["snapshot_date"])
    pay = pay[pay["period"].isin(list(years))]
    latest = pay.groupby(["org_code", "period"])["snapshot_date"].transform("max")
    pay = pay[pay["snapshot_date"] == latest]
    orgs = tables["organisations"][["org_code", "system_code"]].copy()
    orgs["unit"] = (
        "system:" + orgs["system_code"].fillna("ALL").astype(str) if system else orgs["org_code"]
    )
    pay = pay.merge(orgs[["org_code", "unit"]], on="org_code")
    people = tables["people"][["person_id", "ethnic_code"]]
    pay = pay.merge(people, on="person_id", how="left")
    pay["code"] = pay["ethnic_code"].fillna("").astype(str).str.strip().str.upper().str[:1]
    return pay


def _quarters(pay: np.ndarray, members: dict[str, np.ndarray]) -> dict[str, list[Fraction]]:
    """People of each set in each quarter: places 0..N-1 in pay order, quarter q holds
    [q N/4, (q+1) N/4); a block of m tied people shares its places evenly."""
    n = len(pay)
    out = {name: [Fraction(0)] * 4 for name in members}
    order = np.argsort(pay, kind="stable")
    start = 0
    while start < n:
        end = start
        while end < n and pay[order[end]] == pay[order[start]]:
            end += 1
        block = order[start:end]
        for q in range(4):
            low, high = Fraction(q * n, 4), Fraction((q + 1) * n, 4)
            places = max(Fraction(0), min(Fraction(end), high) - max(Fraction(start), low))
            if places:
                for name, mask in members.items():
                    out[name][q] += places * int(mask[block].sum()) / (end - start)
        start = end
    return out


def _gap(group: np.ndarray, reference: np.ndarray) -> tuple[float | None, float | None]:
    if len(group) == 0 or len(reference) == 0:
        return None, None
    r_mean, r_median = float(np.mean(reference)), float(np.median(reference))
    return (
        (r_mean - float(np.mean(group))) / r_mean * 100 if r_mean else None,
        (r_median - float(np.median(group))) / r_median * 100 if r_median else None,
    )


def pay_gap(
    tables: dict[str, pd.DataFrame], years: Iterable[int], system: bool = False
) -> dict[tuple, tuple]:
    """(period, unit, breakdown, group, reference) -> figures, for the WRES grouping:
    gaps -> (group headcount, reference headcount, gap %); quarters -> (share,);
    bonus receipt and unknown -> (count, headcount)."""
    out: dict[tuple, tuple] = {}
    rows = _snapshots(tables, years, system)
    for (period, unit), chunk in rows.groupby(["period", "unit"]):
        where = (int(period), unit)
        code = chunk["code"].to_numpy()
        pay = chunk["hourly_pay"].to_numpy(dtype=float)
        bonus = chunk["bonus_pay"].to_numpy(dtype=float)
        known = np.isin(code, list(WHITE_CODES | BME_CODES))
        has_pay = ~np.isnan(pay)
        sets = {name: np.isin(code, list(c)) for name, c in GROUPS.items()}
        refs = {name: np.isin(code, list(c)) for name, c in REFERENCES.items()}
        present = {g: m for g, m in sets.items() if m.any()}
        for r, rm in refs.items():
            for g, gm in present.items():
                if g == r:
                    continue
                mean, median = _gap(pay[gm & has_pay], pay[rm & has_pay])
                counts = (int((gm & has_pay).sum()), int((rm & has_pay).sum()))
                out[(*where, "Hourly pay: mean", g, r)] = (*counts, mean)
                out[(*where, "Hourly pay: median", g, r)] = (*counts, median)
        shown = {**present, "Unknown": ~known}
        quarters = _quarters(pay[has_pay], {k: m[has_pay] for k, m in shown.items()})
        size = Fraction(int(has_pay.sum()), 4)
        names = ("lowest paid", "lower middle", "upper middle", "highest paid")
        for g, counts in quarters.items():
            for q, people in enumerate(counts):
                label = f"Pay quarter {q + 1} ({names[q]})"
                out[(*where, label, g, None)] = (float(people / size) if size else None,)
        if not np.all(np.isnan(bonus)):
            got = np.nan_to_num(bonus) > 0
            for g, gm in shown.items():
                out[(*where, "Received bonus pay", g, None)] = (
                    int((gm & got).sum()),
                    int(gm.sum()),
                )
            for r, rm in refs.items():
                for g, gm in present.items():
                    if g == r:
                        continue
                    mean, median = _gap(bonus[gm & got], bonus[rm & got])
                    counts = (int((gm & got).sum()), int((rm & got).sum()))
                    out[(*where, "Bonus pay: mean", g, r)] = (*counts, mean)
                    out[(*where, "Bonus pay: median", g, r)] = (*counts, median)
        out[(*where, "Ethnicity not known", "Unknown", None)] = (int((~known).sum()), len(code))
    return out
