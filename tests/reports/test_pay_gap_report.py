"""The ethnicity pay gap in the WRES and scrutiny reports: all staff, and medical and
non-medical staff apart, each mean hourly pay gap as a plain pandas recomputation from the pay,
people and assignments tables gives it, in the words of the 2023 guidance."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from equitrack.disclosure import Audience, load_policies
from equitrack.reports.content import Paragraph, Rows, Section, walk
from equitrack.reports.write import ReportKind, build
from equitrack.store import Store
from equitrack.store.names import unit_names

YEAR = 2026
ANALYST = load_policies()[Audience.ANALYST]
WHITE = set("ABC")
MINORITY = set("DEFGHJKLMNPRS")
SPLIT = ("All staff", "Medical and dental staff", "Non-medical staff")


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store], mini_measured: None) -> Store:
    return loaded_system("mini")


def plain_mean_gaps(store: Store, org: str) -> dict[str, float]:
    """(White mean - BME mean) / White mean in %, from each table read plainly: the
    organisation's latest pay snapshot in the year; medical = an active Medical and Dental
    assignment at the organisation on the snapshot date."""
    pay = store.table("pay").to_pandas()
    pay = pay[pay["org_code"] == org]
    pay["snapshot_date"] = pd.to_datetime(pay["snapshot_date"])
    day = pd.Timestamp(YEAR - 1, 4, 1), pd.Timestamp(YEAR, 3, 31)
    pay = pay[(pay["snapshot_date"] >= day[0]) & (pay["snapshot_date"] <= day[1])]
    pay = pay[pay["snapshot_date"] == pay["snapshot_date"].max()]
    people = store.table("people").to_pandas()[["person_id", "ethnic_code"]]
    pay = pay.merge(people, on="person_id", how="left")
    # a local subcode (SC, LH) is its national category's first letter
    pay["ethnic_code"] = pay["ethnic_code"].fillna("").str[:1]
    a = store.table("assignments").to_pandas()
    a["start_date"], a["end_date"] = pd.to_datetime(a["start_date"]), pd.to_datetime(a["end_date"])
    snapshot = pay["snapshot_date"].iloc[0]
    doctors = a[
        (a["org_code"] == org)
        & (a["staff_group"] == "Medical and Dental")
        & (a["start_date"] <= snapshot)
        & (a["end_date"].isna() | (a["end_date"] >= snapshot))
    ]["person_id"]
    medical = pay["person_id"].isin(set(doctors))

    def gap(rows: pd.DataFrame) -> float:
        white = rows[rows["ethnic_code"].isin(WHITE)]["hourly_pay"].mean()
        bme = rows[rows["ethnic_code"].isin(MINORITY)]["hourly_pay"].mean()
        return 100 * (white - bme) / white

    return {
        "All staff": gap(pay),
        "Medical and dental staff": gap(pay[medical]),
        "Non-medical staff": gap(pay[~medical]),
    }


def pay_section(report) -> Section:
    return next(s for s in walk(report.sections) if s.id == "pay-gap")


def gaps_table(section: Section, unit: str) -> dict[str, dict[str, str]]:
    table = next(
        b
        for b in section.blocks
        if isinstance(b, Rows)
        and b.caption.startswith("Ethnicity pay gap")
        and f", {unit}," in b.caption
    )
    return {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def test_the_wres_report_gives_the_medical_and_non_medical_gaps_as_recomputed(mini: Store) -> None:
    org = "RXA"
    report = build(ReportKind.wres, mini, YEAR, org=org, policy=ANALYST, audience="analyst")
    section = pay_section(report)
    shown = gaps_table(section, unit_names(mini)[org])  # the report names, not codes
    plain = plain_mean_gaps(mini, org)
    assert list(shown) == list(SPLIT)
    for name in SPLIT:
        assert shown[name]["Mean hourly pay gap"] == f"{plain[name]:.1f}%", name
    # the split says something the all-staff figure does not
    assert {shown[n]["Mean hourly pay gap"] for n in SPLIT[1:]} != {
        shown[SPLIT[0]]["Mean hourly pay gap"]
    }
    assert all(
        shown[n]["Mean hourly pay gap"] != shown["All staff"]["Mean hourly pay gap"]
        for n in SPLIT[1:]
    )
    # medical and non-medical staff add up to all staff
    assert int(shown[SPLIT[1]]["BME staff"]) + int(shown[SPLIT[2]]["BME staff"]) == int(
        shown[SPLIT[0]]["BME staff"]
    )
    words = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))
    for phrase in (
        "ethnicity pay gap",
        "mean hourly pay gap",
        "median hourly pay gap",
        "percentage of White staff's hourly pay",
        "Pay quarters",
    ):
        assert phrase in words
    assert "Medical and dental staff: the mean hourly pay of BME staff was" in words
    quarters = next(b for b in section.blocks if isinstance(b, Rows) and "pay quarter" in b.caption)
    assert quarters.columns[1:] == SPLIT and len(quarters.rows) == 4


def test_the_scrutiny_update_gives_the_split_for_the_system_and_each_organisation(
    mini: Store,
) -> None:
    report = build(ReportKind.scrutiny, mini, YEAR, org=None, policy=ANALYST, audience="analyst")
    section = pay_section(report)
    captions = [b.caption for b in section.blocks if isinstance(b, Rows)]
    names = unit_names(mini)
    codes = {name: code for code, name in names.items()}
    units = {codes[c.split(", ")[-2]] for c in captions if c.startswith("Ethnicity pay gap")}
    assert any(u.startswith("system:") for u in units) and {"RXA"} <= units
    for unit in units - {u for u in units if u.startswith("system:")}:
        shown = gaps_table(section, names[unit])
        if set(shown) == set(SPLIT):
            plain = plain_mean_gaps(mini, unit)
            for name in SPLIT:
                assert shown[name]["Mean hourly pay gap"] == f"{plain[name]:.1f}%", (unit, name)


def test_a_board_reader_is_told_each_gap_as_the_table_shows_it(mini: Store) -> None:
    """A gap the table shows is said with the same figure; one it does not show is said to be
    not shown or not released, never given a figure."""
    board = load_policies()[Audience.BOARD]
    report = build(ReportKind.wres, mini, YEAR, org="RXA", policy=board, audience="board")
    section = pay_section(report)
    shown = gaps_table(section, unit_names(mini)["RXA"])  # the report names it
    said = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    for name, row in shown.items():
        for stat in ("mean", "median"):
            gap = row[f"{stat.capitalize()} hourly pay gap"]
            sentence = next(t for t in said if t.startswith(f"{name}: the {stat} hourly pay"))
            if gap == "–":
                assert "not released" in sentence or "not shown" in sentence, sentence
            else:
                assert "too small" not in sentence and "not released" not in sentence, sentence
                assert gap.lstrip("-") in sentence, (gap, sentence)
