"""Recommendation 1 measures (promotion, Model Employer, senior representation) in plain pandas,
written from the spec and the data contract alone, to cross-check the engine.

Like `plain_wres`, it shares no code with the engine (not even the code lists). Each function
takes the canonical tables as pandas DataFrames and returns COUNTS: one row per measure, unit,
period, breakdown and group, with the columns in `COLUMNS`. A unit is the organisation, or with
`system=True` the organisation's system ("system:<system_code>"), where each person counts once.

Shared rules, from measures.md:
- Reporting year Y runs 1 April Y-1 to 31 March Y; its snapshot is 31 March Y.
- Staff in post at a date: people with a non-bank assignment active on it (start <= date and end
  blank or >= date), once per unit, the assignment with the largest fte (blank = 0), then the
  highest band, then the earliest start, then the smallest assignment id.
- Bank-only at 31 March Y: no non-bank assignment in the unit active that day, and a bank
  assignment there with start <= 31 March Y and end blank or >= 1 October Y-1 (the six months
  up to the snapshot).
- Ethnic groups from the first character of the person's ethnic_code: WRES White (A, B, C),
  BME (D-S national codes), Unknown; broad White, Mixed (D-G), Asian (H, J, K, L), Black (M, N,
  P), Other (R, S), Unknown.
- AfC bands rank Band 1 = 1 ... Band 9 = 12, VSM = 13; anything else ranks 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from tests.reference.dates import bank_window_opens, with_dates

Tables = dict[str, pd.DataFrame]
COLUMNS = ["measure", "unit", "period", "breakdown", "group", "numerator", "denominator"]

AFC = (
    "Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7",
    "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM",
)  # fmt: skip
RANK = {band: i for i, band in enumerate(AFC, start=1)}
RANK_8A = RANK["Band 8a"]
SENIOR_CELLS = {
    "Band 8a": "Band 8a-8b",
    "Band 8b": "Band 8a-8b",
    "Band 8c": "Band 8c-9",
    "Band 8d": "Band 8c-9",
    "Band 9": "Band 8c-9",
    "VSM": "VSM",
}
BROAD = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    **dict.fromkeys("MNP", "Black"),
    **dict.fromkeys("RS", "Other"),
}
DATES = {
    "assignments": ["start_date", "end_date"],
    "incidents": ["incident_date"],
}


def prepare(tables: Tables) -> Tables:
    return with_dates(tables, DATES)


def group_of(ethnic_code: pd.Series, by: str) -> pd.Series:
    first = ethnic_code.fillna("").astype(str).str.strip().str.upper().str[:1]
    broad = first.map(BROAD).fillna("Unknown")
    if by == "broad":
        return broad
    return broad.where(broad.isin(["White", "Unknown"]), "BME")


def units(tables: Tables, system: bool) -> pd.DataFrame:
    o = tables["organisations"]
    unit = "system:" + o["system_code"].fillna("ALL") if system else o["org_code"]
    return pd.DataFrame({"org_code": o["org_code"], "unit": unit})


def in_units(tables: Tables, frame: pd.DataFrame, system: bool) -> pd.DataFrame:
    return frame.merge(units(tables, system), on="org_code", how="inner")


def active(a: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return (a["start_date"] <= day) & (a["end_date"].isna() | (a["end_date"] >= day))


def is_bank(a: pd.DataFrame) -> pd.Series:
    return a["contract"].fillna("").str.strip().str.lower().eq("bank")


def with_group(tables: Tables, frame: pd.DataFrame, by: str) -> pd.DataFrame:
    p = tables["people"][["person_id", "ethnic_code"]]
    out = frame.merge(p, on="person_id", how="left")
    out["group"] = group_of(out["ethnic_code"], by)
    return out


def staff_in_post(tables: Tables, year: int, system: bool, by: str) -> pd.DataFrame:
    """One row per unit and person in post at 31 March `year`, with the chosen assignment."""
    a = in_units(tables, tables["assignments"], system)
    day = pd.Timestamp(year, 3, 31)
    a = a[active(a, day) & ~is_bank(a)].copy()
    a["_fte"] = a["fte"].fillna(0.0)
    a["_rank"] = a["pay_band"].map(RANK).fillna(0).astype(int)
    a = a.sort_values(
        ["unit", "person_id", "_fte", "_rank", "start_date", "assignment_id"],
        ascending=[True, True, False, False, True, True],
    )
    chosen = a.drop_duplicates(["unit", "person_id"], keep="first")
    return with_group(tables, chosen, by)


def bank_only(tables: Tables, year: int, system: bool, by: str) -> pd.DataFrame:
    """One row per unit and person who is bank-only at 31 March `year`."""
    a = in_units(tables, tables["assignments"], system)
    day = pd.Timestamp(year, 3, 31)
    since = bank_window_opens(day)
    recent = a[
        is_bank(a) & (a["start_date"] <= day) & (a["end_date"].isna() | (a["end_date"] >= since))
    ]
    people = recent[["unit", "person_id"]].drop_duplicates()
    staff = staff_in_post(tables, year, system, by)[["unit", "person_id"]]
    staff = staff.assign(_staff=True)
    people = people.merge(staff, on=["unit", "person_id"], how="left")
    people = people[people["_staff"].isna()].drop(columns="_staff")
    return with_group(tables, people, by)


def rows(
    measure: str, period: int, counts: pd.DataFrame, breakdown: str | None = None
) -> pd.DataFrame:
    """counts: unit, group, numerator, denominator[, breakdown]."""
    out = counts.copy()
    if "breakdown" not in out:
        out["breakdown"] = breakdown
    out["measure"] = measure
    out["period"] = period
    out["numerator"] = out["numerator"].astype("int64")
    out["denominator"] = out["denominator"].astype("int64")
    return out[COLUMNS]


def rate_rows(
    measure: str, period: int, members: pd.DataFrame, flag: str, cell: str | None = None
) -> pd.DataFrame:
    """Per unit, breakdown cell (column `cell`, or none) and group: flagged members / members."""
    keys = ["unit", "group"] + ([cell] if cell else [])
    counts = (
        members.assign(_flag=members[flag].astype(bool))
        .groupby(keys)["_flag"]
        .agg(numerator="sum", denominator="size")
        .reset_index()
    )
    if cell:
        counts = counts.rename(columns={cell: "breakdown"})
    return rows(measure, period, counts)


# --- promotion ----------------------------------------------------------------------------


def stayers(tables: Tables, year: int, system: bool = False, by: str = "wres") -> pd.DataFrame:
    """Staff in post at 31 March Y-1 on an AfC band and in post in the same unit at 31 March Y;
    numerator: those whose band rank at Y is higher than at Y-1. Groups from the person."""
    before = staff_in_post(tables, year - 1, system, by)
    before = before.assign(rank_before=before["pay_band"].map(RANK).fillna(0).astype(int))
    before = before[before["rank_before"] > 0]
    after = staff_in_post(tables, year, system, by)
    after = after.assign(rank_after=after["pay_band"].map(RANK).fillna(0).astype(int))
    stay = before.merge(after[["unit", "person_id", "rank_after"]], on=["unit", "person_id"])
    stay["promoted"] = stay["rank_after"] > stay["rank_before"]
    return stay


def promotion(tables: Tables, year: int, system: bool = False, by: str = "wres") -> pd.DataFrame:
    return rate_rows("promotion", year, stayers(tables, year, system, by), "promoted")


def promotion_by_band(
    tables: Tables, year: int, system: bool = False, by: str = "wres"
) -> pd.DataFrame:
    """Promotion counted within each band held at 31 March Y-1."""
    stay = stayers(tables, year, system, by)
    return rate_rows("promotion_by_band", year, stay, "promoted", cell="pay_band")


# --- Model Employer -----------------------------------------------------------------------


def needed_for_parity(n: int, total: int, w_n: int, w_total: int, mode: str = "replace") -> int:
    """More of the group at 8a+ for its share there to equal its workforce share w_n/w_total."""
    if w_total == 0:
        return 0
    share = w_n / w_total
    if mode == "replace":
        short = share * total - n
    else:
        short = (share * total - n) / (1 - share) if share < 1 else 0
    # the float product can land a hair above a whole number; the exact value decides
    return max(0, math.ceil(round(short, 9)))


def model_employer(
    tables: Tables, year: int, system: bool = False, by: str = "wres", mode: str = "replace"
) -> pd.DataFrame:
    """Staff in post at 8a+ per group over all at 8a+ (breakdown 'Band 8a and above'), and at
    each senior band over that band's (breakdown 'Band 8a' and so on), for every known group in
    the unit's 8a+ staff or workforce; and each group's headcount needed for parity in each
    (breakdown 'Needed for parity (Band 8a and above)', 'Needed for parity (Band 8a)', ...)."""
    staff = staff_in_post(tables, year, system, by)
    senior = staff[staff["pay_band"].map(RANK).fillna(0) >= RANK_8A]
    out = []
    cells = pd.concat(
        [senior.assign(cell="Band 8a and above"), senior.assign(cell=senior["pay_band"])]
    )
    for (unit, cell), seniors in cells.groupby(["unit", "cell"]):
        everyone = staff[staff["unit"] == unit]
        total, w_total = len(seniors), len(everyone)
        groups = sorted((set(seniors["group"]) | set(everyone["group"])) - {"Unknown"})
        for g in groups:
            n, w_n = int((seniors["group"] == g).sum()), int((everyone["group"] == g).sum())
            out.append(
                {"unit": unit, "group": g, "numerator": n, "denominator": total,
                 "breakdown": cell}
            )  # fmt: skip
            out.append(
                {"unit": unit, "group": g, "numerator": needed_for_parity(n, total, w_n, w_total, mode),
                 "denominator": total, "breakdown": f"Needed for parity ({cell})"}
            )  # fmt: skip
    return rows("model_employer", year, pd.DataFrame(out, columns=["unit", "group", "numerator", "denominator", "breakdown"]))  # fmt: skip


def senior_representation(
    tables: Tables, year: int, system: bool = False, by: str = "wres"
) -> pd.DataFrame:
    """Staff in post at 8a+: each group's headcount in each senior cell and in All, over the
    cell's headcount. Only groups present in a cell."""
    staff = staff_in_post(tables, year, system, by)
    senior = staff[staff["pay_band"].map(RANK).fillna(0) >= RANK_8A].copy()
    senior["cell"] = senior["pay_band"].map(SENIOR_CELLS)
    both = pd.concat([senior, senior.assign(cell="All")])
    n = both.groupby(["unit", "cell", "group"]).size().rename("numerator").reset_index()
    d = both.groupby(["unit", "cell"]).size().rename("denominator").reset_index()
    counts = n.merge(d, on=["unit", "cell"]).rename(columns={"cell": "breakdown"})
    return rows("senior_representation", year, counts)


MEASURES = {
    "promotion": promotion,
    "promotion_by_band": promotion_by_band,
    "model_employer": model_employer,
    "senior_representation": senior_representation,
}


def run_all(
    measures: dict, tables: Tables, years: Iterable[int], system: bool = False, by: str = "wres"
) -> pd.DataFrame:
    """Every plain measure of a module for the years, as one frame of rows."""
    tables = prepare(tables)
    frames = [fn(tables, y, system, by) for y in years for fn in measures.values()]
    return pd.concat(frames, ignore_index=True)


def all_measures(
    tables: Tables, years: Iterable[int], system: bool = False, by: str = "wres"
) -> pd.DataFrame:
    return run_all(MEASURES, tables, years, system, by)
