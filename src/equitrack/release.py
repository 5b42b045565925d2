"""One protected release per audience and data version: what a protected audience may see.

A board member can put any two figures the dashboard, its API and the reports show side by side
and subtract them: an organisation from the system less the others, Mixed from BME less the
other groups, a month from its year, a staff group from the whole. Protecting each page's
figures on their own cannot stop that (spec: statistics-and-disclosure.md, "Protection is
decided over the whole release that an audience can reach"). So, for each protected audience,
every question a viewer can ask is answered once, together, through one pass of the
disclosure gate, and kept until the data changes:

    release = release_for(store, policy)        # built once per store version and audience
    shown = release.answer(results)             # a page's exact results, as released

`answer` looks each result up in the release by where it sits (measure, options, unit, period,
breakdown, group) and checks it asks the question the release answered (the same exact counts);
a result the release does not hold is withheld whole, never gated on its own. Analysts (an
exact policy) see exact figures and need no release.

What the release covers (`questions`): every family, every organisation and the system, each
grouping (WRES, broad, detailed), the latest `YEARS` reporting years; the staff-group filter
of the measures that take it; the months of the measures charted monthly; and the pay gap of
medical and non-medical staff apart.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from equitrack import api
from equitrack.disclosure import RATIO_FIELDS, Analysis, Policy, analyse, gate, systems_of
from equitrack.disclosure.figures import unit_from
from equitrack.disclosure.gate import Texts, options_text
from equitrack.measures import calendar
from equitrack.measures.calendar import Interval
from equitrack.measures.covered import is_no_data
from equitrack.measures.declare import Shared, check_options
from equitrack.measures.populations import Scope
from equitrack.measures.queries import ALL_STAFF_GROUPS, latest_year
from equitrack.measures.registry import FAMILIES, MEASURES
from equitrack.measures.result import Result, because, readjusted
from equitrack.measures.sources import tables_read
from equitrack.stats.reasons import Code, Reason
from equitrack.store import Store
from equitrack.store.coverage import spans, version, versions, year_of
from equitrack.store.schema import TABLES

#: Reporting years a release covers, counting back from the latest loaded.
YEARS = 8
#: The groupings a viewer can choose.
GROUPINGS = ("wres", "broad", "detailed")
#: Measures whose monthly series are charted (appointments and disciplinary entries).
MONTHLY = ("wres2", "wres3")
#: Measures that take the dashboard's staff-group filter.
FILTERED = ("wres1", "wres4")
#: The staff the pay gap is also reported for apart (the government's 2023 guidance: medical and
#: non-medical staff).
PAY_STAFF = ("medical", "non_medical")
#: Options that say how a result was asked for, not what it counts (a unit's figures are the
#: same whichever other organisations were asked for with it).
_HOW_ASKED = frozenset({"scope", "disclosure"})
_COUNTS = ("numerator", "denominator", "excluded")
_NOT_RELEASED = Reason(Code.NOT_RELEASED)
#: The step a build says to its progress once every question is measured (each question's
#: is "Measuring …"): the figures protected together.
PROTECTING = "Protecting the release"


@dataclass(frozen=True)
class Question:
    """One run of the measures the release answers."""

    families: tuple[str, ...]
    years: tuple[int, ...]
    by: str = "wres"
    system: bool = False
    interval: Interval = Interval.YEAR
    measures: tuple[str, ...] | None = None
    options: tuple[tuple[str, Any], ...] = ()

    def ask(
        self, store: Store, measures: Sequence[str] | None = None, shared: Shared | None = None
    ) -> list[Result]:
        """The question's answer (for `measures` of it alone, if given; sharing populations
        and counts with other questions asked by another grouping, with `shared`)."""
        return api.run(
            self.families,
            self.years,
            store=store,
            system=self.system,
            by=self.by,
            measures=self.measures if measures is None else measures,
            interval=self.interval,
            options=dict(self.options) or None,
            shared=shared,
        )

    def measures_asked(self) -> list[str]:
        return [m.id for m in api.measures_of(self.families, self.measures, self.interval)]

    @property
    def evidence(self) -> bool:
        """Whether the recommendations' evidence adds up its totals from this answer."""
        return self.by == "broad" and not self.options and self.interval is Interval.YEAR


def this_year() -> int:
    """The reporting year today falls in: the release's years stop there (and a kept
    release's files are found under it, with the data's digest, which fix the rest)."""
    return year_of(dt.date.today())


def released_years(store: Store) -> tuple[int, ...]:
    """The reporting years a release covers: the latest `YEARS` up to the latest any loaded
    table reaches (cases and leavers can run past the last start), but not past this one (a
    planned end date is not data)."""
    latest = latest_year(store)
    if latest is None:
        return ()
    now = this_year()
    reached = max((s.last_year for s in spans(store).values() if s.last_year), default=latest)
    top = max(latest, min(reached, now))
    return tuple(range(top - YEARS + 1, top + 1))


def staff_groups(store: Store) -> list[str]:
    """The staff groups of the assignments loaded that the filter takes (the NWD groups; a
    group outside them, which ingest keeps with a warning, counts in "all" only): the ones the
    dashboard offers."""
    allowed = set(MEASURES[FILTERED[0]].allowed("staff_group")) - {ALL_STAFF_GROUPS}
    a = store.table("assignments").select("staff_group").distinct()
    return sorted(g for g in a.to_pyarrow().column(0).to_pylist() if g in allowed)


def questions(store: Store) -> list[Question]:
    """Every question a protected viewer can ask of this store (see the module docstring)."""
    years = released_years(store)
    if not years:
        return []
    out = [
        Question(FAMILIES, years, by=by, system=system)
        for by in GROUPINGS
        for system in (False, True)
    ]
    out += [
        Question(("wres",), years, by=by, measures=FILTERED, options=(("staff_group", g),))
        for by in GROUPINGS
        for g in staff_groups(store)
    ]
    out += [
        Question(("wres",), years, system=system, interval=Interval.MONTH, measures=MONTHLY)
        for system in (False, True)
    ]
    pay = MEASURES["pay_gap"]
    out += [
        Question((pay.family,), years, by=by, system=system, measures=(pay.id,), options=o)
        for by in GROUPINGS
        for system in (False, True)
        for o in ((("staff", staff),) for staff in PAY_STAFF)
    ]
    return out


Key = tuple[str, str, str, int, str | None, str, str]


#: A result's fields that say where it sits (`key_of`), in the order `keys_of` takes them.
KEY_FIELDS = ("measure", "options", "org", "period", "breakdown", "group_type", "group")


def key_of(r: Result, texts: Texts | None = None) -> Key:
    """Where a result sits, whichever way it was asked for (its options' text kept in `texts`
    by the options object, for results that share them)."""
    return next(keys_of([[getattr(r, f)] for f in KEY_FIELDS], texts))


def keys_of(columns: Sequence[Sequence[Any]], texts: Texts | None = None) -> Iterator[Key]:
    """`key_of` each result of `columns` (its `KEY_FIELDS`' values: a kept file's columns read
    without making a result); what the options decide is worked out once per options object
    and organisation, as results share them."""
    texts = {} if texts is None else texts
    where: dict[tuple[str, int], tuple[str, str]] = {}
    for measure, options, org, period, breakdown, group_type, group in zip(*columns, strict=True):
        found = where.get((org, id(options)))
        if found is None:
            kept = options_text(options, texts, leaving_out=_HOW_ASKED)
            found = where[(org, id(options))] = (kept, unit_from(org, options))
        yield (measure, *found, period, breakdown, group_type, group)


@dataclass
class Release:
    """The figures one audience may see, all protected together (see the module docstring)."""

    policy: Policy
    exact_orgs: frozenset[str]
    exact: Sequence[Result]  # as read from disk, made when first read (`release_files.Rows`)
    shown: Sequence[Result]  # likewise
    seconds: float = 0.0
    missed: int = 0  # results asked for that the release does not hold (withheld)
    #: Where each result sits, by measure: of a release read back from disk, each measure's
    #: made when a page first asks for it, from the file's columns (a restarted server's
    #: first page need not make the whole release's results first).
    _index: dict[str, dict[Key, int]] = field(default_factory=dict, repr=False)
    _read: Any = field(default=None, init=False, repr=False)  # `exact`, if read from disk

    def __post_init__(self) -> None:
        from equitrack.release_files import Rows

        self._read = self.exact if isinstance(self.exact, Rows) else None
        if self._read is None:
            columns = [[getattr(r, f) for r in self.exact] for f in KEY_FIELDS]
            for i, key in enumerate(keys_of(columns)):
                self._index.setdefault(key[0], {})[key] = i

    def _places(self, measure: str) -> dict[Key, int]:
        found = self._index.get(measure)
        if found is None and self._read is not None:  # read back: asked for the first time
            places, columns = self._read.columns_of(measure, KEY_FIELDS)
            found = self._index.setdefault(
                measure, dict(zip(keys_of(columns), places, strict=True))
            )
        return found or {}

    def look_up_all(self) -> None:
        """Every measure's places found now, as the dashboard's warm-up does once it has read
        the release, so that no page waits for its own."""
        if self._read is not None:
            for measure in self._read.measures():
                self._places(measure)

    def answer(self, results: Iterable[Result]) -> list[Result]:
        """`results` as this audience may see them: each the release's own figure for it, or
        withheld whole where the release does not hold that question."""
        results = list(results)
        keys = keys_of([[getattr(r, f) for r in results] for f in KEY_FIELDS])
        out = []
        for r, key in zip(results, keys, strict=True):
            if is_no_data(r):  # no counts to protect: a year or table the data does not reach
                out += gate([r], self.policy)
                continue
            i = self._places(r.measure).get(key)
            if i is not None and all(getattr(r, c) == getattr(self.exact[i], c) for c in _COUNTS):
                out.append(self.shown[i])
            else:
                self.missed += 1
                out.append(withheld(r, self.policy))
        return out


def withheld(r: Result, policy: Policy) -> Result:
    """A result the release does not hold: nothing of it shown, and why."""
    shown = (*_COUNTS, "rate", "rate_ci_low", "rate_ci_high", *RATIO_FIELDS, "difference")
    cleared = dict.fromkeys(shown)
    options = {**r.options, "disclosure": policy.describe()}
    return replace(r, **cleared, **because(_NOT_RELEASED), suppressed=True, options=options)


def build(
    store: Store,
    policy: Policy,
    *,
    exact_orgs: Collection[str] = frozenset(),
    exact: Sequence[Result] | Analysis | None = None,
    progress: Callable[[str], None] | None = None,
) -> Release:
    """The release for `policy`: every question asked (or `exact`, results already measured by
    `ask_all`, or already analysed for gating), then gated together once."""
    start = time.perf_counter()
    if not isinstance(exact, Analysis):
        found = list(exact) if exact is not None else ask_all(store, progress)
        exact = analyse(found, systems_of(store))
    if progress:
        progress(PROTECTING)
    shown = gate((), policy, exact_orgs=exact_orgs, analysis=exact)
    return Release(policy, frozenset(exact_orgs), exact.results, shown, time.perf_counter() - start)


@dataclass(frozen=True)
class Answers:
    """The exact answer to every question, by question and measure, with the version of each
    table it was asked of: when data changes, only the measures that read a changed table are
    asked again (an upload of cases counts again what counts cases, not the whole release)."""

    years: tuple[int, ...]
    tables: dict[str, tuple[Any, ...]]
    asked: dict[Question, dict[str, Sequence[Result]]]  # read from disk: made when read
    #: `results()` as read from disk (`release_files.Rows`: each made when first read)
    every: Sequence[Result] | None = field(default=None, compare=False, repr=False)

    def results(self) -> Sequence[Result]:
        """Every answer, with the totals the recommendations' evidence adds up from the broad
        groups' figures."""
        if self.every is not None:
            return self.every
        found = [r for by_measure in self.asked.values() for rs in by_measure.values() for r in rs]
        broad = [r for q, by in self.asked.items() if q.evidence for rs in by.values() for r in rs]
        from equitrack.tracker.evidence import cell_totals  # a command measuring needs none
        from equitrack.tracker.plan import load_plan

        return found + cell_totals(load_plan(), broad)

    def reusable(self, years: tuple[int, ...], tables: dict[str, Any]) -> set[str]:
        """The measures whose answers still hold for data at `tables`: those reading no table
        that changed (none, if the years changed or a table outside the measures' changed)."""
        if years != self.years:
            return set()
        changed = {
            t for t in tables.keys() | self.tables.keys() if tables.get(t) != self.tables.get(t)
        }
        if changed - {t.name for t in TABLES}:
            return set()
        return {m.id for m in MEASURES.values() if not tables_read(m) & changed}


def answers(
    store: Store,
    before: Answers | None = None,
    progress: Callable[[str], None] | None = None,
) -> Answers:
    """The exact answer to every question of the release, once (the same for every audience);
    with `before`, the answers to an earlier version of the data, reusing those that still
    hold."""
    years, tables = released_years(store), versions(store)
    kept = before.reusable(years, tables) if before is not None else set()
    asked: dict[Question, dict[str, Sequence[Result]]] = {}
    qs = questions(store)
    for same in _by_grouping(qs):
        stale = {}
        for q in same:
            old = before.asked.get(q, {}) if before is not None else {}
            stale[q] = [m for m in q.measures_asked() if m not in kept or m not in old]
        wanted = [MEASURES[m] for m in dict.fromkeys(m for ms in stale.values() for m in ms)]
        with api.sharing(wanted, years, same[0].interval) as shared:
            for q in same:
                old = before.asked.get(q, {}) if before is not None else {}
                found: dict[str, list[Result]] = {m: [] for m in stale[q]}
                if stale[q]:
                    if progress:
                        progress(f"Measuring {', '.join(q.families)} by {q.by}")
                    for r in q.ask(store, stale[q], shared):
                        found[r.measure].append(r)
                asked[q] = {m: found[m] if m in found else old[m] for m in q.measures_asked()}
    return Answers(years, tables, {q: asked[q] for q in qs})


def _by_grouping(qs: Iterable[Question]) -> list[list[Question]]:
    """`qs` in runs that differ only in their grouping, asked together: the engine counts by
    ethnic code whatever the grouping, so each count is made once for all three."""
    runs: dict[Question, list[Question]] = {}
    for q in qs:
        runs.setdefault(replace(q, by=""), []).append(q)
    return list(runs.values())


def ask_all(store: Store, progress: Callable[[str], None] | None = None) -> Sequence[Result]:
    """The exact answer to every question of the release (see `answers`)."""
    return answers(store, progress=progress).results()


_CACHE: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()
#: What is being made now, per database: (version, key) -> the event set when it is made.
_MAKING: weakref.WeakKeyDictionary[Any, dict[Any, threading.Event]] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()


def _kept(store: Store, key: Any, make: Callable[[], Any]) -> Any:
    """`make()` once per database, data version and `key`; an older version's are dropped.

    Made outside the lock: a release kept is read at once while another is built (a dashboard
    warming an analyst's release after an upload holds no viewer back), and two keys are made
    side by side. Whoever asks for a key being made waits for that making, never makes it
    twice; if it fails, the next to ask makes it again (and says its own failure)."""
    now = version(store)
    while True:
        with _LOCK:
            kept = _CACHE.setdefault(store.database, {})
            for old in [k for k in kept if k[0] != now]:
                del kept[old]
            if (now, key) in kept:
                return kept[(now, key)]
            making = _MAKING.setdefault(store.database, {})
            underway = making.get((now, key))
            if underway is None:
                making[(now, key)] = done = threading.Event()
                break
        underway.wait()
    try:
        value = make()
        with _LOCK:
            _CACHE.setdefault(store.database, {})[(now, key)] = value
        return value
    finally:
        with _LOCK:
            del making[(now, key)]
        done.set()


#: The answers last asked of each database: the next data version asks only what changed.
_ASKED: weakref.WeakKeyDictionary[Any, Answers] = weakref.WeakKeyDictionary()


def _analysed(store: Store, progress: Callable[[str], None] | None = None) -> Analysis:
    """This data version's answers, read for gating (once, for every audience): those kept on
    disk for it (`equitrack.release_files`), else measured (asking again only what changed
    since the answers last asked, each question said to `progress`) and kept."""
    from equitrack import release_files

    shelf = release_files.shelf_of(store)
    found = _kept(store, _ON_DISK, lambda: _read_answers(store, shelf))
    if found is not None:
        asked, results = found, _every_answer(store, found)
    else:
        asked = answers(store, before=_ASKED.get(store.database), progress=progress)
        results = asked.results()
        if shelf is not None:
            shelf.keep_answers(asked, results)
    _ASKED[store.database] = asked
    return analyse(results, systems_of(store))


#: The keys `_kept` keeps the answers read from disk under, and every result of them.
_ON_DISK, _ON_DISK_RESULTS = "answers on disk", "every answer on disk"
#: The key `_kept` keeps this data version's answers (`_analysed`) under.
_ANSWERS = "answers"


def _read_answers(store: Store, shelf: Any) -> Answers | None:
    """This version's answers as kept on disk (each result made when first read), or None."""
    asked = shelf.answers() if shelf is not None else None
    if asked is not None:
        _ASKED[store.database] = asked  # the next data version asks only what changed
    return asked


def _every_answer(store: Store, asked: Answers) -> Sequence[Result]:
    """Every result of the answers read from disk, in order (each made when first read)."""
    return _kept(store, _ON_DISK_RESULTS, asked.results)


def shelf(store: Store) -> Any:
    """Where this data version's releases are kept on disk (`release_files.Shelf`), or None;
    found once per data version."""
    from equitrack import release_files

    return _kept(store, "shelf", lambda: release_files.shelf_of(store))


def current_answers(store: Store) -> Answers | None:
    """This data version's answers if they are measured or kept on disk (read back now, if
    not yet read); None if they would have to be measured."""
    from equitrack import release_files

    now = version(store)
    with _LOCK:
        kept = _CACHE.get(store.database, {})
        if (now, _ANSWERS) in kept:  # measured (or read) for this version: `_analysed`
            return _ASKED.get(store.database)
        if (now, _ON_DISK) in kept:  # looked for on disk already (finding the shelf costs)
            return kept[(now, _ON_DISK)]
    shelf = release_files.shelf_of(store)
    return _kept(store, _ON_DISK, lambda: _read_answers(store, shelf))


def measuring(store: Store) -> threading.Event | None:
    """Set when the answers being measured for this data version are measured; None if none
    are being measured. Every figure a page shows is read from them in the end (its release
    is built from them), so a page asking meanwhile waits for them (not on any lock: see
    `equitrack.web.state`) rather than measure its own beside them, which slows both."""
    now = version(store)
    with _LOCK:
        return _MAKING.get(store.database, {}).get((now, _ANSWERS))


def answered(
    store: Store,
    families: str | Sequence[str],
    years: Sequence[int],
    *,
    orgs: Sequence[str] = (),
    system: bool = False,
    by: str = "wres",
    measures: Sequence[str] | None = None,
    interval: Interval = Interval.YEAR,
    options: dict[str, Any] | None = None,
) -> list[Result] | None:
    """What `api.run` answers to this question, read from this data version's answers where
    the release asked it of every measure, unit and year (None where it did not, or they are
    not measured yet): the dashboard's questions are the release's, so a page after a restart
    reads what was kept instead of measuring it again, and always shows the release's figures.

    The release asked each measure of every organisation (or the system) over all its years:
    a unit's figures for a year are the same whichever other units and years are asked with
    them, so only the scope they were asked with is put back, and the verdicts allowing for
    many comparisons are made again over those reported together (`readjusted`)."""
    asked = current_answers(store)
    if asked is None or (system and orgs) or not set(years) <= set(asked.years):
        return None
    try:
        chosen = api.measures_of(families, measures, interval)
        check_options(chosen, options, MEASURES.values())
        wanted = [(m, m.resolve(options)) for m in chosen]
    except (KeyError, ValueError):  # not a question the release asks: `api.run` says why
        return None
    scope = Scope(tuple(orgs), system).as_option()
    periods = set(calendar.periods(years, interval))
    out: list[Result] = []
    for m, resolved in wanted:
        found = _asked_of(asked, m.id, resolved, by=by, system=system, interval=interval)
        units = {r.org for r in found or ()}
        if found is None or not units >= set(orgs):
            return None
        mine = [r for r in found if r.period in periods and (not orgs or r.org in orgs)]
        recorded: dict[int, dict[str, Any]] = {}  # results that shared options still do
        for r, adjusted in zip(mine, readjusted(mine), strict=True):
            options_now = recorded.setdefault(id(r.options), {**r.options, "scope": scope})
            out.append(replace(r, options=options_now, verdict_adjusted=adjusted))
    return out


def _asked_of(
    asked: Answers, measure: str, resolved: dict[str, Any], **how: Any
) -> list[Result] | None:
    """`measure`'s answer to the release's question asked `how` (grouping, system, interval)
    with the same options in force for it."""
    m = MEASURES[measure]
    for q, by_measure in asked.asked.items():
        same = all(getattr(q, name) == value for name, value in how.items())
        if same and measure in by_measure and m.resolve(dict(q.options)) == resolved:
            return by_measure[measure]
    return None


def run(
    families: str | Sequence[str], years: Sequence[int], *, store: Store, **question: Any
) -> list[Result]:
    """`api.run`'s answer, read from the release's answers where it asked the question
    (`answered`), else measured."""
    found = answered(store, families, years, **question)
    if found is not None:
        return found
    return api.run(families, years, store=store, **question)


def release_for(
    store: Store,
    policy: Policy,
    *,
    exact_orgs: Collection[str] = frozenset(),
    progress: Callable[[str], None] | None = None,
) -> Release:
    """The release for `policy` on this store's data, built once per data version and kept
    with the database (every page, API call and report over it reads the same one), and on
    disk, so the next process over the same data reads it back (`equitrack.release_files`);
    for an exact policy, a release that passes results as they are. Each step of a build is
    said to `progress` (`equitrack import` shows them)."""
    if policy.exact:
        return _Exact(policy, frozenset(exact_orgs), [], [])
    return _kept(
        store,
        _release_key(policy, exact_orgs),
        lambda: _released(store, policy, exact_orgs, progress),
    )


def _release_key(policy: Policy, exact_orgs: Collection[str]) -> tuple[Policy, frozenset[str]]:
    """What `_kept` keeps a release under (beside its data version)."""
    return policy, frozenset(exact_orgs)


def look_up(
    store: Store, policy: Policy, exact_orgs: Collection[str] = frozenset()
) -> tuple[Release | None, threading.Event | None]:
    """The release `release_for` gives, if it is in memory for this data version already;
    else the event set when the build under way (if one is) has finished. Found without
    waiting for a build or starting one, from one look at the data version."""
    if policy.exact:
        return release_for(store, policy, exact_orgs=exact_orgs), None
    key = (version(store), _release_key(policy, exact_orgs))
    with _LOCK:
        kept = _CACHE.get(store.database, {})
        if key in kept:  # `in`, as `_kept` asks (the tests' shared stores answer it)
            return kept[key], None
        return None, _MAKING.get(store.database, {}).get(key)


def _released(
    store: Store,
    policy: Policy,
    exact_orgs: Collection[str],
    progress: Callable[[str], None] | None = None,
) -> Release:
    """The release as kept on disk for this data version, policy and exact organisations;
    else built (from the answers kept, if they are) and kept."""
    from equitrack import release_files

    shelf = release_files.shelf_of(store)
    if shelf is not None:
        found = _kept(store, _ON_DISK, lambda: _read_answers(store, shelf))
        if found is not None:
            exact = _every_answer(store, found)
            kept = shelf.shown(policy, exact_orgs, len(exact))
            if kept is not None:
                return Release(policy, frozenset(exact_orgs), exact, *kept)
    analysis = _kept(store, _ANSWERS, lambda: _analysed(store, progress))
    made = build(store, policy, exact_orgs=exact_orgs, exact=analysis, progress=progress)
    if shelf is not None:
        shelf.keep_release(policy, exact_orgs, made.shown, made.seconds)
    return made


class _Exact(Release):
    """Exact figures (analysts): nothing to protect, so nothing to build."""

    def answer(self, results: Iterable[Result]) -> list[Result]:
        return gate(results, self.policy)


__all__ = [
    "FILTERED",
    "GROUPINGS",
    "MONTHLY",
    "PAY_STAFF",
    "PROTECTING",
    "YEARS",
    "Answers",
    "Question",
    "Release",
    "answered",
    "answers",
    "ask_all",
    "build",
    "current_answers",
    "key_of",
    "questions",
    "release_for",
    "released_years",
    "run",
    "staff_groups",
    "this_year",
    "withheld",
]
