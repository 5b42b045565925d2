"""Ethnicity pay gap: mean and median gaps, pay quarters with ties spread evenly, bonus."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.stats.pay_gap import UNKNOWN, gap_percent, pay_gap, pay_quarters

F = Fraction

# --- mean and median hourly pay gap ---------------------------------------------------------


def test_mean_and_median_gap_hand_worked() -> None:
    # White British 10, 12, 17: mean 13, median 12.  Black 9, 11: mean 10, median 10.
    # mean gap = (13 − 10)/13 × 100 = 23.08%; median gap = (12 − 10)/12 × 100 = 16.67%
    r = pay_gap(
        [10.0, 12.0, 17.0, 9.0, 11.0],
        ["White British"] * 3 + ["Black"] * 2,
        references="White British",
    )
    (g,) = r.gaps
    assert (g.group, g.reference, g.measure) == ("Black", "White British", "hourly")
    assert (g.group_headcount, g.reference_headcount) == (2, 3)
    assert (g.group_mean, g.reference_mean) == (10.0, 13.0)
    assert (g.group_median, g.reference_median) == (10.0, 12.0)
    assert g.mean_gap == pytest.approx(300 / 13)
    assert g.median_gap == pytest.approx(50 / 3)
    assert g.reason is None


def test_positive_gap_means_the_group_is_paid_less() -> None:
    r = pay_gap([20.0, 10.0], ["Asian", "White"], references="White")
    assert r.gap("Asian", "White").mean_gap == -100.0  # paid twice as much: negative gap
    assert gap_percent(9, 10) == pytest.approx(10.0)
    assert gap_percent(1, 0) is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    r = pay_gap([10.0, 12.0, 14.0, 20.0, 13.0], ["W"] * 4 + ["B"], references="W")
    g = r.gap("B", "W")
    assert g.reference_median == 13.0  # (12 + 14)/2
    assert g.median_gap == 0.0


def test_several_references_including_groups_of_labels() -> None:
    labels = ["White British", "White Irish", "Black African", "Black Caribbean", "Indian"]
    pay = [20.0, 16.0, 12.0, 14.0, 18.0]
    r = pay_gap(
        pay,
        labels,
        groups={"Black": ["Black African", "Black Caribbean"], "Indian": ["Indian"]},
        references={
            "White British": ["White British"],
            "White": ["White British", "White Irish"],
            "All minority groups": ["Black African", "Black Caribbean", "Indian"],
        },
    )
    assert r.gap("Black", "White British").mean_gap == pytest.approx((20 - 13) / 20 * 100)
    assert r.gap("Black", "White").mean_gap == pytest.approx((18 - 13) / 18 * 100)
    minority = r.gap("Black", "All minority groups")  # the reference contains the group
    assert minority.reference_headcount == 3
    # all minority groups: (12 + 14 + 18)/3 = 44/3; Black (12 + 14)/2 = 13
    assert minority.mean_gap == pytest.approx((44 / 3 - 13) / (44 / 3) * 100)
    assert r.options["references"]["White"] == ["White British", "White Irish"]
    assert len(r.gaps) == 2 * 3


def test_a_group_is_not_compared_with_itself() -> None:
    r = pay_gap([10.0, 11.0, 12.0], ["A", "B", "C"], references=["A", "B"])
    assert {(g.group, g.reference) for g in r.gaps} == {
        ("B", "A"),
        ("C", "A"),
        ("A", "B"),
        ("C", "B"),
    }


# --- no data is an answer, not an error -----------------------------------------------------


def test_absent_reference_or_group_says_no_data() -> None:
    r = pay_gap(
        [10.0, 12.0, 11.0],
        ["Black", "Asian", "Asian"],
        groups={"Black": ["Black"], "Mixed": ["Mixed White and Black"]},
        references="White British",
        bonus=[0.0, 100.0, None],
    )
    gap = r.gap("Black", "White British")
    assert gap.mean_gap is None and gap.median_gap is None
    assert gap.reason == "no data: no staff with hourly pay in White British"
    assert (gap.group_headcount, gap.reference_headcount) == (1, 0)
    assert gap.group_mean == 10.0  # the group's own figure is still given
    mixed = r.gap("Mixed", "White British")
    assert mixed.reason == "no data: no staff with hourly pay in Mixed or White British"
    for row in r.quarter("Mixed"):
        assert row.people == 0 and row.share == 0.0
        assert row.share_of_group is None and row.reason.startswith("no data")
    receipt = {row.group: row for row in r.bonus_receipt}
    assert receipt["Mixed"].share is None and receipt["Mixed"].reason.startswith("no data")
    assert r.gap("Black", "White British", "bonus").reason.startswith("no data")


def test_empty_workforce() -> None:
    r = pay_gap([], [], references="White", bonus=[])
    assert r.headcount == 0 and r.gaps == ()
    assert r.unknown.share is None
    assert all(row.share is None for row in r.quarters)
    assert r.bonus_reason == "bonus pay not recorded for anyone"


def test_reference_paid_nothing_gives_an_undefined_gap() -> None:
    r = pay_gap([0.0, 5.0], ["W", "B"], references="W")
    g = r.gap("B", "W")
    assert g.mean_gap is None and g.median_gap is None
    assert "reference mean and median pay is 0" in g.reason


# --- pay quarters ---------------------------------------------------------------------------


def test_quarters_with_ties_at_a_boundary_spread_evenly() -> None:
    # 8 people, so each quarter holds 2 places: Q1 = [0, 2), Q2 = [2, 4), Q3 = [4, 6), Q4 = [6, 8)
    #   £10: W, W, B  -> places [0, 3): 2 places in Q1, 1 in Q2
    #   £12: W, B, B  -> places [3, 6): 1 place in Q2, 2 in Q3
    #   £14: W        -> place 6, Q4;  £16: B -> place 7, Q4
    # Each quarter gets the tied block's own mix: at £10, W is 2/3 of the block, so W has
    # 2/3 × 2 = 4/3 in Q1 and 2/3 × 1 = 2/3 in Q2; B has 2/3 and 1/3. At £12, W has 1/3 in Q2
    # and 2/3 in Q3; B has 2/3 and 4/3.
    r = pay_gap(
        [10, 10, 10, 12, 12, 12, 14, 16],
        ["W", "W", "B", "W", "B", "B", "W", "B"],
        references="W",
    )
    white = [row.people for row in r.quarter("W")]
    black = [row.people for row in r.quarter("B")]
    assert white == [F(4, 3), F(1), F(2, 3), F(1)]
    assert black == [F(2, 3), F(1), F(4, 3), F(1)]
    for q in range(4):
        assert white[q] + black[q] == 2  # every quarter still holds exactly N/4
    q1 = r.quarter("W")[0]
    assert q1.quarter_size == 2 and q1.share == pytest.approx(2 / 3)
    assert q1.share_of_group == pytest.approx(1 / 3) and q1.group_headcount == 4


def test_quarters_do_not_depend_on_the_order_of_tied_people() -> None:
    pay = [10, 10, 10, 12, 12, 12, 14, 16]
    labels = ["W", "W", "B", "W", "B", "B", "W", "B"]
    expected = pay_quarters(pay, {"W": np.array(labels) == "W"})
    rng = random.Random(7)
    for _ in range(5):
        order = list(range(8))
        rng.shuffle(order)
        shuffled = np.array(labels)[order]
        assert pay_quarters(np.array(pay)[order], {"W": shuffled == "W"}) == expected


def test_a_workforce_not_divisible_by_four_splits_the_boundary_person() -> None:
    # N = 5: quarters of 5/4 places. Person 2 fills [1, 2): 1/4 in Q1 = [0, 1.25) and 3/4 in
    # Q2 = [1.25, 2.5); person 3 [2, 3) is half in Q2, half in Q3; person 4 is 3/4 in Q3
    counts = pay_quarters(
        [1.0, 2.0, 3.0, 4.0, 5.0], {f"p{i}": np.eye(5, dtype=bool)[i] for i in range(5)}
    )
    assert counts["p0"] == (1, 0, 0, 0)
    assert counts["p1"] == (F(1, 4), F(3, 4), 0, 0)
    assert counts["p2"] == (0, F(1, 2), F(1, 2), 0)
    assert counts["p3"] == (0, 0, F(3, 4), F(1, 4))
    assert counts["p4"] == (0, 0, 0, 1)


def test_one_tie_across_every_boundary() -> None:
    # everyone on the same pay: every quarter gets a quarter of each group
    counts = pay_quarters([9.5] * 6, {"A": np.array([1, 1, 1, 1, 0, 0], bool)})
    assert counts["A"] == (1, 1, 1, 1)  # 4 people × 1/4; quarters hold 3/2 each
    counts = pay_quarters([9.5] * 6, {"B": np.array([0, 0, 0, 0, 1, 1], bool)})
    assert counts["B"] == (F(1, 2),) * 4


def test_unknown_ethnicity_is_ranked_and_shown_in_the_quarters() -> None:
    r = pay_gap([10, 11, 12, 13], ["W", None, "B", "Unknown"], references="W")
    unknown = [row.people for row in r.quarter(UNKNOWN)]
    assert unknown == [0, 1, 0, 1]
    for q in range(4):
        total = sum(row.people for row in r.quarters if row.quarter == q + 1)
        assert total == 1


# --- bonus ----------------------------------------------------------------------------------


def test_bonus_gaps_among_recipients_and_share_receiving() -> None:
    # W: bonuses 100, 300, none, none -> 2 of 4 received, mean 200, median 200
    # B: bonuses 150, none, 0         -> 1 of 3 received (0 is no bonus), mean = median = 150
    # mean bonus gap = (200 − 150)/200 = 25%
    r = pay_gap(
        [10, 11, 12, 13, 10, 11, 12],
        ["W"] * 4 + ["B"] * 3,
        references="W",
        bonus=pa.array([100.0, 300.0, None, None, 150.0, None, 0.0]),
    )
    assert r.bonus_reason is None
    g = r.gap("B", "W", measure="bonus")
    assert (g.group_headcount, g.reference_headcount) == (1, 2)
    assert (g.reference_mean, g.reference_median, g.group_mean) == (200.0, 200.0, 150.0)
    assert g.mean_gap == 25.0 and g.median_gap == 25.0
    receipt = {row.group: row for row in r.bonus_receipt}
    assert (receipt["W"].received, receipt["W"].headcount, receipt["W"].share) == (2, 4, 0.5)
    assert (receipt["B"].received, receipt["B"].headcount) == (1, 3)
    assert receipt["B"].share == pytest.approx(1 / 3)


def test_no_bonus_figures_without_bonus_pay() -> None:
    r = pay_gap([10, 11], ["W", "B"], references="W")
    assert r.bonus_gaps == () and r.bonus_receipt == ()
    assert r.bonus_reason == "no bonus pay supplied"
    blank = pay_gap([10, 11], ["W", "B"], references="W", bonus=[None, None])
    assert blank.bonus_reason == "bonus pay not recorded for anyone"


# --- unknown ethnicity and missing pay ------------------------------------------------------


def test_unknown_share() -> None:
    labels = ["W", "B", None, "", "Unknown", "W", "Not stated", "B", "W", "A"]
    r = pay_gap([10.0] * 10, labels, references="W", unknown_labels=("Unknown", "Not stated"))
    assert (r.unknown.unknown, r.unknown.total) == (4, 10)
    assert r.unknown.share == 0.4
    assert {g.group for g in r.gaps} == {"A", "B"}  # unknown is never a group


def test_missing_hourly_pay_is_counted_and_still_counts_for_bonus() -> None:
    r = pay_gap(
        np.array([10.0, np.nan, 12.0, 14.0]),
        ["W", "W", "B", "B"],
        references="W",
        bonus=[0.0, 500.0, 0.0, 0.0],
    )
    assert r.excluded == {"no hourly pay": 1}
    assert r.gap("B", "W").reference_headcount == 1
    receipt = {row.group: row for row in r.bonus_receipt}
    assert (receipt["W"].received, receipt["W"].headcount) == (1, 2)
    assert sum(row.people for row in r.quarters if row.group == "W") == 1


@pytest.mark.parametrize(
    ("pay", "labels", "bonus", "message"),
    [
        ([10.0, -1.0], ["W", "B"], None, "zero or more"),
        ([10.0, 11.0], ["W"], None, "one value per row"),
        ([10.0, 11.0], ["W", "B"], [1.0, -5.0], "bonus"),
    ],
)
def test_bad_input_is_an_error(pay, labels, bonus, message) -> None:
    with pytest.raises(ValueError, match=message):
        pay_gap(pay, labels, references="W", bonus=bonus)


# --- output ---------------------------------------------------------------------------------


def test_to_arrow() -> None:
    r = pay_gap(
        pa.array([10.0, 10.0, 10.0, 12.0, 12.0, 12.0, 14.0, 16.0]),
        pa.array(["W", "W", "B", "W", "B", "B", "W", None]),
        references="W",
        bonus=[None, 1.0, None, None, 2.0, None, None, None],
    )
    tables = r.to_arrow()
    assert set(tables) == {"pay_gaps", "pay_quarters", "bonus_receipt", "unknown"}
    gaps = tables["pay_gaps"]
    assert gaps.column("measure").to_pylist() == ["hourly", "bonus"]
    assert gaps.column("group_headcount").to_pylist() == [3, 1]
    quarters = tables["pay_quarters"]
    assert quarters.num_rows == 4 * 3  # B, W and Unknown
    assert quarters.schema.field("people").type == pa.float64()
    w_q1 = quarters.filter(pa.compute.equal(quarters["group"], "W")).column("people")[0]
    assert w_q1.as_py() == pytest.approx(4 / 3)
    assert tables["unknown"].to_pylist() == [{"unknown": 1, "total": 8, "share": 0.125}]
    meta = json.loads(gaps.schema.metadata[b"equitrack.pay_gap"])
    assert meta["options"]["references"] == {"W": ["W"]}
    assert meta["headcount"] == 8


# --- people given as counts, as an engine groups them ---------------------------------------

LABELS = ("a", "b", "c", None, "Unknown")
DEFINED = {
    "groups": {"a": ["a"], "c": ["c"], "a or c": ["a", "c"]},
    "references": {"b": ["b"], "a or b": ["a", "b"]},
}


@st.composite
def workforces(draw: st.DrawFn) -> list[tuple[str | None, float | None, float | None]]:
    """People on a few pay values each (so ties are the rule), some with no hourly pay, some
    with a bonus. Pay in pence, whose sums in binary floating point round (10.44 × 5 is not
    52.2), or any float, to try the exact sums."""
    pence = st.integers(0, 100_000).map(lambda p: p / 100)
    values = st.one_of(pence, st.floats(0, 1000, allow_nan=False, allow_subnormal=False))
    hourly = draw(st.lists(values, min_size=1, max_size=5))
    bonus = draw(st.lists(st.one_of(pence, st.floats(1, 1e6)), min_size=1, max_size=3))
    person = st.tuples(
        st.sampled_from(LABELS),
        st.one_of(st.sampled_from(hourly), st.none()),
        st.one_of(st.none(), st.just(0.0), st.sampled_from(bonus)),
    )
    return draw(st.lists(person, max_size=60))


def _report(people: list, counts: list[int] | None = None):
    labels, hourly, bonus = (
        (list(column) for column in zip(*people, strict=True)) if people else ([], [], [])
    )
    return pay_gap(hourly, labels, bonus=bonus, counts=counts, **DEFINED)


@given(workforces(), st.randoms(use_true_random=False), st.booleans())
def test_counts_give_the_figures_the_people_one_by_one_give(
    people: list, rng: random.Random, split: bool
) -> None:
    """Grouped (in any order, a group split over two rows, or with a row of nobody), the
    report is the same object, field by field: means, medians, quarters, bonus, reasons."""
    alike: dict[tuple, int] = {}
    for person in people:
        alike[person] = alike.get(person, 0) + 1
    rows = list(alike.items())
    if split and rows:
        (first, n), rest = rows[0], rows[1:]
        rows = [(first, 0), *([(first, n - 1)] if n > 1 else []), (first, 1), *rest]
    rng.shuffle(rows)
    grouped = _report([row for row, _ in rows], [n for _, n in rows])
    assert grouped == _report(people)


@given(workforces())
def test_one_by_one_the_figures_are_the_plain_sums_and_medians(people: list) -> None:
    """What the counts are held to: math.fsum over the people, numpy's median, the people."""
    report = _report(people)
    for gap in report.gaps:
        paid = {
            name: [pay for label, pay, _ in people if label in set(labels) and pay is not None]
            for name, labels in (*DEFINED["groups"].items(), *DEFINED["references"].items())
        }
        for pay, headcount, mean, median in (
            (paid[gap.group], gap.group_headcount, gap.group_mean, gap.group_median),
            (
                paid[gap.reference],
                gap.reference_headcount,
                gap.reference_mean,
                gap.reference_median,
            ),
        ):
            assert headcount == len(pay)
            assert mean == (math.fsum(pay) / len(pay) if pay else None)
            assert median == (float(np.median(pay)) if pay else None)
    assert report.headcount == len(people)
    assert report.excluded.get("no hourly pay", 0) == sum(pay is None for _, pay, _ in people)


def test_a_mean_from_counts_is_the_mean_of_the_people() -> None:
    # 72.15 × 2 + 22.88 × 6 rounds to 281.58000000000004 product by product; added person by
    # person (exactly, as math.fsum does) it is 281.58
    people = [72.15] * 2 + [22.88] * 6
    counted = pay_gap([72.15, 22.88], ["a", "a"], references="a", groups=["b"], counts=[2, 6])
    (gap,) = counted.gaps
    assert gap.reference_mean == math.fsum(people) / 8 == 281.58 / 8
    assert gap.reference_median == 22.88 and gap.reference_headcount == 8
    # values too large to split exactly (1e305 × 2**27 is past the largest float) are added as
    # fractions instead
    for value, n in ((1e305, 3), (0.1, 3)):
        (far,) = pay_gap([value, 0.0], ["a", "a"], references="a", groups=["b"], counts=[n, 1]).gaps
        assert far.reference_mean == math.fsum([value] * n) / (n + 1)


def test_counts_must_be_whole_and_one_per_row() -> None:
    with pytest.raises(ValueError, match="counts must be whole numbers"):
        pay_gap([10.0], ["a"], references="a", counts=[1.5])
    with pytest.raises(ValueError, match="counts must be whole numbers"):
        pay_gap([10.0], ["a"], references="a", counts=[-1])
    with pytest.raises(ValueError, match="counts has 2"):
        pay_gap([10.0], ["a"], references="a", counts=[1, 2])


def test_quarters_from_counts() -> None:
    # 3 people on 10 and 5 on 20 (8 people, 2 places a quarter): the 10s fill Q1 and half of
    # Q2, the 20s the other half of Q2 and all of Q3 and Q4.
    quarters = pay_quarters([10.0, 20.0], {"x": [True, False], "y": [False, True]}, [3, 5])
    assert quarters["x"] == (F(2), F(1), F(0), F(0))
    assert quarters["y"] == (F(0), F(1), F(2), F(2))
