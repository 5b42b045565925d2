"""Staff in post and the bank-only workforce in plain pandas, written from the spec alone.

From `measures.md`, "Populations":

- Workforce at a date D: people with an assignment active on D (start <= D and end blank or
  >= D) whose contract is not `bank`. A person counts once per unit; with several active
  assignments, the one with the largest fte (blank = 0), then the highest band, then the
  earliest start date, then the smallest assignment_id.
- Bank-only workforce at D: people with no active non-bank assignment in the unit on D who
  held a `bank` assignment there on at least one day of the six months ending on D (from the
  day after D minus six calendar months to D, both included). The spec does not say which of
  several bank assignments describes the person; the same tie-break as the workforce's is
  used, among the bank assignments held in the window.

A unit is the organisation, or the organisation's system for system figures (a person counts
once in the system). Reporting year Y's date is 31 March Y. Every assignment in every year is
ranked; nothing is skipped for speed, which is the point of a reference.

The tables are those of the store (so assignment ids are the stored pseudonyms, which the
tie-break's last step orders by), as pandas DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tests.reference.dates import bank_window_opens, with_dates
from tests.reference.plain_wres import BAND_RANK, active_on, is_bank, known_orgs, snapshot

Tables = dict[str, pd.DataFrame]

#: What each member row carries: the chosen assignment's, then the person's.
ASSIGNED = ["period", "unit", "person_id", "pay_band", "clinical", "staff_group"]
PERSON = ["ethnic_code", "sex", "disability", "international_recruit"]
MEMBER = ASSIGNED + PERSON
#: How a system unit is written, so that rows compare with the engine's (a label, not a rule).
SYSTEM_PREFIX = "system:"


def prepare(tables: Tables) -> Tables:
    return with_dates(tables, {"assignments": ["start_date", "end_date"]})


def with_unit(tables: Tables, frame: pd.DataFrame, system: bool) -> pd.DataFrame:
    """`frame` (with org_code) with its unit: the organisation, or its system."""
    orgs = tables["organisations"]
    if system:
        unit = SYSTEM_PREFIX + orgs["system_code"].fillna("ALL").astype(str)
    else:
        unit = orgs["org_code"]
    units = pd.DataFrame({"org_code": orgs["org_code"], "unit": unit})
    return known_orgs(tables, frame).merge(units, on="org_code")


def candidates_in_year(tables: Tables, year: int, system: bool, bank: bool) -> pd.DataFrame:
    """The assignments that could describe a person in `year`: non-bank ones active on 31 March,
    or bank ones held on a day of the six months ending on it."""
    a = tables["assignments"]
    day = snapshot(year)
    if bank:
        held = (a["start_date"] <= day) & (
            a["end_date"].isna() | (a["end_date"] >= bank_window_opens(day))
        )
        chosen = a[is_bank(a["contract"]) & held]
    else:
        chosen = a[~is_bank(a["contract"]) & active_on(a, day)]
    return with_unit(tables, chosen, system).assign(period=year)


def one_per_person_order(candidates: pd.DataFrame) -> pd.DataFrame:
    """Each year, unit and person's candidates, best first: largest fte (blank = 0), highest
    band (AfC bands ranked; others below them), earliest start, smallest assignment id."""
    return candidates.assign(
        _fte=candidates["fte"].fillna(0.0),
        _band=candidates["pay_band"].map(BAND_RANK).fillna(0).astype(int),
    ).sort_values(
        ["period", "unit", "person_id", "_fte", "_band", "start_date", "assignment_id"],
        ascending=[True, True, True, False, False, True, True],
    )


def one_per_person(candidates: pd.DataFrame) -> pd.DataFrame:
    """The first of each year, unit and person's candidates."""
    ranked = one_per_person_order(candidates)
    return ranked.drop_duplicates(["period", "unit", "person_id"], keep="first")


def members(tables: Tables, chosen: pd.DataFrame) -> pd.DataFrame:
    people = tables["people"][["person_id", *PERSON]]
    return chosen[ASSIGNED].merge(people, on="person_id", how="left")[MEMBER]


def staff_in_post(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    """One row per year, unit and person in post at 31 March, with `MEMBER` columns."""
    every = [candidates_in_year(tables, y, system, bank=False) for y in years]
    return members(tables, one_per_person(pd.concat(every, ignore_index=True)))


def bank_only(tables: Tables, years: Iterable[int], system: bool) -> pd.DataFrame:
    """One row per year, unit and person of the bank-only workforce at 31 March."""
    years = list(years)
    bank = pd.concat([candidates_in_year(tables, y, system, bank=True) for y in years])
    in_post = staff_in_post(tables, years, system)[["period", "unit", "person_id"]]
    marked = bank.merge(in_post, on=["period", "unit", "person_id"], how="left", indicator=True)
    only = marked[marked["_merge"] == "left_only"].drop(columns="_merge")
    return members(tables, one_per_person(only))


def decided_by(tables: Tables, years: Iterable[int], system: bool) -> dict[str, int]:
    """For each (year, unit, person) with more than one non-bank assignment in post, the step of
    the tie-break that chose between the first two: how often each step is exercised."""
    every = pd.concat([candidates_in_year(tables, y, system, bank=False) for y in years])
    ranked = one_per_person_order(every)
    steps = {"fte": "_fte", "band": "_band", "start": "start_date", "id": "assignment_id"}
    counts = dict.fromkeys(steps, 0)
    for _, group in ranked.groupby(["period", "unit", "person_id"], sort=False):
        if len(group) < 2:
            continue
        first, second = group.iloc[0], group.iloc[1]
        step = next(s for s, column in steps.items() if first[column] != second[column])
        counts[step] += 1
    return counts
