"""The NHS Staff Survey's published breakdown sheets (wide: a base and a percentage per answer
for each question, under a title block) load as the survey table's rows: the counts behind the
percentages worked back by hand, withheld groups reported and not loaded, and each year's
question numbers read as that year's questionnaire numbers them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from equitrack import api
from equitrack.ingest import SourceResult, import_paths
from equitrack.ingest import profile as profiles
from equitrack.store import connect
from tests.ingest_profiles.published_survey import (
    AGREE,
    EXPECTED_2023,
    GROUPS_2023,
    HOW_OFTEN,
    Q2023,
    Group,
    Question,
    Sheet,
    sheet_2023,
    title,
    write_csv,
    write_xlsx,
)
from tests.ingest_profiles.support import invoke, stored, write_organisations

KEY = ["org_code", "survey_year", "instrument", "measure", "group_type", "group_value"]


def loaded(db: Path) -> list[tuple[object, ...]]:
    table = stored(db, "survey", KEY)
    cols = ["measure", "group_type", "group_value", "responses", "positive"]
    return sorted(zip(*(table[c].to_pylist() for c in cols), strict=True))


def survey_sources(result: object) -> list[SourceResult]:
    return [s for s in result.sources if s.source.table == "survey"]  # type: ignore[attr-defined]


def imported(folder: Path, db: Path, **options: object) -> object:
    store = connect(str(db))
    try:
        return import_paths([folder], store, **options)
    finally:
        store.close()


def folder_with(tmp_path: Path, name: str, write: object, sheet: Sheet) -> Path:
    folder = tmp_path / "data"
    write_organisations(folder)
    write(folder / name, sheet)  # type: ignore[operator]
    return folder


# --- the 2023 sheet, counted by hand -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "write", "style", "withheld"),
    [
        ("nss_2023_breakdowns.xlsx", write_xlsx, "fraction", "*"),
        ("nss_2023_breakdowns.xlsx", write_xlsx, "plain", "-"),
        ("nss_2023_breakdowns.csv", write_csv, "sign", "*"),
        ("nss_2023_breakdowns.csv", write_csv, "plain", "-"),
    ],
)
def test_the_published_sheet_loads_the_hand_counted_rows(
    tmp_path: Path, db_path: Path, name: str, write: object, style: str, withheld: str
) -> None:
    folder = folder_with(tmp_path, name, write, sheet_2023(style, withheld))
    result = imported(folder, db_path)
    assert result.ok, [(s.problems.to_pylist(), s.file_problems) for s in result.sources]
    assert any(
        f"{name}" in n and "read with the staff_survey_published profile" in n for n in result.notes
    ), result.notes
    assert loaded(db_path) == EXPECTED_2023
    table = stored(db_path, "survey", KEY)
    assert set(table["survey_year"].to_pylist()) == {2023}  # from the title block
    assert set(table["instrument"].to_pylist()) == {"nss"}
    assert set(table["org_code"].to_pylist()) == {"RWE"}
    (survey,) = survey_sources(result)
    said = " ".join(survey.warnings)
    # Black: 4 questions withheld; Disabled: Q14a withheld. Each is noted, none is loaded.
    assert "5 row(s) skipped, not loaded" in said, survey.warnings
    assert f"'{withheld}'" in said
    # Q3a is not a question any measure reads: noted, not loaded
    assert "Q3a" in said


def test_wres_5_to_8_from_the_sheet_equal_a_hand_count(tmp_path: Path, db_path: Path) -> None:
    folder = folder_with(tmp_path, "nss.xlsx", write_xlsx, sheet_2023("fraction"))
    assert imported(folder, db_path).ok
    store = connect(str(db_path))
    try:
        results = api.run(
            "wres", (2024,), store=store, measures=["wres5", "wres6", "wres7", "wres8"]
        )
    finally:
        store.close()
    got = {
        (r.measure, r.group): (r.numerator, r.denominator)
        for r in results
        if r.org == "RWE" and r.period == 2024
    }
    # WRES 2024 reads the survey of autumn 2023: experienced harassment from patients (5),
    # from staff (6), believes in equal opportunities (7), discriminated against (8)
    assert got == {
        ("wres5", "White"): (100, 400),
        ("wres5", "BME"): (50, 150),
        ("wres6", "White"): (80, 398),
        ("wres6", "BME"): (39, 149),
        ("wres7", "White"): (237, 395),
        ("wres7", "BME"): (63, 148),
        ("wres8", "White"): (24, 401),
        ("wres8", "BME"): (25, 152),
    }


def test_the_workbook_and_the_csv_give_the_same_store(tmp_path: Path) -> None:
    a = folder_with(tmp_path / "a", "nss.xlsx", write_xlsx, sheet_2023("fraction"))
    b = folder_with(tmp_path / "b", "nss.csv", write_csv, sheet_2023("sign", "-"))
    assert imported(a, tmp_path / "a.duckdb").ok and imported(b, tmp_path / "b.duckdb").ok
    assert stored(tmp_path / "a.duckdb", "survey", KEY).equals(
        stored(tmp_path / "b.duckdb", "survey", KEY)
    )


# --- question numbers by year ---------------------------------------------------------------


def one_question_sheet(year: int, number: str, answers: tuple[str, ...], counts: dict) -> Sheet:
    groups = tuple(Group("RWE", b, g, {number: c}) for (b, g), c in counts.items())
    return Sheet(title(year), (Question(number, answers),), groups)


@pytest.mark.parametrize(
    ("measure", "answers", "earlier", "later", "breakdown"),
    [
        # harassment from patients: Q13a in the 2020 questionnaire, Q14a from 2021
        ("wres5", HOW_OFTEN, (2020, "Q13a"), (2023, "Q14a"), ("White / BME", "White")),
        # would recommend the organisation as a place to work: Q21c in 2021, Q25c in 2023
        ("wdes9", AGREE, (2021, "Q21c"), (2023, "Q25c"), ("Disability", "Disabled")),
    ],
)
def test_the_same_measure_is_read_from_each_years_question_number(
    tmp_path: Path,
    db_path: Path,
    measure: str,
    answers: tuple[str, ...],
    earlier: tuple[int, str],
    later: tuple[int, str],
    breakdown: tuple[str, str],
) -> None:
    # at least once (all but the first answer): 30 then, 50 now; agree (the last two): 10, 20
    counts_then = {breakdown: (70, 10, 10, 6, 4)}
    counts_now = {breakdown: (50, 10, 20, 15, 5)}
    folder = tmp_path / "data"
    write_organisations(folder)
    write_csv(folder / "then.csv", one_question_sheet(*earlier, answers, counts_then))
    write_xlsx(folder / "now.xlsx", one_question_sheet(*later, answers, counts_now))
    result = imported(folder, db_path)
    assert result.ok, [(s.problems.to_pylist(), s.file_problems) for s in result.sources]
    table = stored(db_path, "survey", KEY)
    got = list(zip(table["survey_year"].to_pylist(), table["measure"].to_pylist(),
                   table["responses"].to_pylist(), table["positive"].to_pylist(), strict=True))  # fmt: skip
    if measure == "wres5":  # at least once: all but Never
        assert got == [(2020, "wres5", 100, 30), (2023, "wres5", 100, 50)]
    else:  # agree or strongly agree
        assert got == [(2021, "wdes9", 100, 10), (2023, "wdes9", 100, 20)]


def test_a_question_number_read_in_another_years_sense_is_not_loaded(
    tmp_path: Path, db_path: Path
) -> None:
    """Q14a is not harassment in the 2020 questionnaire: a 2020 sheet's Q14a is no WRES 5."""
    sheet = one_question_sheet(2020, "Q14a", HOW_OFTEN, {("White / BME", "White"): (1, 2, 3, 4, 5)})
    folder = folder_with(tmp_path, "nss.csv", write_csv, sheet)
    result = imported(folder, db_path)
    assert stored(db_path, "survey", KEY).num_rows == 0
    said = " ".join(w for s in survey_sources(result) for w in s.warnings + s.file_problems)
    assert "Q14a" in said and "2020" in said


# --- what cannot be read ---------------------------------------------------------------------


def test_a_percentage_no_count_fits_is_a_row_problem_naming_the_column(
    tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "data" / "nss.csv"
    write_organisations(path.parent)
    write_csv(path, sheet_2023("plain"))
    # White's Q16b % Yes (the first 6.0 of the file): 24 of 401 is 5.99%, 25 is 6.23%, so
    # nothing gives 6.1
    text = path.read_text(encoding="utf-8-sig").replace(",6.0,", ",6.1,", 1)
    path.write_text(text, encoding="utf-8")
    result = imported(path.parent, db_path, skip_invalid=True)
    (survey,) = survey_sources(result)
    problems = survey.problems.to_pylist()
    assert len(problems) == 1, problems
    assert problems[0]["line"] == 6  # the first data row, below a four-line title block
    assert "Q16b % Yes" in problems[0]["reason"] and "'6.1'" in problems[0]["reason"]
    assert ("wres8", "wres", "White", 401, 24) not in loaded(db_path)
    assert ("wres8", "wres", "BME", 152, 25) in loaded(db_path)


def test_an_answer_no_measure_declares_stops_the_file_and_says_where_to_add_it(
    tmp_path: Path, db_path: Path
) -> None:
    sheet = Sheet(
        title(2023),
        (Question("Q16b", ("Yes", "No", "Prefer not to say")),),
        (Group("RWE", "White / BME", "White", {"Q16b": (10, 80, 10)}),),
    )
    folder = folder_with(tmp_path, "nss.csv", write_csv, sheet)
    result = imported(folder, db_path)
    assert not result.ok
    said = " ".join(p for s in survey_sources(result) for p in s.file_problems)
    assert "Prefer not to say" in said and "survey_questions.toml" in said


def test_a_sheet_whose_year_cannot_be_told_is_refused_with_what_to_do(
    tmp_path: Path, db_path: Path
) -> None:
    sheet = Sheet(("Staff survey breakdowns", "Ethnic background", "Source: survey provider"),
                  sheet_2023().questions, GROUPS_2023)  # fmt: skip
    folder = folder_with(tmp_path, "nss.csv", write_csv, sheet)
    result = imported(folder, db_path)
    assert not result.ok
    said = " ".join(p for s in survey_sources(result) for p in s.file_problems)
    assert "survey year" in said.lower() and "Survey Year" in said


# --- detection, profile check and the nearest profile ----------------------------------------


def test_profile_check_reads_the_sheet_with_the_published_profile(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "nss.xlsx", sheet_2023("fraction"))
    out = invoke("profile", "check", str(path))
    assert out.exit_code == 0, out.output
    assert "staff_survey_published" in out.output
    assert "The file can be imported." in out.output
    assert "Q14a Base (number of responses)" not in out.output.split("not read")[-1]


def test_a_sheet_without_base_columns_is_told_the_nearest_profile(
    tmp_path: Path, db_path: Path
) -> None:
    sheet = sheet_2023("plain")
    path = tmp_path / "data" / "nss.csv"
    write_csv(path, sheet)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[4].split(",")
    drop = [i for i, h in enumerate(header) if "Base" in h]
    cut = [",".join(c for i, c in enumerate(line.split(",")) if i not in drop) for line in lines]
    path.write_text("\n".join(cut) + "\n", encoding="utf-8")
    out = invoke("import", str(path), "--db", str(db_path), "--rejects", str(tmp_path / "r"))
    assert out.exit_code != 0
    assert "nearest is staff_survey_published" in out.output, out.output


def test_json_of_the_wres_figures_is_unchanged_by_the_sheets_form(tmp_path: Path) -> None:
    """The figures a report shows do not depend on how the sheet wrote its percentages."""
    shown = []
    for style, write, name in (("fraction", write_xlsx, "n.xlsx"), ("sign", write_csv, "n.csv")):
        folder = folder_with(tmp_path / style, name, write, sheet_2023(style))
        db = tmp_path / f"{style}.duckdb"
        assert imported(folder, db).ok
        out = invoke("wres", "--year", "2024", "--db", str(db), "--format", "json").output
        rows = [r for r in json.loads(out) if r["measure"] in ("wres5", "wres7")]
        shown.append(sorted((r["measure"], r["group"], r["numerator"]) for r in rows))
    assert shown[0] == shown[1] and ("wres5", "BME", 50) in shown[0]


# --- where the survey's year comes from ------------------------------------------------------


@pytest.mark.parametrize(
    "first_line",
    ["2023 NHS Staff Survey: local results", "Survey year: 2023", "NSS23 breakdowns",
     "National NHS Staff Survey 2023 (published 2024)"],
)  # fmt: skip
def test_the_year_is_read_from_the_title_as_publishers_write_it(
    tmp_path: Path, db_path: Path, first_line: str
) -> None:
    sheet = Sheet((first_line, "Breakdown by ethnic background", ""), *_one_question())
    folder = folder_with(tmp_path, "nss.csv", write_csv, sheet)
    assert imported(folder, db_path).ok
    assert stored(db_path, "survey", KEY)["survey_year"].to_pylist() == [2023]


def test_a_title_naming_two_survey_years_is_refused(tmp_path: Path, db_path: Path) -> None:
    sheet = Sheet(("NHS Staff Survey 2023", "Compared with NHS Staff Survey 2022", ""),
                  *_one_question())  # fmt: skip
    folder = folder_with(tmp_path, "nss.csv", write_csv, sheet)
    result = imported(folder, db_path)
    said = " ".join(p for s in survey_sources(result) for p in s.file_problems)
    assert not result.ok and "two survey years" in said


def test_a_year_column_and_thousands_in_the_base_are_read(tmp_path: Path, db_path: Path) -> None:
    """No title block; the year in a column (a sheet of two years); 1,203 is a base of 1203."""
    folder = tmp_path / "data"
    write_organisations(folder)
    answers = ",".join(f"Q14a % {a}" for a in HOW_OFTEN)
    (folder / "nss.csv").write_text(
        f"Survey Year,Org Code,Breakdown,Group,Q14a Base (number of responses),{answers}\n"
        '2022,RWE,White / BME,BME,"1,203",72.3,14.5,7.6,3.5,2.1\n'
        "2023,RWE,White / BME,BME,150,66.7,20.0,8.0,3.3,2.0\n",
        encoding="utf-8",
    )
    result = imported(folder, db_path)
    assert result.ok, [(s.problems.to_pylist(), s.file_problems) for s in result.sources]
    table = stored(db_path, "survey", KEY)
    got = list(zip(table["survey_year"].to_pylist(), table["responses"].to_pylist(),
                   table["positive"].to_pylist(), strict=True))  # fmt: skip
    # Of 1,203, by hand (k × 100 / 1203, rounded to one place): 14.5% is 174 (14.46%) or 175
    # (14.55%), nearest to 14.5 × 12.03 = 174.4 is 174; 7.6% is 91 (7.56%) or 92 (7.65%),
    # nearest to 91.4 is 91; 3.5% is only 42 (3.49%); 2.1% is only 25 (2.08%). 174 + 91 + 42 +
    # 25 = 332 harassed at least once. Of 150: 30 + 12 + 5 + 3 = 50.
    assert got == [(2022, 1203, 332), (2023, 150, 50)]


def test_a_copy_of_the_profile_gives_the_year_and_its_own_questions(
    tmp_path: Path, db_path: Path
) -> None:
    """The bank worker survey's sheet: a copy says bank, names the year and its own numbers."""
    shipped = Path(str(profiles.shipped_dir() / "staff_survey_published.toml"))
    text = shipped.read_text(encoding="utf-8")
    text = text.replace('name = "staff_survey_published"', 'name = "bank_published"')
    text = text.replace('constant = "nss"', 'constant = "bank"')
    text = text.replace("# year = 2023", "year = 2024")
    text = text.replace('# questions = "bank_survey_questions.toml"', 'questions = "bank_q.toml"')
    (tmp_path / "bank.toml").write_text(text, encoding="utf-8")
    (tmp_path / "bank_q.toml").write_text(
        '[measures.wres5]\ncounted = ["1-2", "3-5", "6-10", "More than 10"]\n'
        'others = ["Never"]\n[years.2024]\nQ7a = "wres5"\n',
        encoding="utf-8",
    )
    sheet = Sheet(("Bank worker survey", "Breakdown by ethnic background", ""),
                  (Question("Q7a", HOW_OFTEN),),
                  (Group("RWE", "White / BME", "BME", {"Q7a": (60, 20, 10, 6, 4)}),))  # fmt: skip
    sheet_file = write_csv(tmp_path / "sheet" / "bank_sheet.csv", sheet)
    orgs = tmp_path / "orgs"
    write_organisations(orgs)
    assert imported(orgs, db_path).ok
    store = connect(str(db_path))
    try:
        result = import_paths([sheet_file], store, profile=tmp_path / "bank.toml")
    finally:
        store.close()
    assert result.ok, [(s.problems.to_pylist(), s.file_problems) for s in result.sources]
    table = stored(db_path, "survey", KEY)
    assert table.select(["survey_year", "instrument", "measure", "responses", "positive"]
                        ).to_pylist() == [{"survey_year": 2024, "instrument": "bank",
                                           "measure": "wres5", "responses": 100,
                                           "positive": 40}]  # fmt: skip


def _one_question() -> tuple[tuple[Question, ...], tuple[Group, ...]]:
    return (
        (Question("Q14a", HOW_OFTEN),),
        (Group("RWE", "White / BME", "White", {"Q14a": (300, 60, 25, 10, 5)}),),
    )


# --- many groups, against a plain count -------------------------------------------------------

#: The 2023 questionnaire's WRES questions, written out here apart from survey_questions.toml:
#: the measure by ethnicity, the measure by disability, and what is counted ("never": every
#: answer but the first, Never; "yes": the first answer, Yes, only).
PLAIN_2023 = {
    "Q14a": ("wres5", "wres5", "never"),
    "Q14b/c": ("wres6", "wdes4", "never"),
    "Q15": ("wres7", "wdes5", "yes"),
    "Q16b": ("wres8", "wres8", "yes"),
}
BREAKDOWNS = {
    "White / BME": ("wres", ["White", "BME"]),
    "Ethnic group": ("ethnic_group", ["Asian", "Black", "Mixed", "White"]),
    "Disability": ("disability", ["Disabled", "Not disabled"]),
}


@pytest.mark.parametrize(("style", "write", "name"), [("plain", write_csv, "nss.csv"),
                                                      ("fraction", write_xlsx, "nss.xlsx")])  # fmt: skip
def test_many_groups_load_the_counts_a_plain_count_gives(
    tmp_path: Path, db_path: Path, style: str, write: object, name: str
) -> None:
    """Bases under 1,000 at one decimal place (or a workbook's unrounded fractions): each
    percentage fits one count, so every loaded count is the true one."""
    rng = np.random.default_rng(17)
    groups, expected = [], []
    for org in ("RWE", "RT5"):
        for breakdown, (group_type, values) in BREAKDOWNS.items():
            for value in values:
                counts: dict[str, tuple[int, ...] | None] = {}
                for q in Q2023:
                    base = int(rng.integers(3, 999))
                    split = rng.multinomial(base, rng.dirichlet(np.ones(len(q.answers))))
                    counts[q.number] = None if base < 11 else tuple(int(k) for k in split)
                    if q.number not in PLAIN_2023 or base < 11:
                        continue
                    by_ethnicity, by_disability, kind = PLAIN_2023[q.number]
                    measure = by_disability if group_type == "disability" else by_ethnicity
                    positive = base - int(split[0]) if kind == "never" else int(split[0])
                    expected.append((org, measure, group_type, value, base, positive))
                groups.append(Group(org, breakdown, value, counts))
    sheet = Sheet(title(2023), Q2023, tuple(groups), "*", style)
    folder = folder_with(tmp_path, name, write, sheet)
    result = imported(folder, db_path)
    assert result.ok, [(s.problems.to_pylist(), s.file_problems) for s in result.sources]
    table = stored(db_path, "survey", KEY)
    cols = ["org_code", "measure", "group_type", "group_value", "responses", "positive"]
    got = sorted(zip(*(table[c].to_pylist() for c in cols), strict=True))
    assert got == sorted(expected)
    assert len(expected) > 60


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("question = '^(Q", "question = '^((Q"), "wide.question: is not a regular expression"),
        (("base = [", "base = 7\nbases = ["), "wide: must be a table with question and base"),
        (("# year = 2023", "year = 23"), "wide.year: must be a survey year such as 2023"),
        (("# questions = ", "questions = 'none.toml'\n# "), "wide.questions:"),
    ],
)
def test_a_mistake_in_the_wide_section_names_the_file_and_key(
    tmp_path: Path, change: tuple[str, str], said: str
) -> None:
    shipped = profiles.shipped_dir() / "staff_survey_published.toml"
    text = shipped.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "mine.toml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load_file(path)
    assert str(path) in str(caught.value) and said in str(caught.value), str(caught.value)


def test_a_single_trusts_sheet_without_an_org_code_loads_with_org(
    tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "nss.csv"
    answers = ",".join(f"Q16b % {a}" for a in ("Yes", "No"))
    path.write_text(
        "NHS Staff Survey 2023\n\n"
        f"Breakdown,Group,Q16b Base (number of responses),{answers}\n"
        "White / BME,White,401,6.0,94.0\nWhite / BME,BME,152,16.4,83.6\n",
        encoding="utf-8",
    )
    rejects = str(tmp_path / "rejects")
    refused = invoke("import", str(path), "--db", str(db_path), "--rejects", rejects)
    assert refused.exit_code != 0 and "--org" in refused.output
    loaded_ = invoke(
        "import", str(path), "--db", str(db_path), "--org", "RWE", "--rejects", rejects
    )
    assert loaded_.exit_code == 0, loaded_.output
    assert loaded(db_path) == [
        ("wres8", "wres", "BME", 152, 25),
        ("wres8", "wres", "White", 401, 24),
    ]
    assert set(stored(db_path, "survey", KEY)["org_code"].to_pylist()) == {"RWE"}
