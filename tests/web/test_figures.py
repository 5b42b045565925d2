"""What each user sees: through the gate for viewers, exact for an analyst's own organisation."""

from __future__ import annotations

import re

import pytest

from equitrack import api
from equitrack.disclosure import Audience, load_policies
from equitrack.release import release_for

COUNT = re.compile(r'data-field="(numerator|denominator)">([^<]*)<')
#: Counts written in sentences: "(1,940 of 23,955)".
IN_WORDS = re.compile(r"\(([\d,]+) of ([\d,]+)\)")
#: Pages that show figure tables; the overview and the recommendations show ratios and verdicts.
WITH_TABLES = ("/organisations/RXA", "/organisations/RXA?by=broad", "/journeys")
PAGES = ("/", *WITH_TABLES, "/recommendations")


def _without_public(html: str) -> str:
    """The page less the sections of measures public by nature (board membership, WRES 9),
    whose counts every audience sees exact."""
    for measure in load_policies()[Audience.BOARD].public:
        html = re.sub(rf'<h2 id="{measure}".*?(?=<h2 |</main>|$)', "", html, flags=re.S)
    return html


def _counts(html: str) -> list[int]:
    return [int(v.replace(",", "")) for _, v in COUNT.findall(html) if v.replace(",", "").isdigit()]


def _in_words(html: str) -> list[int]:
    return [int(v.replace(",", "")) for pair in IN_WORDS.findall(html) for v in pair]


@pytest.mark.parametrize("path", PAGES)
def test_a_viewer_finds_no_count_from_1_to_7_on_any_page(as_user, path: str) -> None:
    page = as_user("viewer").get(path)
    assert page.status_code == 200
    text = _without_public(page.text)
    counts = _counts(text) + _in_words(text)
    assert all(not 1 <= c <= 7 for c in counts), path
    if path in WITH_TABLES:
        assert _counts(text), "the page's tables have counts to check"
        assert all(c % 5 == 0 for c in counts), "rounded to the nearest 5"


def test_a_viewer_finds_no_count_from_1_to_7_in_the_api(as_user) -> None:
    viewer = as_user("viewer")
    for path in ("/api/organisations/RXA/measures/wres?by=broad", "/api/system/measures/scrutiny"):
        rows = viewer.get(path).json()
        assert rows
        for row in rows:
            if row["measure"] in load_policies()[Audience.BOARD].public:
                continue  # board membership: public by nature, exact for everyone
            for field in ("numerator", "denominator"):
                assert row[field] is None or not 1 <= row[field] <= 7, (path, row)


def test_an_analyst_sees_their_own_organisations_exact_figures(as_user, web_store) -> None:
    year = max(
        r["period"] for r in as_user("viewer").get("/api/organisations/RXA/measures/wres").json()
    )
    exact = api.run("wres", (year,), store=web_store, orgs=("RXA",))
    # a viewer's figures are the board release's: protected with everything a viewer can reach
    board = release_for(web_store, load_policies()[Audience.BOARD]).answer(exact)
    key = lambda r: (r["measure"], r["group"], r["breakdown"])  # noqa: E731
    mine = {
        key(r): r for r in as_user("analyst").get("/api/organisations/RXA/measures/wres").json()
    }
    theirs = {
        key(r): r for r in as_user("viewer").get("/api/organisations/RXA/measures/wres").json()
    }
    for e, b in zip(exact, board, strict=True):
        k = (e.measure, e.group, e.breakdown)
        assert mine[k]["numerator"] == e.numerator and mine[k]["denominator"] == e.denominator
        assert theirs[k]["numerator"] == b.numerator and theirs[k]["denominator"] == b.denominator
    assert any(e.numerator != b.numerator for e, b in zip(exact, board, strict=True))


def test_an_organisation_can_be_read_for_one_staff_group(as_user, web_store) -> None:
    analyst = as_user("analyst")  # exact for RXA, so the counts can be compared directly
    groups = web_store.table("assignments").staff_group.to_pyarrow().to_pylist()
    group = max(set(groups), key=groups.count)
    wres1 = re.compile(r'data-measure="wres1"[^>]*data-breakdown="All">(.*?)</tr>', re.S)

    def staff(path: str) -> int:
        rows = wres1.findall(analyst.get(path).text)
        return sum(_counts(row)[0] for row in rows if _counts(row))

    everyone, some = staff("/organisations/RXA"), staff(f"/organisations/RXA?group={group}")
    assert 0 < some < everyone
    page = analyst.get(f"/organisations/RXA?group={group}").text
    assert f"WRES 1 and 4 are shown for {group} only" in page


@pytest.mark.parametrize("user", ["viewer", "analyst"])
def test_every_page_opens_with_what_was_done_to_the_numbers(as_user, user: str) -> None:
    """In the rules file's plain words, before any figure."""
    plain = load_policies()[Audience.BOARD].plain()
    assert plain.startswith("Numbers are rounded to the nearest 5 and numbers below 8")
    for path in PAGES:
        html = as_user(user).get(path).text
        notice = re.search(r'<p class="nhsuk-body-s" id="numbers-notice">([^<]*)</p>', html)
        assert notice and plain in notice.group(1), (user, path)
        assert ("exact, for analysts only" in notice.group(1)) is (user == "analyst")
        assert html.index('id="numbers-notice"') < html.index("<h1")


def test_an_organisation_s_page_can_be_scanned(as_user) -> None:
    """It opens with every indicator at a glance (a link and its first sentence), and each
    long table sits behind a summary the reader opens, under the chart and words about it."""
    page = as_user("viewer").get("/organisations/RXA").text
    main = page[page.index("<main") :]
    sections = re.findall(r'<h2 id="([\w-]+)">', main)
    glance = main[main.index('id="glance"') : main.index("</nav>")]
    assert len(sections) >= 9 and re.findall(r'href="#([\w-]+)"', glance) == sections
    tables = re.findall(r"<table.*?</table>", main, re.S)
    long = [t for t in tables if t.count('<tr class="nhsuk-table__row"') > 8]
    assert long, "WRES 1's band table at least is long"
    folded = re.findall(r'<details class="nhsuk-details et-figures">.*?</details>', main, re.S)
    assert sorted(long) == sorted(
        t for d in folded for t in re.findall(r"<table.*?</table>", d, re.S)
    )
