"""A single trust's report without an organisation column is loaded by naming the organisation
(`--org`, or a profile's constant): its rows take the code, the organisation is added from the
shipped list of NHS organisations or from --org-name, a file with other codes of its own is
refused at its line, and every message about a missing organisation says how to name it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from equitrack.ingest import ReadError, import_paths
from equitrack.ingest import profile as profiles
from equitrack.ingest.naming import OrgOption
from equitrack.model.organisations import ODS_CODE, ORG_TYPES, shipped
from equitrack.store import connect
from tests.ingest_profiles.esr import ESR, HEADER, ROWS
from tests.ingest_profiles.support import invoke, read_table, rows_in

ORG = HEADER.index("Org Code")
#: The export as one trust's report has it: no Org Code column.
NO_ORG_HEADER = [h for h in HEADER if h != "Org Code"]
NO_ORG_ROWS = [[c for i, c in enumerate(row) if i != ORG] for row in ROWS]


def single_trust_report(folder: Path) -> Path:
    return ESR.file(folder / "staff_in_post.csv", NO_ORG_ROWS, NO_ORG_HEADER)


def test_org_loads_a_report_without_an_org_column_naming_it_from_the_shipped_list(
    tmp_path: Path, db_path: Path
) -> None:
    report = single_trust_report(tmp_path)
    result = invoke("import", str(report), "--db", str(db_path), "--org", "rwe")
    assert result.exit_code == 0, result.output
    assignments = read_table(db_path, "assignments")
    assert assignments.num_rows == 3
    assert set(assignments.column("org_code").to_pylist()) == {"RWE"}
    orgs = read_table(db_path, "organisations").drop(["batch_id"]).to_pylist()
    assert orgs == [
        {
            "org_code": "RWE",
            "name": "University Hospitals of Leicester NHS Trust",
            "org_type": "trust",
            "system_code": "QK1",
        }
    ]
    assert "RWE (University Hospitals of Leicester NHS Trust, trust, system QK1) added" in (
        result.output
    )
    assert "Read 3 rows from 1 file. Loaded: organisations 1, people 2, assignments 3." in (
        result.output
    )
    again = invoke("import", str(report), "--db", str(db_path), "--org", "RWE")
    assert again.exit_code == 0 and "loaded before" in again.output
    assert rows_in(db_path, "organisations") == 1


def test_without_org_the_missing_column_says_how_to_name_the_organisation(
    tmp_path: Path, db_path: Path
) -> None:
    result = invoke("import", str(single_trust_report(tmp_path)), "--db", str(db_path))
    assert result.exit_code == 1
    assert "for org_code is missing from the header" in result.output
    assert "name it with --org CODE (for example --org RXN)" in result.output
    assert rows_in(db_path, "people") == 0


def test_a_file_whose_own_codes_differ_from_org_is_refused_naming_the_line(
    tmp_path: Path, db_path: Path
) -> None:
    # line 2 blank (takes RWE), line 3 RWE, line 4 RT5: another organisation's row
    rows = [ESR.replace(ROWS[0], Org_Code=""), ROWS[1], ROWS[2]]
    report = ESR.file(tmp_path / "staff_in_post.csv", rows)
    result = invoke("import", str(report), "--db", str(db_path), "--org", "RWE")
    assert result.exit_code == 1
    assert (
        "staff_in_post.csv: column 3 (Org Code) has 'RT5' on line 4, but --org names RWE"
        in result.output
    )
    for name in ("organisations", "people", "assignments", "batches"):
        assert rows_in(db_path, name) == 0, name


def test_blank_and_matching_codes_take_the_org(tmp_path: Path, db_path: Path) -> None:
    rows = [ESR.replace(ROWS[0], Org_Code=""), ROWS[1], ESR.replace(ROWS[2], Org_Code="rwe")]
    report = ESR.file(tmp_path / "staff_in_post.csv", rows)
    result = invoke("import", str(report), "--db", str(db_path), "--org", "RWE")
    assert result.exit_code == 0, result.output
    assert read_table(db_path, "assignments").column("org_code").to_pylist() == ["RWE"] * 3


def test_an_unknown_code_without_a_name_is_a_clear_error_and_loads_nothing(
    tmp_path: Path, db_path: Path
) -> None:
    report = single_trust_report(tmp_path)
    result = invoke("import", str(report), "--db", str(db_path), "--org", "ZZ9")
    assert result.exit_code == 2
    assert "--org ZZ9: equitrack does not know this organisation" in result.output
    assert '--org-name "…"' in result.output and "Traceback" not in result.output
    assert rows_in(db_path, "people") == 0 and rows_in(db_path, "organisations") == 0


def test_an_unknown_code_is_added_with_the_name_and_type_given(
    tmp_path: Path, db_path: Path
) -> None:
    report = single_trust_report(tmp_path)
    args = ("import", str(report), "--db", str(db_path), "--org", "ZZ9")
    result = invoke(*args, "--org-name", "Anytown Community Health")
    assert result.exit_code == 2 and "does not say whether ZZ9 is a trust or an ICB" in (
        result.output
    )
    result = invoke(*args, "--org-name", "Anytown Community Health", "--org-type", "other")
    assert result.exit_code == 0, result.output
    orgs = read_table(db_path, "organisations").drop(["batch_id"]).to_pylist()
    assert orgs == [
        {"org_code": "ZZ9", "name": "Anytown Community Health", "org_type": "other",
         "system_code": None}
    ]  # fmt: skip


def test_a_named_org_already_loaded_is_not_added_again(tmp_path: Path, db_path: Path) -> None:
    folder = ESR.folder(tmp_path / "data")  # organisations.csv (RWE, RT5) and an export
    assert invoke("import", str(folder), "--db", str(db_path)).exit_code == 0
    other = ESR.file(
        tmp_path / "more.csv",
        [["20000001", "20000001", *NO_ORG_ROWS[0][2:]]],
        NO_ORG_HEADER,
    )
    result = invoke("import", str(other), "--db", str(db_path), "--org", "RT5")
    assert result.exit_code == 0, result.output
    assert "added to organisations" not in result.output
    assert rows_in(db_path, "organisations") == 2  # as organisations.csv has them


def test_an_org_missing_from_organisations_says_how_to_name_it(
    tmp_path: Path, db_path: Path
) -> None:
    report = ESR.file(tmp_path / "staff_in_post.csv")  # its own codes, no organisations.csv
    result = invoke("import", str(report), "--db", str(db_path))
    assert result.exit_code == 1
    assert (
        "org_code 'RT5' is not in organisations (neither already loaded nor in this import): "
        "name it with --org RT5, or load organisations.csv" in result.output
    )


def test_a_profile_constant_names_the_organisation_from_the_shipped_list(
    tmp_path: Path, db_path: Path
) -> None:
    text = (profiles.shipped_dir() / "esr_workforce.toml").read_text(encoding="utf-8")
    section = re.search(r"\[columns\.org_code\]\n(?:#.*\n)*headers = \[[^\]]*\]\n", text)
    assert section is not None
    local = tmp_path / "uhl.toml"
    local.write_text(text.replace(section.group(0), '[columns.org_code]\nconstant = "RWE"\n'))
    report = single_trust_report(tmp_path)
    store = connect(str(db_path))
    result = import_paths([report], store, profile=local)
    store.close()
    assert result.ok, [(s.file_problems, s.problems) for s in result.sources]
    assert read_table(db_path, "organisations").column("name").to_pylist() == [
        "University Hospitals of Leicester NHS Trust"
    ]
    assert any("named by the profile's constant" in n for n in result.notes)


def test_the_shipped_list_is_well_formed_and_has_the_llr_organisations() -> None:
    orgs = shipped()
    assert len(orgs) > 60
    for code, org in orgs.items():
        assert code == org.org_code and ODS_CODE.fullmatch(code), code
        assert org.org_type in ORG_TYPES and org.name.strip() == org.name
        assert org.system_code is None or orgs[org.system_code].org_type == "icb", code
    assert orgs["RWE"].name == "University Hospitals of Leicester NHS Trust"
    assert orgs["RT5"].name == "Leicestershire Partnership NHS Trust"
    assert (orgs["QK1"].org_type, orgs["QK1"].system_code) == ("icb", "QK1")
    assert sum(o.org_type == "icb" for o in orgs.values()) == 42  # every English ICB


def test_an_org_code_must_look_like_one() -> None:
    for bad in ("R", "RWE;DROP", "R W E", ""):
        with pytest.raises(ReadError, match="is not an ODS code"):
            OrgOption.of(bad)
