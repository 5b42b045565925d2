"""Bounded fuzzing of reading and checking: whatever a CSV, XLSX or Parquet file holds (bytes
generated, valid files mutated, arbitrary values of arbitrary types), finding its profile,
reading, mapping and checking it ends in success or the project's own ReadError, never in any
other exception, which the command line would show as a traceback and the dashboard as a 500.

Examples are few (FUZZ_EXAMPLES) so that `make test` stays quick; raise them to hunt:
`EQUITRACK_FUZZ_EXAMPLES=2000 pytest tests/ingest_hostile/test_fuzz.py`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import os
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from equitrack.ingest import detect, mapping
from equitrack.ingest.pseudonymise import Pseudonymiser
from equitrack.ingest.readers import ReadError, read
from equitrack.ingest.validate import examine
from equitrack.model.tables import table
from tests.ingest_hostile.corpus import LEAVE_HEADER, _rewrite, _workbook
from tests.ingest_profiles.esr import HEADER as ESR_HEADER
from tests.ingest_profiles.esr import ROWS as ESR_ROWS

FUZZ_EXAMPLES = int(os.environ.get("EQUITRACK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PSEUDONYMISER = Pseudonymiser(b"f" * 32)


def import_without_a_store(content: bytes, name: str) -> None:
    """What `import_paths` does to a file before the store is touched; only ReadError may
    come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            sources, _ = detect.discover([path])
            for source in sources:
                raw = read(source)
                tables = mapping.apply(raw, source.profile) if source.mapped else {"": raw}
                for part in tables.values():
                    examine(part, PSEUDONYMISER)
        except ReadError:
            pass


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few bytes replaced, inserted or deleted, or cut short."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
        byte = draw(st.integers(0, 255))
        if op == "replace" and at < len(data):
            data[at] = byte
        elif op == "insert":
            data[at:at] = bytes([byte]) * draw(st.integers(1, 3))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif op == "cut":
            del data[at:]
    return bytes(data)


# --- CSV ----------------------------------------------------------------------------------

PEOPLE = b"person_id,ethnic_code,sex,birth_year,nhs_start_date\n1,A,F,1980,2001-04-01\n2,B,M,,\n"
LEAVE = (LEAVE_HEADER + "\nL1,1,RWE,annual,2024-01-01,2024-01-02,5,approved\n").encode()
ESR = "\n".join(",".join(r) for r in [ESR_HEADER, *ESR_ROWS]).encode()
CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SPECIAL = st.sampled_from(
    ["", "1e26", "1e400", "nan", "-inf", "9" * 30, "0001-01-01", "9999-12-31", "31/02/2024",
     '"', '""', "\r", "\r\n", "\0", "\ufeff", "=1+1", "1.0", "-0", "Y", "  "]
)  # fmt: skip


@st.composite
def csv_rows(draw: st.DrawFn) -> bytes:
    """A header of real and odd column names over rows of arbitrary values, in an encoding."""
    names = draw(
        st.lists(
            st.sampled_from(["person_id", "ethnic_code", "sex", "birth_year", "nhs_start_date",
                             "religion", "", " ", "Person_ID", "x"]),
            min_size=1, max_size=7,
        )
    )  # fmt: skip
    rows = draw(st.lists(st.lists(st.one_of(CELL, SPECIAL), max_size=9), max_size=6))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = sep.join(",".join(row) for row in [names, *rows]) + draw(st.sampled_from(["", sep]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(st.one_of(st.binary(max_size=2000), mutated(PEOPLE), csv_rows()))
def test_any_people_csv(content: bytes) -> None:
    import_without_a_store(content, "people.csv")


@FUZZ
@given(st.one_of(mutated(LEAVE), mutated(ESR)), st.sampled_from(["leave.csv", "esr_export.csv"]))
def test_any_leave_or_esr_csv(content: bytes, name: str) -> None:
    import_without_a_store(content, name)


# --- XLSX ---------------------------------------------------------------------------------

BOOK = _workbook([["person_id", "ethnic_code", "sex"], ["1", "A", "F"], ["2", "B", "M"]])
with zipfile.ZipFile(io.BytesIO(BOOK)) as _zf:
    SHEET = _zf.read("xl/worksheets/sheet1.xml")
VALUE = st.one_of(
    CELL.filter(lambda s: not s.startswith("=")),
    SPECIAL.filter(lambda s: "\0" not in s and not s.startswith("=")),
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70).filter(lambda i: abs(i) < 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """A workbook of arbitrary cells under a header, written by openpyxl."""
    header = draw(st.lists(st.sampled_from(["person_id", "ethnic_code", "sex", "birth_year",
                                             None, "x"]), min_size=1, max_size=6))  # fmt: skip
    rows = draw(st.lists(st.lists(VALUE, max_size=7), max_size=5))
    wb = Workbook()
    ws = wb.active
    ws.title = "people"
    for row in [header, *rows]:
        try:
            ws.append(row)
        except Exception:  # openpyxl refuses some characters in a cell: leave that row out
            continue
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@FUZZ
@given(st.one_of(mutated(BOOK), workbooks(), mutated(SHEET).map(
    lambda sheet: _rewrite(BOOK, {"xl/worksheets/sheet1.xml": sheet})
)))  # fmt: skip
def test_any_people_workbook(content: bytes) -> None:
    import_without_a_store(content, "people.xlsx")


# --- Parquet ------------------------------------------------------------------------------

COLUMNS = ["person_id", "ethnic_code", "sex", "birth_year", "nhs_start_date", "", "x",
           "request_id", "org_code", "leave_type", "requested_date", "start_date", "days",
           "decision"]  # fmt: skip
VALUES = st.one_of(
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=4).map(pa.array),
    st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=4).map(
        lambda v: pa.array(v, pa.uint64())
    ),
    st.lists(st.floats(), min_size=1, max_size=4).map(pa.array),
    st.lists(st.one_of(CELL, SPECIAL, st.none()), min_size=1, max_size=4).map(pa.array),
    st.lists(st.binary(max_size=6), min_size=1, max_size=4).map(lambda v: pa.array(v, pa.binary())),
    st.lists(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), min_size=1, max_size=4).map(
        pa.array
    ),
    st.lists(st.datetimes(), min_size=1, max_size=4).map(lambda v: pa.array(v, pa.timestamp("us"))),
    st.lists(st.booleans(), min_size=1, max_size=4).map(pa.array),
    st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9,
                         min_value=-(10**9)), min_size=1, max_size=4).map(
        lambda v: pa.array([decimal.Decimal(x) for x in v], pa.decimal128(12, 2))
    ),
    st.lists(st.sampled_from(["A", "B", "Z"]), min_size=1, max_size=4).map(
        lambda v: pa.array(v).dictionary_encode()
    ),
    st.lists(st.none(), min_size=1, max_size=4).map(lambda v: pa.array(v, pa.null())),
)  # fmt: skip
#: Types that are not single values, or bytes that may not be text: refused as they are read.
ODD = st.sampled_from([pa.array([{"a": 1}]), pa.array([[1, 2]]), pa.array([b"\xff"], pa.binary()),
                       pa.array([1], pa.duration("s")), pa.array([1.5], pa.float16())])  # fmt: skip


@st.composite
def parquet_tables(draw: st.DrawFn, name: str) -> bytes:
    """A Parquet file holding the table's required columns and some others, each of an
    arbitrary type, trimmed to one length."""
    required = list(table(name).required)
    names = required + draw(st.lists(st.sampled_from(COLUMNS), max_size=3, unique=True))
    names = list(dict.fromkeys(names))
    arrays = [draw(VALUES if n in required else st.one_of(VALUES, ODD)) for n in names]
    n = min(len(a) for a in arrays)
    out = io.BytesIO()
    pq.write_table(pa.table([a.slice(0, n) for a in arrays], names=names), out)
    return out.getvalue()


def _parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


PARQUET = _parquet_bytes(pa.table({"person_id": ["1", "2"], "ethnic_code": ["A", "B"]}))


@FUZZ
@given(st.sampled_from(["people", "leave", "pay"]).flatmap(
    lambda name: st.tuples(st.just(name), st.one_of(
        parquet_tables(name), parquet_tables(name), parquet_tables(name), mutated(PARQUET)
    ))
))  # fmt: skip
def test_any_parquet(named: tuple[str, bytes]) -> None:
    name, content = named
    import_without_a_store(content, f"{name}.parquet")
