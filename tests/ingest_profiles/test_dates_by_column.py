"""A profile's dates read a column at a time (pyarrow for the plainest spellings) read exactly
as each value read on its own: the same day, or the same refusal in the same words."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from equitrack.ingest.dates import read_dates, read_one

YEARS = (1899, 1900, 2023, 2024, 2100, 2101)
#: Every month and day 0 to 13 and 0 to 32 in each plain spelling, and a few others.
WRITTEN = [
    *(f"{y:04d}-{m:02d}-{d:02d}" for y in YEARS for m in range(14) for d in range(33)),
    *(
        f"{d:02d}{sep}{m:02d}{sep}{y:04d}"
        for y in YEARS
        for m in range(14)
        for d in range(33)
        for sep in "/-."
    ),
    "5/3/2024", "05-Mar-2024", "2024/03/05", "05/03/2024 14:32", "45356", "31/03/24",
    " 05/03/2024", "05/03/2024T14:32:00Z", "not a date", "", "٠٥/٠٣/٢٠٢٤",
]  # fmt: skip


@pytest.mark.parametrize(
    "forms", [("day_first",), ("iso",), ("day_first", "iso"), ("excel_serial",)]
)
def test_a_column_of_dates_reads_as_its_values_one_by_one(forms: tuple[str, ...]) -> None:
    column = pa.array([*WRITTEN, None, *WRITTEN[::7]], pa.string())
    dates = read_dates(column, forms)
    one_by_one = [None if v is None else read_one(v, forms) for v in column.to_pylist()]
    assert dates.iso.to_pylist() == [r.iso if r else None for r in one_by_one]
    assert dates.bad.tolist() == [r is not None and r.iso is None for r in one_by_one]
    assert dates.reasons == [r.reason for r in one_by_one if r is not None and r.iso is None]
    month_first = [i for i, r in enumerate(one_by_one) if r is not None and r.month_first]
    assert dates.month_first.tolist() == month_first
    if forms != ("excel_serial",):  # the grid's real dates are read, a leap day among them
        assert np.count_nonzero(~dates.bad) > 4 * 365 and "2024-02-29" in dates.iso.to_pylist()
