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

    The module has `write_export(tables, out_dir, seed) -> list[Path]`.
    """

    description: str
    tables: tuple[str, ...]
    module: str

    def write(self, tables: dict[str, pa.Table], out_dir: Path, seed: int) -> list[Path]:
        writer = import_module(self.module).write_export
        return writer(tables, out_dir, seed)


EXPORTS: dict[str, Export] = {
    "esr": Export(
        "ESR staff in post and leavers (esr_workforce.csv)",
        ("people", "assignments"),
        "equitrack.synth.esr",
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
    chosen = list(EXPORTS) if fmt == ALL_EXPORTS else [fmt] if fmt in EXPORTS else []
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
