"""The easy-read summary: the ten recommendations' statuses in plain words and what happens
next, read from the scrutiny update, on one tagged page."""

from __future__ import annotations

import re

import pikepdf
import pytest

from equitrack.disclosure import Audience, load_policies
from equitrack.reports.content import Paragraph, Report, Rows, Section
from equitrack.reports.easy_read import COLUMNS, PLAIN, Line, lines, next_words, plain, summary
from equitrack.reports.write import ReportKind, build, write
from equitrack.store import Store
from equitrack.tracker.evidence import Status
from equitrack.tracker.plan import load_plan

YEAR = 2026
PUBLIC = load_policies()[Audience.PUBLIC]
ACTIONS = ("Action", "Owner", "Status", "Since")


def test_every_status_has_plain_words() -> None:
    assert {s.name for s in Status} <= set(PLAIN)
    assert plain(Status.NO_GAP) == "No clear gap. The numbers show no clear difference."


@pytest.mark.parametrize(
    ("done", "going", "steps", "words"),
    [
        (3, 1, None, "3 actions done. 1 more to do."),
        (1, 0, None, "1 action done. No next step yet."),
        (0, 0, None, "No next step yet."),
        (2, 0, 1, "2 actions done. 1 more to do."),
        (0, 2, 3, "3 more to do."),  # the update's next steps include its actions still going
        (4, 1, 0, "4 actions done. No next step yet."),
    ],
)
def test_what_happens_next_counts_actions_and_steps(done, going, steps, words) -> None:
    assert next_words(Line(1, "?", Status.NO_DATA, done, going, steps)) == words


def update(statuses: dict[int, Status], sections: tuple[Section, ...]) -> Report:
    """A scrutiny update as its builder lays it out: a summary table, a section a
    recommendation."""
    table = Rows(
        "Each recommendation's status and key figure",
        ("#", "Recommendation", "Status", "Key figure"),
        tuple((str(n), f"title {n}", str(s), "") for n, s in statuses.items()),
    )
    return Report(
        "scrutiny",
        "Update",
        "x",
        "public",
        "rule",
        (Section("summary", "Summary", (Paragraph("p"), table)), *sections),
    )


def test_the_page_reads_statuses_actions_and_steps_from_the_update() -> None:
    plan = load_plan()
    made = update(
        {1: Status.ADVERSE, 2: Status.TOO_FEW},
        (
            Section(
                "rec1",
                "Recommendation 1",
                (
                    Rows(
                        "Actions",
                        ACTIONS,
                        (
                            ("a", "RX1", "done", "2024-02-06"),
                            ("b", "RX1", "in progress (amber)", "2024-02-06"),
                            ("c", "RX1", "planned", "2024-02-06"),
                            ("d", "RX1", "stopped", "2024-02-06"),
                        ),
                    ),
                ),
            ),
            Section(
                "rec2",
                "Recommendation 2",
                (
                    Rows("Actions", ACTIONS, (("e", "RX1", "done", "2024-02-06"),)),
                    Rows("Next steps", ("Step", "Owner", "Date"), (("s", "", ""), ("t", "", ""))),
                ),
            ),
        ),
    )
    found = lines(made, plan)
    assert found == [
        Line(1, plan.recommendation(1).question, Status.ADVERSE, 1, 2, None),
        Line(2, plan.recommendation(2).question, Status.TOO_FEW, 1, 0, 2),
    ]
    page = summary(found, YEAR, "Royal Example NHS Trust", PUBLIC, "public")
    (table,) = page.tables()
    assert table.columns == COLUMNS
    assert table.rows[0] == (
        f"1. {plan.recommendation(1).question}",
        "A gap. Some ethnic minority staff do worse, by more than chance.",
        "1 action done. 2 more to do.",
    )
    assert table.rows[1][1:] == (
        "Too few to tell. Too few people to know.",
        "1 action done. 2 more to do.",
    )
    after = [b.text for b in page.sections[-1].blocks if isinstance(b, Paragraph)]
    assert after[:2] == [
        "2 actions are done. 2 actions are still going.",
        "Recommendation 1 shows a gap.",
    ]
    assert "The next update will look at April 2026 to March 2027." in after
    assert f"About the numbers: {PUBLIC.plain()}" in after
    assert (
        "Royal Example NHS Trust" in page.subtitle and "April 2025 to March 2026" in page.subtitle
    )


@pytest.fixture(scope="module")
def written(small_store: Store, tmp_path_factory: pytest.TempPathFactory):
    page = build(
        ReportKind.easy_read, small_store, YEAR, org="RX1", policy=PUBLIC, audience="public"
    )
    paths = write(page, tmp_path_factory.mktemp("easy"), "easy-read", ["html", "pdf"])
    return page, {p.suffix: p for p in paths}


def test_the_easy_read_page_agrees_with_the_scrutiny_update(small_store: Store, written) -> None:
    """Built as `equitrack report --kind easy-read` builds it: each status is the update's."""
    page, _ = written
    scrutiny = build(
        ReportKind.scrutiny, small_store, YEAR, org="RX1", policy=PUBLIC, audience="public"
    )
    statuses = next(t for t in scrutiny.tables() if t.columns[:1] == ("#",))
    at = statuses.columns.index("Status")
    (table,) = page.tables()
    assert len(table.rows) == 10
    assert [row[1] for row in table.rows] == [plain(Status(row[at])) for row in statuses.rows]
    assert table.rows[6][1].startswith("No information yet.")  # the small store has no leave


def test_the_easy_read_pdf_is_one_tagged_page_in_plain_words(written) -> None:
    page, paths = written
    with pikepdf.open(paths[".pdf"]) as pdf:
        assert len(pdf.pages) == 1
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title) == f"{page.title}: {page.subtitle}"
        assert "/StructTreeRoot" in pdf.Root
    text = " ".join(re.sub(r"<[^>]+>", " ", paths[".html"].read_text("utf-8")).split())
    for number in range(1, 11):
        assert f" {number}. " in f" {text}"
    # no codes, ids or jargon a reader of easy read would not know
    body = text[text.index("What this is") :]
    assert not re.search(r"\bRX1\b|_|system:|significant|relative likelihood", body, re.I), body
