"""Import into PostgreSQL, the Parquet layout, and Spark reading it."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from equitrack.cli import app
from equitrack.ingest import import_paths
from equitrack.model.tables import TABLES
from equitrack.store import Store, StoreError, connect, pseudonyms
from equitrack.store.export import export_parquet
from equitrack.store.spark import SparkUrl, builder_settings

runner = CliRunner()


def _sorted(table: pa.Table) -> pa.Table:
    table = table.drop_columns(["batch_id"])
    return table.sort_by([(c, "ascending") for c in table.column_names])


def _rows(store: Store, name: str) -> pa.Table:
    """A stored table as read, its pseudonyms as bytes whichever engine's type held them."""
    return pseudonyms.read(store.table(name))


def _counts(store: Store) -> dict[str, int]:
    return {t.name: store.table(t.name).count().to_pyarrow().as_py() for t in TABLES}


def test_postgres_import_stores_exactly_what_duckdb_stores(duck: Store, postgres: Store) -> None:
    """Same files, same key: the same rows and the same pseudonyms in both engines."""
    for t in TABLES:
        expected = _sorted(_rows(duck, t.name))
        actual = _sorted(_rows(postgres, t.name))
        assert actual.num_rows == expected.num_rows, t.name
        assert actual.to_pylist() == expected.to_pylist(), t.name


def test_postgres_refuses_a_bad_file_and_keeps_what_it_had(
    postgres: Store, engine_home: Path, engine_key: None, tmp_path: Path
) -> None:
    before = _counts(postgres)
    bad = tmp_path / "people.csv"
    bad.write_text(
        "person_id,ethnic_code,sex,disability,international_recruit\n"
        "NEW1,A,F,N,N\nNEW2,A,X-not-a-sex,N,N\n"
    )
    result = import_paths([bad], postgres, rejects_dir=tmp_path / "rejects")
    assert not result.ok
    problems = [p for s in result.sources if s.problems is not None for p in s.problems.to_pylist()]
    assert [(p["line"], p["column"]) for p in problems] == [(3, "column 3 (sex)")]
    assert _counts(postgres) == before
    assert postgres.unfinished_batches() == []


def test_import_command_loads_into_postgres(postgres_url: str, tmp_path: Path) -> None:
    """Through the CLI, into a database of its own on the same server."""
    import psycopg

    with psycopg.connect(
        postgres_url.replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("DROP DATABASE IF EXISTS cli_import")
        c.execute("CREATE DATABASE cli_import")
    url = postgres_url.rsplit("/", 1)[0] + "/cli_import"
    orgs = tmp_path / "organisations.csv"
    orgs.write_text("org_code,name,org_type,system_code\nRWE,Leicester Hospitals,trust,QK1\n")
    done = runner.invoke(app, ["import", str(orgs), "--db", url])
    assert done.exit_code == 0, done.output
    store = connect(url, create=False)
    assert store.table("organisations").to_pyarrow().column("org_code").to_pylist() == ["RWE"]
    store.close()


def test_layout_holds_every_table_owner_only(duck: Store, parquet_layout: Path) -> None:
    for t in TABLES:
        path = parquet_layout / f"{t.name}.parquet"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        written = duckdb.sql(f"SELECT * FROM '{path}'").arrow()
        if isinstance(written, pa.RecordBatchReader):
            written = written.read_all()
        ids = list(pseudonyms.COLUMNS.get(t.name, ()))
        assert all(written.schema.field(c).type == pa.binary() for c in ids), t.name
        written = pseudonyms.from_engine(written, ids)
        assert _sorted(written).equals(_sorted(_rows(duck, t.name))), t.name
    assert stat.S_IMODE(parquet_layout.stat().st_mode) == 0o700


def test_export_refuses_to_overwrite_unless_asked(duck: Store, parquet_layout: Path) -> None:
    with pytest.raises(StoreError, match="already holds"):
        export_parquet(duck, parquet_layout)


def test_export_leaves_out_an_unfinished_import(
    engine_home: Path, engine_key: None, tmp_path: Path
) -> None:
    """Rows of a batch still in the journal are not data yet."""
    store = connect(str(tmp_path / "x.duckdb"))
    assert import_paths([engine_home / "data" / "organisations.parquet"], store).ok
    batch = store.table("batches").to_pyarrow().column("batch_id")[0].as_py()
    store.con.raw_sql(f"INSERT INTO import_journal VALUES ({batch})")
    export_parquet(store, tmp_path / "out")
    orgs = duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'out' / 'organisations.parquet'}'")
    assert orgs.fetchone()[0] == 0
    store.close()


def test_export_command(parquet_layout: Path, duck: Store, tmp_path: Path) -> None:
    done = runner.invoke(app, ["export-parquet", "--db", duck.url, "--out", str(tmp_path / "x")])
    assert done.exit_code == 0, done.output
    assert "Wrote 23 tables" in done.output  # all but the private ones
    again = runner.invoke(app, ["export-parquet", "--db", duck.url, "--out", str(tmp_path / "x")])
    assert again.exit_code == 2 and "--overwrite" in again.output


@pytest.mark.parametrize(
    ("url", "master", "parquet", "database", "conf"),
    [
        ("spark:local[2]?parquet=/data/x", "local[2]", Path("/data/x"), None, {}),
        ("spark://h:7077?database=cat.eq", "spark://h:7077", None, "cat.eq", {}),
        ("spark:sc://db.example:15002", "sc://db.example:15002", None, None, {}),
        ("spark:?spark.executor.memory=8g", "", None, None, {"spark.executor.memory": "8g"}),
    ],
)
def test_spark_urls(url, master, parquet, database, conf) -> None:
    spec = SparkUrl.parse(url)
    assert (spec.master, spec.parquet, spec.database, spec.conf) == (
        master,
        parquet,
        database,
        conf,
    )


def test_spark_url_with_an_unknown_option_says_so() -> None:
    with pytest.raises(ValueError, match="unknown Spark option colour"):
        SparkUrl.parse("spark:local?colour=blue")


def test_spark_store_is_read_only(spark: Store, engine_home: Path, engine_key: None) -> None:
    result_error = None
    try:
        import_paths([engine_home / "data" / "organisations.parquet"], spark)
    except StoreError as exc:
        result_error = str(exc)
    assert result_error and "export-parquet" in result_error


def test_spark_table_schemas_are_looked_up_once_per_connection(
    spark: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each look-up is an analysis in the JVM, and a run of the measures reads tables hundreds
    of times."""
    spark.table("training")
    looked_up = []
    lookup = type(spark.con).get_schema
    monkeypatch.setattr(
        type(spark.con),
        "get_schema",
        lambda con, *a, **k: looked_up.append(a) or lookup(con, *a, **k),
    )
    assert spark.table("training").schema() == spark.table("training").schema()
    assert looked_up == []


def test_local_sessions_get_local_defaults_under_the_urls_own() -> None:
    local = builder_settings(SparkUrl.parse("spark:local[2]?spark.driver.memory=2g"))
    assert local["spark.driver.memory"] == "2g"
    flags = local["spark.driver.extraJavaOptions"].split()
    assert flags == ["-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=256m"]
    assert builder_settings(SparkUrl.parse("spark://h:7077?spark.executor.memory=8g")) == {
        "spark.executor.memory": "8g"
    }


def test_local_spark_jvm_runs_only_the_quick_jit_compiler(spark: Store) -> None:
    """The flags reach the JVM that PySpark starts, not just the session's settings: the
    quick compiler alone, with room for the code it compiles."""
    management = spark.con._session.sparkContext._jvm.java.lang.management.ManagementFactory
    flags = list(management.getRuntimeMXBean().getInputArguments())
    assert "-XX:TieredStopAtLevel=1" in flags
    code = [p for p in management.getMemoryPoolMXBeans() if p.getName() == "CodeCache"]
    assert [p.getUsage().getMax() for p in code] == [256 * 1024 * 1024]


def test_spark_folder_missing_a_table_is_named(
    spark: Store, tmp_path: Path, parquet_layout: Path
) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    for f in parquet_layout.glob("*.parquet"):
        if f.name != "leave.parquet":
            (partial / f.name).symlink_to(f)
    with pytest.raises(StoreError, match=r"no leave\.parquet"):
        connect(f"spark:local[2]?parquet={partial}", create=False)


def test_every_engine_keeps_pseudonyms_in_16_bytes(
    duck: Store, postgres: Store, spark: Store
) -> None:
    """UUID on DuckDB and PostgreSQL, BINARY on Spark: the engines' own catalogues say so."""
    for table, columns in pseudonyms.COLUMNS.items():
        if table == "snapshot_rows":
            continue  # made on the first snapshot import, which the generated data has none of
        listed = ", ".join(f"'{c}'" for c in columns)
        for store in (duck, postgres):
            types = store.con.sql(
                "SELECT data_type FROM information_schema.columns "
                f"WHERE table_name = '{table}' AND column_name IN ({listed})"
            ).to_pyarrow()
            assert {t.upper() for t in types.column(0).to_pylist()} == {"UUID"}, table
        fields = spark.con._session.table(table).schema
        assert {type(fields[c].dataType).__name__ for c in columns} == {"BinaryType"}, table


def test_a_shown_pseudonym_is_the_hex_it_always_was(
    duck: Store, postgres: Store, spark: Store, engine_home: Path, engine_key: None
) -> None:
    """Every engine's pseudonyms of people read as `Pseudonymiser.hash` of their raw ids."""
    import pyarrow.parquet as pq

    from equitrack.ingest.pseudonymise import Pseudonymiser, load_key

    raw = pq.read_table(engine_home / "data" / "people.parquet").column("person_id")
    hasher = Pseudonymiser(load_key())
    want = sorted(hasher.hash("person", str(r)) for r in raw.to_pylist())
    for store in (duck, postgres, spark):
        shown = pseudonyms.to_hex(_rows(store, "people").column("person_id")).to_pylist()
        assert sorted(shown) == want, store.backend


def test_wres_command_on_spark(
    spark: Store, parquet_layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the command closes its store, which stops the process's one Spark session: the other
    # tests share it (PySpark restarts badly within one interpreter), so it is kept open here
    monkeypatch.setattr(Store, "close", lambda self: None)
    done = runner.invoke(
        app,
        [
            "wres",
            "--db",
            f"spark:local[2]?parquet={parquet_layout}",
            "--year",
            "2026",
            "--format",
            "json",
        ],
    )
    assert done.exit_code == 0, done.output
    assert '"measure": "wres2"' in done.output


def test_spark_reads_the_layout_with_the_schemas_it_would_infer(
    spark: Store, parquet_layout: Path
) -> None:
    """The schemas given when opening (read from each file's footer, to spare Spark a job per
    file) are the ones Spark finds itself, table by table, timestamps without a zone and all."""
    session = spark.con._session
    files = sorted(parquet_layout.glob("*.parquet"))
    given = {f.stem: session.table(f.stem).schema for f in files}
    found = {f.stem: session.read.parquet(str(f)).schema for f in files}
    assert len(given) > len(TABLES)  # the contract's tables and the store's own
    assert given == found
    assert any("TimestampNTZ" in str(s) for s in given.values())  # a case that could differ
