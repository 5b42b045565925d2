"""Write generated tables as the canonical files, or as the exports real systems write.

`csv` and `parquet` write one canonical file per table. Each export format (`esr`, `olm`, …)
writes the tables it covers the way that system exports them, and every other table as
canonical CSV; `exports` writes every export at once. The shipped profile of each export reads
it back into exactly the tables it was made from (tests/ingest_profiles holds them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq


@dataclass(frozen=True)
class Export:
    """One system's export: the module that writes it and the canonical tables it covers.

    The module has `write_export(tables, out_dir, seed) -> list[Path]` (or the function
    named). `in_all`: written by `exports` too (a series of snapshots is not: it holds the same
    people and assignments as the single ESR export).
    """

    description: str
    tables: tuple[str, ...]
    module: str
    function: str = "write_export"
    in_all: bool = True

    def write(self, tables: dict[str, pa.Table], out_dir: Path, seed: int) -> list[Path]:
        writer = getattr(import_module(self.module), self.function)
        return writer(tables, out_dir, seed)


EXPORTS: dict[str, Export] = {
    "esr": Export(
        "ESR staff in post and leavers (esr_workforce.csv)",
        ("people", "assignments"),
        "equitrack.synth.esr",
    ),
    "esr-snapshots": Export(
        "ESR staff-in-post snapshots as at each 31 March with title blocks, and a leavers "
        "report a year, per organisation (esr_RWE_staff_in_post_2024-03-31.csv, "
        "esr_RWE_leavers_2023-24.csv, …)",
        ("people", "assignments"),
        "equitrack.synth.esr_snapshots",
        in_all=False,
    ),
    "esr-monthly": Export(
        "as esr-snapshots, with a snapshot at each month end",
        ("people", "assignments"),
        "equitrack.synth.esr_snapshots",
        function="write_monthly",
        in_all=False,
    ),
    "olm": Export(
        "ESR learning (OLM) enrolments and completions (olm_learning.csv)",
        ("training",),
        "equitrack.synth.olm",
    ),
    "trac": Export(
        "TRAC applicant-level recruitment export (trac_applicants.csv)",
        ("applications",),
        "equitrack.synth.trac",
    ),
    "cases": Export(
        "employee-relations case tracker workbook (er_case_tracker.xlsx)",
        ("disciplinary",),
        "equitrack.synth.case_tracker",
    ),
    "survey": Export(
        "staff survey breakdowns, NHS Staff Survey and bank worker survey "
        "(nss_breakdown.csv, bank_survey_breakdown.csv)",
        ("survey",),
        "equitrack.synth.survey_export",
    ),
}
ALL_EXPORTS = "exports"
FORMATS = ("csv", "parquet", *EXPORTS, ALL_EXPORTS)


def write(
    tables: dict[str, pa.Table], out_dir: Path, fmt: str = "csv", seed: int = 7
) -> dict[str, Path]:
    """One file per table (a table an export covers maps to the export's file).

    CSV has a header row, ISO dates, true/false and blank nulls. `seed` varies the spellings
    and untidiness of the exports.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    every = [name for name, e in EXPORTS.items() if e.in_all]
    chosen = every if fmt == ALL_EXPORTS else [fmt] if fmt in EXPORTS else []
    for name in chosen:
        export = EXPORTS[name]
        if not all(t in tables for t in export.tables):
            continue
        paths = export.write(tables, out_dir, seed)  # an export may look up other tables
        written.update({t: paths[0] for t in export.tables})
    if chosen:
        fmt = "csv"
    for name, tbl in tables.items():
        if name in written:
            continue
        path = out_dir / f"{name}.{fmt}"
        if fmt == "csv":
            pcsv.write_csv(
                tbl, path, pcsv.WriteOptions(include_header=True, quoting_style="needed")
            )
        else:
            pq.write_table(tbl, path)
        written[name] = path
    return written
