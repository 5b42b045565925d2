"""An organisation's own profiles are recognised like shipped ones (and replace a shipped one of
the same name); each sheet of a workbook is read by the profile its header matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from equitrack import config
from equitrack.ingest import import_paths
from equitrack.ingest import profile as profiles
from equitrack.store import connect
from tests.factories import ORGANISATIONS
from tests.ingest_profiles.esr import ESR, HEADER, ROWS
from tests.ingest_profiles.support import invoke, rows_in, write_organisations


@pytest.fixture
def local_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "my-profiles"
    folder.mkdir()
    monkeypatch.setenv(config.PROFILES_ENV, str(folder))
    return folder


def shipped_esr_text() -> str:
    return (profiles.shipped_dir() / "esr_workforce.toml").read_text(encoding="utf-8")


def test_a_local_profile_is_recognised_by_its_header(
    tmp_path: Path, db_path: Path, local_dir: Path
) -> None:
    # a trust's report calls the employee number "Staff Ref"
    text = shipped_esr_text().replace('name = "esr_workforce"', 'name = "uhl_staff_list"')
    text = text.replace('headers = ["Employee Number", "Assignment Number", "Ethnic Origin"]',
                        'headers = ["Staff Ref", "Assignment Number", "Ethnic Origin"]')  # fmt: skip
    text = text.replace('headers = ["Employee Number", "Employee No"',
                        'headers = ["Staff Ref", "Employee Number", "Employee No"')  # fmt: skip
    (local_dir / "uhl.toml").write_text(text, encoding="utf-8")
    folder = tmp_path / "data"
    folder.mkdir()
    write_organisations(folder)
    header = ["Staff Ref" if h == "Employee Number" else h for h in HEADER]
    ESR.file(folder / "staff_list.csv", header=header)

    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [s.problems for s in result.sources]
    assert any(
        "staff_list.csv: read with the uhl_staff_list profile (its header has Staff Ref" in n
        for n in result.notes
    )
    assert rows_in(db_path, "people") == 2 and rows_in(db_path, "assignments") == 3
    listed = invoke("profiles")
    assert "uhl_staff_list (local)" in listed.output
    assert "esr_workforce (local" not in listed.output


def test_a_local_profile_replaces_the_shipped_one_of_its_name(
    tmp_path: Path, db_path: Path, local_dir: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_organisations(folder)
    ESR.file(folder / "esr.csv", [ROWS[0], ESR.replace(ROWS[2], Ethnic_Origin="Black African")])
    refused = import_paths([folder], connect(str(tmp_path / "before.duckdb")))
    assert not refused.ok  # the shipped list has no "Black African"

    text = shipped_esr_text().replace(  # a line of its own beside the shared vocabulary
        'vocabulary = "ethnic_code"\n',
        'vocabulary = "ethnic_code"\nvalues = { "Black African" = "N" }\n',
    )
    (local_dir / "esr_workforce.toml").write_text(text, encoding="utf-8")
    assert profiles.load("esr_workforce").path == local_dir / "esr_workforce.toml"
    result = import_paths([folder], connect(str(db_path)))
    assert result.ok, [s.problems for s in result.sources]
    assert rows_in(db_path, "people") == 2
    assert "esr_workforce (local, replacing the shipped one)" in invoke("profiles").output


def test_a_broken_local_profile_is_named_by_file_and_key(
    tmp_path: Path, db_path: Path, local_dir: Path
) -> None:
    (local_dir / "bad.toml").write_text('name = "bad"\ntables = ["peeple"]\n', encoding="utf-8")
    folder = tmp_path / "data"
    folder.mkdir()
    write_organisations(folder)
    done = invoke("import", str(folder), "--db", str(db_path))
    assert done.exit_code != 0
    assert f"{local_dir / 'bad.toml'}: tables: 'peeple' is not a canonical table" in done.output
    assert "Traceback" not in done.output


def test_a_profile_mistake_shows_its_bracketed_section_in_the_terminal(tmp_path: Path) -> None:
    text = shipped_esr_text().replace('transform = "year"', 'transform = "decade"')
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    ESR.file(tmp_path / "esr.csv")
    done = invoke("profile", "check", str(tmp_path / "esr.csv"), "--profile",
                  str(tmp_path / "mine.toml"))  # fmt: skip
    assert done.exit_code == 2
    assert "mine.toml: [columns.birth_year]: transform must be one of year, present" in done.output


def workbook(path: Path) -> Path:
    """A workbook as an analyst keeps it: the ESR report, a sheet of drop-down lists, and the
    organisations as a canonical sheet."""
    wb = Workbook()
    lists = wb.active
    lists.title = "Lists"
    lists.append(["Contract types", "Bands"])
    lists.append(["Permanent", "Band 5"])
    esr = wb.create_sheet("ESR extract")
    esr.append(HEADER)
    for row in ROWS:
        esr.append(row)
    orgs = wb.create_sheet("organisations")
    orgs.append(list(ORGANISATIONS[0]))
    for row in ORGANISATIONS:
        orgs.append(list(row.values()))
    wb.save(path)
    return path


def test_each_sheet_of_a_workbook_is_read_by_the_profile_its_header_matches(
    tmp_path: Path, db_path: Path
) -> None:
    book = workbook(tmp_path / "workforce.xlsx")
    result = import_paths([book], connect(str(db_path)))
    assert result.ok, [s.problems for s in result.sources]
    assert any(
        "workforce.xlsx [sheet ESR extract]: read with" in n
        and "read with the esr_workforce profile" in n
        for n in result.notes
    ), result.notes
    assert any("'Lists' passed over" in n for n in result.notes), result.notes
    assert any("workforce.xlsx [sheet organisations]" in n for n in result.notes), result.notes
    assert rows_in(db_path, "organisations") == len(ORGANISATIONS)
    assert rows_in(db_path, "assignments") == 3

    checked = invoke("profile", "check", str(book))
    assert checked.exit_code == 0, checked.output
    assert "the esr_workforce profile (its header has Employee Number" in checked.output
    assert "people.ethnic_code ← column K (Ethnic Origin)" in checked.output


def test_a_profile_given_reads_the_sheet_it_recognises(tmp_path: Path) -> None:
    book = workbook(tmp_path / "workforce.xlsx")  # its first sheet is the drop-down lists
    checked = invoke("profile", "check", str(book), "--profile", "esr_workforce")
    assert checked.exit_code == 0, checked.output
    assert "[sheet ESR extract]" in checked.output
    assert "people.ethnic_code ← column K (Ethnic Origin)" in checked.output
