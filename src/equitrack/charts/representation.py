"""Representation by pay band (WRES 1): each group's share of every band, clinical and not.

Why stacked shares: WRES 1 asks whether minority ethnic staff thin out as bands rise, and a
bar per band split into groups (the same groups, in the same order and colours, in every bar)
shows that at a glance. Clinical and non-clinical staff are two panels, because their band
structures differ and WRES reports them apart. Unknown ethnicity stays in (it is part of each
band's headcount), last and in grey. A share the disclosure gate did not release is not drawn:
its band is marked "not all shown" (or "not shown" when none of it is) and its row in the table
says so; a band nobody is in is not drawn at all, and a panel with nothing to draw is left out.

The same chart draws other measures split into cells and categories (incidents by contract and
category): the title is the measure's, the rows are named "Category" when they are not pay
bands, and categories are read as words (`words.category`), never as the codes in the data.
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
#: What a measure's shares are shares of, where it is not staff.
COUNTED = {"bank_incidents": "incidents"}


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
        f"{_measure_title(first.measure)}, {first.org}, {words.period_label(first.period)}"
    )
    table = [_table_row(r) for r in _sorted(cells, groups)]
    alt_text = _alt(cells, groups, reference)
    spec = _spec(cells, groups, title, COUNTED.get(first.measure, "staff"))
    return Chart(title=title, alt=alt_text, table=table, spec=spec)


def _measure_title(measure: str) -> str:
    from equitrack.measures.registry import MEASURES

    found = MEASURES.get(measure)
    return found.title if found is not None else words.category(measure)


def _split(breakdown: str) -> tuple[str, str]:
    """(side, band) of a cell, the band in words ("Racist abuse", not racist_abuse)."""
    side, _, band = breakdown.partition(SEPARATOR)
    return side, words.category(band)


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
    return {band for r in rows if (band := _split(r.breakdown or "")[1]) != ALL and _withheld(r)}


def _withheld(r: Result) -> bool:
    """A share there is but is not shown (a share of nobody is not withheld: there is none)."""
    return share_of(r) is None and (r.suppressed or bool(r.denominator))


def _drawn_bands(rows: list[Result]) -> list[str]:
    """The bands a panel draws, in order: those with a share shown or withheld, not those
    nobody is in (they would be empty bars)."""
    found = {
        band
        for r in rows
        if (band := _split(r.breakdown or "")[1]) != ALL
        and (share_of(r) is not None or _withheld(r))
    }
    return sorted(found, key=_band_key)


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


def _spec(cells: list[Result], groups: list[str], title: str, counted: str) -> Any:
    bands_of = {_split(r.breakdown or "")[1] for r in cells} - {ALL}
    row_word = "Pay band" if bands_of <= set(BAND_ORDER) else "Category"
    x_title = f"Share of {counted} in the {row_word.lower()}"
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
        bands = _drawn_bands(rows)
        data = [_bar(r, groups) for r in rows if _split(r.breakdown or "")[1] in bands]
        if not any(row["share"] is not None for row in data):
            continue  # nothing to draw: the text and the table say what is not shown
        hidden = _hidden_bands(rows)
        none_shown = {b for b in hidden if all(r["share"] is None for r in data if r["band"] == b)}
        y = altair.Y("band:N", sort=bands, title=row_word, axis=altair.Axis(labelLimit=220))
        bars = (
            altair.Chart(altair.Data(values=data))
            .transform_filter("datum.share != null")
            .mark_bar(stroke="white", strokeWidth=0.5, clip=True)  # rounded shares may pass 100%
            .encode(
                y=y,
                x=altair.X(
                    "share:Q",
                    stack="zero",
                    title=x_title,
                    scale=altair.Scale(domain=[0, 1]),
                    axis=altair.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1]),
                ),
                color=colour,
                order=altair.Order("rank:Q"),
                tooltip=[
                    altair.Tooltip("band:N", title=row_word),
                    altair.Tooltip("group:N", title="Group"),
                    altair.Tooltip("share_text:N", title="Share"),
                    altair.Tooltip("staff:Q", title="Staff"),
                ],
            )
        )
        layers = [bars]
        notes = [
            {"band": b, "note": words.NOT_SHOWN, "at": 0}
            if b in none_shown
            else {"band": b, "note": "not all shown", "at": 1}
            for b in sorted(hidden, key=_band_key)
        ]
        if notes:  # "not shown" inside an empty row; "not all shown" after a partial bar
            layers.append(
                altair.Chart(altair.Data(values=notes))
                .mark_text(align="left", dx=6, color=SECONDARY_TEXT, fontStyle="italic")
                .encode(y=y, x=altair.X("at:Q", title=x_title), text="note:N")
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
    what = "band's staff" if counted == "staff" else f"{row_word.lower()}'s {counted}"
    return finish(titled(combined, title, f"Each bar is one {what}, split by group."))
