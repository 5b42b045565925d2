"""The data-quality summary: declaration by hand count, what is loaded, what cannot be evidenced."""

from __future__ import annotations

import datetime as dt

from equitrack.disclosure import Audience, gate
from equitrack.measures.populations import Scope
from equitrack.measures.registry import MEASURES
from equitrack.measures.result import Result
from equitrack.reports import quality
from equitrack.reports.quality import Batch, Coverage, Declaration, Quality
from equitrack.store import Store
from equitrack.tracker.plan import load_plan
from tests.reports.conftest import KNOWN, STAFF


def test_declaration_rate_is_the_hand_count(small_store: Store) -> None:
    (d,) = quality.declaration(small_store, Scope(), 2026)
    assert (d.unit, d.period, d.staff, d.known) == ("RX1", 2026, STAFF, KNOWN)
    assert d.rate == KNOWN / STAFF
    assert quality.declaration_sentence(d) == (
        "Ethnicity is recorded for 91.2% of staff in post at RX1 on 31 March 2026."
    )


def test_a_public_reader_gets_no_rate_that_gives_away_a_small_count(small_store: Store) -> None:
    """91.2% of 57 staff gives away the 5 whose ethnicity is not recorded: through the public
    gate the rate is not shown (the scrutiny report passes its gate the same way)."""
    assert STAFF - KNOWN == 5

    def public(results: list[Result]) -> list[Result]:
        return gate(results, Audience.PUBLIC)

    (d,) = quality.declaration(small_store, Scope(), 2026, public)
    assert d.rate is None
    assert "too small to show" in quality.declaration_sentence(d)
    summary = quality.summarise(small_store, Scope(), 2026, shown=public)
    assert not any("91.2%" in sentence for sentence in summary.sentences())


def test_declaration_from_gated_results() -> None:
    """Suppressed counts give no rate and no numbers; a system unit reads as the system."""

    def wres1(group: str, n: int | None, total: int | None, **extra: object) -> Result:
        return Result(
            "wres1", "system:QK1", 2026, "wres", group, n, total, breakdown="All", **extra
        )

    shown = quality.declaration_rates([wres1("White", 800, 1000), wres1("Unknown", 60, 1000)])
    assert shown == [Declaration("system:QK1", 2026, 1000, 940)]
    assert quality.declaration_sentence(shown[0]) == (
        "Ethnicity is recorded for 94.0% of staff in post across the QK1 system on 31 March 2026."
    )
    hidden = quality.declaration_rates(
        [wres1("White", 800, 1000), wres1("Unknown", None, 1000, suppressed=True)]
    )
    assert hidden[0].rate is None
    assert "too small to show" in quality.declaration_sentence(hidden[0])


def test_tables_loaded_and_not(small_store: Store) -> None:
    tables = {c.table: c for c in quality.coverage(small_store)}
    assert tables["people"].loaded and tables["people"].rows == STAFF + 2
    assignments = tables["assignments"]
    assert assignments.date_column == "start_date"
    assert (assignments.first, assignments.last) == (dt.date(2015, 1, 1), dt.date(2025, 10, 1))
    assert assignments.periods == (2015, 2026)
    assert not tables["leave"].loaded and tables["leave"].periods == ()
    assert not tables["survey"].loaded
    other = {c.table: c for c in quality.coverage(small_store, Scope(("RX2",)))}
    assert not other["assignments"].loaded  # another organisation's scope sees none of it


def test_the_summary_says_what_cannot_be_evidenced(small_store: Store) -> None:
    q = quality.summarise(small_store, Scope(), 2026)
    assert "leave" in q.not_loaded and "assignments" not in q.not_loaded
    assert q.rows_rejected == 0
    sentences = q.sentences()
    assert (
        sentences[0] == "Ethnicity is recorded for 91.2% of staff in post at RX1 on 31 March 2026."
    )
    assert "No leave records are loaded, so recommendation 7 cannot be evidenced." in sentences
    rows = 1 + 2 * (STAFF + 2)  # the organisation, then a person and an assignment each
    assert sentences[-1] == f"3 files have been loaded ({rows} rows); no rows were rejected."
    (seven,) = [u for u in q.unevidenced if u.recommendation == 7]
    assert seven.whole and seven.blocked_by("leave") == ("leave_declined",)


def test_tables_read_come_from_the_declarations(small_store: Store) -> None:
    assert "leave" in quality.tables_read(MEASURES["leave_declined"])
    assert "disciplinary" in quality.tables_read(MEASURES["wres3"])
    assert "survey" in quality.tables_read(MEASURES["wres7"])
    assert "leave" not in quality.tables_read(MEASURES["wres2"])


def test_a_table_behind_part_of_a_recommendation() -> None:
    plan = load_plan()
    blocked = quality.Unevidenced(
        9,
        "Bank staff experience",
        plan.recommendation(9).evidence,
        (("racist_abuse", ("incidents",)), ("bank_survey_wres5", ("survey",))),
    )
    assert not blocked.whole

    def empty(table: str) -> Coverage:
        return Coverage(table, "", 0, None, None, None, ())

    summary = Quality(2026, (), (empty("incidents"), empty("pay")), (), (blocked,))
    assert summary.not_loaded == ("incidents", "pay")
    assert summary.sentences() == [
        "No incidents are loaded, so 1 of the 7 measures behind recommendation 9 cannot be "
        "calculated.",
        "No pay records are loaded.",
        "No data has been loaded.",
    ]


def test_batches_and_rejected_rows() -> None:
    def batch(i: int, source: str, rejected: int) -> Batch:
        return Batch(i, source, "people", 100, 100 - rejected, rejected, "2026-04-01T09:00:00")

    assert quality.batches_sentence([]) == "No data has been loaded."
    assert quality.batches_sentence([batch(1, "people.csv", 0)]) == (
        "1 file has been loaded (100 rows); no rows were rejected."
    )
    assert quality.batches_sentence(
        [batch(1, "people.csv", 20), batch(2, "leave.csv", 5), batch(3, "pay.csv", 0)]
    ) == (
        "3 files have been loaded (275 rows); 25 rows were rejected, from people.csv (20) and "
        "leave.csv (5)."
    )


def test_batches_come_from_the_store(small_store: Store) -> None:
    found = quality.batches(small_store)
    assert {b.table for b in found} == {"organisations", "people", "assignments"}
    assert all(b.rows_rejected == 0 and "/" not in b.source for b in found)
