"""The generated survey table as survey providers publish it: breakdown files of the NHS Staff
Survey (`nss_breakdown.csv`) and of the bank worker survey (`bank_survey_breakdown.csv`).

A published breakdown gives, per organisation, question and group, the number of respondents
and the PERCENTAGE of them who gave the answer counted, to one decimal place (a half rounded
up, some rows with a % sign), never the count. Groups with fewer than 11 respondents are not
published: the main survey's file writes `*` for the percentage and leaves the base blank; the
bank file leaves the percentage blank and writes `[c]` for the base. The two files also differ
in their headers ("Survey Year"/"Year", "Responses"/"n", "Percentage"/"%"), and the bank file
names questions by number only, as the staff_survey profile's aliases allow.

Question numbers are those of the 2022 and 2023 questionnaires; the bank file uses the main
survey's numbers for the same items (a real bank survey's numbering may differ: a copy of the
profile lists it). The shipped `staff_survey` profile reads both files back into the rows of
the survey table that were published, with the counts worked out from the percentages
(tests/ingest_profiles/test_survey_import.py holds them equal).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.synth.untidy import pick, untidy, write_csv_export

NSS_FILE = "nss_breakdown.csv"
BANK_FILE = "bank_survey_breakdown.csv"
#: Respondents a group needs before the provider publishes its result.
PUBLISHED_FROM = 11
#: Share of published percentages written with a % sign.
PERCENT_SIGN = 0.25

#: Measure → (indicator, NHS Staff Survey question, what it asks, in brief).
QUESTIONS = {
    "wres5": ("WRES 5", "Q14a", "Harassment, bullying or abuse from patients or the public"),
    "wres6": ("WRES 6", "Q14b/c", "Harassment, bullying or abuse from managers or colleagues"),
    "wres7": ("WRES 7", "Q15", "Organisation acts fairly on career progression"),
    "wres8": ("WRES 8", "Q16b", "Discrimination from a manager or colleagues"),
    "wdes4": ("WDES 4", "Q14b/c", "Harassment, bullying or abuse from managers or colleagues"),
    "wdes5": ("WDES 5", "Q15", "Organisation acts fairly on career progression"),
    "wdes6": ("WDES 6", "Q11e", "Felt pressure from a manager to come to work when unwell"),
    "wdes7": ("WDES 7", "Q4b", "Satisfied that the organisation values my work"),
    "wdes8": ("WDES 8", "Q31b", "Employer has made adequate adjustments"),
    "wdes9": ("WDES 9", "Q25c", "Would recommend the organisation as a place to work"),
}
SURVEY = {
    "nss": ("NHS Staff Survey",),
    "bank": ("NHS Staff Survey - Bank Workers", "Bank Worker Survey"),
}
BREAKDOWN = {
    "wres": ("Ethnicity (WRES)", "White / BME"),
    "ethnic_group": ("Ethnic Group",),
    "disability": ("Disability", "Long-term condition or illness"),
    "staff_type": ("Staff Type",),
    "all": ("All Staff", "Organisation"),
}
GROUP = {
    "White": ("White",),
    "BME": ("Black, Asian and Minority Ethnic", "BME"),
    "Mixed": ("Mixed / Multiple ethnic groups",),
    "Asian": ("Asian / Asian British",),
    "Black": ("Black / African / Caribbean / Black British",),
    "Other": ("Other ethnic group",),
    "Disabled": ("Disabled", "Staff with a long-term condition or illness"),
    "Not disabled": ("Non-disabled", "Staff without a long-term condition or illness"),
    "all": ("All staff",),
    "bank": ("Bank workers",),
}


def published_percent(positive: np.ndarray, responses: np.ndarray) -> list[str]:
    """positive / responses × 100 to one decimal place, a half rounded up, in exact integer
    arithmetic (tenths = ⌊(2000 × positive + responses) / (2 × responses)⌋)."""
    tenths = (2000 * positive + responses) // (2 * np.maximum(responses, 1))
    return [f"{t // 10}.{t % 10}" for t in tenths.tolist()]


def _breakdown(rng: np.random.Generator, rows: pa.Table, bank: bool) -> pa.Table:
    """One survey's rows as its provider's breakdown file."""
    n = rows.num_rows
    responses = rows["responses"].to_numpy(zero_copy_only=False).astype(np.int64)
    positive = rows["positive"].to_numpy(zero_copy_only=False).astype(np.int64)
    published = responses >= PUBLISHED_FROM
    signed = rng.random(n) < PERCENT_SIGN
    percent = [
        (p + "%" if s else p) if ok else None
        for p, s, ok in zip(published_percent(positive, responses), signed, published, strict=True)
    ]
    base = [str(r) if ok else None for r, ok in zip(responses.tolist(), published, strict=True)]
    if bank:  # the percentage left blank, the base marked
        base = [b if ok else "[c]" for b, ok in zip(base, published, strict=True)]
    else:  # the percentage marked, the base left blank
        percent = [p if ok else "*" for p, ok in zip(percent, published, strict=True)]
    measures = rows["measure"].to_pylist()
    question = pa.array([QUESTIONS.get(m, ("", m, ""))[1] for m in measures], pa.string())
    names = SURVEY["bank" if bank else "nss"]  # one name throughout a file
    survey = pa.array([names[int(rng.integers(len(names)))]] * n, pa.string())
    breakdown = untidy(rng, pick(rng, rows["group_type"].combine_chunks(), BREAKDOWN))
    group = untidy(rng, pick(rng, rows["group_value"].combine_chunks(), GROUP))
    if bank:
        columns = {
            "Survey": survey,
            "Year": rows["survey_year"],
            "Organisation Code": rows["org_code"],
            "Question Number": question,
            "Breakdown": breakdown,
            "Group": group,
            "n": pa.array(base, pa.string()),
            "%": pa.array(percent, pa.string()),
        }
    else:
        columns = {
            "Survey": survey,
            "Survey Year": rows["survey_year"],
            "Org Code": rows["org_code"],
            "Indicator": pa.array([QUESTIONS.get(m, (m,))[0] for m in measures], pa.string()),
            "Question": question,
            "Question Text": pa.array([QUESTIONS.get(m, ("", "", ""))[2] for m in measures]),
            "Breakdown": breakdown,
            "Group": group,
            "Responses": pa.array(base, pa.string()),
            "Percentage": pa.array(percent, pa.string()),
        }
    return pa.table(
        {k: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v for k, v in columns.items()}
    )


def survey_exports(tables: dict[str, pa.Table], seed: int = 7) -> dict[str, pa.Table]:
    """File name → the breakdown file of each survey, from the generated survey table."""
    rng = np.random.default_rng(seed)
    survey = tables["survey"]
    out = {}
    for name, instrument in ((NSS_FILE, "nss"), (BANK_FILE, "bank")):
        rows = survey.filter(pc.equal(survey["instrument"], instrument))
        out[name] = _breakdown(rng, rows, bank=instrument == "bank")
    return out


def write_export(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """`nss_breakdown.csv` and `bank_survey_breakdown.csv`, each when it has rows (a provider
    sends no breakdown of a survey that did not run; an import refuses a header-only file)."""
    return [
        write_csv_export(table, Path(out_dir) / name)
        for name, table in survey_exports(tables, seed).items()
        if table.num_rows
    ]
