"""ESR staff-in-post snapshots and leavers reports, loaded over time into one history.

A hand-worked series for one trust (RWE), three snapshots and a leavers report:

| assignment | 31/03/2023 | 31/03/2024 | leavers 2024/25 | 31/03/2025 |
|---|---|---|---|---|
| E1 (E1)    | Band 5      | Band 6      |                       | Band 6 |
| E2 (E2)    | Band 6, Z   | Band 6, H   | ended 30/06/2024      |        |
| E3 (E3)    | Band 3 bank |             |                       |        |
| E4 (E4)    |             | Band 4      |                       | Band 4 |
| E5 (E5)    |             |             | 01/05/2024–31/12/2024 |        |

so the store must hold: E1 as Band 5 from 01/04/2019 to 30/03/2024 and Band 6 from 31/03/2024
(the snapshot's date); E2 ended on the leavers report's date with its reason; E3 ended between
snapshots, on the last date seen (31/03/2023); E4 current; E5 from the leavers report alone.
E2's ethnicity is the later snapshot's (H), for every year, and counted as a change.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from equitrack.ingest import import_paths
from equitrack.ingest.asat import AsAtError, as_at_in_title
from equitrack.ingest.pseudonymise import PERSON_NAMESPACE, Pseudonymiser, load_key
from equitrack.ingest.spells import ENDED_BETWEEN, later_spell_id
from equitrack.store import connect, pseudonyms
from equitrack.store.status import status
from tests.ingest_profiles.support import invoke, write_organisations

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

HEADER = [
    "Employee Number", "Assignment Number", "Org Code", "Staff Group", "Pay Band",
    "Assignment Category", "FTE", "Assignment Start Date", "Termination Date", "Leaving Reason",
    "Ethnic Origin", "Gender",
]  # fmt: skip
NURSE, ADMIN = "Nursing and Midwifery Registered", "Administrative and Clerical"
WHITE, BLACK, INDIAN = (
    "A White - British",
    "N Black or Black British - African",
    "H Asian or Asian British - Indian",
)


def row(emp: str, band: str, start: str, ethnic: str = WHITE, *, category: str = "Permanent",
        ended: str = "", reason: str = "", group: str = NURSE) -> list[str]:  # fmt: skip
    return [emp, emp, "RWE", group, band, category, "1.00", start, ended, reason, ethnic, "Female"]


def title(kind: str, as_at: str) -> list[list[str]]:
    return [[kind], [f"As at date: {as_at}"], ["Run date: 05/04/2025"], []]


SNAPSHOT_2023 = (
    "sip_2023.csv",
    title("Staff in Post", "31/03/2023"),
    [
        row("E1", "Band 5", "01/04/2019"),
        row("E2", "Band 6", "01/06/2020", "Z Not Stated"),
        row("E3", "Band 3", "01/01/2021", BLACK, category="Bank", group=ADMIN),
    ],
)
SNAPSHOT_2024 = (
    "sip_2024.csv",
    title("Staff in Post", "31/03/2024"),
    [
        row("E1", "Band 6", "01/04/2019"),
        row("E2", "Band 6", "01/06/2020", INDIAN),
        row("E4", "Band 4", "01/09/2023"),
    ],
)
LEAVERS = (
    "leavers_2025.csv",
    [["Leavers"], ["Termination dates from 01/04/2024 to 31/03/2025"], []],
    [
        row("E2", "Band 6", "01/06/2020", INDIAN, ended="30/06/2024",
            reason="Voluntary Resignation - Relocation"),
        row("E5", "Band 2", "01/05/2024", BLACK, category="Fixed Term Temp", ended="31/12/2024",
            reason="End of Fixed Term Contract"),
    ],
)  # fmt: skip
SNAPSHOT_2025 = (
    "sip_2025.csv",
    title("Staff in Post", "31/03/2025"),
    [row("E1", "Band 6", "01/04/2019"), row("E4", "Band 4", "01/09/2023")],
)
SERIES = (SNAPSHOT_2023, SNAPSHOT_2024, LEAVERS, SNAPSHOT_2025)


def write(folder: Path, export: tuple[str, list[list[str]], list[list[str]]]) -> Path:
    name, top, rows = export
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerows(top)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def canonical(db: Path) -> dict[str, pa.Table]:
    """People and assignments as readers see them, without batch ids, in key order."""
    store = connect(str(db))
    try:
        return {
            name: shown(pseudonyms.read(store.table(name)).drop(["batch_id"]).sort_by(key))
            for name, key in (("people", "person_id"), ("assignments", "assignment_id"))
        }
    finally:
        store.close()


def shown(table: pa.Table) -> pa.Table:
    """Pseudonyms as people see them (hex), so expected ones are `Pseudonymiser.hash`'s."""
    for name in pseudonyms.COLUMNS["snapshot_rows"]:
        if name in table.column_names:
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, pseudonyms.to_hex(table.column(name)))
    return table


def later(raw: str, start: str) -> str:
    """The (hex) id of assignment `raw`'s spell from `start`, as derived."""
    return later_spell_id(bytes.fromhex(aid(raw)), day(start)).hex()


def load(db: Path, *paths: Path, **options: object) -> bool:
    store = connect(str(db))
    try:
        return import_paths(list(paths), store, **options).ok  # type: ignore[arg-type]
    finally:
        store.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_organisations(folder)
    return {"organisations": folder / "organisations.csv"} | {
        e[0]: write(folder, e) for e in SERIES
    }


def aid(raw: str) -> str:
    return Pseudonymiser(load_key()).hash("assignments.assignment_id", raw)


def pid(raw: str) -> str:
    return Pseudonymiser(load_key()).hash(PERSON_NAMESPACE, raw)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_series_becomes_the_hand_worked_history(files: dict[str, Path], db_path: Path) -> None:
    assert load(db_path, files["organisations"])
    for export in SERIES:
        assert load(db_path, files[export[0]])
    tables = canonical(db_path)
    got = {
        r["assignment_id"]: (
            r["pay_band"], r["contract"], r["start_date"], r["end_date"], r["leaving_reason"]
        )
        for r in tables["assignments"].to_pylist()
    }  # fmt: skip
    expected = {
        aid("E1"): ("Band 5", "permanent", day("2019-04-01"), day("2024-03-30"), None),
        later("E1", "2024-03-31"): ("Band 6", "permanent", day("2024-03-31"), None, None),
        aid("E2"): ("Band 6", "permanent", day("2020-06-01"), day("2024-06-30"),
                    "Voluntary Resignation - Relocation"),
        aid("E3"): ("Band 3", "bank", day("2021-01-01"), day("2023-03-31"), ENDED_BETWEEN),
        aid("E4"): ("Band 4", "permanent", day("2023-09-01"), None, None),
        aid("E5"): ("Band 2", "fixed_term", day("2024-05-01"), day("2024-12-31"),
                    "End of Fixed Term Contract"),
    }  # fmt: skip
    assert got == expected
    people = {r["person_id"]: r["ethnic_code"] for r in tables["people"].to_pylist()}
    assert people == {
        pid("E1"): "A",
        pid("E2"): "H",
        pid("E3"): "N",
        pid("E4"): "A",
        pid("E5"): "N",
    }
    store = connect(str(db_path))
    try:
        quality = status(store)["snapshots"]
    finally:
        store.close()
    assert quality["ethnicity_changed"] == 1
    (rwe,) = quality["by_org"]
    assert rwe["org"] == "RWE" and rwe["ended_between_snapshots"] == 1
    assert rwe["snapshot_dates"] == ["2023-03-31", "2024-03-31", "2025-03-31"]


ORDERS = [
    (0, 1, 2, 3),
    (3, 2, 1, 0),
    (2, 0, 3, 1),
    (1, 3, 0, 2),
    (2, 3, 1, 0),
]


def test_the_same_files_give_the_same_store_in_any_order(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Each order imports the files one at a time; the last imports them all at once."""
    stores = []
    for n, order in enumerate(ORDERS):
        db = tmp_path / f"order{n}.duckdb"
        assert load(db, files["organisations"])
        for i in order:
            assert load(db, files[SERIES[i][0]])
        stores.append(canonical(db))
    together = tmp_path / "together.duckdb"
    assert load(together, *files.values())
    stores.append(canonical(together))
    for other in stores[1:]:
        for name in ("people", "assignments"):
            assert other[name].equals(stores[0][name]), name


def test_reimporting_a_snapshot_changes_nothing(files: dict[str, Path], db_path: Path) -> None:
    assert load(db_path, *files.values())
    before = canonical(db_path)
    assert load(db_path, files["sip_2024.csv"])
    after = canonical(db_path)
    assert all(after[n].equals(before[n]) for n in before)


def test_a_corrected_export_of_a_snapshot_replaces_it(
    files: dict[str, Path], db_path: Path, tmp_path: Path
) -> None:
    assert load(db_path, *files.values())
    name, top, rows = SNAPSHOT_2024
    corrected = [row("E1", "Band 7", "01/04/2019"), *rows[1:]]
    fixed = tmp_path / "corrected"
    fixed.mkdir()
    assert load(db_path, write(fixed, (name, top, corrected)))
    bands = {
        r["assignment_id"]: r["pay_band"] for r in canonical(db_path)["assignments"].to_pylist()
    }
    assert bands[later("E1", "2024-03-31")] == "Band 7"
    # the store is what the corrected files alone give
    fresh = tmp_path / "fresh.duckdb"
    others = [p for n, p in files.items() if n != "sip_2024.csv"]
    assert load(fresh, *others, fixed / name)
    assert all(canonical(fresh)[n].equals(canonical(db_path)[n]) for n in ("people", "assignments"))
    store = connect(str(db_path))
    try:
        snapshots = store.table("snapshot_rows").to_pyarrow()
    finally:
        store.close()
    in_2024 = [r for r in snapshots.to_pylist() if r["as_at"] == day("2024-03-31")]
    assert len(in_2024) == 3  # the corrected export's rows only


def test_a_bad_snapshot_leaves_the_store_as_it_was(
    files: dict[str, Path], db_path: Path, tmp_path: Path
) -> None:
    assert load(db_path, files["organisations"], files["sip_2023.csv"])
    before = canonical(db_path)
    name, top, rows = SNAPSHOT_2024
    bad = tmp_path / "bad"
    bad.mkdir()
    broken = [*rows, row("E9", "Band 99", "01/01/2024")]
    assert not load(db_path, write(bad, (name, top, broken)))
    after = canonical(db_path)
    assert all(after[n].equals(before[n]) for n in before)
    store = connect(str(db_path))
    try:
        assert store.table("snapshot_rows").count().to_pyarrow().as_py() == 3
    finally:
        store.close()


def test_as_at_is_given_when_the_title_has_none(files: dict[str, Path], tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    name, _, rows = SNAPSHOT_2023
    path = write(plain, (name, [], rows))
    db = tmp_path / "a.duckdb"
    assert load(db, files["organisations"])
    assert load(db, path, as_at=day("2023-03-31"))
    assert load(db, files["sip_2024.csv"])
    with_title = tmp_path / "b.duckdb"
    assert load(with_title, files["organisations"], files["sip_2023.csv"], files["sip_2024.csv"])
    assert all(canonical(db)[n].equals(canonical(with_title)[n]) for n in ("people", "assignments"))


def test_a_row_after_the_as_at_date_is_refused_at_its_line(
    files: dict[str, Path], db_path: Path
) -> None:
    assert load(db_path, files["organisations"])
    got = invoke(
        "import", str(files["sip_2023.csv"]), "--db", str(db_path), "--as-at", "2022-03-31"
    )
    assert got.exit_code != 0
    assert "its title says it is as at 31/03/2023, but --as-at says 31/03/2022" in got.output
    early = files["sip_2023.csv"].parent / "early.csv"
    write(early.parent, ("early.csv", title("Staff in Post", "31/03/2020"), SNAPSHOT_2023[2]))
    got = invoke("import", str(early), "--db", str(db_path))
    assert got.exit_code != 0
    assert "starts after the snapshot's date (31/03/2020)" in got.output
    assert "early.csv line 7, column 8" in got.output  # E2: below a 4-line title and the header


def test_a_snapshot_cannot_change_assignments_loaded_as_a_whole_history(
    files: dict[str, Path], db_path: Path, tmp_path: Path
) -> None:
    history = tmp_path / "history"
    history.mkdir()
    rows = SNAPSHOT_2023[2]
    assert load(db_path, files["organisations"], write(history, ("history.csv", [], rows)))
    got = invoke("import", str(files["sip_2024.csv"]), "--db", str(db_path))
    assert got.exit_code != 0
    assert "not a snapshot or leavers report" in got.output


DAY_FIRST = ("day_first", "iso", "excel_serial")


@pytest.mark.parametrize(
    "lines",
    [
        [["Staff in Post"], ["As at date: 31/03/2024"], ["Run date: 05/04/2024"]],
        [["Staff in Post"], ["Run date 05/04/2024", "", "As at 31-MAR-2024"]],
        [["Workforce"], ["Parameters:", "Effective Date = 31 March 2024"]],
        [["Staff in Post (as of 2024-03-31)"]],
    ],
)
def test_the_title_says_the_as_at_date(lines: list[list[str]]) -> None:
    assert as_at_in_title(lines, DAY_FIRST) == dt.date(2024, 3, 31)


def test_a_run_date_is_not_an_as_at_date() -> None:
    assert as_at_in_title([["Staff in Post"], ["Run date: 05/04/2024"]], DAY_FIRST) is None


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        ([["As at 31/03/2024"], ["As at 31/03/2025"]], "names two as-at dates"),
        ([["As at 03/31/2024"]], "month-first"),
    ],
)
def test_an_unclear_as_at_date_is_refused(lines: list[list[str]], said: str) -> None:
    with pytest.raises(AsAtError, match=said):
        as_at_in_title(lines, DAY_FIRST)


def test_profile_check_says_how_an_export_would_load(
    files: dict[str, Path], tmp_path: Path
) -> None:
    said = invoke("profile", "check", str(files["sip_2023.csv"])).output
    assert "It would load as a staff-in-post snapshot as at 31 March 2023." in said
    said = invoke("profile", "check", str(files["leavers_2025.csv"])).output
    assert "It would load as a leavers report." in said
    plain = write(tmp_path, ("plain.csv", [], SNAPSHOT_2023[2]))
    said = invoke("profile", "check", str(plain)).output
    assert "import it with --as-at YYYY-MM-DD to load it as a snapshot" in said


def test_a_snapshot_outside_the_uploaders_organisations_is_refused(
    files: dict[str, Path], db_path: Path
) -> None:
    assert load(db_path, files["organisations"])
    store = connect(str(db_path))
    try:
        result = import_paths([files["sip_2023.csv"]], store, allowed_orgs=["RT5"])
        assert not result.ok
        said = " ".join(p for r in result.sources for p in r.file_problems)
        assert "belongs to 'RWE'" in said and "outside the organisations" in said
        assert store.table("snapshot_rows").count().to_pyarrow().as_py() == 0
        assert store.table("assignments").count().to_pyarrow().as_py() == 0
        assert import_paths([files["sip_2023.csv"]], store, allowed_orgs=["RWE"]).ok
    finally:
        store.close()


def test_a_workbooks_title_block_gives_the_date_too(files: dict[str, Path], tmp_path: Path) -> None:
    """A report saved from ESR BI as .xlsx: the as-at date is a date cell beside its label."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Staff in Post"])
    sheet.append(["As at", dt.datetime(2023, 3, 31)])
    sheet.append([])
    sheet.append(HEADER)
    for values in SNAPSHOT_2023[2]:
        sheet.append(values)
    path = tmp_path / "sip_2023.xlsx"
    book.save(path)
    from_book, from_csv = tmp_path / "book.duckdb", tmp_path / "csv.duckdb"
    assert load(from_book, files["organisations"], path)
    assert load(from_csv, files["organisations"], files["sip_2023.csv"])
    assert all(
        canonical(from_book)[n].equals(canonical(from_csv)[n]) for n in ("people", "assignments")
    )
    store = connect(str(from_book))
    try:
        rows = store.table("snapshot_rows").to_pyarrow()
    finally:
        store.close()
    assert set(rows["as_at"].to_pylist()) == {dt.date(2023, 3, 31)} and rows.num_rows == 3


def test_a_history_that_cannot_be_made_loads_nothing(
    files: dict[str, Path], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The derivation runs after every file has been committed (journalled): if it fails, the
    import's batches go again and the store is as it was."""
    from equitrack.ingest import spells

    assert load(db_path, files["organisations"], files["sip_2023.csv"])
    before = canonical(db_path)

    def broken(rows: object) -> object:
        raise RuntimeError("derivation failed")

    monkeypatch.setattr(spells, "derive_assignments", broken)
    with pytest.raises(RuntimeError, match="derivation failed"):
        load(db_path, files["sip_2024.csv"])
    store = connect(str(db_path), create=False)  # a reader: it would not undo a dead import
    try:
        assert store.unfinished_batches() == []
        assert store.table("snapshot_rows").count().to_pyarrow().as_py() == 3
    finally:
        store.close()
    after = canonical(db_path)
    assert all(after[n].equals(before[n]) for n in before)


def test_wres_staff_in_post_follows_the_snapshots(files: dict[str, Path], db_path: Path) -> None:
    """The issue's symptom: with next year's snapshot loaded, WRES 1 counts who remained, not
    who left. Substantive staff (E3 is bank): 31/03/2023 E1 (White) and E2, counted as BME
    (Indian, as the later snapshot records, though it had her as not stated then); 31/03/2024
    E1, E2 and E4 (White); after the last snapshot, no figures."""
    import equitrack

    assert load(db_path, files["organisations"], files["sip_2023.csv"], files["sip_2024.csv"])
    for year, expected in ((2023, {"White": 1, "BME": 1}), (2024, {"White": 2, "BME": 1})):
        df = equitrack.wres(year, db=str(db_path))
        one = df[(df.measure == "wres1") & (df.org == "RWE") & (df.breakdown == "All")]
        assert dict(zip(one.group, one.numerator, strict=True)) == expected, year
    df = equitrack.wres(2025, db=str(db_path))
    one = df[(df.measure == "wres1") & (df.org == "RWE")]
    assert len(one) and one.numerator.isna().all() and one.reason_code.notna().all()
