"""Scrutiny recommendations 3 to 6 in plain pandas, written from the definitions alone.

A cross-check of the measure engine (src/equitrack/measures/opportunities.py): it shares no
code with it. The definitions are those in `measures.md` ("Beyond WRES"), `data-contract.md`
and the measure descriptions in docs; the basics (reporting years, staff in post by the spec's
tie-break, WRES groups) come from the plain WRES implementation, itself written from the spec.

Every function takes the canonical tables as a dict of pandas DataFrames (as produced by
`equitrack.synth.generate(...)` and `.to_pandas()`), a reporting year Y and the measure's
options, and returns COUNTS per organisation × breakdown × WRES group in `COLUMNS`
(breakdown None = the whole; `excluded` is only filled for panel_diversity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from tests.reference.dates import bank_window_opens, reporting_year, with_dates
from tests.reference.plain_wres import (
    BAND_RANK,
    UNKNOWN,
    is_bank,
    is_true,
    known_orgs,
    snapshot,
    workforce,
    wres_group,
)
from tests.reference.plain_wres import (
    prepare as prepare_wres,
)

Tables = dict[str, pd.DataFrame]
COLUMNS = ["measure", "org", "period", "breakdown", "group", "numerator", "denominator", "excluded"]

DATES = {
    "training": ["start_date"],
    "development": ["start_date", "end_date"],
    "vacancies": ["opened_date"],
    "applications": ["applied_date"],
    "appraisals": ["appraisal_date"],
}
INTERACTIVE = {"face_to_face", "virtual_live", "blended"}
COURSE_LABEL = {"edi": "EDI", "active_bystander": "Active Bystander"}


def prepare(tables: Tables) -> Tables:
    return with_dates(prepare_wres(tables), DATES)


def groups_of(tables: Tables, frame: pd.DataFrame) -> pd.Series:
    people = tables["people"].set_index("person_id")["ethnic_code"]
    return wres_group(frame["person_id"].map(people))


def rows(
    frame: pd.DataFrame, flag: str, measure: str, year: int, cell: str | None = None
) -> pd.DataFrame:
    """Counts per org × cell × group: numerator = rows where `flag`, denominator = rows."""
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame = frame.assign(_cell=frame[cell] if cell else None)
    counted = (
        frame.groupby(["org_code", "_cell", "group"], dropna=False)[flag]
        .agg(numerator="sum", denominator="size")
        .reset_index()
    )
    return pd.DataFrame(
        {
            "measure": measure,
            "org": counted["org_code"],
            "period": year,
            "breakdown": counted["_cell"].astype(object).where(counted["_cell"].notna(), None),
            "group": counted["group"],
            "numerator": counted["numerator"].astype(int),
            "denominator": counted["denominator"].astype(int),
            "excluded": 0,
        },
        columns=COLUMNS,
    )


# --- staff ---------------------------------------------------------------------------------


def bank_only(tables: Tables, year: int) -> pd.DataFrame:
    """Active bank workers at 31 March Y: a bank assignment at the organisation started by the
    date and not ended before 1 October Y-1 (the six months up to 31 March), and no non-bank
    assignment there active on the date. One row per org and person."""
    day = snapshot(year)
    a = known_orgs(tables, tables["assignments"])
    bank = a[is_bank(a["contract"]) & (a["start_date"] <= day)]
    bank = bank[bank["end_date"].isna() | (bank["end_date"] >= bank_window_opens(day))]
    pairs = bank[["org_code", "person_id"]].drop_duplicates()
    staff = workforce(tables, day)[["org_code", "person_id"]]
    merged = pairs.merge(staff, how="left", indicator=True)
    return merged[merged["_merge"] == "left_only"][["org_code", "person_id"]]


def staff(tables: Tables, year: int, choice: str = "substantive") -> pd.DataFrame:
    """org_code, person_id, group, cell (None unless both workforces are asked for)."""
    parts = []
    if choice in ("substantive", "both"):
        s = workforce(tables, snapshot(year))[["org_code", "person_id"]]
        parts.append(s.assign(cell="Substantive" if choice == "both" else None))
    if choice in ("bank", "both"):
        parts.append(bank_only(tables, year).assign(cell="Bank" if choice == "both" else None))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(group=groups_of(tables, out))


def flagged(members: pd.DataFrame, keys: pd.DataFrame) -> pd.Series:
    """Whether each member's (org_code, person_id) is among `keys`."""
    k = set(zip(keys["org_code"], keys["person_id"], strict=True))
    return pd.Series(
        [(o, p) in k for o, p in zip(members["org_code"], members["person_id"], strict=True)],
        index=members.index,
        dtype=bool,
    )


# --- rec 3 -----------------------------------------------------------------------------------


def edi_records(tables: Tables, year: int, mandatory: str = "include") -> pd.DataFrame:
    t = known_orgs(tables, tables["training"])
    category = t["category"].fillna("").astype(str).str.strip().str.lower()
    t = t.assign(category=category)
    t = t[t["category"].isin(list(COURSE_LABEL)) & (reporting_year(t["start_date"]) == year)]
    if mandatory == "exclude":
        t = t[~is_true(t["mandatory"])]
    return t


def reach(category: str) -> Callable[..., pd.DataFrame]:
    def measure(
        tables: Tables, year: int, workforce: str = "substantive", mandatory: str = "include"
    ) -> pd.DataFrame:
        members = staff(tables, year, workforce)
        records = edi_records(tables, year, mandatory)
        members["event"] = flagged(members, records[records["category"] == category])
        name = "edi_training_reach" if category == "edi" else "bystander_reach"
        return rows(members, "event", name, year, "cell")

    return measure


def bystander_reach_since(
    tables: Tables, year: int, workforce: str = "substantive", since: int = 2022
) -> pd.DataFrame:
    """Staff in post at 31 March Y with an Active Bystander record at the organisation that
    started in reporting year `since` or later, and no later than 31 March Y."""
    members = staff(tables, year, workforce)
    t = known_orgs(tables, tables["training"])
    category = t["category"].fillna("").astype(str).str.strip().str.lower()
    started = reporting_year(t["start_date"])
    t = t[(category == "active_bystander") & (started >= since) & (started <= year)]
    members["event"] = flagged(members, t)
    return rows(members, "event", "bystander_reach_since", year, "cell")


def with_course_cells(records: pd.DataFrame) -> pd.DataFrame:
    """Each record under its course label, and again under the whole (cell None)."""
    return pd.concat(
        [records.assign(cell=records["category"].map(COURSE_LABEL)), records.assign(cell=None)],
        ignore_index=True,
    )


def edi_training_completion(
    tables: Tables, year: int, mandatory: str = "include", completion: str = "any"
) -> pd.DataFrame:
    records = with_course_cells(edi_records(tables, year, mandatory))
    records["done"] = is_true(records["completed"])
    records["cell"] = records["cell"].fillna("__all__")
    people = (
        records.groupby(["org_code", "cell", "person_id"])["done"]
        .agg("all" if completion == "all" else "any")
        .reset_index()
    )
    people["cell"] = people["cell"].replace("__all__", None)
    people["group"] = groups_of(tables, people)
    return rows(people, "done", "edi_training_completion", year, "cell")


def edi_training_delivery(tables: Tables, year: int, mandatory: str = "include") -> pd.DataFrame:
    records = with_course_cells(edi_records(tables, year, mandatory))
    records["interactive"] = records["delivery"].isin(INTERACTIVE)
    records["group"] = groups_of(tables, records)
    return rows(records, "interactive", "edi_training_delivery", year, "cell")


# --- rec 4 -----------------------------------------------------------------------------------


def development_vacancies(tables: Tables, opportunity_type: str) -> pd.DataFrame:
    v = known_orgs(tables, tables["vacancies"])
    if opportunity_type == "development":
        return v[v["opportunity_type"] != "post"]
    return v[v["opportunity_type"] == opportunity_type]


def development_appointment(
    tables: Tables, year: int, appointed: str = "appointed", opportunity_type: str = "development"
) -> pd.DataFrame:
    v = development_vacancies(tables, opportunity_type)[["vacancy_id", "org_code"]]
    a = tables["applications"].merge(v, on="vacancy_id")
    a = a[is_true(a["shortlisted"]) & (reporting_year(a["applied_date"]) == year)].copy()
    a["event"] = is_true(a[appointed])
    a["group"] = wres_group(a["ethnic_code"])
    return rows(a, "event", "development_appointment", year)


def unadvertised_development(
    tables: Tables, year: int, source: str = "vacancies", opportunity_type: str = "development"
) -> pd.DataFrame:
    name = "unadvertised_development"
    if source == "development":
        d = known_orgs(tables, tables["development"])
        d = d[d["kind"].isin(["secondment", "acting_up", "talent_programme"])]
        d = d[reporting_year(d["start_date"]) == year].copy()
        d["event"] = d["selection"].isin(["nominated", "informal"])
        d["group"] = groups_of(tables, d)
        return rows(d, "event", name, year)
    v = development_vacancies(tables, opportunity_type)
    v = v[reporting_year(v["opened_date"]) == year]
    apps = tables["applications"]
    apps = apps[is_true(apps["appointed"])]
    filled = v.merge(apps[["vacancy_id", "ethnic_code"]], on="vacancy_id")
    filled = filled.assign(group=wres_group(filled["ethnic_code"]))
    unseen = v[(v["advert"] == "not_advertised") & ~v["vacancy_id"].isin(apps["vacancy_id"])]
    unseen = unseen.assign(group=UNKNOWN)
    both = pd.concat([filled, unseen], ignore_index=True)
    both["event"] = both["advert"].isin(["not_advertised", "expression_of_interest"])
    return rows(both, "event", name, year)


def panel_diversity(tables: Tables, year: int) -> pd.DataFrame:
    v = known_orgs(tables, tables["vacancies"])
    v = v[reporting_year(v["opened_date"]) == year].copy()
    size, minority = v["panel_size"], v["panel_minority_members"]
    v["counted"] = (size.notna() & minority.notna() & (size.fillna(0) > 0)).astype(bool)
    v["diverse"] = v["counted"] & (minority.fillna(0) >= 1)
    v["cell"] = np.where(v["opportunity_type"] == "post", "Posts", "Development opportunities")
    out = []
    for cell, part in [*v.groupby("cell"), (None, v)]:
        for org, there in part.groupby("org_code"):
            out.append(
                {
                    "measure": "panel_diversity",
                    "org": org,
                    "period": year,
                    "breakdown": cell,
                    "group": "All",
                    "numerator": int(there["diverse"].sum()),
                    "denominator": int(there["counted"].sum()),
                    "excluded": int((~there["counted"]).sum()),
                }
            )
    return pd.DataFrame(out, columns=COLUMNS)


# --- rec 5 -----------------------------------------------------------------------------------


def development_in(tables: Tables, year: int, kind: str = "any") -> pd.DataFrame:
    d = known_orgs(tables, tables["development"])
    d = d[reporting_year(d["start_date"]) == year]
    return d if kind == "any" else d[d["kind"] == kind]


def development_participation(
    tables: Tables, year: int, workforce: str = "substantive", kind: str = "any"
) -> pd.DataFrame:
    members = staff(tables, year, workforce)
    members["event"] = flagged(members, development_in(tables, year, kind))
    return rows(members, "event", "development_participation", year, "cell")


def cross_org_placements(tables: Tables, year: int, kind: str = "any") -> pd.DataFrame:
    d = development_in(tables, year, kind).copy()
    host = d["host_org_code"].fillna("").astype(str).str.strip().str.upper()
    d["event"] = (host != "") & (host != d["org_code"].astype(str).str.strip().str.upper())
    d["group"] = groups_of(tables, d)
    return rows(d, "event", "cross_org_placements", year)


def band_on(tables: Tables, who: pd.DataFrame) -> pd.Series:
    """AfC band rank (0 off the AfC scale) of each row's non-bank post at its organisation on
    its `day`, chosen as the workforce chooses (largest fte, highest band, earliest start,
    smallest assignment id); NaN when none was active."""
    a = tables["assignments"]
    a = a[~is_bank(a["contract"])][
        ["person_id", "org_code", "start_date", "end_date", "fte", "pay_band", "assignment_id"]
    ]
    j = who[["org_code", "person_id", "day"]].reset_index().merge(a, on=["org_code", "person_id"])
    j = j[(j["start_date"] <= j["day"]) & (j["end_date"].isna() | (j["end_date"] >= j["day"]))]
    j = j.assign(_fte=j["fte"].fillna(0.0), _rank=j["pay_band"].map(BAND_RANK).fillna(0))
    j = j.sort_values(
        ["index", "_fte", "_rank", "start_date", "assignment_id"],
        ascending=[True, False, False, True, True],
    ).drop_duplicates("index")
    return j.set_index("index")["_rank"].reindex(who.index)


def progression_after_development(
    tables: Tables,
    year: int,
    kind: str = "any",
    outcome_at: str = "24_months",
    leavers: str = "include",
) -> pd.DataFrame:
    d = development_in(tables, year - 2, kind)
    first = d.groupby(["org_code", "person_id"])["start_date"].min().reset_index()
    first["base"] = band_on(tables, first.assign(day=first["start_date"]))
    cohort = first[first["base"].fillna(0) > 0].copy()
    if outcome_at == "snapshot":
        day = pd.Series(snapshot(year), index=cohort.index)
    else:
        day = cohort["start_date"] + pd.DateOffset(months=24)
    cohort["after"] = band_on(tables, cohort.assign(day=day))
    if leavers == "exclude":
        cohort = cohort[cohort["after"].notna()].copy()
    cohort["promoted"] = cohort["after"].fillna(0) > cohort["base"]
    cohort["group"] = groups_of(tables, cohort)
    return rows(cohort, "promoted", "progression_after_development", year)


# --- rec 6 -----------------------------------------------------------------------------------


def appraised(tables: Tables, year: int) -> pd.DataFrame:
    a = known_orgs(tables, tables["appraisals"])
    a = a[reporting_year(a["appraisal_date"]) == year].assign(
        edi=lambda x: is_true(x["edi_objective"]),
        asked=lambda x: x["succession_pool"].notna(),
        pool=lambda x: is_true(x["succession_pool"]),
    )
    people = (
        a.groupby(["org_code", "person_id"])
        .agg(
            edi=("edi", "any"),
            asked=("asked", "any"),
            pool=("pool", "any"),
            last=("appraisal_date", "max"),
        )
        .reset_index()
    )
    return people.assign(group=groups_of(tables, people))


def edi_objectives(tables: Tables, year: int) -> pd.DataFrame:
    return rows(appraised(tables, year), "edi", "edi_objectives", year)


def succession_pool(tables: Tables, year: int, bands: str = "all") -> pd.DataFrame:
    people = appraised(tables, year)
    people = people[people["asked"]].copy()
    if bands == "7_and_above":
        people = people[band_on(tables, people.assign(day=people["last"])).fillna(0) >= 7]
    return rows(people, "pool", "succession_pool", year)


def succession_pool_by_band(tables: Tables, year: int) -> pd.DataFrame:
    """The succession pool counted within the AfC band held on the last appraisal's day."""
    people = appraised(tables, year)
    people = people[people["asked"]].copy()
    rank = band_on(tables, people.assign(day=people["last"])).fillna(0)
    band = {r: b for b, r in BAND_RANK.items()}
    people = people.assign(band=rank.map(band))[rank > 0]
    return rows(people, "pool", "succession_pool_by_band", year, cell="band")


# --- all together ----------------------------------------------------------------------------

MEASURES: dict[str, Callable[..., pd.DataFrame]] = {
    "edi_training_reach": reach("edi"),
    "bystander_reach": reach("active_bystander"),
    "bystander_reach_since": bystander_reach_since,
    "edi_training_completion": edi_training_completion,
    "edi_training_delivery": edi_training_delivery,
    "development_appointment": development_appointment,
    "unadvertised_development": unadvertised_development,
    "panel_diversity": panel_diversity,
    "development_participation": development_participation,
    "cross_org_placements": cross_org_placements,
    "progression_after_development": progression_after_development,
    "edi_objectives": edi_objectives,
    "succession_pool": succession_pool,
    "succession_pool_by_band": succession_pool_by_band,
}


def counts(tables: Tables, measure: str, years: Iterable[int], **options) -> pd.DataFrame:
    """One measure's counts for every year."""
    tables = prepare(tables)
    frames = [MEASURES[measure](tables, y, **options) for y in years]
    return pd.concat(frames, ignore_index=True)
