"""Representation by pay band (WRES 1): each group's share of every band, clinical and not.

Why stacked shares: WRES 1 asks whether minority ethnic staff thin out as bands rise, and a
bar per band split into groups (the same groups, in the same order and colours, in every bar)
shows that at a glance. Clinical and non-clinical staff are two panels, because their band
structures differ and WRES reports them apart. Unknown ethnicity stays in (it is part of each
band's headcount), last and in grey. A share the disclosure gate did not release is not drawn:
its band is marked "not all shown" and its row in the table says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import altair

from equitrack.measures.categories import SEPARATOR
from equitrack.measures.counting import ALL
from equitrack.model import codes

from . import words
from .chart import Chart
from .palette import SECONDARY_TEXT, TEXT, group_order, group_scale
from .style import WIDTH, finish, titled

if TYPE_CHECKING:
    from equitrack.measures.result import Result

SIDES = ("Clinical", "Non-clinical")
BAND_ORDER: tuple[str, ...] = (*codes.AFC_BANDS, *codes.MEDICAL_SUBGROUPS)
BAR_HEIGHT = 22


def representation_chart(
    results: Sequence[Result],
    *,
    title: str | None = None,
    reference: str = codes.WHITE,
) -> Chart:
    """Stacked shares of each group in each band, one panel for clinical and one for non-clinical.

    ``results`` are one organisation's (or the system's) results for one year of a
    representation measure whose breakdown is "Clinical | Band 5" and so on (WRES 1); subtotal
    cells ("Clinical | All", "All") are not drawn but their shares are named in the text.
    ``reference`` is the group the others are read against in the text (never drawn apart).
    """
    cells = [r for r in results if r.breakdown and SEPARATOR in r.breakdown]
    if not cells:
        raise ValueError("no results broken down as 'Clinical | Band 5' to chart")
    for attribute, what in (("org", "organisation"), ("period", "year"), ("measure", "measure")):
        found = {getattr(r, attribute) for r in cells}
        if len(found) > 1:
            raise ValueError(f"one {what} per chart, got {', '.join(map(str, sorted(found)))}")
    first = cells[0]
    groups = group_order(r.group for r in cells)
    title = title or (
        f"Staff by pay band and ethnic group, {first.org}, {words.period_label(first.period)}"
    )
    table = [_table_row(r) for r in _sorted(cells, groups)]
    alt_text = _alt(cells, groups, reference)
    spec = _spec(cells, groups, title)
    return Chart(title=title, alt=alt_text, table=table, spec=spec)


def _split(breakdown: str) -> tuple[str, str]:
    side, _, band = breakdown.partition(SEPARATOR)
    return side, band


def _band_key(band: str) -> tuple[int, str]:
    return (BAND_ORDER.index(band), band) if band in BAND_ORDER else (len(BAND_ORDER), band)


def _side_key(side: str) -> tuple[int, str]:
    return (SIDES.index(side), side) if side in SIDES else (len(SIDES), side)


def _sorted(cells: list[Result], groups: list[str]) -> list[Result]:
    def key(r: Result) -> tuple[Any, ...]:
        side, band = _split(r.breakdown or "")
        subtotal = band == ALL
        return (_side_key(side), subtotal, _band_key(band), groups.index(r.group))

    return sorted(cells, key=key)


def _hidden_bands(rows: list[Result]) -> set[str]:
    """The bands (not subtotals) with a share not shown."""
    return {
        band for r in rows if (band := _split(r.breakdown or "")[1]) != ALL and share_of(r) is None
    }


def share_of(r: Result) -> float | None:
    """The group's share of its cell, or None when it is not shown."""
    if r.suppressed:
        return None
    if r.rate is not None:
        return r.rate
    if r.numerator is None or not r.denominator:
        return None
    return r.numerator / r.denominator


def _table_row(r: Result) -> dict[str, Any]:
    side, band = _split(r.breakdown or "")
    share = share_of(r)
    return {
        "Organisation": r.org,
        "Year": words.period_label(r.period),
        "Staff group": side,
        "Band": band,
        "Group": r.group,
        "Staff": None if r.suppressed else r.numerator,
        "Staff in the band": None if r.suppressed else r.denominator,
        "Share": share,
        "Shown": share is not None,
    }


def _alt(cells: list[Result], groups: list[str], reference: str) -> str:
    by_side: dict[str, list[Result]] = defaultdict(list)
    for r in cells:
        by_side[_split(r.breakdown or "")[0]].append(r)
    focus = [g for g in groups if g not in (reference, codes.UNKNOWN)]
    sentences = []
    for side in sorted(by_side, key=_side_key):
        rows = by_side[side]
        where = f"{side.lower()} staff"
        for group in focus:
            mine = [r for r in rows if r.group == group]
            overall = next((r for r in mine if _split(r.breakdown or "")[1] == ALL), None)
            bands = sorted(
                (
                    (share, band)
                    for r in mine
                    if (band := _split(r.breakdown or "")[1]) != ALL
                    and (share := share_of(r)) is not None
                ),
                key=lambda item: _band_key(item[1]),
            )
            total = None if overall is None else share_of(overall)
            staff = words.staff(group)
            if len(bands) >= 2:
                high = max(bands, key=lambda item: item[0])  # the lowest such band on a tie
                low = min(bands, key=lambda item: item[0])
                spread = (
                    f"highest share in {high[1]} ({words.share(high[0])}) "
                    f"and their lowest in {low[1]} ({words.share(low[0])})"
                )
                if total is None:
                    sentences.append(f"among {where}, {staff} had their {spread}")
                else:
                    sentences.append(
                        f"among {where}, {staff} were {words.share(total)} overall, "
                        f"with their {spread}"
                    )
            elif bands:
                share, band = bands[0]
                overall_words = "" if total is None else f" ({words.share(total)} overall)"
                sentences.append(
                    f"among {where}, {staff} were {words.share(share)} of {band}{overall_words}"
                )
            elif total is not None:
                sentences.append(f"among {where}, {staff} were {words.share(total)} overall")
        hidden = sorted(_hidden_bands(rows), key=_band_key)
        if hidden:
            sentences.append(
                f"among {where}, some figures are {words.NOT_SHOWN} "
                f"({words.join(hidden)}): too few to show"
            )
    if not sentences:
        return words.sentence(f"no share of any group is shown: all are {words.NOT_SHOWN}")
    return words.paragraph(*sentences)


def _bar(r: Result, groups: list[str]) -> dict[str, Any]:
    """One group's piece of a band's bar, as the spec draws it."""
    share = share_of(r)
    return {
        "band": _split(r.breakdown or "")[1],
        "group": r.group,
        "rank": groups.index(r.group),
        "share": share,
        "share_text": words.NOT_SHOWN if share is None else words.share(share),
        "staff": None if r.suppressed else r.numerator,
    }


def _spec(cells: list[Result], groups: list[str], title: str) -> Any:
    domain, colours = group_scale(groups)
    colour = altair.Color(
        "group:N",
        scale=altair.Scale(domain=domain, range=colours),
        sort=domain,
        legend=altair.Legend(title="Group"),
    )
    panels = []
    sides = sorted({_split(r.breakdown or "")[0] for r in cells}, key=_side_key)
    for side in sides:
        rows = [r for r in cells if _split(r.breakdown or "")[0] == side]
        bands = sorted({_split(r.breakdown or "")[1] for r in rows} - {ALL}, key=_band_key)
        if not bands:
            continue
        hidden = _hidden_bands(rows)
        data = [_bar(r, groups) for r in rows if _split(r.breakdown or "")[1] != ALL]
        y = altair.Y("band:N", sort=bands, title="Pay band", axis=altair.Axis(labelLimit=220))
        bars = (
            altair.Chart(altair.Data(values=data))
            .transform_filter("datum.share != null")
            .mark_bar(stroke="white", strokeWidth=0.5)
            .encode(
                y=y,
                x=altair.X(
                    "share:Q",
                    stack="zero",
                    title="Share of staff in the band",
                    scale=altair.Scale(domain=[0, 1]),
                    axis=altair.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1]),
                ),
                color=colour,
                order=altair.Order("rank:Q"),
                tooltip=[
                    altair.Tooltip("band:N", title="Pay band"),
                    altair.Tooltip("group:N", title="Group"),
                    altair.Tooltip("share_text:N", title="Share"),
                    altair.Tooltip("staff:Q", title="Staff"),
                ],
            )
        )
        layers = [bars]
        if hidden:
            marks = altair.Data(values=[{"band": b, "note": "not all shown"} for b in hidden])
            layers.append(
                altair.Chart(marks)
                .mark_text(align="left", dx=6, color=SECONDARY_TEXT, fontStyle="italic")
                .encode(y=y, x=altair.XDatum(1, title="Share of staff in the band"), text="note:N")
            )
        panel = altair.layer(*layers).properties(
            width=WIDTH,
            height=BAR_HEIGHT * len(bands),
            title=altair.TitleParams(f"{side} staff", anchor="start", fontSize=13, color=TEXT),
        )
        panels.append(panel)
    if not panels:
        raise ValueError("no band has a share to chart")
    combined = altair.vconcat(*panels).resolve_scale(color="shared")
    return finish(titled(combined, title, "Each bar is one band's staff, split by group."))
