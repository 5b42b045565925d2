"""Secondary (complementary) suppression: no suppressed count may be found by subtraction.

Counts shown together add up: Black = BME - Asian - Mixed - Other, a band = its column's total
less the other bands. Wherever such a relation has exactly one member the viewer cannot see,
that member needs protecting (for a bound, such as a system's staff being at most the sum of
its organisations', only a small one: a bound gives one side only), another member is
suppressed too: the one that loses least (`least_loss`: the smallest, a figure of an
organisation over `Policy.spare_above` staff weighed at twice its size and the system's at
four times, so a system's figure goes only when no organisation's of up to twice it will do),
and this repeats until no relation gives one away. Relations are written over quantities
(`equitrack.disclosure.figures.Node`), separately for numerators and denominators (they are
different quantities), so a count shown in several places is protected everywhere at once.
The gate runs this over a whole release (`equitrack.release`): everything one audience can
reach, so two requests cannot be subtracted either.

Relations declared (each checked to hold on generated data: tests/disclosure/test_end_to_end.py):

- Groups to the cell's total (exact): the groups of one group type add up to the total behind
  every row of a representation cell (WRES 1, WDES 1, Bank WRES 1) and of a board seat cell
  (WRES 9: the groups shown plus Unknown, which is `excluded`). WRES 9 also implies the
  workforce count of each group and the whole (its gap and its reason); the Unknown workforce,
  shown nowhere in WRES 9, is their difference and is protected as a hidden member.
- Breakdown cells to their total (exact): a representation's "A | b" cells to "A | All" and
  those to "All"; a share measure's cells to its whole (reported without a breakdown); board
  seats Executive + Non-executive = All.
- Finer groups to coarser ones (exact), where both are in the output for the same cell:
  broad White = WRES White, Mixed + Asian + Black + Other = BME, Unknown = Unknown; detailed
  codes to their broad and WRES group (using the ethnic grouping each result records); and BME
  beside its parts in one group type (the pay gap reports both).
- Organisations to their system, for the counts where how they are made fixes the relation
  (`figures.Across`): exactly the sum for records (applications, appointments, survey
  respondents, pay rows); at most the sum for people counted once per unit (staff in post,
  bank-only workers, board members, people entering a formal case, Bank WRES 1), since the
  system counts once someone two of its organisations both count. Membership comes from
  `systems` (see `systems_of`); without it, every organisation in the output is taken to
  belong to each system unit in it.
- Pooled windows to their years (exact): a two-year figure (WRES 3) is the sum of the two
  one-year figures of the same count, where those are in the output (a WRES 3 denominator is
  WRES 1's whole workforce this year plus last year's).
- Months to their year (a bound): a year's (or pooled window's) events and records are at most
  the sum of its months' (a person is counted once a year but may count in two months); counts
  of a state (staff in post) are not added over time.
- Staff groups to the whole (a bound): a count over every staff group is at most the sum of
  the counts of each (the dashboard's staff-group filter; a person with posts in two groups
  counts in both).
- The same quantity shown twice is one node (WRES 4's denominators are WRES 1's whole-workforce
  counts; a comparison's `excluded` is its Unknown denominator), so it is never shown in one
  place and suppressed in another.

Not covered:

- Combinations of relations: each relation is made safe here on its own; counts found only by
  chaining several (a year's figure from two overlapping pooled windows; a chain through cells
  and units at once), and relations the gate does not declare but the data obey (an
  organisation's leave or training records against the system's, declared here as `guessed`),
  are the audit's (`equitrack.disclosure.audit`), which runs after this over the same relations.
- Rounding is not modelled: an exact relation is taken to give away its one unseen member,
  though its others are rounded (the cautious side).
- An organisation left out of an output that shows its system: its figures are the system's
  less the others', and the gate, which never sees them, cannot protect them. Show a system
  with all of its organisations or with none.
- Comparison and category measures with an "All" cell beside contract or case cells (casework,
  racist abuse, EDI reach): a person or case may sit in more than one cell, so no relation is
  declared between their cells; their groups have no total shown beside them.
- Pay gap: headcounts are protected as counts and across units and groups, but quarter shares
  rest on fractional people and are only rounded (by the gate), not related to each other.
- Counts that can be larger in the system than in all its organisations together, and so
  obey no relation across units: WRES 4 training (in post at one organisation, trained at
  another), promotion (a move between organisations is a "stayer" only in the system), EDI
  reach and development measures. On generated data promotion and EDI reach do exceed the sum.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from equitrack.disclosure.counts import is_small
from equitrack.disclosure.figures import (  # figures reads the measures' declarations
    ALL,
    SEPARATOR,
    SYSTEM_PREFIX,
    TOTAL,
    Across,
    Figures,
    Layout,
    Node,
    black_codes,
    months_of,
    unfiltered,
)
from equitrack.disclosure.policy import Policy
from equitrack.model import codes
from equitrack.model.codes import system_unit
from equitrack.store import Store

#: The groups of each group type that share out a whole (BME sits beside its parts only in
#: the pay gap, so it is related to them, never counted into a total with them).
_MINORITY_BROAD = ("Mixed", "Asian", "Black", "Other")
_PARTITIONS: dict[str, frozenset[str]] = {
    "wres": frozenset(codes.WRES_GROUPS),
    "broad": frozenset(codes.BROAD_GROUPS),
    "detailed": frozenset(
        {f"{c.code} {c.label}" for c in codes.NATIONAL_CATEGORIES} | {codes.UNKNOWN}
    ),
    "disability": frozenset({"Disabled", "Not disabled", codes.UNKNOWN}),
    "sex": frozenset({*codes.SEX_CODES.values()}),
    "all": frozenset({ALL}),
}


@dataclass(frozen=True)
class Relation:
    """`total` = sum of `parts` (`exact`), or `total` <= sum of `parts` (a bound). A `guessed`
    one is not known to hold from how the counts are made, but a viewer may try it and the data
    may obey it (`equitrack.disclosure.audit.obeyed`); `protect` leaves it to the audit."""

    total: Node
    parts: tuple[Node, ...]
    exact: bool
    rule: str
    guessed: bool = False

    @functools.cached_property
    def members(self) -> tuple[Node, ...]:
        """The total and the parts (made once: the audit reads them of every relation)."""
        return (self.total, *self.parts)


def _base_type(group_type: str) -> str:
    return group_type.split("[", 1)[0]


def _partition(group_type: str) -> frozenset[str]:
    return _PARTITIONS.get(_base_type(group_type), frozenset())


def _code(group: str) -> str:
    return codes.UNKNOWN if group == codes.UNKNOWN else group[:1]


@functools.cache
def _coarser(group: str, fine_type: str, coarse_type: str) -> str | None:
    """The group of `coarse_type` that `group` (of `fine_type`) counts in; None if none.
    (Kept: relations ask it of every pair of group types shown in a cell, a few dozen
    answers asked a million times in a release.)"""
    fine, coarse = _base_type(fine_type), _base_type(coarse_type)
    if fine == "broad" and coarse == "wres":
        if group in (codes.WHITE, codes.UNKNOWN):
            return group
        return codes.BME if group in _MINORITY_BROAD else None
    if fine == "detailed" and coarse in ("wres", "broad"):
        code = _code(group)
        if code == codes.UNKNOWN:
            return codes.UNKNOWN
        if code not in codes.CATEGORY_BY_CODE:
            return None
        if coarse == "wres":
            return codes.CATEGORY_BY_CODE[code].wres_group
        grouping = codes.EthnicGrouping(_black_codes_of(coarse_type))
        return grouping.broad_group(code)
    return None


def _black_codes_of(group_type: str) -> tuple[str, ...]:
    if "[" in group_type:
        return tuple(group_type.split("[", 1)[1].rstrip("]").split(","))
    return black_codes({})


Cell = tuple[str, str, int, int, str, str]  # source, unit, period, window, layout, cell
Count = tuple[str, str, int, int, str, str]  # source, unit, period, window, layout, group type


def _cell(n: Node) -> Cell:
    return (n.source, n.unit, n.period, n.window, n.layout, n.cell)


def _count(n: Node) -> Count:
    """The count a node is a group of: one breakdown of one count, for one unit and period."""
    return (n.source, n.unit, n.period, n.window, n.layout, n.group_type)


class _Builder:
    """Writes the relations among the nodes an output shows (see the module docstring)."""

    def __init__(
        self,
        nodes: Collection[Node],
        figures: Figures,
        systems: Mapping[str, Collection[str]] | None,
    ) -> None:
        self.nodes = set(nodes)
        self.figures = figures
        self.systems = systems
        self.by_cell: dict[Cell, dict[str, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.present: set[Count] = set()
        for n in sorted(self.nodes):  # in order, so every process writes the same relations
            self.by_cell[_cell(n)][n.group_type].add(n)
            self.present.add(_count(n))
        # without `systems`, every organisation in the output counts in each system unit
        self.orgs = sorted({n.unit for n in self.nodes if not n.unit.startswith(SYSTEM_PREFIX)})
        self.out: dict[tuple[Node, tuple[Node, ...]], Relation] = {}
        # each unfiltered source and its filtered ones (one per staff group shown anywhere)
        self.filtered: dict[str, set[str]] = defaultdict(set)
        for source in {n.source for n in self.nodes}:
            whole = unfiltered(source)
            if whole is not None:
                self.filtered[whole].add(source)

    def add(
        self, total: Node, parts: Iterable[Node], exact: bool, rule: str, guessed: bool = False
    ) -> None:
        kept = tuple(sorted(set(parts)))
        if kept and kept != (total,):
            self.out.setdefault((total, kept), Relation(total, kept, exact, rule, guessed))

    def known(self, n: Node) -> bool:
        """Whether `n` is in the output, or certainly zero there: its count was made for that
        unit, period and breakdown (others of its kind are shown) and it is not among them."""
        return n in self.nodes or _count(n) in self.present

    def parts(self, candidates: Iterable[Node]) -> list[Node]:
        """Members of a relation: those shown, plus those hidden (neither shown nor certainly
        zero), which the viewer cannot see; counts certainly zero drop out."""
        return [n for n in candidates if n in self.nodes or not self.known(n)]

    def build(self) -> list[Relation]:
        for n in sorted(self.nodes):
            if n.group == TOTAL:
                self.groups_to_total(n)
            self.finer_to_coarser(n)
            if n.unit.startswith(SYSTEM_PREFIX):
                self.units_to_system(n)
            if n.window > 1 and n.period <= 9999:
                self.years_to_window(n)
            if n.source in self.filtered:
                self.filters_to_whole(n)
            if n.period <= 9999 and _over_time(n.source):
                self.months_to_year(n)
        for measure, layout in self.figures.layouts.items():
            self.cells_to_total(measure, layout)
        # Protection is greedy, so it depends on the order relations are met in: the same
        # order in every process (never a set's, which a string's hash seed changes), or two
        # printings of one report could hide different cells, and together give one away.
        return sorted(self.out.values(), key=_in_order)

    def groups_to_total(self, total: Node) -> None:
        for group_type, members in self.by_cell[_cell(total)].items():
            if group_type == "":
                continue
            share_out = _partition(group_type)
            parts = [n for n in members if n.group in share_out]
            if codes.UNKNOWN in share_out:  # hidden when a measure leaves it out (WRES 9)
                parts += self.parts([total._replace(group_type=group_type, group=codes.UNKNOWN)])
            self.add(total, parts, True, "groups add up to the cell's total")

    def finer_to_coarser(self, n: Node) -> None:
        cell = self.by_cell[_cell(n)]
        if n.group == codes.BME and _base_type(n.group_type) in ("broad", "detailed"):
            parts = [
                m
                for m in cell[n.group_type]
                if _coarser(m.group, n.group_type, "wres") == codes.BME and m.group != codes.BME
            ]
            self.add(n, parts, True, "minority groups add up to BME")
        for fine_type, members in cell.items():
            if fine_type == n.group_type or fine_type == "":
                continue
            parts = [m for m in members if _coarser(m.group, fine_type, n.group_type) == n.group]
            if _coarser(codes.UNKNOWN, fine_type, n.group_type) is None:
                continue  # not a finer split of this group type
            self.add(n, parts, True, f"{_base_type(fine_type)} groups add up to {n.group_type}")

    def units_to_system(self, n: Node) -> None:
        across = self.figures.across.get(n.source)
        parts = self.parts(n._replace(unit=o) for o in self.members(n.unit))
        if across is None:  # not so by how it is counted; the data may obey it all the same
            self.add(n, parts, False, "organisations add up to their system", guessed=True)
            return
        exact = across is Across.EXACT
        self.add(n, parts, exact, f"organisations add up to their system ({across})")

    def members(self, unit: str) -> list[str]:
        name, _, scoped = unit.partition("[")
        orgs = list(self.systems.get(name, ())) if self.systems is not None else self.orgs
        if scoped:
            chosen = set(scoped.rstrip("]").split(","))
            orgs = [o for o in orgs if o in chosen]
        return orgs

    def years_to_window(self, n: Node) -> None:
        years = [n._replace(window=1, period=n.period - k) for k in range(n.window)]
        self.add(n, self.parts(years), True, f"{n.window} years add up to the pooled figure")

    def filters_to_whole(self, n: Node) -> None:
        """A count over every staff group is at most the sum of its staff groups' counts (a
        person with posts in two groups counts in both)."""
        parts = self.parts(n._replace(source=s) for s in sorted(self.filtered[n.source]))
        self.add(n, parts, False, "staff groups add up to the whole")

    def months_to_year(self, n: Node) -> None:
        """A year's (or pooled window's) events are at most the sum of its months' (a person
        counted once a year may count in two months); counts of a state (staff in post) are
        not added over time."""
        years = range(n.period - n.window + 1, n.period + 1)
        months = [n._replace(period=m, window=1) for y in years for m in months_of(y)]
        if not any(m in self.nodes for m in months):
            return
        self.add(n, self.parts(months), False, "months add up to their year")

    def cells_to_total(self, measure: str, layout: Layout) -> None:
        """A measure's breakdown cells to its whole, per count, unit, period and group."""
        rows: dict[tuple, dict[str, Node]] = defaultdict(dict)
        for n in self.nodes:
            if n.layout == measure:
                key = (n.source, n.unit, n.period, n.window, n.group_type, n.group)
                rows[key][n.cell] = n
        for (source, unit, period, window, group_type, group), cells in rows.items():
            whole = Node(source, unit, period, window, "", ALL, group_type, group)
            if whole not in self.nodes:
                continue
            for total, parts in _layout_relations(layout, cells):
                self.add(
                    cells.get(total, whole),
                    parts,
                    True,
                    f"{layout} cells add up to their total",
                )


def _over_time(source: str) -> bool:
    """Whether a count adds up over time: events and records do, states (who is in post, on
    the bank, on the board, the members of a population) do not."""
    base = source.split(" {", 1)[0]
    return (
        base.endswith(":events") or base in ("shortlisted applications",) or (":category " in base)
    )


def _layout_relations(
    layout: Layout, cells: Mapping[str, Node]
) -> Iterator[tuple[str, list[Node]]]:
    if layout is Layout.SEATS:
        yield ALL, [cells[c] for c in ("Executive", "Non-executive") if c in cells]
    elif layout is Layout.PARTS:
        yield ALL, list(cells.values())
    else:
        sides: dict[str, list[Node]] = defaultdict(list)
        top = []
        for label, node in cells.items():
            side, sep, rest = label.partition(SEPARATOR)
            if not sep or rest == ALL:
                top.append(node)
            else:
                sides[side].append(node)
        for side, parts in sides.items():
            subtotal = f"{side}{SEPARATOR}{ALL}"
            if subtotal in cells:
                yield subtotal, parts
        yield ALL, top


def _in_order(rel: Relation) -> tuple[Node, tuple[Node, ...], bool, str, bool]:
    return (rel.total, rel.parts, rel.exact, rel.rule, rel.guessed)


def relations(
    figures: Figures, systems: Mapping[str, Collection[str]] | None = None
) -> list[Relation]:
    """The additive relations among everything `figures` shows or implies."""
    nodes = {f.node for f in figures.shown} | set(figures.hidden)
    return _Builder(nodes, figures, systems).build()


def _giveaway(
    rel: Relation,
    values: Mapping[Node, int],
    hidden: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
) -> list[Node]:
    """The members of `rel` that could still be suppressed, when `rel` gives away a protected
    count; none when it gives nothing away.

    It gives one away when exactly one member is unseen (suppressed, or not shown at all) and
    that member needs protecting: suppressed, or hidden and small. A bound (a system's staff
    are at most the sum of its organisations') gives one side only: it gives away a small
    count, but not a larger one hidden as a complement, which it leaves unlimited above. An
    exact relation is taken to give its member away though rounding widens a subtraction, as
    relations combined can narrow it again. Members in `fixed` (shown exact by right) and zeros
    cannot be suppressed for it.
    """
    unseen = [n for n in rel.members if n in suppressed or n not in values]
    if len(unseen) != 1:
        return []
    n = unseen[0]
    value = hidden.get(n, values.get(n))
    if not (n in suppressed or (value is not None and is_small(value, policy))):
        return []
    if not rel.exact and not is_small(value if value is not None else 1, policy):
        return []  # a bound gives a complement (not small) a lower limit only
    return [m for m in rel.members if m != n and m not in fixed and values[m] != 0]


@dataclass(frozen=True)
class Declared:
    """The relations `protect` enforces (every one but the guessed), with the relations each
    quantity is in: made once for a set of relations and used by every pass over it (the
    audit protects again after each of its rounds, and each audience's gate over one release
    protects the same relations)."""

    relations: list[Relation]
    by_node: dict[Node, list[int]]

    @classmethod
    def of(cls, relations: Iterable[Relation]) -> Declared:
        rels = [rel for rel in relations if not rel.guessed]
        by_node: dict[Node, list[int]] = defaultdict(list)
        for i, rel in enumerate(rels):
            for n in rel.members:
                by_node[n].append(i)
        return cls(rels, dict(by_node))


def protect(
    relations: Iterable[Relation] | Declared,
    values: Mapping[Node, int],
    hidden: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
    staff: Mapping[str, int] | None = None,
    since: Collection[Node] | None = None,
) -> set[Node]:
    """`suppressed` with what must go too, so that no relation gives away a protected count.

    Where a relation gives one away (see `_giveaway`), a member still shown and not in `fixed`
    is suppressed, until none does: the one that loses least (`least_loss`, with `staff`: each
    unit's staff in post). With `since`, the
    counts suppressed since `suppressed` less them was last protected: only relations with one
    of them in can give anything new away, so only those are looked at first.
    """
    loss = least_loss(values, policy, staff)
    out = set(suppressed)
    declared = relations if isinstance(relations, Declared) else Declared.of(relations)
    rels, by_node = declared.relations, declared.by_node

    if since is None:
        pending = list(range(len(rels)))
    else:
        pending = sorted({i for n in since for i in by_node.get(n, ())})
    queued = set(pending)
    while pending:
        i = pending.pop()
        queued.discard(i)
        candidates = _giveaway(rels[i], values, hidden, out, fixed, policy)
        if not candidates:
            continue
        chosen = min(candidates, key=loss)
        out.add(chosen)
        for j in by_node.get(chosen, ()):
            if j not in queued:
                queued.add(j)
                pending.append(j)
    return out


#: How much more a figure of an organisation of over `Policy.spare_above` staff weighs than a
#: small organisation's when a complement is chosen (its own board reads it); the system's
#: figures weigh this again (they head every board paper, and a system figure hidden is in
#: every relation of the system's table, so hiding one hides more after it).
SPARE_WEIGHT = 2


def least_loss(
    values: Mapping[Node, int], policy: Policy, staff: Mapping[str, int] | None = None
) -> Callable[[Node], tuple[int, int, bool, Node]]:
    """The order complements are chosen in: the smallest count first, each weighed by who reads
    it. A small organisation's figure (at most `policy.spare_above` staff by `staff`; a unit
    of unknown size counts as small) weighs its count, a larger organisation's `SPARE_WEIGHT`
    times its count, the system's `SPARE_WEIGHT` squared times. So a large organisation's
    figure is spared only for a small organisation's of comparable size (up to twice it), and
    the system's only for an organisation's of up to twice (a small one's: four times) it:
    where an organisation's cell needs a complement among the other organisations and the
    system, another organisation's cell goes, never the system's headline total (each part of
    an exact sum is at most its total), which would take more of the system's table with it.
    Ties go to the smaller count, then an organisation's before the system's, then the node's
    order (the same in every process)."""
    sizes = staff or {}
    system_weight = SPARE_WEIGHT * SPARE_WEIGHT

    def loss(n: Node) -> tuple[int, int, bool, Node]:
        value = values[n]
        system = n.unit.startswith(SYSTEM_PREFIX)
        if system:
            weight = system_weight
        elif sizes.get(n.unit, 0) > policy.spare_above:
            weight = SPARE_WEIGHT
        else:
            weight = 1
        return value * weight, value, system, n

    return loss


def exposed(
    relations: Iterable[Relation],
    values: Mapping[Node, int],
    hidden: Mapping[Node, int],
    suppressed: Collection[Node],
    fixed: Collection[Node],
    policy: Policy,
) -> list[Relation]:
    """Relations that still give away a protected count while some other member could still
    have been suppressed (the rule `protect` enforces). Empty after `protect`; for tests and
    audits of outputs gated elsewhere."""
    return [
        rel
        for rel in relations
        if not rel.guessed and _giveaway(rel, values, hidden, suppressed, fixed, policy)
    ]


def systems_of(store: Store) -> dict[str, tuple[str, ...]]:
    """Each system unit (``system:<code>``) and its organisations, from the store."""
    rows = store.table("organisations").select("org_code", "system_code").to_pyarrow().to_pylist()
    out: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        out[system_unit(row["system_code"])].append(row["org_code"])
    return {unit: tuple(sorted(orgs)) for unit, orgs in out.items()}
