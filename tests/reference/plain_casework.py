"""Leave, casework and just-culture measures in plain pandas, written from the spec alone.

A cross-check of `equitrack.measures.casework`: it shares no code with the engine, the
measures package or the just-culture validator. The rules are spelled out here from
`measures.md` ("Beyond WRES", recommendations 7, 8 and 10), `just-culture.md` (the decision
path, walked by a few lines below) and `data-contract.md`.

Each function takes the canonical tables as pandas DataFrames (as `synth.generate(...)` makes
them, `.to_pandas()`), the reporting years and whether figures are per organisation or per
system, and returns COUNTS: one row per measure, unit, period, breakdown cell and WRES group
(White, BME, Unknown), with the columns in `COLUMNS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tests.reference.dates import bank_window_opens, reporting_year, with_dates

Tables = dict[str, pd.DataFrame]
COLUMNS = ["measure", "org", "period", "breakdown", "group", "numerator", "denominator"]

WHITE_CODES = set("ABC")
BME_CODES = set("DEFGHJKLMNPRS")

DATES = {
    "assignments": ["start_date", "end_date"],
    "disciplinary": ["opened_date", "formal_date", "closed_date"],
    "leave": ["requested_date", "start_date"],
}

# --- basics ---------------------------------------------------------------------------------


def prepare(tables: Tables) -> Tables:
    return with_dates(tables, DATES)


def group_of(codes: pd.Series) -> pd.Series:
    first = codes.fillna("").astype(str).str.strip().str.upper().str[:1]
    return pd.Series(
        np.select([first.isin(WHITE_CODES), first.isin(BME_CODES)], ["White", "BME"], "Unknown"),
        index=codes.index,
    )


def with_unit(tables: Tables, frame: pd.DataFrame, system: bool) -> pd.DataFrame:
    """Rows of organisations in the organisations table, with `unit`."""
    orgs = tables["organisations"][["org_code", "system_code"]].copy()
    orgs["unit"] = (
        "system:" + orgs["system_code"].fillna("ALL").astype(str) if system else orgs["org_code"]
    )
    return frame.merge(orgs[["org_code", "unit"]], on="org_code")


def with_people(tables: Tables, frame: pd.DataFrame) -> pd.DataFrame:
    people = tables["people"][["person_id", "ethnic_code", "international_recruit"]]
    out = frame.merge(people, on="person_id", how="left")
    out["group"] = group_of(out["ethnic_code"])
    return out


def truthy(values: pd.Series) -> pd.Series:
    return values.eq(True).fillna(False).astype(bool)


def bank_only_on(tables: Tables, events: pd.DataFrame, key: str, day: str) -> set:
    """Keys of events whose person had no non-bank assignment in the organisation active on
    `day`, and a bank one started by then and not ended before the six months ending on it."""
    a = tables["assignments"][["person_id", "org_code", "contract", "start_date", "end_date"]]
    j = events[[key, "person_id", "org_code", day]].merge(a, on=["person_id", "org_code"])
    bank = j["contract"].eq("bank")
    started = j["start_date"] <= j[day]
    live = j["end_date"].isna() | (j["end_date"] >= j[day])
    recent = j["end_date"].isna() | (j["end_date"] >= bank_window_opens(j[day]))
    substantive = set(j.loc[~bank & started & live, key])
    recent_bank = set(j.loc[bank & started & recent, key])
    return recent_bank - substantive


def counted(
    measure: str, members: pd.DataFrame, flags: dict[str | None, pd.Series]
) -> pd.DataFrame:
    """Per unit, period, cell and group: members, and members with each flag, as rows.

    `members` has unit, period, cell, group; `flags` maps a label to a boolean column (over
    `members`); the label is the breakdown, with the cell put in front unless the cell is
    "All" (None as label: the cell alone, None for "All").
    """
    rows = []
    keys = ["unit", "period", "cell", "group"]
    denominators = members.groupby(keys).size()
    for label, flag in flags.items():
        numerators = members[flag.to_numpy()].groupby(keys).size()
        for (unit, period, cell, group), n in denominators.items():
            if label is None:
                breakdown = None if cell == "All" else cell
            else:
                breakdown = label if cell == "All" else f"{cell} | {label}"
            rows.append(
                (measure, unit, int(period), breakdown, group,
                 int(numerators.get((unit, period, cell, group), 0)), int(n))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


# --- rec 7: leave -----------------------------------------------------------------------------


def leave_declined(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    lv = tables["leave"]
    lv = lv[lv["decision"].isin(["approved", "declined"])].copy()
    lv["period"] = reporting_year(lv["requested_date"])
    lv = with_people(tables, with_unit(tables, lv[lv["period"].isin(list(years))], system))
    lv["who"] = np.where(truthy(lv["international_recruit"]), "International recruit", "Others")
    copies = [
        lv.assign(cell="All"),
        lv.assign(cell=lv["who"] + " | All types"),
        lv.assign(cell=lv["who"] + " | " + lv["leave_type"]),
        lv.assign(cell="All staff | " + lv["leave_type"]),
    ]
    members = pd.concat(copies, ignore_index=True)
    return counted("leave_declined", members, {None: members["decision"].eq("declined")})


# --- rec 8 and 10: cases ----------------------------------------------------------------------


def formal_cases(tables: Tables, years: Iterable[int], system: bool, by: str) -> pd.DataFrame:
    """Conduct cases that went formal, in the year of `by` (formal_date or closed_date), in the
    "All" cell and again in "Bank" or "Substantive" (bank-only on the formal date or not)."""
    d = tables["disciplinary"]
    d = d[d["formal_date"].notna() & d[by].notna() & d["case_type"].eq("conduct")].copy()
    d["period"] = reporting_year(d[by])
    d = with_unit(tables, d[d["period"].isin(list(years))], system)
    bank = bank_only_on(tables, d, "case_id", "formal_date")
    d["contract"] = np.where(d["case_id"].isin(bank), "Bank", "Substantive")
    d = with_people(tables, d)
    return pd.concat([d.assign(cell="All"), d.assign(cell=d["contract"])], ignore_index=True)


def suspension(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    c = formal_cases(tables, years, system, "formal_date")
    return counted("suspension", c, {None: truthy(c["suspended"])})  # blank: not suspended


def severe_outcome(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    c = formal_cases(tables, years, system, "closed_date")
    c = c[c["outcome"].notna()]
    return counted(
        "severe_outcome", c, {None: c["outcome"].isin(["final_written_warning", "dismissal"])}
    )


def long_case(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    c = formal_cases(tables, years, system, "closed_date")
    days = (c["closed_date"] - c["formal_date"]).dt.days
    return counted("long_case", c, {None: days > 182})


# the just-culture decision path, from the table in just-culture.md: node -> (yes, no)
PATH = {
    "1a": ("A", "2a"), "2a": ("B", "2b"), "2b": ("C", "2c"), "2c": ("C", "3a"),
    "3a": ("3b", "D"), "3b": ("3c", "D"), "3c": ("4a", "D"), "4a": ("E", "4b"),
    "4b": ("E", "4c"), "4c": ("E", "5a"), "5a": ("F", "G"),
}  # fmt: skip
NO_ANSWERS, INVALID = "none", "invalid"


def outcome(text: object) -> str:
    """A-G for a valid path; "none" when nothing is recorded; "invalid" otherwise (an unreadable
    or repeated answer, a skipped question, or answers after the outcome)."""
    if not isinstance(text, str) or not re.sub(r"[;,\s]", "", text):
        return NO_ANSWERS
    answers: dict[str, bool] = {}
    for part in re.split(r"[;,\n]", text):
        if not part.strip():
            continue
        m = re.fullmatch(r"\s*(\d\s*[a-zA-Z])\s*[=:\s]\s*(\w+)\s*", part)
        if not m:
            return INVALID
        node, word = m[1].replace(" ", "").lower(), m[2].lower()
        if node not in PATH or node in answers or word not in ("y", "yes", "n", "no"):
            return INVALID
        answers[node] = word.startswith("y")
    node, walked = "1a", set()
    while node in PATH:
        if node not in answers:
            return INVALID
        walked.add(node)
        node = PATH[node][0 if answers[node] else 1]
    return node if walked == set(answers) else INVALID


def jc_assessed(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    c = formal_cases(tables, years, system, "formal_date")
    recorded = c["just_culture_answers"].fillna("").astype(str).str.strip().ne("")
    return counted("jc_assessed", c, {None: truthy(c["pre_formal_assessment"]) | recorded})


def jc_outcomes(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    c = formal_cases(tables, years, system, "formal_date")
    c = c[c["just_culture_answers"].fillna("").astype(str).str.strip().ne("")]
    where = c["just_culture_answers"].map(outcome)
    flags = {f"Outcome {x}": where.eq(x) for x in "ABCDEFG"}
    flags["Invalid path"] = ~where.isin(list("ABCDEFG"))
    flags["Individual action (A or G)"] = where.isin(["A", "G"])
    flags["System learning (D or E)"] = where.isin(["D", "E"])
    return counted("jc_outcomes", c, flags)


def jc_unsupported(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    c = formal_cases(tables, years, system, "formal_date")
    where = c["just_culture_answers"].map(outcome)
    flags = {
        None: ~where.isin(["A", "G"]),
        "No assessment": where.eq(NO_ANSWERS),
        "Invalid path": where.eq(INVALID),
        "Outcome B to F": where.isin(list("BCDEF")),
    }
    return counted("jc_unsupported", c, flags)


MEASURES = {
    "leave_declined": leave_declined,
    "suspension": suspension,
    "severe_outcome": severe_outcome,
    "long_case": long_case,
    "jc_assessed": jc_assessed,
    "jc_outcomes": jc_outcomes,
    "jc_unsupported": jc_unsupported,
}


def all_measures(tables: Tables, years: Iterable[int], system: bool = False) -> pd.DataFrame:
    tables = prepare(tables)
    return pd.concat([f(tables, list(years), system) for f in MEASURES.values()], ignore_index=True)
