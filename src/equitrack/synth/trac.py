"""The generated applications as a TRAC applicant-level recruitment export (`trac_applicants.csv`).

What an analyst gets from TRAC's applications report: a row per application with the vacancy
reference, the candidate's id (a member of staff's ESR employee number, so the two exports join
up once pseudonymised), the date applied, Y/N flags, a date for each stage reached (blank when
not reached), and the equality answers as the form's text without ESR's code letter ("Black or
Black British - African", "I do not wish to disclose my ethnic origin"). It is untidy as real
reports are: several spellings of one answer, the odd value in capitals or with a trailing
space. The shipped `trac_applicants` profile reads it back into exactly the canonical
applications it was made from (tests/ingest_profiles holds the two imports equal).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model import codes
from equitrack.synth.untidy import day_first, pick, untidy, write_csv_export, yes_no

FILE_NAME = "trac_applicants.csv"

#: How the forms write the national categories: the first is the most common (NHS Jobs's
#: wording), the others as other forms have it. Every one is in the profile's list.
NATIONAL: dict[str, tuple[str, ...]] = {
    "A": ("White - British", "White - English, Welsh, Scottish, Northern Irish or British"),
    "B": ("White - Irish",),
    "C": ("White - Any other White background", "White - Gypsy or Irish Traveller"),
    "D": ("Mixed - White and Black Caribbean", "Mixed - White & Black Caribbean"),
    "E": ("Mixed - White and Black African", "Mixed - White & Black African"),
    "F": ("Mixed - White and Asian", "Mixed/Multiple ethnic groups - White and Asian"),
    "G": ("Mixed - Any other mixed background",),
    "H": ("Asian or Asian British - Indian", "Asian/Asian British - Indian"),
    "J": ("Asian or Asian British - Pakistani", "Asian - Pakistani"),
    "K": ("Asian or Asian British - Bangladeshi",),
    "L": ("Asian or Asian British - Any other Asian background",),
    "M": ("Black or Black British - Caribbean",),
    "N": (
        "Black or Black British - African",
        "Black, Black British, Caribbean or African - African",
        "Black/African/Caribbean/Black British - African",
    ),
    "P": ("Black or Black British - Any other Black background",),
    "R": ("Other Ethnic Group - Chinese", "Chinese"),
    "S": ("Other Ethnic Group - Any other ethnic group", "Any other ethnic group"),
    codes.NOT_STATED: ("I do not wish to disclose my ethnic origin", "Prefer not to say"),
    codes.NOT_KNOWN: ("Not known",),
}
GENDER = {
    "F": ("Female",),
    "M": ("Male",),
    "X": ("Non-binary", "Other"),
    "U": ("I do not wish to disclose my gender", "Prefer not to say"),
}
DISABILITY = {
    "Y": ("Yes",),
    "N": ("No",),
    "U": ("I do not wish to disclose whether or not I have a disability", "Prefer not to say"),
}
YES_NO = {"Y": ("Y", "Yes"), "N": ("N", "No")}
#: The canonical stage flags, each written as the date the stage was reached.
STAGES = ("shortlisted", "interviewed", "offered", "appointed")


def ethnicity_spellings(code: str) -> tuple[str, ...]:
    """The form's text for a code, most common first: a local category is its description."""
    if code in NATIONAL:
        return NATIONAL[code]
    return (codes.EXTENDED_CODES[code],)


def _stage_dates(rng: np.random.Generator, apps: pa.Table) -> dict[str, pa.Array]:
    """A date for each stage reached, blank when not: shortlisting a few days after the last
    application to the vacancy, interviews a week or three later, then offer and acceptance."""
    applied = apps["applied_date"].combine_chunks().cast(pa.int32()).to_numpy()
    vacancy = apps["vacancy_id"].to_numpy()
    n = len(applied)
    if n == 0:
        return {k: pa.array([], pa.string()) for k in STAGES}
    _, v = np.unique(vacancy, return_inverse=True)
    closing = np.full(v.max() + 1, np.iinfo(np.int32).min, dtype=np.int64)
    np.maximum.at(closing, v, applied)
    shortlisted = closing[v] + rng.integers(2, 11, len(closing))[v]
    interviewed = shortlisted + rng.integers(7, 22, len(closing))[v] + rng.integers(0, 3, n)
    offered = interviewed + rng.integers(1, 6, n)
    appointed = offered + rng.integers(1, 15, n)
    out: dict[str, pa.Array] = {}
    for stage, days in zip(STAGES, (shortlisted, interviewed, offered, appointed), strict=True):
        reached = apps[stage].combine_chunks().to_numpy(zero_copy_only=False)
        dates = pa.array(days.astype(np.int32), mask=~reached).cast(pa.date32())
        out[stage] = day_first(dates)
    return out


def _status(apps: pa.Table) -> pa.Array:
    """TRAC's summary of the furthest stage, in words (the profile ignores it)."""
    flag = {k: apps[k].combine_chunks().to_numpy(zero_copy_only=False) for k in STAGES}
    status = np.select(
        [flag["appointed"], flag["offered"], flag["interviewed"], flag["shortlisted"]],
        ["Offer Accepted", "Offer Declined", "Unsuccessful at Interview", "Withdrawn"],
        "Not Shortlisted",
    )
    return pa.array(status.astype(object), pa.string())


def trac_export(tables: dict[str, pa.Table], seed: int = 7) -> pa.Table:
    """The TRAC export of a generated system's applications."""
    rng = np.random.default_rng(seed)
    apps = tables["applications"]
    # blank ethnic codes stay blank cells
    ethnic = pc.if_else(
        pc.equal(apps["ethnic_code"], ""), pa.scalar(None, pa.string()), apps["ethnic_code"]
    ).combine_chunks()
    seen = [c for c in pc.unique(ethnic).to_pylist() if c is not None]
    stages = _stage_dates(rng, apps)

    def flag(name: str) -> pa.Array:
        return untidy(rng, pick(rng, yes_no(apps[name].combine_chunks()), YES_NO))

    columns = {
        "Vacancy Reference": apps["vacancy_id"],
        "Application ID": apps["application_id"],
        "Applicant ID": apps["applicant_id"],
        "Date Applied": day_first(apps["applied_date"].combine_chunks()),
        "Internal Applicant": flag("internal"),
        "International Recruitment Campaign": flag("international"),
        "Application Status": _status(apps),
        "Shortlisted Date": stages["shortlisted"],
        "Interview Date": stages["interviewed"],
        "Conditional Offer Date": stages["offered"],
        "Offer Accepted Date": stages["appointed"],
        "Ethnicity": untidy(rng, pick(rng, ethnic, {c: ethnicity_spellings(c) for c in seen})),
        "Gender": untidy(rng, pick(rng, apps["sex"].combine_chunks(), GENDER)),
        "Disability": untidy(rng, pick(rng, apps["disability"].combine_chunks(), DISABILITY)),
    }
    return pa.table({k: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
                     for k, v in columns.items()})  # fmt: skip


def write_export(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """`trac_applicants.csv`."""
    return [write_csv_export(trac_export(tables, seed), Path(out_dir) / FILE_NAME)]
