"""Write generated tables as the canonical files: `<table>.csv` or `<table>.parquet`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

FORMATS = ("csv", "parquet", "esr")
#: The tables `esr` writes as one ESR workforce export rather than as canonical files.
ESR_TABLES = ("people", "assignments")


def write(
    tables: dict[str, pa.Table], out_dir: Path, fmt: str = "csv", seed: int = 7
) -> dict[str, Path]:
    """One file per table; CSV has a header row, ISO dates, true/false and blank nulls.

    `esr` writes people and assignments as an ESR workforce export (`esr_workforce.csv`, see
    `synth/esr.py`) and every other table as canonical CSV; `seed` varies the export's
    spellings.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if fmt == "esr":
        from equitrack.synth.esr import write_esr

        path = write_esr(tables, out_dir, seed)
        written.update({name: path for name in ESR_TABLES if name in tables})
        tables = {k: v for k, v in tables.items() if k not in ESR_TABLES}
        fmt = "csv"
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
