"""Which counted quantity each figure of a result is.

One quantity is often shown in several places: a WRES 1 cell's total is the denominator of
every group's row, WRES 4's denominators are WRES 1's whole-workforce counts, a comparison's
`excluded` is its Unknown group's denominator, and WRES 9 shows the workforce share behind each
gap. Suppressing a quantity in one place and showing it in another protects nothing, so every
figure is mapped to a `Node` (the quantity) and suppression decides per node. The additive
relations between nodes (`equitrack.disclosure.secondary`) are written over the same keys.

Results of measures not in the registry are read as comparisons (or as survey results when
their options name a survey item), with quantities of their own.

This is the one module of the gate that reads the measures' declarations (the registry, a
measure's kind, the labels of its cells): the gate, secondary suppression and reasons take what
they need of a measure from here (`Figures.roles`, `is_needed_row`), so a measure's words or
layout change in one place.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from equitrack.measures import queries as q
from equitrack.measures.calendar import is_month
from equitrack.measures.calendar import months_of as months_of  # for secondary
from equitrack.measures.categories import SEPARATOR, Categorised
from equitrack.measures.counting import ALL
from equitrack.measures.declare import Kind, Measure
from equitrack.measures.pay import BONUS, BONUS_RECEIVED, HOURLY, NOT_KNOWN
from equitrack.measures.populations import SYSTEM_PREFIX
from equitrack.measures.registry import kind_of, measure_of
from equitrack.measures.result import Result
from equitrack.measures.shares import GROUP_TYPE as ALL_GROUPS
from equitrack.model import codes
from equitrack.stats.reasons import Code, codes_of

#: The group of a node that is a cell's total over every group.
TOTAL = "*total"
#: Options that change how results are pooled or labelled, never what is counted.
_NOT_COUNTED = frozenset(
    {
        "scope",
        "window",
        "pooling",
        "disclosure",
        "ethnic_grouping",
        "snapshots",
        "target_year",
        "interval",  # the period says whether it is a month
    }
)
#: The option that narrows a population to one staff group (the dashboard's filter), and its
#: value for no filter: a filtered count is a part of the unfiltered one.
FILTER, UNFILTERED = "staff_group", q.ALL_STAFF_GROUPS
#: Populations several measures count the same way: one quantity, whichever measure shows it.
_SHARED_POPULATIONS = (
    (q.workforce, "staff in post"),
    (q.bank_only, "bank-only workers"),
    (q.shortlisted, "shortlisted applications"),
    (q.board_seats, "board members"),
)


class Across(StrEnum):
    """How a system's count relates to its organisations' counts, where that is known from
    how the count is made."""

    EXACT = "exact"  # records (applications, survey respondents, pay rows): the sum
    AT_MOST = "at most"  # people counted once per unit: a person in two counts once in the system


#: Counts whose relation across units is known. Others can be larger in the system than in
#: all its organisations together (someone in post at one and trained at another counts in
#: WRES 4 only for the system; a move between organisations is a "stayer" only in the system),
#: so they are not related across units.
_ACROSS = {
    "staff in post": Across.AT_MOST,
    "bank-only workers": Across.AT_MOST,
    "board members": Across.AT_MOST,
    "shortlisted applications": Across.EXACT,
    "wres2:events": Across.EXACT,  # appointed applications
    "wdes2:events": Across.EXACT,
    "wres3:events": Across.AT_MOST,  # people entering a formal case at an organisation
    "wdes3:events": Across.AT_MOST,
    "bank3:events": Across.AT_MOST,
    "bank1:members": Across.AT_MOST,  # bank-only and substantive staff, each once per unit
    "bank1_sex:members": Across.AT_MOST,
}
_ACROSS_BY_KIND = {Kind.SURVEY: Across.EXACT, Kind.PAY_GAP: Across.EXACT}

#: The staff in post WRES 9 and Model Employer compare board and senior shares with.
WORKFORCE = "staff in post"


class Role(StrEnum):
    """What the gate makes again from a result's shown figures, by the kind of its measure."""

    GAP = "gap"  # a share against the workforce's (WRES 9, Model Employer): the difference
    PAY_GAP = "pay gap"  # pay: headcounts, quarter shares from people, gaps kept or cleared
    SURVEY = "survey"  # counted by the survey provider: small groups hidden whole
    RATE = "rate"  # any other: rates and comparisons from shown counts


_ROLES = {
    Kind.GAP: Role.GAP,
    Kind.PARITY_GAP: Role.GAP,
    Kind.PAY_GAP: Role.PAY_GAP,
    Kind.SURVEY: Role.SURVEY,
}


def is_needed_row(r: Result) -> bool:
    """Model Employer's row of the headcount needed for parity in a cell (worked out, not
    counted: the gate makes it again from the shown figures of the cell's gap row)."""
    return r.reason_code == Code.NEEDED_ROW


class Node(NamedTuple):
    """One counted quantity. `layout` is "" for a whole population (the `All` cell, the same
    quantity whichever measure shows it) and the measure's id for its breakdown cells."""

    source: str  # what is counted: a shared population, or a measure's own count
    unit: str  # organisation, or system unit (with its organisations when not all of them)
    period: int
    window: int  # years pooled
    layout: str
    cell: str
    group_type: str  # "" for a total over every group
    group: str


class Figure(NamedTuple):
    """One count shown on a result: the result's position, the field, the quantity, its value."""

    index: int
    field: str  # numerator, denominator, excluded, or workforce / workforce_total (WRES 9)
    node: Node
    value: int


class Layout(StrEnum):
    """How a measure's breakdown cells add up to its whole population (the `All` cell)."""

    HIERARCHY = "hierarchy"  # "A | b" cells add to "A | All"; "A | All" and plain cells to All
    PARTS = "parts"  # every cell adds to All (share measures)
    SEATS = "seats"  # Executive + Non-executive = All (board seats); Voting is a subset


@dataclass
class Figures:
    """Every count an output shows, and what else it implies without showing it.

    `hidden` holds quantities no result shows but that a relation needs, with their value
    (WRES 9's Unknown share of the workforce is its total less the groups it shows).
    `conflicts` lists nodes that turned out to hold two values: each such figure is then kept
    as a quantity of its own (under the primary rule, outside the relations), so a wrong
    identity never decides one count by another's value. None arise on generated data.
    """

    shown: list[Figure] = field(default_factory=list)
    hidden: dict[Node, int] = field(default_factory=dict)
    layouts: dict[str, Layout] = field(default_factory=dict)
    kinds: list[Kind] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)  # by result, as `kinds`
    conflicts: list[Node] = field(default_factory=list)
    across: dict[str, Across] = field(default_factory=dict)  # by Node.source

    def values(self) -> dict[Node, int]:
        return {f.node: f.value for f in self.shown}

    def staff(self) -> dict[str, int]:
        """Each unit's staff in post (the most in any period shown), where a whole workforce
        is shown: how large an organisation is, for choosing complements that lose least."""
        out: dict[str, int] = {}
        for f in self.shown:
            n = f.node
            if n.source == WORKFORCE and n.cell == ALL and n.group == TOTAL and n.window == 1:
                out[n.unit] = max(out.get(n.unit, 0), f.value)
        return out


def window_of(result: Result) -> int:
    """Years pooled: a month is never pooled."""
    if is_month(result.period):
        return 1
    m = measure_of(result)
    return int(result.options.get("window", m.window if m else 1))


def unit_of(result: Result) -> str:
    """The unit a result counts; a system over only some organisations is a unit of its own."""
    return unit_from(result.org, result.options)


def unit_from(org: str, options: Mapping[str, Any]) -> str:
    """`unit_of` a result's organisation and options (read from a kept file's columns)."""
    if org.startswith(SYSTEM_PREFIX):
        orgs = (options.get("scope") or {}).get("orgs") or []
        if orgs:
            return f"{org}[{','.join(sorted(orgs))}]"
    return org


def black_codes(options: Mapping[str, Any]) -> tuple[str, ...]:
    chosen = (options.get("ethnic_grouping") or {}).get("black_codes")
    return tuple(sorted(chosen or codes.DEFAULT_BLACK_CODES))


def group_type_of(result: Result) -> str:
    """`group_type`, told apart by the ethnic grouping where it changes the broad groups."""
    if result.group_type == "broad":
        chosen = black_codes(result.options)
        if chosen != tuple(sorted(codes.DEFAULT_BLACK_CODES)):
            return f"broad[{','.join(chosen)}]"
    return result.group_type


def _signature(options: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in options.items() if k not in _NOT_COUNTED}
    return _dumps(kept) if kept else ""


def _own(result: Result, what: str) -> str:
    sig = _signature(result.options)
    return f"{result.measure}:{what}" + (f" {sig}" if sig else "")


def population_of(result: Result) -> str:
    m = measure_of(result)
    if m is not None:
        for population, name in _SHARED_POPULATIONS:
            if m.population is population:
                group = result.options.get(FILTER, UNFILTERED)
                return name if group == UNFILTERED else f"{name} {_dumps({FILTER: group})}"
    return _own(result, "members")


def _dumps(kept: Mapping[str, Any]) -> str:
    return json.dumps(kept, sort_keys=True, default=str)


def unfiltered(source: str) -> str | None:
    """The source a count of one staff group is a part of (None: `source` is not filtered).
    A filtered shared population (`staff in post {"staff_group": ...}`) is part of the shared
    population; a measure's own count is part of the same count over every staff group."""
    base, sep, sig = source.partition(" {")
    if not sep:
        return None
    try:
        kept = json.loads("{" + sig)
    except ValueError:  # a conflicting figure's own quantity (see `_separate_conflicts`)
        return None
    if not isinstance(kept, dict) or kept.get(FILTER, UNFILTERED) == UNFILTERED:
        return None
    if set(kept) == {FILTER} and ":" not in base:
        return base
    return f"{base} {_dumps({**kept, FILTER: UNFILTERED})}"


def _split_category(result: Result, m: Measure | None) -> tuple[str, str | None]:
    """A categories result's breakdown as (cell, category); see `Categorised.label`."""
    label = result.breakdown
    headline = m.headline if isinstance(m, Categorised) else None
    declared = m.categories if isinstance(m, Categorised) else ()
    if label is None:
        return ALL, headline
    if SEPARATOR in label:
        cell, category = label.split(SEPARATOR, 1)
        return cell, category
    if label in declared or headline is None:
        return ALL, label
    return label, headline


class _Reader:
    """Turns each result into its figures; one method per kind of measure."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def node(
        self, r: Result, source: str, cell: str | None, group: str, *, total: bool = False
    ) -> Node:
        cell = cell or ALL
        m = measure_of(r)
        layout = "" if cell == ALL else (m.id if m else r.measure)
        return Node(
            source,
            unit_of(r),
            r.period,
            window_of(r),
            layout,
            cell,
            "" if total else group_type_of(r),
            TOTAL if total else group,
        )

    def add(self, index: int, name: str, node: Node, value: int | None) -> None:
        if value is None:
            return
        self.figures.shown.append(Figure(index, name, node, int(value)))
        known = _ACROSS_BY_KIND.get(self.figures.kinds[index]) or _ACROSS.get(
            node.source.split(" {", 1)[0]
        )
        if known is not None:
            self.figures.across[node.source] = known

    def read(self, index: int, r: Result) -> None:
        kind = kind_of(r)
        self.figures.kinds.append(kind)
        self.figures.roles.append(_ROLES.get(kind, Role.RATE))
        getattr(self, f"_{kind.value}", self._comparison)(index, r)

    def _comparison(self, i: int, r: Result) -> None:
        population = population_of(r)
        # a cell's everyone ("all"; the tracker's levels) is the total its groups add up to
        total = r.group_type == ALL_GROUPS
        events = self.node(r, _own(r, "events"), r.breakdown, r.group, total=total)
        self.add(i, "numerator", events, r.numerator)
        members = self.node(r, population, r.breakdown, r.group, total=total)
        self.add(i, "denominator", members, r.denominator)
        unknown = self.node(r, population, r.breakdown, codes.UNKNOWN)
        self.add(i, "excluded", unknown, r.excluded)

    def _categories(self, i: int, r: Result) -> None:
        m = measure_of(r)
        cell, category = _split_category(r, m)
        population = population_of(r)
        events = self.node(r, _own(r, f"category {category}"), cell, r.group)
        self.add(i, "numerator", events, r.numerator)
        self.add(i, "denominator", self.node(r, population, cell, r.group), r.denominator)
        self.add(i, "excluded", self.node(r, population, cell, codes.UNKNOWN), r.excluded)

    def _representation(self, i: int, r: Result) -> None:
        population = population_of(r)
        self.add(i, "numerator", self.node(r, population, r.breakdown, r.group), r.numerator)
        total = self.node(r, population, r.breakdown, r.group, total=True)
        self.add(i, "denominator", total, r.denominator)
        if r.excluded:
            self.add(
                i, "excluded", self.node(r, _own(r, "excluded"), r.breakdown, r.group), r.excluded
            )
        self.figures.layouts[r.measure] = Layout.HIERARCHY

    def _share(self, i: int, r: Result) -> None:
        self.add(i, "numerator", self.node(r, _own(r, "events"), r.breakdown, r.group), r.numerator)
        self.add(
            i, "denominator", self.node(r, _own(r, "counted"), r.breakdown, r.group), r.denominator
        )
        self.add(i, "excluded", self.node(r, _own(r, "left out"), r.breakdown, r.group), r.excluded)
        self.figures.layouts[r.measure] = Layout.PARTS

    def _survey(self, i: int, r: Result) -> None:
        self.add(
            i, "numerator", self.node(r, _own(r, "positive"), r.breakdown, r.group), r.numerator
        )
        self.add(
            i,
            "denominator",
            self.node(r, _own(r, "respondents"), r.breakdown, r.group),
            r.denominator,
        )

    def _gap(self, i: int, r: Result) -> None:
        population = population_of(r)
        label = r.breakdown or ALL
        if is_needed_row(r):
            # the headcount needed for parity is worked out, not counted (the gate recomputes
            # it from the shown figures); its denominator is the cell's seats
            seat = str(r.reason_values["cell"])
            self.add(
                i, "denominator", self.node(r, population, seat, r.group, total=True), r.denominator
            )
            return
        self.add(i, "numerator", self.node(r, population, label, r.group), r.numerator)
        self.add(
            i, "denominator", self.node(r, population, label, r.group, total=True), r.denominator
        )
        self.add(i, "excluded", self.node(r, population, label, codes.UNKNOWN), r.excluded)
        if label in ("Executive", "Non-executive"):
            self.figures.layouts[r.measure] = Layout.SEATS
        staff = workforce_of(r)
        if staff is not None:
            w, whole = staff
            self.add(i, "workforce", self._workforce(r, r.group), w)
            self.add(i, "workforce_total", self._workforce(r, r.group, total=True), whole)

    _parity_gap = _gap

    def _workforce(self, r: Result, group: str, *, total: bool = False) -> Node:
        """The staff in post this year (never pooled) that a board share is compared with."""
        return self.node(r, WORKFORCE, None, group, total=total)._replace(window=1)

    def _pay_gap(self, i: int, r: Result) -> None:
        label = r.breakdown or ""
        if label.startswith((f"{HOURLY}:", f"{BONUS}:")):
            source = _own(r, "headcount" if label.startswith(HOURLY) else "bonus receivers")
            self.add(i, "numerator", self.node(r, source, None, r.group), r.numerator)
            if r.reference_group:
                self.add(
                    i, "denominator", self.node(r, source, None, r.reference_group), r.denominator
                )
            unknown = self.node(r, _own(r, "headcount"), None, codes.UNKNOWN)
            self.add(i, "excluded", unknown, r.excluded)
        elif label == BONUS_RECEIVED:
            receivers = self.node(r, _own(r, "bonus receivers"), None, r.group)
            self.add(i, "numerator", receivers, r.numerator)
            self.add(
                i, "denominator", self.node(r, _own(r, "headcount"), None, r.group), r.denominator
            )
        elif label == NOT_KNOWN:
            self.add(
                i, "numerator", self.node(r, _own(r, "headcount"), None, codes.UNKNOWN), r.numerator
            )
            everyone = self.node(r, _own(r, "headcount"), None, "*everyone")
            self.add(i, "denominator", everyone, r.denominator)
        # pay quarters carry no counts: the gate rounds the people in their reason


def workforce_of(r: Result) -> tuple[int, int] | None:
    """The workforce count of a WRES 9 / Model Employer group and the whole workforce, as the
    result implies them: its `difference` is its board share less the workforce share, and its
    reason quotes the workforce ("12.5% of 1,234 staff", `Code.WORKFORCE_SHARE`)."""
    if r.difference is None or r.numerator is None or not r.denominator:
        return None
    values = r.reason_values
    if Code.WORKFORCE_SHARE not in codes_of(r.reason_code):
        return None
    if "workforce" not in values or "staff" not in values:
        return None
    return int(values["workforce"]), int(values["staff"])


def read(results: Sequence[Result]) -> Figures:
    """Every figure of `results`, with the quantities they imply (see `Figures`)."""
    figures = Figures()
    reader = _Reader(figures)
    for i, r in enumerate(results):
        reader.read(i, r)
    _separate_conflicts(figures)
    _add_unknown_workforce(figures)
    return figures


def _separate_conflicts(figures: Figures) -> None:
    seen: dict[Node, set[int]] = defaultdict(set)
    for f in figures.shown:
        seen[f.node].add(f.value)
    clashing = {n for n, values in seen.items() if len(values) > 1}
    if not clashing:
        return
    figures.conflicts = sorted(clashing)
    figures.shown = [
        f._replace(node=f.node._replace(source=f"{f.node.source} #{f.index}.{f.field}"))
        if f.node in clashing
        else f
        for f in figures.shown
    ]


def _add_unknown_workforce(figures: Figures) -> None:
    """WRES 9 shows every group's workforce share but Unknown's, and the workforce total: the
    Unknown count is their difference, shown nowhere but found by subtraction."""
    values = figures.values()
    shown_groups: dict[tuple[Node, str], set[Node]] = defaultdict(set)
    for f in figures.shown:
        if f.field == "workforce":
            total = f.node._replace(group_type="", group=TOTAL)
            shown_groups[(total, f.node.group_type)].add(f.node)
    for (total, group_type), groups in shown_groups.items():
        unknown = total._replace(group_type=group_type, group=codes.UNKNOWN)
        if total not in values or unknown in values:
            continue
        rest = values[total] - sum(values[n] for n in groups)
        if rest >= 0:
            figures.hidden[unknown] = rest
