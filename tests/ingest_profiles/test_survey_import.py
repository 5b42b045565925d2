"""The staff survey profile: a published percentage becomes the count behind it, exactly where
one count fits and on record where several do; a percentage no count fits is a row problem;
rows withheld at source are counted, not loaded; and the generator's survey breakdowns load
into the survey table's published rows."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from equitrack.ingest import SourceResult, Status, import_paths
from equitrack.ingest import profile as profiles
from equitrack.ingest.percent import Counted, counts_for, read_percent
from equitrack.store import connect
from equitrack.synth.survey_export import BANK_FILE, NSS_FILE, write_export
from tests.ingest_profiles.support import (
    Export,
    RoundTrip,
    invoke,
    profile_line,
    read_table,
    stored,
    write_organisations,
)

KEY = ["org_code", "survey_year", "instrument", "measure", "group_type", "group_value"]
HEADER = ["Survey", "Survey Year", "Org Code", "Indicator", "Breakdown", "Group", "Responses",
          "Percentage"]  # fmt: skip
SUPPRESSED = re.compile(r"^([\d,]+) row\(s\) skipped, not loaded")
WORKED_OUT = re.compile(
    r"^survey: positive worked out from \S+ × \S+ on ([\d,]+) row\(s\); "
    r"(?:on ([\d,]+) row\(s\) the published percentage fits more than one count "
    r"\(at most ±(\d+)\)|each published percentage fits exactly one count)"
)


def line(
    indicator: str = "WRES 5",
    breakdown: str = "Ethnicity (WRES)",
    group: str = "White",
    responses: str = "284",
    percent: str = "27.5",
    org: str = "RWE",
) -> list[str]:
    return ["NHS Staff Survey", "2023", org, indicator, breakdown, group, responses, percent]


def survey_table(db: Path) -> pa.Table:
    """The survey table without its batch_id, in KEY order."""
    return stored(db, "survey", KEY)


def survey_results(result: object) -> list[SourceResult]:
    return [s for s in result.sources if s.source.table == "survey"]  # type: ignore[attr-defined]


def notes_matching(warnings: list[str], pattern: re.Pattern[str]) -> list[re.Match[str]]:
    return [m for w in warnings if (m := pattern.match(w))]


# --- the arithmetic, by hand ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read"),
    [("27.3", (273, 1)), ("27.3%", (273, 1)), (" 27 % ", (27, 0)), ("0", (0, 0)),
     ("100", (100, 0)), ("100.0", (1000, 1)), ("27.30", (2730, 2)), (".5", (5, 1))],
)  # fmt: skip
def test_a_percentage_is_read_with_the_decimals_it_was_written_to(
    text: str, read: tuple[int, int]
) -> None:
    assert read_percent(text) == read


@pytest.mark.parametrize(
    ("text", "why"),
    [("100.1", "outside 0–100"), ("127", "outside 0–100"), ("-5", "outside 0–100"),
     ("abc", "is not a percentage"), ("27,3", "is not a percentage"), ("%", "is not a percentage"),
     ("27.1234567", "more than 6 decimal places")],
)  # fmt: skip
def test_what_is_not_a_percentage_from_0_to_100_is_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        read_percent(text)


def test_counts_worked_by_hand() -> None:
    # 27.5% of 284: 77/284 = 27.11% → 27.1; 78/284 = 27.46% → 27.5; 79/284 = 27.82% → 27.8.
    # Only 78 rounds to 27.5.
    assert counts_for(275, 1, 284) == Counted(78, 78, 78)
    # 27.3% of 284: 77 gives 27.1 and 78 gives 27.5; nothing gives 27.3 (so "27.3% of 284 is
    # 78" would be wrong: 78 of 284 is 27.46%, published as 27.5).
    assert counts_for(273, 1, 284) is None
    # 27% (whole percent) of 284: 26.5% ≤ k/284 ≤ 27.5% ⇔ 75.26 ≤ k ≤ 78.1, so 76, 77, 78
    # (26.76%, 27.11%, 27.46%); 27% × 284 = 76.68, nearest 77.
    assert counts_for(27, 0, 284) == Counted(77, 76, 78)
    # 27% of 1,203: 318.795 ≤ k ≤ 330.825, so 319…330; 27% × 1,203 = 324.81, nearest 325.
    assert counts_for(27, 0, 1203) == Counted(325, 319, 330)
    # 50% of 3: 1 is 33% and 2 is 67%.
    assert counts_for(50, 0, 3) is None
    # 1 of 8 is exactly 12.5%: published as 13 (a half up) or 12 (a half to even) by different
    # publishers; either way 1 fits (and nothing else: 0 is 0%, 2 is 25%).
    assert counts_for(13, 0, 8) == counts_for(12, 0, 8) == Counted(1, 1, 1)
    assert counts_for(0, 0, 0) == Counted(0, 0, 0) and counts_for(10, 0, 0) is None
    assert counts_for(1000, 1, 37) == Counted(37, 37, 37)  # 100.0%


@pytest.mark.parametrize("decimals", [0, 1])
def test_the_counts_are_exactly_those_that_round_to_the_published_percentage(
    decimals: int,
) -> None:
    """Checked against every count of every base up to 250, by enumeration."""
    scale = 10**decimals
    for n in range(1, 251):
        # every percentage a count of n can be published as, a half rounded up
        published = {(200 * scale * k + n) // (2 * n) for k in range(n + 1)}
        for units in published:
            fits = [k for k in range(n + 1) if abs(200 * scale * k - 2 * units * n) <= n]
            got = counts_for(units, decimals, n)
            assert got is not None and (got.low, got.high) == (fits[0], fits[-1]), (n, units)
            assert fits == list(range(got.low, got.high + 1))
            best = min(fits, key=lambda k: (abs(k * 100 * scale - units * n), -k))
            assert got.count == best, (n, units)


# --- importing a file ----------------------------------------------------------------------


ROWS = [
    line(),  # line 2: 27.5% of 284 → 78
    line(group="Black, Asian and Minority Ethnic", responses="1203", percent="27%"),  # 3
    line(breakdown="Ethnic Group", group="Mixed / Multiple ethnic groups", responses="",
         percent="*"),  # 4: withheld, the base blank
    line(breakdown="Ethnic Group", group="Black / African / Caribbean / Black British",
         responses="[c]", percent=""),  # 5: withheld, the percentage blank and the base marked
    line(indicator="WRES 7", breakdown="All Staff", group="All staff", responses="1487",
         percent=" 58.0 % "),  # 6: 58.0% of 1,487 → 862 or 863 (57.97%, 58.04%)
    line(indicator="Q4a", breakdown="Disability", group="Non-disabled", responses="100",
         percent="0"),  # 7: an item the profile does not list is kept as written
    line(indicator="WDES 8", breakdown="Disability", group="Disabled", responses="40",
         percent="100"),  # 8
]  # fmt: skip
#: A file named no table's name (its header says what it is), beside organisations.csv.
SURVEY = Export("survey_results.csv", HEADER, ROWS, beside=write_organisations)


def test_percentages_become_counts_and_the_rounding_is_recorded(
    tmp_path: Path, db_path: Path
) -> None:
    folder = SURVEY.folder(tmp_path / "data")
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [(s.problems, s.file_problems) for s in result.sources]
    (survey,) = survey_results(result)
    assert (survey.rows_read, survey.rows_loaded, survey.rows_rejected) == (5, 5, 0)
    assert survey_table(db_path).select(["measure", "group_type", "group_value", "responses",
                                         "positive"]).to_pylist() == [
        {"measure": "Q4a", "group_type": "disability", "group_value": "Not disabled",
         "responses": 100, "positive": 0},
        {"measure": "wdes8", "group_type": "disability", "group_value": "Disabled",
         "responses": 40, "positive": 40},
        {"measure": "wres5", "group_type": "wres", "group_value": "BME", "responses": 1203,
         "positive": 325},
        {"measure": "wres5", "group_type": "wres", "group_value": "White", "responses": 284,
         "positive": 78},
        {"measure": "wres7", "group_type": "all", "group_value": "all", "responses": 1487,
         "positive": 862},
    ]  # fmt: skip
    assert (
        "2 row(s) skipped, not loaded ('*' in Percentage on 1, '[c]' in "
        "Responses on 1; lines 4, 5)" in survey.warnings[0]
    )
    # 27% of 1,203 is 319…330 (325 taken: 6 below, 5 above); 58.0% of 1,487 is 862 or 863
    assert (
        "survey: positive worked out from Percentage × Responses on 5 row(s); on 2 row(s) the "
        "published percentage fits more than one count (at most ±6), the nearest was taken. "
        "The percentages as published are kept aside as positive_percent (table extra_values)."
        in survey.warnings
    )
    extra = read_table(db_path, "extra_values").to_pylist()
    assert sorted((e["line"], e["column_name"], e["value"]) for e in extra) == [
        (2, "positive_percent", "27.5"),
        (3, "positive_percent", "27%"),
        (6, "positive_percent", "58.0 %"),
        (7, "positive_percent", "0"),
        (8, "positive_percent", "100"),
    ]


def test_a_percentage_no_count_fits_or_outside_0_to_100_is_a_row_problem(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [
        line(percent="27.3"),
        line(group="BME", responses="3", percent="50"),
        line(group="White ", org="RT5", percent="127"),
        line(group="BME", org="RT5", percent="27,3"),
        line(indicator="WRES 6", responses="", percent="20.0"),
        line(indicator="WRES 6", group="BME", percent="27.5%"),
    ]
    folder = SURVEY.folder(tmp_path / "data", rows)
    result = import_paths([folder], connect(str(db_path)), skip_invalid=True)
    (survey,) = survey_results(result)
    assert survey.status == Status.LOADED and survey.rows_loaded == 1
    where = "column 8 (Percentage)"
    assert [p for p in survey.problems.to_pylist() if p["column"] == where] == [
        {"row": 0, "line": 2, "column": where,
         "reason": "'27.3' cannot be a percentage of 284 (Responses): no whole number of them "
                   "gives it, rounded to 1 decimal place(s) (77 of 284 is 27.1% and 78 of 284 "
                   "is 27.5%)"},
        {"row": 1, "line": 3, "column": where,
         "reason": "'50' cannot be a percentage of 3 (Responses): no whole number of them gives "
                   "it, rounded to whole numbers (1 of 3 is 33% and 2 of 3 is 67%)"},
        {"row": 2, "line": 4, "column": where,
         "reason": "'127' is not a percentage: it is outside 0–100"},
        {"row": 3, "line": 5, "column": where,
         "reason": "'27,3' is not a percentage (a number such as 27.3 or 27.3%)"},
        {"row": 4, "line": 6, "column": where,
         "reason": "'20.0' cannot be turned into a count: Responses is blank"},
    ]  # fmt: skip
    assert survey_table(db_path)["positive"].to_pylist() == [78]


def test_an_unknown_breakdown_stops_the_import_with_its_count_and_the_line_to_add(
    tmp_path: Path, db_path: Path
) -> None:
    rows = [ROWS[0], line(breakdown="Ethnicity", group="Asian"),
            line(breakdown="ETHNICITY ", group="Black")]  # fmt: skip
    folder = SURVEY.folder(tmp_path / "data", rows)
    out = invoke("import", str(folder), "--db", str(db_path), "--rejects", str(tmp_path / "r"))
    assert out.exit_code == 1
    values_line = profile_line("staff_survey", "columns.group_type")  # no values table of its own
    assert "1 value(s) on 2 row(s)" in out.output  # the two spellings are one value
    assert "'Ethnicity' (2)" in out.output
    assert f"staff_survey.toml (line {values_line})" in out.output
    assert '"Ethnicity" = "<one of wres, ethnic_group, staff_type, disability, all>"' in out.output
    assert "survey_results.csv line 3, column 5 (Breakdown): 'Ethnicity' is not in" in out.output
    assert "Nothing was loaded" in out.output
    assert survey_table(db_path).num_rows == 0


# --- the generator's breakdown files ------------------------------------------------------


def published_fits(units: np.ndarray, n: np.ndarray) -> list[list[int]]:
    """By enumeration: the counts of each base that a one-decimal percentage can stand for."""
    pairs = zip(units.tolist(), n.tolist(), strict=True)
    return [[k for k in range(b + 1) if abs(2000 * k - 2 * u * b) <= b] for u, b in pairs]


def test_the_survey_breakdowns_load_into_the_published_rows_of_the_survey_table(
    tmp_path: Path, generated: dict[str, pa.Table]
) -> None:
    trip = RoundTrip.write(tmp_path, generated, "survey")
    written = trip.written
    assert written["survey"] == tmp_path / "survey" / NSS_FILE
    assert (tmp_path / "survey" / BANK_FILE).exists()
    assert not (tmp_path / "survey" / "survey.csv").exists()
    nss = (tmp_path / "survey" / NSS_FILE).read_text(encoding="utf-8-sig")
    assert '"Black, Asian and Minority Ethnic"' in nss and ',"*"' in nss and '%"' in nss
    bank = (tmp_path / "survey" / BANK_FILE).read_text(encoding="utf-8-sig")
    assert '"[c]",\n' in bank and "Bank workers" in bank

    results = trip.imported()
    for file in (BANK_FILE, NSS_FILE):
        assert (
            f"{file}: read with the staff_survey profile (its header has Survey, Breakdown and "
            "Group), giving survey" in results["survey"].notes
        )
    canonical = survey_table(trip.canonical_db)
    assert canonical.num_rows == generated["survey"].num_rows
    published = canonical.filter(pc.greater_equal(canonical["responses"], 11))
    withheld = canonical.num_rows - published.num_rows
    assert withheld > 0 and published.num_rows > 0
    loaded = survey_table(trip.export_db)
    assert loaded.drop(["positive"]).equals(published.drop(["positive"]))

    warnings = [w for s in survey_results(results["survey"]) for w in s.warnings]
    suppressed = notes_matching(warnings, SUPPRESSED)
    assert len(suppressed) == 2 and sum(int(m[1]) for m in suppressed) == withheld
    worked = notes_matching(warnings, WORKED_OUT)
    assert len(worked) == 2 and sum(int(m[1]) for m in worked) == published.num_rows

    # Exact where one count fits; where several do, within the recorded range, and counted.
    n = published["responses"].to_numpy()
    true = published["positive"].to_numpy()
    units = (2000 * true + n) // (2 * n)
    fits = published_fits(units, n)
    several = np.array([len(f) > 1 for f in fits])
    got = loaded["positive"].to_numpy()
    assert (got[~several] == true[~several]).all()
    assert sum(int(m[2] or 0) for m in worked) == several.sum()
    widest = max((int(m[3] or 0) for m in worked), default=0)
    assert (np.abs(got[several] - true[several]) <= widest).all()
    assert all(g in f for g, f in zip(got, fits, strict=True))
    if not several.any():  # bases under 1,000 at one decimal: one count each
        assert all("fits exactly one count" in m[0] for m in worked)


def test_large_bases_round_trip_within_the_recorded_range(tmp_path: Path, db_path: Path) -> None:
    """Bases over 1,000: a one-decimal percentage can stand for two or three counts."""
    rng = np.random.default_rng(5)
    keys = list(itertools.product(["RWE", "RT5"], range(2015, 2025), ["wres5", "wres6"],
                                  ["White", "BME"]))  # fmt: skip
    responses = rng.integers(1001, 9000, len(keys))
    positive = rng.binomial(responses, 0.3)
    survey = pa.table(
        {
            "org_code": [k[0] for k in keys],
            "survey_year": [k[1] for k in keys],
            "instrument": ["nss"] * len(keys),
            "measure": [k[2] for k in keys],
            "group_type": ["wres"] * len(keys),
            "group_value": [k[3] for k in keys],
            "responses": responses,
            "positive": positive,
        }
    )
    folder = tmp_path / "data"
    write_organisations(folder)
    write_export({"survey": survey}, folder, seed=5)
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [s.problems for s in result.sources]
    loaded = survey_table(db_path)
    expected = survey.sort_by([(k, "ascending") for k in KEY])
    assert loaded.drop(["positive"]).equals(expected.drop(["positive"]))
    n, true = expected["responses"].to_numpy(), expected["positive"].to_numpy()
    fits = published_fits((2000 * true + n) // (2 * n), n)
    several = np.array([len(f) > 1 for f in fits])
    got = loaded["positive"].to_numpy()
    assert several.sum() > 5 and (got[~several] == true[~several]).all()
    assert all(g in f for g, f in zip(got, fits, strict=True))
    warnings = [w for s in survey_results(result) for w in s.warnings]
    (worked,) = notes_matching(warnings, WORKED_OUT)
    assert int(worked[1]) == len(keys) and int(worked[2]) == several.sum()
    widest = max(max(g - f[0], f[-1] - g) for g, f in zip(got, fits, strict=True))
    assert int(worked[3]) == widest and (np.abs(got - true) <= widest).all()
    assert (got != true).any()  # the nearest is not always the true count: hence the record


# --- the profile format and `profile check` -------------------------------------------------


def test_profile_check_and_import_show_the_notes_without_calling_them_problems(
    tmp_path: Path, db_path: Path
) -> None:
    folder = SURVEY.folder(tmp_path / "data")
    checked = invoke("profile", "check", str(folder / "survey_results.csv"))
    assert checked.exit_code == 0, checked.output
    assert "The file can be imported." in checked.output
    assert "survey.positive ← column 8 (Percentage)" in checked.output
    imported = invoke("import", str(folder), "--db", str(db_path))
    assert imported.exit_code == 0, imported.output
    assert (
        "survey_results.csv: survey: positive worked out from Percentage × Responses on 5 row(s)"
        in imported.output
    )
    assert "survey_results.csv: 2 row(s) skipped, not loaded" in imported.output


MINIMAL = """name = "local_survey"
tables = ["survey"]
[columns.instrument]
constant = "nss"
[columns.org_code]
headers = ["Org"]
[columns.survey_year]
headers = ["Year"]
[columns.measure]
headers = ["Q"]
[columns.group_type]
headers = ["Breakdown"]
[columns.group_value]
headers = ["Group"]
[columns.responses]
headers = ["n"]
[columns.positive]
headers = ["%"]
percent_of = "responses"
"""


def test_a_minimal_profile_with_percent_of_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text(MINIMAL + 'skip = ["*"]\n')
    rule = next(r for r in profiles.load(str(path)).columns if r.target == "positive")
    assert (rule.percent_of, rule.skip) == ("responses", ("*",))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('percent_of = "responses"', 'percent_of = "group_value"'),
         "[columns.positive] percent_of: survey.group_value is a str column; a percentage is "
         "of a count (an int column)"),
        (('percent_of = "responses"', 'percent_of = "colour"'),
         "[columns.positive] percent_of: survey has no column 'colour'"),
        (('headers = ["Group"]', 'headers = ["Group"]\npercent_of = "responses"'),
         "[columns.group_value] percent_of: makes a count, so group_value must be a "
         "whole-number (int) column, not str"),
        (('percent_of = "responses"', 'percent_of = "responses"\nvalues = { "x" = "1" }'),
         "[columns.positive]: values cannot be used with percent_of"),
        (('headers = ["%"]', 'constant = "3"'),
         "[columns.positive] percent_of: works out a count from a percentage in the file: "
         "give headers"),
        (('constant = "nss"', 'constant = "nss"\nskip = ["*"]'),
         "[columns.instrument] skip: lists values read from the file"),
        (('percent_of = "responses"', 'percent_of = "responses"\nskip = []'),
         "[columns.positive] skip: must be a list of text"),
        (('percent_of = "responses"', 'percent_of = "positive"'),
         "[columns.positive] percent_of: positive cannot be a percentage of itself"),
    ],
)  # fmt: skip
def test_a_bad_percent_of_or_skip_is_named_by_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.toml"
    old, new = change
    assert old in MINIMAL
    path.write_text(MINIMAL.replace(old, new, 1))
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load(str(path))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_percent_of_a_column_the_profile_does_not_give_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "panels.toml"
    path.write_text(
        'name = "panels"\ntables = ["vacancies"]\ndates = ["iso"]\n'
        '[columns.vacancy_id]\nheaders = ["Id"]\n[columns.org_code]\nconstant = "RWE"\n'
        '[columns.pay_band]\nheaders = ["Band"]\n[columns.opened_date]\nheaders = ["Opened"]\n'
        '[columns.advert]\nconstant = "external"\n[columns.opportunity_type]\nconstant = "post"\n'
        '[columns.panel_minority_members]\nheaders = ["Minority %"]\npercent_of = "panel_size"\n'
    )
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load(str(path))
    assert str(caught.value) == (
        f"{path}: [columns.panel_minority_members] percent_of: 'panel_size' is not a column "
        "this profile gives vacancies (add [columns.panel_size])"
    )
