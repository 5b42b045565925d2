import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.ingest.coerce import coerce
from equitrack.model.tables import Column, Kind

DATE = Column("d", Kind.DATE)
BOOL = Column("b", Kind.BOOL)
INT = Column("i", Kind.INT)
FLOAT = Column("f", Kind.FLOAT)
ENUM = Column("e", Kind.ENUM, allowed=("permanent", "fixed_term", "bank"))


def run(col: Column, values: list[object]) -> tuple[list[object], list[bool]]:
    result = coerce(pa.array(values), col)
    return result.values.to_pylist(), result.bad.tolist()


def test_dates_must_be_real_iso_dates() -> None:
    values, bad = run(
        DATE,
        [
            "2024-03-31",
            "2024-02-29",
            "2023-02-29",
            "2024-02-30",
            "31/03/2024",
            "2024-3-1",
            "",
            None,
            " 2024-04-01 ",
            "2024-04-01 00:00:00",
        ],
    )
    assert values[:2] == [dt.date(2024, 3, 31), dt.date(2024, 2, 29)]
    assert bad == [False, False, True, True, True, True, False, False, False, False]
    assert values[6:] == [None, None, dt.date(2024, 4, 1), dt.date(2024, 4, 1)]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_real_date_round_trips(day: dt.date) -> None:
    values, bad = run(DATE, [day.isoformat()])
    assert values == [day] and bad == [False]


def _real(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2100 else None


@pytest.mark.parametrize("time", ["", " 14:32", "T14:32:00", " 2:32 PM"])
def test_every_month_and_day_written_is_read_as_the_calendar_has_it(time: str) -> None:
    """Months 0 to 13 and days 0 to 32 of leap, common and edge years, with or without a time
    of day (beside a value without one): a value is read exactly when it is a real date in the
    years equitrack reads, and as that date."""
    written = [
        f"{y:04d}-{m:02d}-{d:02d}"
        for y in (1899, 1900, 2000, 2023, 2024, 2100, 2101)
        for m in range(14)
        for d in range(33)
    ]
    values, bad = run(DATE, [*(w + time for w in written), "2024-05-06"])
    expected = [_real(w) for w in written]
    assert values == [*expected, dt.date(2024, 5, 6)]
    assert bad == [e is None for e in expected] + [False]


def test_typed_dates_and_timestamps_pass_through() -> None:
    result = coerce(pa.array([dt.datetime(2024, 3, 31, 0, 0)]), DATE)
    assert result.values.to_pylist() == [dt.date(2024, 3, 31)]


def test_booleans_accept_the_words_people_use() -> None:
    values, bad = run(BOOL, ["true", "FALSE", "Y", "n", "Yes", "no", "1", "0", "maybe", "", None])
    assert values == [True, False, True, False, True, False, True, False, None, None, None]
    assert bad == [False] * 8 + [True, False, False]


def test_integers_and_numbers() -> None:
    values, bad = run(INT, ["12", "-3", "4.0", "4.5", "x", ""])
    assert values == [12, -3, 4, None, None, None] and bad == [
        False,
        False,
        False,
        True,
        True,
        False,
    ]
    values, bad = run(FLOAT, ["1.5", ".5", "1e3", "-2", "1,000", "£5"])
    assert values == [1.5, 0.5, 1000.0, -2.0, None, None]
    assert bad == [False, False, False, False, True, True]


def test_enums_match_ignoring_case_and_store_the_model_spelling() -> None:
    values, bad = run(ENUM, ["Permanent", " BANK ", "fixed_term", "Fixed Term", ""])
    assert values == ["permanent", "bank", "fixed_term", None, None]
    assert bad == [False, False, False, True, False]


def test_reasons_are_plain_words() -> None:
    assert "YYYY-MM-DD" in coerce(pa.array(["31/03/2024"]), DATE).reason("31/03/2024")
    assert "bank" in coerce(pa.array(["x"]), ENUM).reason("x")
    assert "true or false" in coerce(pa.array(["x"]), BOOL).reason("x")


@pytest.mark.parametrize("value,expected", [(12345.0, "12345"), (1.5, "1.5")])
def test_numeric_ids_read_as_typed(value: float, expected: str) -> None:
    result = coerce(pa.array([value]), Column("person_id", Kind.STR))
    assert result.values.to_pylist() == [expected]
