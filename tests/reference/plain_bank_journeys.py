"""Recommendations 2 and 9 (bank conversion, racist abuse, action on it, incidents by contract)
in plain pandas, from the spec and the data contract alone, to cross-check the engine.

Populations follow `plain_progression` (staff in post, bank-only, units, groups). For incidents:
- An incident belongs to year Y when its incident_date falls in 1 April Y-1 to 31 March Y, and
  to the unit of its org_code.
- Its contract is the affected person's standing at that organisation on the incident date:
  Substantive with a non-bank assignment active that day; otherwise Bank with a bank
  assignment starting on or before the day and ending blank or on or after the same day six
  calendar months earlier; otherwise (or with no person recorded) Not known.
- The group is the affected person's (Unknown when no person is recorded).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tests.reference.dates import bank_window_opens, reporting_year
from tests.reference.plain_progression import (
    Tables,
    bank_only,
    in_units,
    is_bank,
    rate_rows,
    rows,
    run_all,
    staff_in_post,
    with_group,
)

RACIST = "racist_abuse"


def bank_conversion(tables: Tables, year: int, system: bool = False, by: str = "wres"):
    """Bank-only at 31 March Y-1; numerator: in post (non-bank) in the same unit at 31 March Y."""
    bank = bank_only(tables, year - 1, system, by)
    staff = staff_in_post(tables, year, system, by)[["unit", "person_id"]].assign(_in=True)
    bank = bank.merge(staff, on=["unit", "person_id"], how="left")
    bank["converted"] = bank["_in"].notna()
    return rate_rows("bank_conversion", year, bank, "converted")


def racist_abuse(tables: Tables, year: int, system: bool = False, by: str = "wres"):
    """Staff in post and bank-only workers at 31 March Y, by contract and in All; numerator:
    those with a racist_abuse incident recorded against them at an org of the unit in FY Y."""
    staff = staff_in_post(tables, year, system, by).assign(cell="Substantive")
    bank = bank_only(tables, year, system, by).assign(cell="Bank")
    members = pd.concat([staff, bank])[["unit", "person_id", "group", "cell"]]
    members = pd.concat([members, members.assign(cell="All")])
    i = in_units(tables, tables["incidents"], system)
    i = i[
        (i["category"] == RACIST)
        & i["person_id"].notna()
        & (reporting_year(i["incident_date"]) == year)
    ]
    hit = i[["unit", "person_id"]].drop_duplicates().assign(_hit=True)
    members = members.merge(hit, on=["unit", "person_id"], how="left")
    members["abused"] = members["_hit"].notna()
    out = rate_rows("racist_abuse", year, members, "abused", cell="cell")
    out["breakdown"] = out["breakdown"].where(out["breakdown"] != "All", None)
    return out


def incidents_with_contract(tables: Tables, year: int, system: bool, by: str) -> pd.DataFrame:
    i = in_units(tables, tables["incidents"], system)
    i = i[reporting_year(i["incident_date"]) == year].copy()
    a = tables["assignments"][["person_id", "org_code", "contract", "start_date", "end_date"]]
    j = i[["incident_id", "person_id", "org_code", "incident_date"]].merge(
        a, on=["person_id", "org_code"], how="inner"
    )
    day = j["incident_date"]
    started = j["start_date"] <= day
    substantive = ~is_bank(j) & started & (j["end_date"].isna() | (j["end_date"] >= day))
    opens = bank_window_opens(day)
    bank = is_bank(j) & started & (j["end_date"].isna() | (j["end_date"] >= opens))
    subs_ids = set(j.loc[substantive, "incident_id"])
    bank_ids = set(j.loc[bank, "incident_id"])
    i["cell"] = [
        "Substantive" if x in subs_ids else "Bank" if x in bank_ids else "Not known"
        for x in i["incident_id"]
    ]
    return with_group(tables, i, by)


def incident_action(tables: Tables, year: int, system: bool = False, by: str = "wres"):
    """Racist abuse incidents in FY Y, by contract and in All; numerator: action recorded
    (neither blank nor 'none', ignoring case and spaces)."""
    i = incidents_with_contract(tables, year, system, by)
    i = i[i["category"] == RACIST]
    i = pd.concat([i, i.assign(cell="All")])
    action = i["action"].fillna("").astype(str).str.strip().str.lower()
    i["acted"] = ~action.isin(["", "none"])
    out = rate_rows("incident_action", year, i, "acted", cell="cell")
    out["breakdown"] = out["breakdown"].where(out["breakdown"] != "All", None)
    return out


def bank_incidents(tables: Tables, year: int, system: bool = False, by: str = "wres"):
    """Incidents in FY Y per group in cells 'contract | category', 'contract | All' and 'All',
    over the cell's incidents; only groups present in a cell."""
    i = incidents_with_contract(tables, year, system, by)
    cells = pd.concat(
        [
            i.assign(breakdown=i["cell"] + " | " + i["category"]),
            i.assign(breakdown=i["cell"] + " | All"),
            i.assign(breakdown="All"),
        ]
    )
    n = cells.groupby(["unit", "breakdown", "group"]).size().rename("numerator").reset_index()
    d = cells.groupby(["unit", "breakdown"]).size().rename("denominator").reset_index()
    return rows("bank_incidents", year, n.merge(d, on=["unit", "breakdown"]))


MEASURES = {
    "bank_conversion": bank_conversion,
    "racist_abuse": racist_abuse,
    "incident_action": incident_action,
    "bank_incidents": bank_incidents,
}


def all_measures(
    tables: Tables, years: Iterable[int], system: bool = False, by: str = "wres"
) -> pd.DataFrame:
    return run_all(MEASURES, tables, years, system, by)
