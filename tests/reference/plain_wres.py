"""WRES indicators 1, 2, 3, 4 and 9 in plain pandas, written from the spec alone.

This is a cross-check of the measure engine, so it deliberately shares no code with it (not
even the code lists): every rule is spelled out here from `measures.md` and `data-contract.md`.

Each indicator function takes the canonical tables as a dict of pandas DataFrames (as produced
by `equitrack.synth.generate(...)` and `.to_pandas()`) and a reporting year ``Y``, and returns a
DataFrame of COUNTS, one row per organisation × breakdown × WRES group, with the columns in
`COLUMNS`. Dates may arrive as ``datetime.date`` objects; they are converted on the way in.

Reporting year Y = 1 April Y-1 to 31 March Y; its snapshot date is 31 March Y.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tests.reference.dates import bank_window_opens, with_dates

Tables = dict[str, pd.DataFrame]

COLUMNS = ["measure", "org", "period", "breakdown", "group", "numerator", "denominator"]

WHITE, BME, UNKNOWN = "White", "BME", "Unknown"
WHITE_CODES = ("A", "B", "C")
BME_CODES = ("D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S")

AFC_BANDS = (
    "Band 1",
    "Band 2",
    "Band 3",
    "Band 4",
    "Band 5",
    "Band 6",
    "Band 7",
    "Band 8a",
    "Band 8b",
    "Band 8c",
    "Band 8d",
    "Band 9",
    "VSM",
)
BAND_RANK = {band: rank for rank, band in enumerate(AFC_BANDS, start=1)}  # others rank 0

MEDICAL_SUBGROUP = {
    "Consultant": "Consultant",
    "Specialty Doctor": "Non-consultant career grade",
    "Specialist": "Non-consultant career grade",
    "Associate Specialist": "Non-consultant career grade",
    "Specialty Registrar": "Trainee grades",
    "Core Training": "Trainee grades",
    "Foundation Year 1": "Trainee grades",
    "Foundation Year 2": "Trainee grades",
    "Other": "Other",
}

NON_CLINICAL_STAFF_GROUPS = ("administrative and clerical", "estates and ancillary")

DATE_COLUMNS = {
    "assignments": ["start_date", "end_date"],
    "applications": ["applied_date"],
    "disciplinary": ["opened_date", "formal_date", "closed_date"],
    "training": ["start_date"],
}


# --- basics -------------------------------------------------------------------------------


def prepare(tables: Tables) -> Tables:
    return with_dates(tables, DATE_COLUMNS)


def financial_year(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of reporting year Y: 1 April Y-1 and 31 March Y."""
    return pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)


def snapshot(year: int) -> pd.Timestamp:
    return pd.Timestamp(year, 3, 31)


def wres_group(ethnic_code: pd.Series) -> pd.Series:
    """White (A, B, C), BME (D–S national codes) or Unknown, from the first character."""
    first = ethnic_code.fillna("").astype(str).str.strip().str.upper().str[:1]
    group = np.select(
        [first.isin(WHITE_CODES), first.isin(BME_CODES)], [WHITE, BME], default=UNKNOWN
    )
    return pd.Series(group, index=ethnic_code.index, dtype=object)


def is_true(values: pd.Series) -> pd.Series:
    """True only where the value is True (null and False are both not true)."""
    return values.eq(True).fillna(False).astype(bool)


def is_false(values: pd.Series) -> pd.Series:
    """True only where the value is False (null is neither)."""
    return values.eq(False).fillna(False).astype(bool)


def is_bank(contract: pd.Series) -> pd.Series:
    return contract.fillna("").astype(str).str.strip().str.lower().eq("bank")


def active_on(assignments: pd.DataFrame, date: pd.Timestamp) -> pd.Series:
    """start_date <= date and (end_date blank or end_date >= date)."""
    started = assignments["start_date"] <= date
    not_ended = assignments["end_date"].isna() | (assignments["end_date"] >= date)
    return started & not_ended


def clinical(assignments: pd.DataFrame) -> pd.Series:
    """The assignment's `clinical` value, or derived from staff_group when it is blank."""
    staff_group = assignments["staff_group"].fillna("").astype(str).str.strip().str.lower()
    derived = ~staff_group.isin(NON_CLINICAL_STAFF_GROUPS)
    given = assignments["clinical"]
    return given.where(given.notna(), derived).astype(bool)


def people_groups(tables: Tables) -> pd.DataFrame:
    """person_id → WRES group, from the people table."""
    people = tables["people"]
    return pd.DataFrame(
        {"person_id": people["person_id"], "group": wres_group(people["ethnic_code"])}
    )


def known_orgs(tables: Tables, frame: pd.DataFrame) -> pd.DataFrame:
    """Only rows for organisations in the organisations table."""
    return frame[frame["org_code"].isin(tables["organisations"]["org_code"])]


def workforce(tables: Tables, date: pd.Timestamp) -> pd.DataFrame:
    """The workforce at a date: one row per (org_code, person_id), with the chosen assignment.

    People with a non-bank assignment active on the date. With several, the one with the
    largest fte (blank = 0), then highest band, then earliest start, then smallest id.
    Adds `group` (from people) and `clinical`.
    """
    a = tables["assignments"]
    a = known_orgs(tables, a[active_on(a, date) & ~is_bank(a["contract"])]).copy()
    a["_fte"] = a["fte"].fillna(0.0)
    a["_rank"] = a["pay_band"].map(BAND_RANK).fillna(0).astype(int)
    a = a.sort_values(
        ["org_code", "person_id", "_fte", "_rank", "start_date", "assignment_id"],
        ascending=[True, True, False, False, True, True],
    )
    chosen = a.drop_duplicates(["org_code", "person_id"], keep="first").copy()
    chosen["clinical"] = clinical(chosen)
    return chosen.merge(people_groups(tables), on="person_id", how="left").fillna(
        {"group": UNKNOWN}
    )


def _rows(counts: pd.DataFrame, measure: str, year: int) -> pd.DataFrame:
    """Shape counts (org_code, group, numerator, denominator, optional breakdown) as output."""
    n = len(counts)
    breakdown = counts["breakdown"].tolist() if "breakdown" in counts else [None] * n
    out = pd.DataFrame(
        {
            "measure": pd.Series([measure] * n, dtype=object),
            "org": pd.Series(counts["org_code"].tolist(), dtype=object),
            "period": pd.Series([year] * n, dtype="int64"),
            "breakdown": pd.Series(breakdown, dtype=object),
            "group": pd.Series(counts["group"].tolist(), dtype=object),
            "numerator": counts["numerator"].to_numpy(dtype="int64"),
            "denominator": counts["denominator"].to_numpy(dtype="int64"),
        },
        columns=COLUMNS,
    )
    return out.sort_values(["org", "breakdown", "group"]).reset_index(drop=True)


def _rate_rows(members: pd.DataFrame, flag: str, measure: str, year: int) -> pd.DataFrame:
    """Per org × group: numerator = members with `flag` true, denominator = members."""
    counts = (
        members.groupby(["org_code", "group"])[flag]
        .agg(numerator="sum", denominator="size")
        .reset_index()
    )
    return _rows(counts, measure, year)


# --- WRES 1 -------------------------------------------------------------------------------


def wres1_cell(pay_band: pd.Series) -> pd.Series:
    """AfC bands as themselves; medical grades (and Other) as their WRES subgroup."""
    return pay_band.map(MEDICAL_SUBGROUP).fillna(pay_band)


def wres1(tables: Tables, year: int) -> pd.DataFrame:
    """Representation: headcount by clinical × band cell and group, at 31 March Y.

    Breakdowns "Clinical | <cell>", "Non-clinical | <cell>", "Clinical | All",
    "Non-clinical | All" and "All". Denominator = the cell's headcount, Unknown included.
    Group rows whose numerator is 0 are omitted.
    """
    tables = prepare(tables)
    staff = workforce(tables, snapshot(year))
    side = np.where(staff["clinical"], "Clinical", "Non-clinical")
    cells = pd.concat(
        [
            staff.assign(breakdown=side + " | " + wres1_cell(staff["pay_band"])),
            staff.assign(breakdown=side + " | All"),
            staff.assign(breakdown="All"),
        ]
    )
    numerators = cells.groupby(["org_code", "breakdown", "group"]).size().rename("numerator")
    denominators = cells.groupby(["org_code", "breakdown"]).size().rename("denominator")
    counts = numerators.reset_index().merge(
        denominators.reset_index(), on=["org_code", "breakdown"]
    )
    return _rows(counts[counts["numerator"] > 0], "wres1", year)


# --- WRES 2 -------------------------------------------------------------------------------


def wres2(tables: Tables, year: int) -> pd.DataFrame:
    """Appointment from shortlisting: appointed / shortlisted, by ethnicity on the application,
    among applications to the organisation's vacancies with applied_date in FY Y."""
    tables = prepare(tables)
    first, last = financial_year(year)
    apps = tables["applications"]
    apps = apps[apps["applied_date"].between(first, last) & is_true(apps["shortlisted"])]
    shortlisted = known_orgs(
        tables,
        apps.merge(tables["vacancies"][["vacancy_id", "org_code"]], on="vacancy_id", how="inner"),
    ).copy()
    shortlisted["group"] = wres_group(shortlisted["ethnic_code"])
    shortlisted["appointed"] = is_true(shortlisted["appointed"])
    return _rate_rows(shortlisted, "appointed", "wres2", year)


# --- WRES 3 -------------------------------------------------------------------------------


def conduct_entrants(tables: Tables, year: int) -> pd.DataFrame:
    """Distinct (org_code, person_id) with a conduct case whose formal_date is in FY Y,
    leaving out cases where the person was bank-only at the organisation on the formal date.

    Bank-only on date d: no non-bank assignment at the org active on d, and a bank assignment
    at the org with start_date <= d and (end_date blank or end_date >= the day after d minus 6
    months).
    """
    first, last = financial_year(year)
    cases = known_orgs(tables, tables["disciplinary"])
    cases = cases[cases["case_type"].eq("conduct") & cases["formal_date"].between(first, last)][
        ["case_id", "org_code", "person_id", "formal_date"]
    ]

    spells = tables["assignments"][["org_code", "person_id", "contract", "start_date", "end_date"]]
    joined = cases.merge(spells, on=["org_code", "person_id"], how="left")
    formal = joined["formal_date"]
    bank = is_bank(joined["contract"])
    started = joined["start_date"] <= formal
    open_on_formal = joined["end_date"].isna() | (joined["end_date"] >= formal)
    open_in_six_months = joined["end_date"].isna() | (
        joined["end_date"] >= bank_window_opens(formal)
    )
    joined["non_bank_active"] = joined["contract"].notna() & ~bank & started & open_on_formal
    joined["recent_bank"] = bank & started & open_in_six_months
    per_case = joined.groupby("case_id")[["non_bank_active", "recent_bank"]].any()
    bank_only = per_case["recent_bank"] & ~per_case["non_bank_active"]
    counted = cases[~cases["case_id"].map(bank_only).fillna(False).astype(bool)]
    return counted[["org_code", "person_id"]].drop_duplicates()


def wres3(tables: Tables, year: int, window: int = 2) -> pd.DataFrame:
    """Entry into formal disciplinary, pooled: sum of entrants over FY Y and FY Y-1 (window=2)
    over the sum of the workforce headcounts at 31 March Y and 31 March Y-1."""
    tables = prepare(tables)
    groups = people_groups(tables)
    numerators, denominators = [], []
    for each in range(year - window + 1, year + 1):
        entrants = conduct_entrants(tables, each).merge(groups, on="person_id", how="left")
        entrants = entrants.fillna({"group": UNKNOWN})
        numerators.append(entrants.groupby(["org_code", "group"]).size())
        denominators.append(workforce(tables, snapshot(each)).groupby(["org_code", "group"]).size())
    counts = pd.DataFrame(
        {
            "numerator": pd.concat(numerators).groupby(level=[0, 1]).sum(),
            "denominator": pd.concat(denominators).groupby(level=[0, 1]).sum(),
        }
    )
    counts = counts.fillna(0).reset_index()
    return _rows(counts, "wres3", year)


# --- WRES 4 -------------------------------------------------------------------------------


def wres4(tables: Tables, year: int) -> pd.DataFrame:
    """Non-mandatory training: the workforce at 31 March Y with at least one training record at
    the same organisation, mandatory false, starting in FY Y; over that workforce."""
    tables = prepare(tables)
    first, last = financial_year(year)
    training = tables["training"]
    trained = training[
        is_false(training["mandatory"]) & training["start_date"].between(first, last)
    ][["org_code", "person_id"]].drop_duplicates()
    trained["trained"] = True
    staff = workforce(tables, snapshot(year)).merge(
        trained, on=["org_code", "person_id"], how="left"
    )
    staff["trained"] = is_true(staff["trained"])
    return _rate_rows(staff, "trained", "wres4", year)


# --- WRES 9 -------------------------------------------------------------------------------

BOARD_SEATS = ("All", "Voting", "Executive", "Non-executive")


def board(tables: Tables, date: pd.Timestamp) -> pd.DataFrame:
    """Board members on a date: one row per (org_code, person_id), any contract. With several
    board assignments, prefer a voting one, then an executive one, then the smallest id."""
    a = tables["assignments"]
    a = known_orgs(tables, a[active_on(a, date) & is_true(a["board_member"])]).copy()
    a["voting"] = is_true(a["board_voting"])
    a["executive"] = is_true(a["board_executive"])
    a = a.sort_values(
        ["org_code", "person_id", "voting", "executive", "assignment_id"],
        ascending=[True, True, False, False, True],
    )
    members = a.drop_duplicates(["org_code", "person_id"], keep="first")
    return members.merge(people_groups(tables), on="person_id", how="left").fillna(
        {"group": UNKNOWN}
    )


def wres9(tables: Tables, year: int) -> pd.DataFrame:
    """Board representation at 31 March Y: per seat type, members of each group over all
    members of that seat type (Unknown in the denominator). White and BME rows only."""
    tables = prepare(tables)
    members = board(tables, snapshot(year))
    seats = {
        "All": members,
        "Voting": members[members["voting"]],
        "Executive": members[members["executive"]],
        "Non-executive": members[~members["executive"]],
    }
    frames = []
    for seat, seated in seats.items():
        # every (org, group) pair, so a seat type with no BME members still reports 0 of n
        total = seated.groupby("org_code").size().rename("denominator")
        grid = pd.MultiIndex.from_product([total.index, [WHITE, BME]], names=["org_code", "group"])
        numerator = seated.groupby(["org_code", "group"]).size().reindex(grid, fill_value=0)
        counts = numerator.rename("numerator").reset_index().join(total, on="org_code")
        frames.append(counts.assign(breakdown=seat))
    counts = pd.concat(frames, ignore_index=True)
    return _rows(counts, "wres9", year)


# --- all together -------------------------------------------------------------------------

INDICATORS = {"wres1": wres1, "wres2": wres2, "wres3": wres3, "wres4": wres4, "wres9": wres9}


def all_indicators(tables: Tables, years: Iterable[int]) -> pd.DataFrame:
    """Every indicator for every year, in one table of counts."""
    tables = prepare(tables)
    frames = [fn(tables, year) for year in years for fn in INDICATORS.values()]
    return pd.concat(frames, ignore_index=True)
