"""Write generated tables as the canonical files: `<table>.csv` or `<table>.parquet`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

FORMATS = ("csv", "parquet")


def write(tables: dict[str, pa.Table], out_dir: Path, fmt: str = "csv") -> dict[str, Path]:
    """One file per table; CSV has a header row, ISO dates, true/false and blank nulls."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, tbl in tables.items():
        path = out_dir / f"{name}.{fmt}"
        if fmt == "csv":
            pcsv.write_csv(
                tbl, path, pcsv.WriteOptions(include_header=True, quoting_style="needed")
            )
        else:
            pq.write_table(tbl, path)
        written[name] = path
    return written
