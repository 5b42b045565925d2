"""One system exported two ways: every export the generator writes (ESR workforce and learning,
TRAC, the case tracker, the survey breakdowns) imported in one step from one folder gives the
same tables as the canonical files, and a person joins up across the exports."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest

from equitrack import config, synth
from equitrack.synth.write import EXPORTS
from tests.ingest_profiles.support import RoundTrip, stored

KEYS = {
    "organisations": ["org_code"],
    "people": ["person_id"],
    "assignments": ["assignment_id"],
    "vacancies": ["vacancy_id"],
    "applications": ["application_id"],
    "disciplinary": ["case_id"],
    "training": ["record_id"],
    "development": ["record_id"],
    "appraisals": ["person_id", "appraisal_date"],
    "leave": ["request_id"],
    "incidents": ["incident_id"],
    "pay": ["person_id", "org_code", "snapshot_date"],
    "survey": ["org_code", "survey_year", "instrument", "measure", "group_type", "group_value"],
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("exports")
    tables = synth.generate("mini", seed=5)
    trip = RoundTrip.write(home, tables, "exports", seed=5)
    out: dict[str, object] = {"written": trip.written, "generated": tables}
    with pytest.MonkeyPatch.context() as mp:  # one key for both imports, so pseudonyms match
        mp.setenv(config.KEY_FILE_ENV, str(home / "key"))
        results = trip.imported()
    for name, db in (("canonical", trip.canonical_db), ("exports", trip.export_db)):
        out[f"{name}_notes"] = results[name].notes
        out[name] = {table: stored(db, table, keys) for table, keys in KEYS.items()}
    return out


def test_every_export_is_written_and_read_with_its_profile(imported: dict) -> None:
    written: dict[str, Path] = imported["written"]
    for export in EXPORTS.values():
        for table_name in export.tables:
            assert written[table_name].stem != table_name  # an export, not canonical
    notes = " ".join(imported["exports_notes"])
    for profile in ("esr_workforce", "esr_olm", "trac_applicants", "er_case_tracker"):
        assert f"read with the {profile} profile" in notes, profile
    assert notes.count("read with the staff_survey profile") == 2  # the NSS and bank files


@pytest.mark.parametrize("name", [t for t in KEYS if t != "survey"])
def test_each_table_equals_the_canonical_import(imported: dict, name: str) -> None:
    canonical, exported = imported["canonical"][name], imported["exports"][name]
    assert canonical.num_rows == imported["generated"][name].num_rows
    assert exported.equals(canonical), name


def test_survey_rows_published_equal_the_canonical_ones(imported: dict) -> None:
    """Groups under 11 respondents are withheld in the published breakdowns (skipped on import
    and counted); every published row equals its canonical row."""
    canonical, exported = imported["canonical"]["survey"], imported["exports"]["survey"]
    keys = KEYS["survey"]
    joined = exported.join(canonical, keys, right_suffix="_canonical")
    assert joined.num_rows == exported.num_rows
    for col in ("responses", "positive"):
        assert joined[col].equals(joined[f"{col}_canonical"]), col
    withheld = pc.sum(pc.less(canonical["responses"], 11)).as_py()
    assert withheld > 0 and exported.num_rows == canonical.num_rows - withheld


def test_a_person_joins_up_across_the_exports(imported: dict) -> None:
    """The employee number in ESR, OLM, the case tracker and TRAC (for staff who applied)
    pseudonymises to one person_id, so every record finds its person."""
    t = imported["exports"]
    people = t["people"]["person_id"]
    for name, col in (("training", "person_id"), ("disciplinary", "person_id")):
        assert pc.all(pc.is_in(t[name][col], people)).as_py(), name
    internal = t["applications"].filter(pc.field("internal"))
    staff = pc.sum(pc.is_in(internal["applicant_id"], people)).as_py()
    assert staff > 0.9 * internal.num_rows
    raw = set(imported["generated"]["people"]["person_id"].to_pylist())
    assert not raw & set(people.to_pylist())
