"""What a measure is: a declaration the engine evaluates, never a script of its own.

A measure names its population and its event (both Ibis queries over the store), the attribute
its groups come from, the reference group, which way is worse, and the window of years. The
engine turns any declaration into small count tables, then statistics.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from equitrack.measures.calendar import Interval, period_of
from equitrack.measures.populations import Scope
from equitrack.measures.result import OUTNUMBERED
from equitrack.model.codes import DEFAULT_GROUPING, EthnicGrouping
from equitrack.stats import Orientation
from equitrack.store import Store

if TYPE_CHECKING:
    from equitrack.measures.cube import Cube


class Kind(StrEnum):
    COMPARISON = "comparison"  # a rate per group, and each group's relative likelihood
    REPRESENTATION = "representation"  # headcount by group within each breakdown cell
    SURVEY = "survey"  # survey results already counted by the survey provider
    GAP = "gap"  # a group's share of members minus its share of the workforce, in points
    PARITY_GAP = "parity_gap"  # a GAP, plus the headcount that would close it (Model Employer)
    SHARE = "share"  # a share of records that are not people (panels): one group, "All"
    CATEGORIES = "categories"  # each group's share in categories derived in Python from a key
    PAY_GAP = "pay_gap"  # pay of each group against references, from people counted per pay
    JOURNEY = "journey"  # time until an event by group, with a competing event (careers.py)


class Attribute(StrEnum):
    ETHNICITY = "ethnicity"
    DISABILITY = "disability"
    SEX = "sex"


class Shared:
    """Populations computed once in a run and reused by every measure that needs them.

    The staff in post at each 31 March feed WRES 1, 3, 4 and 9; materialised once (a temporary
    table in the engine) for every year any measure of the run needs, each measure then reads
    its own periods. `periods` names those up front (WRES 3 also needs the year before each);
    `release` drops the tables.
    """

    def __init__(self, periods: Iterable[int] = (), measures: Iterable[Measure] = ()) -> None:
        self.periods = tuple(sorted(set(periods)))
        #: The run's measures: what a population's count cube is made for (`cube.Cube`).
        self.measures = tuple(measures)
        self._cubes: dict[ops.Node, Cube] = {}
        self._tables: dict[Hashable, tuple[tuple[int, ...], ir.Table]] = {}
        self._kept: list[ir.Table] = []
        self._narrowed: dict[ops.Node, tuple[ir.Table, tuple[int, ...]]] = {}
        self._fetched: dict[ops.Node, pa.Table] = {}
        self._once: dict[Hashable, Any] = {}

    def get(
        self,
        store: Store,
        key: Hashable,
        periods: tuple[int, ...],
        build: Callable[[tuple[int, ...]], ir.Table],
    ) -> ir.Table:
        covered, table = self._tables.get(key, ((), None))
        if table is None or not set(periods) <= set(covered):
            if table is not None:
                table.release()
            covered = tuple(sorted(set(periods) | set(covered) | set(self.periods)))
            table = store.cache(build(covered))
            self._tables[key] = (covered, table)
        if set(periods) == set(covered):
            return table
        narrowed = table.filter(table.period.isin(list(periods)))
        self._narrowed[narrowed.op()] = (table, tuple(sorted(periods)))
        return narrowed

    def whole(
        self, query: ir.Table
    ) -> tuple[ir.Table, tuple[int, ...], tuple[int, ...] | None] | None:
        """The shared population `query` is (or `get` narrowed), the years it holds, and the
        years `query` narrows it to (None when it does not); None for any other query."""
        whole, years = self.widest(query)
        for covered, table in self._tables.values():
            if table.op() == whole.op():
                return table, covered, years
        return None

    def cube(
        self, key: ops.Node, make: Callable[[Cube | None], Cube], covers: Callable[[Cube], bool]
    ) -> Cube:
        """The count cube of the population `key`, made again (by `make`, given the old one,
        whose table is released) when the one kept does not `covers` what is asked."""
        kept = self._cubes.get(key)
        if kept is None or not covers(kept):
            if kept is not None:
                kept.table.release()
            kept = self._cubes[key] = make(kept)
        return kept

    def widest(self, query: ir.Table) -> tuple[ir.Table, tuple[int, ...] | None]:
        """A shared population `get` narrowed to some years, as its whole table and those
        years; any other query as itself and None. Measures reading different years of one
        population can then share one count of all of them."""
        return self._narrowed.get(query.op(), (query, None))

    def once(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """`make()` once in the run: what every measure reads the same (what the store covers)."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key]

    def fetched(self, expr: ir.Table) -> pa.Table:
        """`expr`'s rows, run once in the run however many measures ask for the same query
        (WRES 4 and WRES 9 both count the staff in post by ethnicity, for instance)."""
        key = expr.op()
        if key not in self._fetched:
            self._fetched[key] = expr.to_pyarrow()
        return self._fetched[key]

    def keep(self, store: Store, expr: ir.Table) -> ir.Table:
        """`expr` materialised until `release`: for a part a population reads more than once,
        which an engine would otherwise compute again for each read."""
        table = store.cache(expr)
        self._kept.append(table)
        return table

    def release(self) -> None:
        for _, table in self._tables.values():
            table.release()
        self._tables.clear()
        for table in self._kept:
            table.release()
        self._kept.clear()
        for cube in self._cubes.values():
            cube.table.release()
        self._cubes.clear()
        self._narrowed.clear()
        self._fetched.clear()

    def __enter__(self) -> Shared:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class Frame:
    """Everything a population query needs: the store, the scope, the periods, the options.

    `periods` are reporting years (2025 is 2024/25) or, with a monthly interval, months
    (`calendar.periods`): a population query reads them without asking which."""

    store: Store
    scope: Scope
    periods: tuple[int, ...]
    options: Mapping[str, Any]
    grouping: EthnicGrouping = DEFAULT_GROUPING
    shared: Shared = field(default_factory=Shared, compare=False, repr=False)
    interval: Interval = Interval.YEAR

    def period_of(self, day: ir.DateValue) -> ir.IntegerValue:
        """The period (reporting year or month) a record's date puts it in."""
        return period_of(day, self.interval)

    def population(self, name: str, build: Callable[[tuple[int, ...]], ir.Table]) -> ir.Table:
        """A population shared across measures, for this frame's periods."""
        return self.shared.get(self.store, (name, self.scope), self.periods, build)

    def keep(self, expr: ir.Table) -> ir.Table:
        """`expr` materialised for the rest of the run (see `Shared.keep`)."""
        return self.shared.keep(self.store, expr)


Query = Callable[[Frame], ir.Table]


class Optioned:
    """What every declaration with options shares (a measure, a journey): each option typed by
    its default, its allowed values, its words for docs and listings, and a value parsed by its
    type. Subclasses are dataclasses with `id`, `options` and `choices`."""

    id: str
    options: Mapping[str, Any]
    #: Each option's allowed values: a tuple, or a range of whole numbers. An option without
    #: is fixed at its default (a parameter of the measure, such as the survey item it reads).
    choices: Mapping[str, Sequence[Any]]

    def __post_init__(self) -> None:
        """Refuse a declaration whose options a user could not set consistently."""
        for name in self.choices:
            if name not in self.options:
                raise TypeError(f"{self.id}: choices for {name}, which is not an option")
        for name, default in self.options.items():
            kind = option_type(default)
            allowed = self.allowed(name)
            if not all(isinstance(v, kind) and not isinstance(v, bool) for v in allowed):
                raise TypeError(f"{self.id}: option {name}'s allowed values are not all {kind}")
            if default not in allowed:
                raise TypeError(f"{self.id}: option {name}'s default {default!r} is not allowed")

    def allowed(self, name: str) -> Sequence[Any]:
        """The values option `name` may take (its default alone when it is fixed)."""
        return self.choices.get(name, (self.options[name],))

    def option_text(self, name: str, mark: str = "") -> str:
        """Option `name` as docs and listings give it: "whole number; default 2, one of 1, 2",
        or "text; fixed at nss" (values quoted with `mark`, such as a backtick)."""
        default = self.options[name]
        kind = TYPE_TEXT[option_type(default)]
        if name not in self.choices:
            return f"{kind}; fixed at {mark}{default}{mark}"
        return f"{kind}; default {mark}{default}{mark}, {allowed_text(self.allowed(name), mark)}"

    def parse(self, name: str, value: Any) -> Any:
        """`value` for option `name`, read as the option's type (text from the command line
        becomes a whole number where the option is one); refused if not an allowed value."""
        kind = option_type(self.options[name])
        if kind is int and isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise OptionError(
                    f"{self.id}: option {name} takes a whole number, not {value!r}"
                ) from None
        allowed = self.allowed(name)
        if not isinstance(value, kind) or isinstance(value, bool) or value not in allowed:
            must = "is fixed at" if name not in self.choices else "must be"
            raise OptionError(
                f"{self.id}: option {name} {must} {allowed_text(allowed)}, not {value!r}"
            )
        return kind(value)

    def resolve(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The options in force: defaults, overridden by those given that this measure has.

        Options this measure does not take are skipped (a run's options serve all its
        measures); `check_options` refuses those no measure of the run takes."""
        resolved = dict(self.options)
        for name, value in (given or {}).items():
            if name in self.options:
                resolved[name] = self.parse(name, value)
        return resolved


@dataclass(frozen=True)
class Measure(Optioned):
    """A declared measure.

    `population` returns one row per member with `period`, `unit` and the group attribute
    columns (`ethnic_code`, `disability`, `sex`); `event` returns the members who had the event,
    with the same columns (often `subset(population, …)`). A `window` option pools that many
    years (WRES 3 pools two by default). `options` holds the defaults of every choice the spec
    leaves open; each result records the options it used.
    """

    id: str
    family: str
    title: str
    kind: Kind
    population: Query
    event: Query | None = None
    attribute: Attribute = Attribute.ETHNICITY
    orientation: Orientation = Orientation.BENEFIT
    breakdown: Callable[[ir.Table], ir.StringValue] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Each option's allowed values: a tuple, or a range of whole numbers. An option without
    #: is fixed at its default (a parameter of the measure, such as the survey item it reads).
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    description: str = ""
    #: What is counted, in the words a sentence uses, by kind: a comparison's (or categories')
    #: event, "to be appointed from shortlisting" (`{option}` takes an option's value,
    #: `{category}` the category); a survey item's answer, "said they had experienced …"; a
    #: representation's sentence, "{Who} were {share} of staff in post"; what a share of
    #: records counts, "interview panels had …". The narrative reads it from here only, and
    #: tests/measures/test_registry_words.py fails when a measure lacks what its kind needs.
    phrase: str = ""
    #: Why events can outnumber the population, where they can (entrants include leavers).
    outnumbered: str = OUTNUMBERED

    @property
    def window(self) -> int:
        """Years pooled by default: the `window` option where the measure has one, else 1."""
        return int(self.options.get("window", 1))


class OptionError(ValueError):
    """An option no measure of the run takes, or a value its declaration does not allow."""


def option_type(default: Any) -> type:
    """An option's type, declared by its default: a whole number or text."""
    if isinstance(default, int) and not isinstance(default, bool):
        return int
    if isinstance(default, str):
        return str
    raise TypeError(f"an option is a whole number or text, not {default!r}")


TYPE_TEXT = {int: "whole number", str: "text"}


def allowed_values(allowed: Sequence[Any]) -> list[Any] | dict[str, int]:
    """Allowed values for JSON: a list, or a span of whole numbers as {"from": a, "to": b}."""
    if isinstance(allowed, range):
        return {"from": allowed.start, "to": allowed[-1]}
    return list(allowed)


def allowed_text(allowed: Sequence[Any], mark: str = "") -> str:
    """Allowed values as they read: "one of a, b", "from 1 to 3650", "x" (each value quoted
    with `mark`)."""
    if isinstance(allowed, range):
        return f"from {mark}{allowed.start}{mark} to {mark}{allowed[-1]}{mark}"
    if len(allowed) == 1:
        return f"{mark}{allowed[0]}{mark}"
    return f"one of {', '.join(f'{mark}{a}{mark}' for a in allowed)}"


def check_options(
    run: Sequence[Measure], given: Mapping[str, Any] | None, known: Iterable[Measure] = ()
) -> None:
    """Refuse, before anything is counted, an option that no measure of `run` takes (naming
    the nearest that one does, or a measure of `known` that takes it) and a value a measure
    taking it does not allow."""
    taken = sorted({name for m in run for name in m.options})
    for name, value in (given or {}).items():
        if name not in taken:
            raise OptionError(_unknown(name, taken, known))
        for m in run:
            if name in m.options:
                m.parse(name, value)


def _unknown(name: str, taken: Sequence[str], known: Iterable[Measure]) -> str:
    """Why option `name` is refused, with the nearest name that would be taken."""
    elsewhere: dict[str, list[str]] = {}
    for m in known:
        for option in m.options:
            if option not in taken:
                elsewhere.setdefault(option, []).append(m.id)
    said = f"no measure of this run takes option {name!r}"
    if name in elsewhere:
        said += f" (it is an option of {', '.join(elsewhere[name])})."
    elif near := difflib.get_close_matches(name, taken, n=1):
        said += f"; did you mean {near[0]!r}?"
    elif near := difflib.get_close_matches(name, list(elsewhere), n=1):
        said += f"; did you mean {near[0]!r} (an option of {', '.join(elsewhere[near[0]])})?"
    else:
        said += "."
    if taken:
        said += f" This run's options: {', '.join(taken)}."
    return said


def with_earlier_periods(periods: Iterable[int], window: int) -> tuple[int, ...]:
    """The periods a windowed measure reads: each period and the `window - 1` before it (a
    window is only ever more than 1 for reporting years; months stand alone)."""
    return tuple(sorted({p - back for p in periods for back in range(window)}))


Predicate = Callable[[ir.Table, Frame], ir.BooleanValue]


@dataclass(frozen=True)
class Subset:
    """An event query that is the members of `population` for whom `predicate` holds.

    Declared rather than a closure, so that a measure whose event is a subset of its own
    population can count both in one pass over the population.
    """

    population: Query
    predicate: Predicate

    def __call__(self, frame: Frame) -> ir.Table:
        members = self.population(frame)
        return members.filter(self.predicate(members, frame))


@dataclass(frozen=True)
class Among:
    """An event query: the members of `population` with a row of `keys` on the columns `on`.

    Declared rather than a semi-join in a closure, so that a population's count cube can carry
    the event as a flag. `keys(frame)` may depend on the frame's periods only by keeping its
    rows whose `period` is among them, and `on` includes `period`: asked for more periods, the
    same members of each period match.
    """

    population: Query
    keys: Query
    on: tuple[str, ...]

    def __post_init__(self) -> None:
        if "period" not in self.on:
            raise TypeError("an Among event matches its keys on period, among other columns")

    def __call__(self, frame: Frame) -> ir.Table:
        return self.population(frame).semi_join(self.keys(frame), list(self.on))


def subset(population: Query, predicate: Predicate) -> Subset:
    """The event as the members of the population for whom `predicate` holds."""
    return Subset(population, predicate)
