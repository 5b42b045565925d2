"""The generated people and assignments as an ESR workforce export (`esr_workforce.csv`).

What an analyst gets from an ESR BI staff-in-post and leavers report: a row per assignment,
the person's equality fields repeated on each of their rows, ESR's words rather than codes
("N Black or Black British - African", "Fixed Term Temp", "Band 8A"), day-first dates, and the
untidiness of real reports: pay bands spelt several ways, the odd value in capitals or with a
trailing space. The shipped `esr_workforce` profile reads it back into exactly the canonical
tables it was made from (tests/ingest_profiles holds the two imports equal).
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.model import codes
from equitrack.synth.untidy import day_first, pick, untidy, write_csv_export, yes_no

FILE_NAME = "esr_workforce.csv"

#: Canonical contract → ESR "Assignment Category".
CATEGORY = {
    "permanent": "Permanent",
    "fixed_term": "Fixed Term Temp",
    "bank": "Bank",
    "honorary": "Honorary",
    "locum": "Locum",
}
GENDER = {"F": "Female", "M": "Male", "X": "Other", "U": "Not Specified"}
DISABILITY = {"Y": "Yes", "N": "No", "U": "Not Declared"}


def ethnic_origin(code: str | None) -> str:
    """ESR's "Ethnic Origin" text for a code: the code, then its description."""
    if not code:
        return ""
    if code == codes.NOT_STATED:
        return "Z Not Stated"
    if code == codes.NOT_KNOWN:
        return "Unspecified"
    if code in codes.CATEGORY_BY_CODE:
        return f"{code} {codes.CATEGORY_BY_CODE[code].label}"
    return f"{code} {codes.EXTENDED_CODES[code]}"


def band_spellings(band: str) -> tuple[str, ...]:
    """The ways ESR reports write a band: the first is the most common."""
    if band.startswith("Band "):
        level = band.removeprefix("Band ")
        return (f"Band {level.upper()}", f"Agenda for Change Band {level}", band)
    if band == "VSM":
        return ("VSM", "Very Senior Manager")
    if band == codes.OTHER_BAND:
        return ("Non-AfC Grade",)
    return (band,)


def esr_export(tables: dict[str, pa.Table], seed: int = 7) -> pa.Table:
    """The ESR export of a generated system's people and assignments."""
    rng = np.random.default_rng(seed)
    people, assignments = tables["people"], tables["assignments"]
    orgs = tables["organisations"]
    names = dict(zip(orgs["org_code"].to_pylist(), orgs["name"].to_pylist(), strict=True))
    person = pc.index_in(assignments["person_id"], people["person_id"])
    p = people.take(person)
    codes_seen = pc.unique(p["ethnic_code"]).to_pylist()
    origin = {c: ethnic_origin(c) for c in codes_seen if c is not None}
    ethnic = pc.take(
        pa.array([origin.get(c, "") for c in codes_seen], pa.string()),
        pc.index_in(p["ethnic_code"], pa.array(codes_seen, pa.string())),
    )
    birth = p["birth_year"].to_numpy(zero_copy_only=False)
    # a day of the year of birth, fixed for each person (the profile keeps only the year)
    dob_day = np.array([zlib.crc32(x.encode()) % 365 for x in p["person_id"].to_pylist()])
    dob = pa.array(
        [
            None
            if np.isnan(y)
            else (dt.date(int(y), 1, 1) + dt.timedelta(days=int(d))).strftime("%d/%m/%Y")
            for y, d in zip(birth.astype(float), dob_day, strict=True)
        ],
        pa.string(),
    )
    bands = pc.unique(assignments["pay_band"]).to_pylist()
    pay_band = pick(
        rng, assignments["pay_band"].combine_chunks(), {b: band_spellings(b) for b in bands}
    )
    category = pick(
        rng, assignments["contract"].combine_chunks(), {k: (v,) for k, v in CATEGORY.items()}
    )
    ended = pc.is_valid(assignments["leaving_reason"])
    end = day_first(assignments["end_date"].combine_chunks())
    columns = {
        "Employee Number": assignments["person_id"],
        "Assignment Number": assignments["assignment_id"],
        "Organisation": pc.take(
            pa.array([f"{c} {n}" for c, n in names.items()], pa.string()),
            pc.index_in(assignments["org_code"], pa.array(list(names), pa.string())),
        ),
        "Org Code": assignments["org_code"],
        "Staff Group": untidy(rng, assignments["staff_group"].combine_chunks()),
        "Pay Band": pay_band,
        "Assignment Category": untidy(rng, category),
        "FTE": assignments["fte"],
        "Assignment Start Date": day_first(assignments["start_date"].combine_chunks()),
        "Assignment End Date": end,
        "Termination Date": pc.if_else(ended, end, pa.scalar(None, pa.string())),
        "Leaving Reason": assignments["leaving_reason"],
        "Ethnic Origin": untidy(rng, ethnic),
        "Gender": pick(rng, p["sex"].combine_chunks(), {k: (v, k) for k, v in GENDER.items()}),
        "Disability Flag": pick(
            rng, p["disability"].combine_chunks(), {k: (v,) for k, v in DISABILITY.items()}
        ),
        "Date of Birth": dob,
        "Religious Belief": p["religion"],
        "Sexual Orientation": p["sexual_orientation"],
        "NHS Start Date": day_first(p["nhs_start_date"].combine_chunks()),
        "International Recruit": yes_no(p["international_recruit"].combine_chunks()),
        "Board Member": yes_no(assignments["board_member"].combine_chunks()),
        "Board Voting Member": yes_no(assignments["board_voting"].combine_chunks()),
        "Executive Director": yes_no(assignments["board_executive"].combine_chunks()),
    }
    return pa.table({k: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
                     for k, v in columns.items()})  # fmt: skip


def write_export(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """`esr_workforce.csv`."""
    return [write_csv_export(esr_export(tables, seed), Path(out_dir) / FILE_NAME)]
