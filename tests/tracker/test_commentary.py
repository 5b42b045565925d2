"""Officers' commentary and the cover sheet: drafts kept with their history, a public paper
printing only approved words and saying who approved them and when, and the committee's
cover sheet filled from the paper file."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equitrack import config
from equitrack.cli import app
from equitrack.disclosure import Audience, load_policies
from equitrack.reports import scrutiny
from equitrack.reports.html import render
from equitrack.reports.write import ReportKind, build
from equitrack.store import Store, connect
from equitrack.tracker import commentary
from equitrack.tracker.plan import PlanProblem, load_plan
from tests.factories import small_system

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), terminal_width=200)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "c.duckdb")
    assert invoke("import", str(small_system(tmp_path / "data")), "--db", path).exit_code == 0
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One small system for the module's papers: commentary changes no figure, so each
    audience's release is measured once and the papers differ only in the officers' words."""
    folder = tmp_path_factory.mktemp("papers")
    path = str(folder / "c.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEY_FILE_ENV, str(folder / "key"))
        assert invoke("import", str(small_system(folder / "data")), "--db", path).exit_code == 0
    kept = connect(path, create=False)
    yield kept
    kept.close()


def _text(html: str) -> str:
    return markup.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _officers(html: str) -> list[str]:
    """The officers' boxes of a report, as words."""
    return [
        _text(b) for b in re.findall(r'<div class="officers[^"]*"[^>]*>(.*?)</div>', html, re.S)
    ]


def _paper(store: Store, audience: str, paper: Path | None = None) -> str:
    policy = load_policies(None)[Audience(audience)]
    made = build(
        ReportKind.scrutiny, store, 2026, org=None, policy=policy, audience=audience, paper=paper
    )
    return render(made)


FIRST = "Interactive sessions replaced the e-learning module in April."
LATER = "Numbers doubled by October; the audit is due in January."
SYSTEM_VIEW = "The system's view: steady progress."
COVER = """[cover]
committee = "Health Scrutiny Committee"
meeting = "12 March 2027"
asked = ["Note the update.", "Agree the next steps."]
purpose = "An update for {where} in {year}."
"""


@pytest.fixture(scope="module")
def papers(store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The system's paper for the public and for analysts, after: recommendation 3's words
    written, approved, then rewritten (a newer draft); the whole paper's words, and an
    organisation's, approved; and a cover sheet file of the committee's own."""
    plan = load_plan()
    commentary.write(store, plan, org=None, year=2026, part="3", text=FIRST, by="a.writer")
    assert scrutiny.officers_words(store, None, 2026, public=True) == {"rec3": ()}
    commentary.approve(store, plan, org=None, year=2026, part="rec3", by="an.approver")
    commentary.write(store, plan, org=None, year=2026, part=3, text=LATER, by="a.writer")
    for org, words in ((None, SYSTEM_VIEW), ("RT5", "RT5 alone.")):
        commentary.write(store, plan, org=org, year=2026, part="paper", text=words, by="w")
        commentary.approve(store, plan, org=org, year=2026, part=None, by="a")
    paper = tmp_path_factory.mktemp("paper") / "paper.toml"
    paper.write_text(COVER)
    return {audience: _paper(store, audience, paper) for audience in ("public", "analyst")}


def test_a_public_paper_prints_only_approved_words_and_says_who_approved_them(
    store: Store, papers: dict[str, str]
) -> None:
    rec3 = papers["public"].split('id="rec3"', 1)[1].split('id="rec4"', 1)[0]
    (box,) = _officers(rec3)
    assert FIRST in box and LATER not in box
    assert re.search(r"Approved by an\.approver on \d{1,2} \w+ 20\d\d\.", box), box
    assert LATER not in papers["public"]

    inside = _officers(papers["analyst"].split('id="rec3"', 1)[1].split('id="rec4"', 1)[0])
    assert [FIRST in b for b in inside] == [True, False]
    assert LATER in inside[1] and "draft" in inside[1].lower() and "not yet approved" in inside[1]
    assert "a.writer" in inside[1]

    kept = commentary.read(store, None, 2026)["rec3"]
    assert [(e.state, e.text, e.recorded_by) for e in kept.history] == [
        ("draft", FIRST, "a.writer"),
        ("approved", FIRST, "an.approver"),  # the approval copies the words it approved
        ("draft", LATER, "a.writer"),
    ]


def test_the_paper_s_own_commentary_opens_it_and_another_organisation_s_stays_out(
    store: Store, papers: dict[str, str]
) -> None:
    summary = papers["public"].split('id="summary"', 1)[1].split("<section", 1)[0]
    assert SYSTEM_VIEW in _text(summary)
    assert all("RT5 alone." not in html for html in papers.values())
    assert set(commentary.read(store, "rt5", 2026)) == {"paper"}


def test_the_command_line_writes_approves_and_shows_commentary_with_its_history(
    db: str, tmp_path: Path
) -> None:
    words = tmp_path / "words.txt"
    words.write_text("Second thoughts.\n\nA second paragraph.")
    steps = [
        ("write", "--part", "3", "--text", "First thoughts."),
        ("approve", "--part", "rec3"),
        ("write", "--part", "3", "--file", str(words)),
    ]
    for step in steps:
        done = invoke("commentary", *step, "--year", "2026", "--db", db)
        assert done.exit_code == 0, done.output
    shown = invoke("commentary", "show", "--year", "2026", "--history", "--db", db)
    assert shown.exit_code == 0 and shown.output.count("rec3") == 1
    assert shown.output.count("approved") == 1 and shown.output.count("draft") == 2
    brief = invoke("commentary", "show", "--year", "2026", "--db", db)
    assert "First thoughts." in brief.output and "Second thoughts." in brief.output
    assert invoke("commentary", "show", "--year", "2025", "--db", db).output.startswith(
        "No commentary"
    )


def test_commentary_that_cannot_be_kept_is_refused_with_the_reason(db: str) -> None:
    nothing = invoke("commentary", "approve", "--part", "4", "--year", "2026", "--db", db)
    assert nothing.exit_code == 2 and "no commentary on recommendation 4" in nothing.output
    eleven = invoke("commentary", "write", "--part", "11", "--year", "2026", "--text", "x",
                    "--db", db)  # fmt: skip
    assert eleven.exit_code == 2 and "1, 2, 3" in eleven.output
    odd = invoke("commentary", "write", "--part", "intro", "--year", "2026", "--text", "x",
                 "--db", db)  # fmt: skip
    assert odd.exit_code == 2 and "part must be 'paper' or a recommendation" in odd.output
    neither = invoke("commentary", "write", "--part", "1", "--year", "2026", "--db", db)
    assert neither.exit_code == 2 and "--text or --file" in neither.output
    store = connect(db, create=False)
    plan = load_plan()
    with pytest.raises(PlanProblem, match="needs some words"):
        commentary.write(store, plan, org=None, year=2026, part=1, text="  ", by="t")
    with pytest.raises(PlanProblem, match="at most 6,000 characters"):
        commentary.write(store, plan, org=None, year=2026, part=1, text="x" * 6001, by="t")
    commentary.write(store, plan, org=None, year=2026, part=1, text="Once.", by="t")
    commentary.approve(store, plan, org=None, year=2026, part=1, by="u")
    with pytest.raises(PlanProblem, match="already approved"):
        commentary.approve(store, plan, org=None, year=2026, part=1, by="u")
    assert len(commentary.read(store, None, 2026)["rec1"].history) == 2, "refusals kept nothing"
    store.close()


def test_the_cover_sheet_is_filled_from_the_paper_file(
    papers: dict[str, str], db: str, tmp_path: Path
) -> None:
    html = papers["public"]
    sheet = html.split('class="cover-sheet"', 1)[1].split("</section>", 1)[0]
    rows = {
        _text(th): _text(td)
        for th, td in re.findall(r"<th scope=\"row\">(.*?)</th><td>(.*?)</td>", sheet, re.S)
    }
    assert rows["Committee"] == "Health Scrutiny Committee"
    assert rows["Date of meeting"] == "12 March 2027"
    assert rows["The committee is asked to"] == "1. Note the update. 2. Agree the next steps."
    # the small system is a trust of Leicester, Leicestershire and Rutland: its ICB, not
    # loaded, is named from the shipped list of NHS organisations
    system = "Leicester, Leicestershire and Rutland integrated care system"
    assert rows["Purpose of the report"] == f"An update for {system} in 2025/26."
    assert "Legal implications" not in rows  # only what the file gives
    assert html.index('class="cover-sheet"') < html.index('class="contents"')

    paper = tmp_path / "paper.toml"
    paper.write_text('[cover]\ncomitee = "x"\n')
    wrong = invoke("report", "--kind", "scrutiny", "--year", "2026", "--format", "html",
                   "--out", str(tmp_path / "w"), "--db", db, "--paper", str(paper))  # fmt: skip
    assert wrong.exit_code == 2
    assert str(paper) in wrong.output.replace("\n", "") and "comitee" in wrong.output
