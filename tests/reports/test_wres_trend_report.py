"""The WRES report: Black, Asian, Mixed and Other staff beside BME, every loaded year as a
trend, survey results named by the survey they come from, and WRES 3's pooled denominator
explained (and true: the staff in post of both years added up)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from equitrack import api
from equitrack.disclosure import Audience, load_policies
from equitrack.measures.calendar import label
from equitrack.release import YEARS, released_years
from equitrack.reports.cells import cell
from equitrack.reports.content import Paragraph, Rows, Section, walk
from equitrack.reports.write import ReportKind, build
from equitrack.store import Store

YEAR = 2026
ORG = "RXA"
ANALYST = load_policies()[Audience.ANALYST]


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store]) -> Store:
    return loaded_system("mini")


@pytest.fixture(scope="module")
def sections(mini: Store) -> dict[str, Section]:
    report = build(ReportKind.wres, mini, YEAR, org=ORG, policy=ANALYST, audience="analyst")
    return {s.id: s for s in walk(report.sections)}


def trend(section: Section) -> Rows:
    return next(b for b in section.blocks if isinstance(b, Rows) and "every year" in b.caption)


def years_with_staff(store: Store) -> list[int]:
    """Reporting years whose 31 March has someone in post at the organisation, read plainly
    from the assignments, within the years a release covers (its latest `YEARS`: a protected
    reader can be shown no other)."""
    a = store.table("assignments").to_pandas()
    a = a[a["org_code"] == ORG]
    start, end = pd.to_datetime(a["start_date"]), pd.to_datetime(a["end_date"])
    out = []
    covered = released_years(store)
    assert len(covered) == YEARS
    for y in (y for y in covered if y <= YEAR):
        day = pd.Timestamp(y, 3, 31)
        if ((start <= day) & (end.isna() | (end >= day))).any():
            out.append(y)
    return out


def test_wres1_lists_every_loaded_year_and_the_broad_groups_beside_bme(
    mini: Store, sections: dict[str, Section]
) -> None:
    table = trend(sections["wres1"])
    expected = years_with_staff(mini)
    assert len(expected) > 2  # more than this year and last
    assert list(table.columns[1:]) == [label(y) for y in expected]
    groups = [row[0] for row in table.rows]
    assert groups[:1] == ["BME"] and {"Black", "Asian", "Mixed", "Other"} <= set(groups)
    # each figure is the measure's own (broad grouping for Black), year by year
    broad = api.run(
        "wres", tuple(expected), store=mini, orgs=(ORG,), by="broad", measures=["wres1"]
    )
    black = {r.period: r for r in broad if r.group == "Black" and r.breakdown == "All"}
    row = next(row for row in table.rows if row[0] == "Black")
    for y, text in zip(expected, row[1:], strict=True):
        assert text == cell(black[y], "rate")


def test_survey_indicators_are_named_by_survey_year(sections: dict[str, Section]) -> None:
    for n in (5, 6, 7, 8):
        section = sections[f"wres{n}"]
        table = trend(section)
        assert table.columns[-1] == f"NHS Staff Survey {YEAR - 1}"
        assert all(c.startswith("NHS Staff Survey ") for c in table.columns[1:])
        words = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))
        assert f"NHS Staff Survey {YEAR - 1}" in words and label(YEAR) in words


def test_wres3_explains_its_pooled_denominator_which_is_both_years_staff(
    mini: Store, sections: dict[str, Section]
) -> None:
    words = " ".join(b.text for b in sections["wres3"].blocks if isinstance(b, Paragraph))
    assert "two years" in words and label(YEAR - 1) in words and "counted twice" in words
    # what the sentence says: the denominator adds up the staff in post at both 31 Marches
    results = api.run("wres", (YEAR - 1, YEAR), store=mini, orgs=(ORG,))
    in_post = {
        r.period: r.numerator
        for r in results
        if r.measure == "wres1" and r.group == "BME" and r.breakdown == "All"
    }
    wres3 = next(
        r for r in results if r.measure == "wres3" and r.group == "BME" and r.period == YEAR
    )
    assert wres3.denominator == in_post[YEAR - 1] + in_post[YEAR]
