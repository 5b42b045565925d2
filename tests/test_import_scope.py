"""An import restricted to some organisations refuses the whole import when any row (or the
vacancy or assignment it belongs through) is another organisation's, naming it and the line."""

from pathlib import Path

import pytest

from equitrack.ingest import Status, import_paths
from equitrack.store import connect
from tests.factories import ASSIGNMENTS, PEOPLE, small_system, write_csv
from tests.test_import import contents

VACANCIES = [
    {"vacancy_id": "V1", "org_code": "RWE", "pay_band": "Band 5", "opened_date": "2023-01-02",
     "advert": "external", "opportunity_type": "post"},
    {"vacancy_id": "V2", "org_code": "RT5", "pay_band": "Band 6", "opened_date": "2023-02-01",
     "advert": "internal", "opportunity_type": "post"},
]  # fmt: skip


def application(i: int, vacancy: str) -> dict[str, str]:
    return {"application_id": f"A{i}", "vacancy_id": vacancy, "applicant_id": f"C{i}",
            "ethnic_code": "A", "applied_date": "2023-03-01", "shortlisted": "true",
            "appointed": "false"}  # fmt: skip


def refused(result, table: str) -> list[str]:
    assert not result.ok and result.rows_loaded == 0
    (source,) = [s for s in result.sources if s.source.table == table]
    assert source.status == Status.FAILED
    return source.file_problems


def test_a_row_of_another_organisation_refuses_the_whole_import(
    tmp_path: Path, db_path: Path
) -> None:
    connect(str(db_path)).close()
    before = contents(db_path)
    folder = small_system(tmp_path / "d")  # RT5's organisation row (line 3), an RT5 assignment
    for skip in (False, True):  # skipping invalid rows does not skip a row out of scope
        result = import_paths([folder], connect(str(db_path)), allowed_orgs=["rwe"],
                              skip_invalid=skip)  # fmt: skip
        (problem,) = refused(result, "organisations")
        assert problem.startswith("line 3 (column 1 (org_code)) belongs to 'RT5', outside ")
        assert "(RWE)" in problem and "nothing was loaded" in problem
        (problem,) = refused(result, "assignments")
        assert problem.startswith("line 4 (column 3 (org_code)) belongs to 'RT5'")
        assert contents(db_path) == before


def test_every_organisation_outside_is_named_with_its_first_line_and_count(
    tmp_path: Path, db_path: Path
) -> None:
    assignments = [
        ASSIGNMENTS[0],
        {**ASSIGNMENTS[2], "org_code": "RT5"},
        {**ASSIGNMENTS[1], "org_code": "rt5 "},  # one organisation however it is written
        {**ASSIGNMENTS[1], "assignment_id": "X9", "org_code": "QK1"},
    ]
    folder = small_system(tmp_path / "d", assignments=assignments)
    result = import_paths([folder], connect(str(db_path)), allowed_orgs=["RWE", "RT5", "QK9"])
    problems = refused(result, "assignments")
    assert len(problems) == 1 and problems[0].startswith(
        "line 5 (column 3 (org_code)) belongs to 'QK1'"
    )
    result = import_paths([folder], connect(str(db_path)), allowed_orgs=["RWE"])
    problems = refused(result, "assignments")
    assert [p.split(", outside")[0] for p in problems] == [
        "line 3 (column 3 (org_code)) belongs to 'RT5' and 1 more row(s) of it",
        "line 5 (column 3 (org_code)) belongs to 'QK1'",
    ]


def test_an_import_inside_the_scope_loads(tmp_path: Path, db_path: Path) -> None:
    folder = small_system(tmp_path / "d")
    write_csv(folder / "vacancies.csv", VACANCIES)  # applications find this import's vacancies
    write_csv(folder / "applications.csv", [application(1, "V2"), application(2, "V1")])
    result = import_paths([folder], connect(str(db_path)), allowed_orgs=["RT5", "RWE"])
    assert result.ok and result.rows_loaded == 2 + 4 + 3 + 2 + 2


def test_applications_belong_to_the_organisation_of_their_vacancy(
    tmp_path: Path, db_path: Path
) -> None:
    small_system(tmp_path / "d")
    write_csv(tmp_path / "d" / "vacancies.csv", VACANCIES)
    assert import_paths([tmp_path / "d"], connect(str(db_path))).ok
    before = contents(db_path)
    rows = [application(1, "V1"), application(2, "V2")]
    write_csv(tmp_path / "e" / "applications.csv", rows)
    result = import_paths([tmp_path / "e"], connect(str(db_path)), allowed_orgs=["RWE"])
    (problem,) = refused(result, "applications")
    assert problem.startswith(
        "line 3 (column 2 (vacancy_id)) belongs to 'RT5' (the organisation of its vacancy), "
    )
    assert contents(db_path) == before
    write_csv(tmp_path / "f" / "applications.csv", rows[:1])
    assert import_paths([tmp_path / "f"], connect(str(db_path)), allowed_orgs=["RWE"]).ok


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_people_belong_to_the_organisations_of_their_assignments(
    skip_invalid: bool, tmp_path: Path, db_path: Path
) -> None:
    assert import_paths([small_system(tmp_path / "d")], connect(str(db_path))).ok
    before = contents(db_path)
    # 10000003 is RT5's (their assignment is in the store); 20000001 is new, with no assignment
    people = [{**PEOPLE[0], "person_id": "20000001"}, PEOPLE[2]]
    write_csv(tmp_path / "e" / "people.csv", people)
    result = import_paths(
        [tmp_path / "e"], connect(str(db_path)), allowed_orgs=["RWE"], skip_invalid=skip_invalid
    )
    problems = refused(result, "people")
    assert (
        any(
            p.startswith(
                "line 3 (column 1 (person_id)) belongs to 'RT5' (the organisation of "
                "their assignment)"
            )
            for p in problems
        )
        == skip_invalid
    )  # without --skip-invalid the person already loaded stops it first
    assert contents(db_path) == before
    write_csv(tmp_path / "f" / "people.csv", people[:1])
    assert import_paths([tmp_path / "f"], connect(str(db_path)), allowed_orgs=["RWE"]).ok


def test_a_person_with_an_assignment_outside_in_the_same_import_is_refused(
    tmp_path: Path, db_path: Path
) -> None:
    assert import_paths([small_system(tmp_path / "d")], connect(str(db_path))).ok
    before = contents(db_path)
    write_csv(tmp_path / "e" / "people.csv", [{**PEOPLE[0], "person_id": "4"}])
    assignment = {**ASSIGNMENTS[0], "person_id": "4", "assignment_id": "Z", "org_code": "RT5"}
    write_csv(tmp_path / "e" / "assignments.csv", [assignment])
    result = import_paths([tmp_path / "e"], connect(str(db_path)), allowed_orgs=["RWE"])
    (problem,) = refused(result, "assignments")
    assert problem.startswith("line 2 (column 3 (org_code)) belongs to 'RT5'")
    assert contents(db_path) == before
