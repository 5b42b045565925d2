"""The CLI's JSON is the result shape; the WRES workbook's cells equal the JSON."""

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from equitrack.cli import app
from equitrack.measures.result import FIELDS

runner = CliRunner()
ISSUE_KEYS = {
    "measure", "org", "period", "group_type", "group", "numerator", "denominator", "rate",
    "rate_ci_low", "rate_ci_high", "reference_group", "ratio", "ratio_ci_low", "ratio_ci_high",
    "band", "verdict", "too_few", "options", "excluded",
}  # fmt: skip


def same(cells: tuple, values: tuple) -> bool:
    """Equal, to the 15 significant digits a spreadsheet keeps."""
    return all(
        (c is None and v is None)
        or (c is not None and v is not None and c == pytest.approx(v, rel=1e-14))
        for c, v in zip(cells, values, strict=True)
    )


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False, terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_json_records_have_the_result_fields(llr_db_path: Path) -> None:
    records = json.loads(
        cli("wres", "--year", "2026", "--org", "RWE", "--format", "json", "--db", str(llr_db_path))
    )
    assert {r["measure"] for r in records} == {f"wres{n}" for n in range(1, 10)}
    assert all(set(r) == set(FIELDS) and set(r) >= ISSUE_KEYS for r in records)
    assert {r["org"] for r in records} == {"RWE"}
    wres2 = next(r for r in records if r["measure"] == "wres2" and r["group"] == "BME")
    assert wres2["reference_group"] == "White" and wres2["options"]["appointed"] == "appointed"


def test_system_scope_and_broad_groups(llr_db_path: Path) -> None:
    records = json.loads(
        cli(
            "wres",
            "--year",
            "2026",
            "--system",
            "--by",
            "broad",
            "--format",
            "json",
            "--db",
            str(llr_db_path),
        )
    )
    assert {r["org"] for r in records} == {"system:QK1"}
    assert {"Black", "Asian", "Mixed", "Other"} <= {
        r["group"] for r in records if r["measure"] == "wres2"
    }


def test_workbook_cells_equal_the_json(llr_db_path: Path, tmp_path: Path) -> None:
    book = tmp_path / "wres.xlsx"
    cli(
        "wres",
        "--year",
        "2026",
        "--org",
        "RT5",
        "--format",
        "xlsx",
        "--out",
        str(book),
        "--db",
        str(llr_db_path),
    )
    both_years = []
    for year in ("2025", "2026"):
        both_years += json.loads(
            cli(
                "wres", "--year", year, "--org", "RT5", "--format", "json", "--db", str(llr_db_path)
            )
        )
    index = {(r["measure"], r["period"], r["breakdown"], r["group"]): r for r in both_years}
    wb = load_workbook(book)
    assert wb.sheetnames == [
        "RT5 Details",
        "RT5 Indicator 1",
        "RT5 Indicators 2-4",
        "RT5 Indicators 5-8",
        "RT5 Indicator 9",
    ]

    ratios = wb["RT5 Indicators 2-4"]
    rows = list(ratios.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 12  # three indicators, two years, White and BME
    for row in rows:
        measure = row[0].split()[0].lower()
        year = 2000 + int(row[1][-2:])
        r = index[(measure, year, None, row[2])]
        assert (row[3], row[4], row[9]) == (r["numerator"], r["denominator"], r["verdict"])
        assert same(
            (row[5], row[6], row[7], row[8]),
            (r["rate"], r["ratio"], r["ratio_ci_low"], r["ratio_ci_high"]),
        )

    bands = wb["RT5 Indicator 1"]
    checked = 0
    side = None
    for row in bands.iter_rows(min_row=3, values_only=True):
        if row[0] and str(row[0]).endswith(" staff"):
            side = str(row[0]).removesuffix(" staff")
        elif row[0] and side and row[0] not in ("Band", "Total") and row[1] is not None:
            for col, (year, group) in enumerate(
                ((y, g) for y in (2025, 2026) for g in ("White", "BME", "Unknown")), start=1
            ):
                r = index.get(("wres1", year, f"{side} | {row[0]}", group))
                assert row[col] == (r["numerator"] if r else 0)
                checked += 1
    assert checked > 100

    board = wb["RT5 Indicator 9"]
    for row in board.iter_rows(min_row=4, values_only=True):
        year = 2000 + int(row[1][-2:])
        r = index[("wres9", year, row[0], "BME")]
        assert (row[2], row[4]) == (r["denominator"], r["numerator"])
        assert same((row[5], row[7]), (r["rate"], r["difference"]))

    details = {row[0]: row[1] for row in wb["RT5 Details"].iter_rows(min_row=3, values_only=True)}
    unknown = index[("wres1", 2026, "All", "Unknown")]
    assert details["Staff in post (headcount, not bank)"] == unknown["denominator"]
    assert (
        details["Self-reporting rate (ethnicity declared)"]
        == 1 - unknown["numerator"] / unknown["denominator"]
    )


def test_table_view_names_verdicts_and_counts(llr_db_path: Path) -> None:
    out = cli("wres", "--year", "2026", "--org", "RWE", "--db", str(llr_db_path))
    assert "adverse, significant" in out
    assert "reference" in out and " / " in out and "95% CI" in out


def test_demo_summary_shows_each_unit_and_the_system(llr) -> None:
    from rich.console import Console

    from equitrack import api
    from equitrack.outputs.summary import summary_table

    results = api.run("wres", (2026,), store=llr) + api.run("wres", (2026,), store=llr, system=True)
    console = Console(width=200, record=True)
    console.print(summary_table(results, 2026))
    text = console.export_text()
    assert [c.header for c in summary_table(results, 2026).columns] == [
        "indicator",
        "QK1",
        "RT5",
        "RWE",
        "system:QK1",
    ]
    rwe2 = next(r for r in results if r.measure == "wres2" and r.org == "RWE" and r.group == "BME")
    assert f"{rwe2.ratio:.2f}" in text and "adverse, significant" in text


def test_measure_command_gives_the_family_commands_figures(llr_db_path: Path) -> None:
    """`measure wres3` is exactly WRES 3 from `wres`, options and all."""
    args = ["--year", "2026", "--system", "--by", "broad", "--format", "json"]
    one = json.loads(
        cli("measure", "wres3", *args, "--option", "window=1", "--db", str(llr_db_path))
    )
    family = json.loads(cli("wres", *args, "--option", "window=1", "--db", str(llr_db_path)))
    assert one == [r for r in family if r["measure"] == "wres3"]
    assert {r["options"]["window"] for r in one} == {1}
    missing = runner.invoke(app, ["measure", "wres99", "--year", "2026", "--db", str(llr_db_path)])
    assert missing.exit_code == 2 and "no measure 'wres99'" in missing.output


def test_measures_lists_every_registered_measure() -> None:
    from equitrack.measures.registry import JOURNEYS, MEASURES

    listed = json.loads(cli("measures", "--format", "json"))
    assert [m["id"] for m in listed] == [*MEASURES, *JOURNEYS]
    assert all(m["title"] for m in listed)
