"""Relative likelihood charts say the right thing for each kind of verdict, and draw it so."""

from __future__ import annotations

import pytest

from equitrack.charts import ratio_chart
from equitrack.charts.ratios import ENOUGH, TOO_FEW

from .builders import check_svg, compared, from_counts, layer_data, marks_of, reference

OUTCOME = "to enter a formal disciplinary process"


def _points(chart) -> dict[str, dict]:
    """The rows of the layer that carries the points, by label."""
    rows = next(data for data in layer_data(chart) if data and "reading" in data[0])
    return {row["label"]: row for row in rows}


def test_adverse_and_significant() -> None:
    chart = ratio_chart(
        [reference(), compared("Black", 1.62, 1.10, 2.39, "adverse, significant")],
        outcome=OUTCOME,
    )
    assert chart.alt == (
        "Black staff were 1.62 times as likely as White staff to enter a formal disciplinary "
        "process (95% interval 1.10 to 2.39): adverse and significant."
    )
    assert _points(chart)["Black"]["reading"] == ENOUGH


def test_not_significant_and_non_adverse() -> None:
    chart = ratio_chart(
        [
            compared("Black", 1.40, 0.90, 2.18, "adverse, not significant"),
            compared("Asian", 1.05, 0.81, 1.36, "non-adverse"),
        ],
        outcome=OUTCOME,
    )
    assert "(95% interval 0.90 to 2.18): adverse but not significant." in chart.alt
    assert "Asian staff were 1.05 times as likely" in chart.alt
    assert "non-adverse (within 0.80 to 1.25)" in chart.alt
    assert "and significant" not in chart.alt


def test_too_few_to_tell_is_hollow_and_never_called_adverse() -> None:
    chart = ratio_chart(
        [compared("Mixed", 2.10, 0.60, 7.30, "too few to tell", too_few=True, numerator=4)],
        outcome=OUTCOME,
    )
    assert chart.alt == (
        "Mixed staff were 2.10 times as likely as White staff to enter a formal disciplinary "
        "process (95% interval 0.60 to 7.30), but there are too few to tell: fewer than 10 "
        "events or 30 people in a group."
    )
    assert "adverse" not in chart.alt
    point = _points(chart)["Mixed"]
    assert point["reading"] == TOO_FEW  # drawn as a ring, named in the legend
    spec = chart.vega_lite()
    shape = next(
        layer["encoding"]["shape"]
        for layer in spec["layer"]
        if "shape" in layer.get("encoding", {})
    )
    assert shape["scale"]["domain"] == [ENOUGH, TOO_FEW]
    assert shape["scale"]["range"][0] == "circle" and shape["scale"]["range"][1].startswith("M")
    assert chart.table[0]["Verdict"] == "too few to tell"


def test_suppressed_is_not_drawn_and_says_not_shown() -> None:
    hidden = compared(
        "Other", None, None, None, None, numerator=None, denominator=None, suppressed=True
    )
    chart = ratio_chart(
        [compared("Black", 1.62, 1.10, 2.39, "adverse, significant"), hidden], outcome=OUTCOME
    )
    assert "The figure for Other staff is not shown: too few to show." in chart.alt
    row = next(r for r in chart.table if r["Group"] == "Other")
    assert row["Verdict"] == "not shown" and row["Shown"] is False
    assert all(row[k] is None for k in ("Events", "People", "Relative likelihood"))
    drawn = _points(chart)["Other"]
    assert drawn["ratio"] is None and drawn["low"] is None and drawn["note"] == "not shown"


def test_suppressed_figures_are_withheld_even_when_present() -> None:
    """A figure the gate marked suppressed is not drawn or tabled, whatever it still carries."""
    chart = ratio_chart(
        [compared("Black", 1.62, 1.10, 2.39, "adverse, significant", suppressed=True)]
    )
    assert "1.62" not in chart.alt
    assert chart.table[0]["Relative likelihood"] is None
    assert _points(chart)["Black"]["ratio"] is None


def test_a_benefit_reads_reference_first() -> None:
    """WRES 2: the ratio is White's rate over BME's, so the sentence starts with White staff."""
    chart = ratio_chart(
        [compared("BME", 1.60, 1.35, 1.90, "adverse, significant", measure="wres2")],
        outcome="to be appointed from shortlisting",
    )
    assert chart.alt.startswith(
        "White staff were 1.60 times as likely as BME staff to be appointed from shortlisting"
    )


def test_a_route_in_is_drawn_without_a_worse_side() -> None:
    """Joining the bank through international recruitment is neither a harm nor a benefit: the
    axis says "more likely", the band "similar", and the sentence never "adverse"."""
    chart = ratio_chart(
        [compared("Black", 6.00, 4.2, 8.6, "higher, significant", measure="bank_route")],
        outcome="to have joined the bank through international recruitment",
    )
    assert chart.alt == (
        "Black staff were 6.00 times as likely as White staff to have joined the bank through "
        "international recruitment (95% interval 4.20 to 8.60): higher for Black staff, and "
        "significant."
    )
    drawn = str(chart.vega_lite())
    assert "above 1: more likely for the group named" in drawn and "worse" not in drawn
    assert "Shaded: 0.80 to 1.25, similar." in drawn and "adverse" not in drawn


def test_without_an_outcome_the_ratio_is_named() -> None:
    chart = ratio_chart([compared("Black", 0.50, 0.30, 0.83, "favourable, significant")])
    assert chart.alt == (
        "For Black staff compared with White staff, the relative likelihood was 0.50 "
        "(95% interval 0.30 to 0.83): favourable to Black staff and significant."
    )
    assert chart.title == (
        "Relative likelihood of entering the formal disciplinary process, RWE, 2025/26"
    )


def test_the_adjusted_verdict_is_said_when_it_differs() -> None:
    chart = ratio_chart(
        [
            compared(
                "Black",
                1.62,
                1.10,
                2.39,
                "adverse, significant",
                verdict_adjusted="adverse, not significant",
            )
        ],
        outcome=OUTCOME,
    )
    assert chart.alt.endswith(
        "adverse and significant; after allowing for the number of comparisons, adverse but "
        "not significant."
    )


def test_by_organisation() -> None:
    chart = ratio_chart(
        [
            compared("Black", 1.62, 1.10, 2.39, "adverse, significant", org="RWE"),
            compared("Black", 1.02, 0.70, 1.49, "non-adverse", org="RT5"),
            compared(
                "Black",
                None,
                None,
                None,
                None,
                org="RY5",
                numerator=None,
                denominator=None,
                suppressed=True,
            ),
        ],
        by="org",
        outcome=OUTCOME,
    )
    assert [row["Organisation"] for row in chart.table] == ["RT5", "RWE", "RY5"]
    assert "In RWE, Black staff were 1.62 times as likely" in chart.alt
    assert "In RY5, the figure for Black staff is not shown" in chart.alt
    assert chart.title.startswith("Relative likelihood of entering the formal disciplinary process")
    assert "Black staff against White staff" in chart.title


def test_the_table_has_the_inputs_numbers() -> None:
    results = [
        reference(),
        from_counts("Black", 40, 2470, 50, 5000),
        from_counts("Asian", 30, 3000, 50, 5000),
    ]
    chart = ratio_chart(results, outcome=OUTCOME)
    assert [row["Group"] for row in chart.table] == ["Black", "Asian"]  # White is the reference
    for row, r in zip(chart.table, results[1:], strict=True):
        assert (row["Events"], row["People"], row["Rate"]) == (r.numerator, r.denominator, r.rate)
        assert (row["Relative likelihood"], row["95% interval from"], row["95% interval to"]) == (
            r.ratio,
            r.ratio_ci_low,
            r.ratio_ci_high,
        )
        assert row["Verdict"] == r.verdict and row["Compared with"] == "White"
    points = _points(chart)
    assert points["Black"]["ratio"] == results[1].ratio
    assert points["Black"]["low"] == results[1].ratio_ci_low


def test_an_undefined_ratio_is_said_and_not_drawn() -> None:
    chart = ratio_chart([compared("Black", None, None, None, "undefined")], outcome=OUTCOME)
    assert "is undefined" in chart.alt
    assert _points(chart)["Black"]["note"] == "undefined"


def test_one_result_per_label() -> None:
    with pytest.raises(ValueError, match="more than one result"):
        ratio_chart(
            [
                compared("Black", 1.62, 1.10, 2.39, "adverse, significant", org="RWE"),
                compared("Black", 1.02, 0.70, 1.49, "non-adverse", org="RT5"),
            ]
        )
    with pytest.raises(ValueError, match="no compared results"):
        ratio_chart([reference()])
    with pytest.raises(ValueError, match="orientation"):
        ratio_chart([compared("Black", 1.62, 1.10, 2.39, "adverse, significant", measure="x")])


def test_renders_with_band_reference_line_and_points() -> None:
    chart = ratio_chart(
        [
            compared("Black", 1.62, 1.10, 2.39, "adverse, significant"),
            compared("Mixed", 2.10, 0.60, 7.30, "too few to tell", too_few=True),
            compared(
                "Other", None, None, None, None, numerator=None, denominator=None, suppressed=True
            ),
        ],
        outcome=OUTCOME,
    )
    root = check_svg(chart)
    assert len(marks_of(root, "rect")) >= 1  # the non-adverse band
    symbols = marks_of(root, "symbol")
    assert sum(len(list(g)) for g in symbols) == 2  # Black and Mixed; Other is not drawn
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "not shown" in texts and "Too few to tell" in texts


def test_a_ratio_of_zero_is_said_not_drawn() -> None:
    chart = ratio_chart(
        [compared("Black", 0.0, 0.0, 0.85, "favourable, significant", numerator=0)],
        outcome=OUTCOME,
    )
    assert _points(chart)["Black"]["ratio"] is None
    assert _points(chart)["Black"]["note"] == "0 (off the log scale)"
    assert "Black staff were 0.00 times as likely as White staff" in chart.alt
    assert chart.table[0]["Relative likelihood"] == 0.0
