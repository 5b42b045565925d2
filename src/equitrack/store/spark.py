"""Spark as a store: the canonical tables read from Parquet or a Spark catalog, for measuring.

A national team's data already sits in Spark (Databricks) or a warehouse. equitrack does not
import into Spark; it reads tables that were imported (and pseudonymised) elsewhere and written
out with `equitrack export-parquet`, or loaded into a catalog from that layout.

URLs:
- `spark:local[2]?parquet=/data/equitrack`: local mode, tables read from the Parquet folder;
- `spark://host:7077?database=equitrack`: a standalone cluster, tables from a catalog database
  (`catalog.schema` on Unity Catalog);
- `spark:sc://host:15002?...`: Spark Connect, as Databricks serves it;
- `spark:` alone: the session already running (a Databricks notebook), or one built from the
  environment's spark-defaults.conf.
Any other `spark.*=value` pair in the query is passed to the session builder.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from ibis.backends import BaseBackend

#: Local mode: few shuffle partitions suit one machine, and the driver does all the work (there
#: are no executors), so it gets room for a national run. Its JVM lives for one run of a few
#: hundred small queries, each with code of its own: the optimising JIT compiler (C2) spent
#: more processor time compiling Spark and those queries than its faster code saved (half the
#: JVM's time on LLR's WRES family, 33 of 65 s), so only the quick one (C1) runs. Measured:
#: LLR's full suite 268 s → 196 s, region's WRES 1, 3 and 9 112 s → 95 s. A cluster's
#: executors live long and keep C2. With C1 alone the JVM keeps its compiled code in 48 MB,
#: which a run of every measure fills (the generated code of each query): it then throws code
#: away and compiles it again. Given room, the same run compiled for half the time (20 s →
#: 10 s) and took 88-90 s instead of 95-101 s (every measure, both scopes, the generated mini
#: system).
LOCAL_JVM = "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m"
LOCAL_DEFAULTS = {
    "spark.sql.shuffle.partitions": str(max(2, 2 * (os.cpu_count() or 1))),
    "spark.driver.memory": "6g",
    "spark.driver.extraJavaOptions": LOCAL_JVM,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # equitrack shows its own progress
}
#: On every session, a cluster's too: dates never shift with the cluster's time zone, and
#: integer and date arithmetic behaves as on DuckDB and PostgreSQL (Spark 4 turns ANSI on).
#: Small tables equitrack makes in memory (the reporting periods, each with its 31 March) reach
#: Spark as RDDs of unknown size, which Spark takes to be huge: a join to one on a date range
#: became a Cartesian product with a shuffle. Sized as small, they are broadcast instead (a
#: file's size is always known, so nothing read from Parquet or a catalog is affected).
SESSION_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.defaultSizeInBytes": str(1024 * 1024),
}


def is_spark_url(url: str) -> bool:
    return url.startswith("spark:")


@dataclass(frozen=True)
class SparkUrl:
    master: str
    parquet: Path | None = None
    database: str | None = None
    conf: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> SparkUrl:
        body, _, query = url.partition("?")
        master = body if body.startswith("spark://") else body.removeprefix("spark:")
        params = dict(parse_qsl(query, keep_blank_values=True))
        unknown = [
            k for k in params if k not in ("parquet", "database") and not k.startswith("spark.")
        ]
        if unknown:
            raise ValueError(
                f"unknown Spark option {', '.join(unknown)}: use parquet=, database= or spark.* settings"
            )
        parquet = params.pop("parquet", None)
        return cls(
            master=master,
            parquet=Path(parquet).expanduser() if parquet else None,
            database=params.pop("database", None),
            conf=params,
        )


def builder_settings(spec: SparkUrl) -> dict[str, str]:
    """What a new session is built with: local mode's defaults, under the URL's own settings."""
    return (LOCAL_DEFAULTS if spec.master.startswith("local") else {}) | spec.conf


def _session(spec: SparkUrl):
    from pyspark.sql import SparkSession

    if not spec.master and (active := SparkSession.getActiveSession()) is not None:
        return active  # a Databricks notebook's own session
    builder = SparkSession.builder.appName("equitrack")
    if spec.master.startswith("sc://"):
        builder = builder.remote(spec.master)
    elif spec.master:
        builder = builder.master(spec.master)
    for key, value in builder_settings(spec).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if not spec.master.startswith("sc://"):
        session.sparkContext.setLogLevel("ERROR")
    return session


def _configure(session, spec: SparkUrl) -> None:
    for key, value in SESSION_SETTINGS.items():
        session.conf.set(key, spec.conf.get(key, value))


def _use_database(session, database: str) -> None:
    catalog, _, schema = database.rpartition(".")
    if catalog:
        session.catalog.setCurrentCatalog(catalog)
    session.catalog.setCurrentDatabase(schema)


def connect_spark(
    url: str, tables: list[str], optional: frozenset[str] = frozenset()
) -> BaseBackend:
    """An Ibis PySpark backend whose `tables` are the canonical tables named by the URL."""
    import ibis

    spec = SparkUrl.parse(url)
    session = _session(spec)
    _configure(session, spec)
    if spec.database:
        _use_database(session, spec.database)
    con = ibis.pyspark.connect(session)
    if spec.parquet is not None:
        if not spec.parquet.is_dir():
            raise FileNotFoundError(f"no Parquet folder at {spec.parquet}")
        found = {n for n in tables if (spec.parquet / f"{n}.parquet").exists()}
        missing = [n for n in tables if n not in found and n not in optional]
        if missing:
            raise FileNotFoundError(
                f"{spec.parquet} is not an equitrack Parquet layout: no "
                f"{', '.join(m + '.parquet' for m in missing)} (write one with export-parquet)"
            )
        for name in sorted(found):
            _read_parquet(session, spec.parquet / f"{name}.parquet", name)
    return con


def _read_parquet(session, path: Path, name: str) -> None:
    """`path` as the temporary view `name`, with the schema its own footer states.

    Left to infer it, Spark runs a job per file to read the footer (a few seconds of opening a
    store); pyarrow reads the same footer here in a millisecond. Converted as Spark's own
    inference converts (a timestamp without a time zone is TIMESTAMP_NTZ unless the session says
    otherwise), so the view is the same; a type the conversion does not know is left to Spark.
    """
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_schema

    ntz = session.conf.get("spark.sql.parquet.inferTimestampNTZ.enabled", "true") == "true"
    reader = session.read
    with contextlib.suppress(TypeError):  # a type the conversion does not know
        reader = reader.schema(from_arrow_schema(pq.read_schema(path), prefer_timestamp_ntz=ntz))
    reader.parquet(str(path)).createOrReplaceTempView(name)
