"""The generator's output is the canonical model: columns, types, values, keys, references."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from equitrack.model.tables import TABLES
from equitrack.synth import PRESETS, generate, write

from .checks import ARROW, model_problems, ordering_problems


@pytest.mark.parametrize("name", ["mini", "llr"])
def test_tables_pass_the_model(name: str, request: pytest.FixtureRequest) -> None:
    tables = request.getfixturevalue(name)
    assert list(tables) == [t.name for t in TABLES]
    assert model_problems(tables) == []
    assert ordering_problems(tables) == []


def test_columns_and_types_follow_the_model(mini: dict[str, pa.Table]) -> None:
    for spec in TABLES:
        tbl = mini[spec.name]
        assert tbl.column_names == list(spec.column_names)
        assert [f.type for f in tbl.schema] == [ARROW[c.kind] for c in spec.columns]
        assert tbl.num_rows > 0, spec.name


def test_same_seed_same_tables(mini: dict[str, pa.Table]) -> None:
    again = generate("mini", seed=3)
    for name, tbl in mini.items():
        assert tbl.equals(again[name]), name


def test_different_seed_different_tables(mini: dict[str, pa.Table]) -> None:
    other = generate("mini", seed=4)
    assert not mini["people"].equals(other["people"])
    assert not mini["assignments"].equals(other["assignments"])
    assert mini["organisations"].equals(other["organisations"])  # structure comes from the preset


def test_ids_look_like_esr(llr: dict[str, pa.Table]) -> None:
    people = llr["people"].column("person_id").to_pylist()
    assert all(len(p) == 8 and p.isdigit() and p[0] != "0" for p in people)
    a = llr["assignments"].select(["assignment_id", "person_id"]).to_pandas()
    prefix = a.assignment_id.str.rsplit("-", n=1).str[0]
    assert (prefix == a.person_id).all()
    assert a.assignment_id.str.rsplit("-", n=1).str[1].str.isdigit().all()


def test_presets() -> None:
    assert {"llr", "national", "mini"} <= set(PRESETS)
    national = PRESETS["national"]
    trusts = [o for o in national.orgs if o.org_type == "trust"]
    assert 190 <= len(trusts) <= 230
    assert 38 <= len({o.system_code for o in national.orgs}) <= 46
    assert 1_400_000 <= national.headcount <= 1_800_000
    assert {o.code for o in PRESETS["llr"].orgs} == {"RWE", "RT5", "QK1"}


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(KeyError, match="llr"):
        generate("nowhere")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_round_trip(mini: dict[str, pa.Table], tmp_path, fmt: str) -> None:
    paths = write(mini, tmp_path, fmt=fmt)
    assert set(paths) == set(mini)
    for name, path in paths.items():
        assert path.name == f"{name}.{fmt}"
        if fmt == "parquet":
            assert pq.read_table(path).equals(mini[name])
        else:
            back = pacsv.read_csv(path)
            assert back.column_names == mini[name].column_names
            assert back.num_rows == mini[name].num_rows


def test_csv_conventions(mini: dict[str, pa.Table], tmp_path) -> None:
    path = write({"assignments": mini["assignments"]}, tmp_path)["assignments"]
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace('"', "").split(",")
    assert header[:4] == ["assignment_id", "person_id", "org_code", "start_date"]
    current = next(line for line in lines[1:] if ",,," in line or line.split(",")[4] == "")
    fields = current.split(",")
    assert len(fields[3]) == 10 and fields[3][4] == "-"  # ISO date
    assert fields[4] == ""  # still in post: blank end date
    assert {"true", "false"} & set(",".join(lines[1:50]).split(","))


def test_write_refuses_unknown_format(mini: dict[str, pa.Table], tmp_path) -> None:
    with pytest.raises(ValueError, match="csv"):
        write(mini, tmp_path, fmt="xlsx")


def test_custom_history_length() -> None:
    tables = generate("mini", seed=1, end_year=2024, years=3)
    assert model_problems(tables) == []
    assert ordering_problems(tables) == []
    assert set(tables["survey"].column("survey_year").to_pylist()) == {2021, 2022, 2023}
    snapshots = set(tables["pay"].column("snapshot_date").to_pylist())
    assert {d.isoformat() for d in snapshots} == {"2022-03-31", "2023-03-31", "2024-03-31"}
    latest = max(d for d in tables["assignments"].column("start_date").to_pylist())
    assert latest.isoformat() <= "2024-03-31"


def test_code_mixes_use_the_model_code_lists() -> None:
    from equitrack.model import codes
    from equitrack.synth import mixes

    known = set(codes.EXTENDED_CODES) | set(codes.CATEGORY_BY_CODE)
    for mix in (*mixes.CODE_MIXES.values(), mixes.IR_MIX):
        assert set(mix) <= known | {codes.NOT_STATED, ""}
    assert set(mixes.UNKNOWN_MIX) == {"", codes.NOT_STATED, codes.NOT_KNOWN}
    assert mixes.BANDS == codes.PAY_BANDS
    assert set(mixes.STAFF) == set(codes.STAFF_GROUPS)
