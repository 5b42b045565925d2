"""What the app holds while it runs: the store behind one lock, and measured results.

DuckDB connections are not safe to share between threads and FastAPI serves requests on a
thread pool, so every use of the store goes through `WebState.store_do` (one lock); long work
(an upload's import, building a release, writing a report) runs on a connection of its own
(`WebState.apart_do`), holding no page back. Measures are computed once per question and kept
until data changes (an import, an action), so pages render from memory. Sessions and sign-in
throttling are kept in the store itself (`equitrack.web.sessions`), so a restart or a second
server process loses neither.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from fastapi import Request

from equitrack import release
from equitrack.charts import Chart
from equitrack.disclosure import Audience, policy_for, systems_of
from equitrack.disclosure.counts import shown_count
from equitrack.logs import log
from equitrack.measures.calendar import Interval
from equitrack.measures.populations import Scope
from equitrack.measures.result import Result
from equitrack.progress import Advance
from equitrack.release import Release, release_for, staff_groups
from equitrack.release_files import Drawing
from equitrack.reports import quality
from equitrack.reports.naming import chart_named, namer
from equitrack.store import Store, StoreBusy, connect
from equitrack.store.coverage import version
from equitrack.store.lending import Lender
from equitrack.store.names import unit_names
from equitrack.tracker import actions as tracked
from equitrack.tracker.evidence import RecommendationEvidence, evidence_results, summarise_results
from equitrack.tracker.plan import Plan, load_plan
from equitrack.web import audit
from equitrack.web.access import Permission, Principal
from equitrack.web.sessions import Sessions, Throttle

T = TypeVar("T")
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drawn:
    """A chart drawn once: pages show the same SVG until the data changes."""

    title: str
    alt: str
    markup: str

    def svg(self) -> str:
        return self.markup


def drawn(chart: Chart, names: Mapping[str, str] | None = None) -> Drawn:
    """The chart drawn, its organisations and systems `names`d as the reports name them."""
    if names:
        chart = chart_named(chart, namer(names))
    return Drawn(chart.title, chart.alt, chart.svg())


def address_of(request: Request) -> str:
    """The caller's address, for the audit log and the sign-in throttle."""
    return request.client.host if request.client else ""


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    system: str


class DataChanged(Exception):
    """The data changed (an import finished) while a page was being put together from what was
    measured before: the page is asked for again, so it shows the old data or the new, never
    part of each."""


#: For a GET or HEAD request: the data version its page reads, set on its first read
#: (`WebState.cached`); None outside such a request. Set by `OneVersion`.
PINNED: ContextVar[list[int | None] | None] = ContextVar("equitrack_pinned", default=None)
#: Set for a request a page's script makes to see whether the page it stands for is ready
#: (`static/equitrack/again.js` says so in this header): told at once, it holds no server thread
#: for the app's patience each time it asks, however many such pages are left open.
AGAIN: ContextVar[bool] = ContextVar("equitrack_again", default=False)
AGAIN_HEADER = b"x-equitrack-again"


class OneVersion:
    """ASGI middleware: each GET or HEAD request reads one version of the data (`PINNED`), and
    one a page's script makes to see whether it is ready is marked so (`AGAIN`)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        token = PINNED.set([None])
        again = AGAIN.set(any(name == AGAIN_HEADER for name, _ in scope.get("headers", ())))
        try:
            await self.app(scope, receive, send)
        finally:
            AGAIN.reset(again)
            PINNED.reset(token)


class Preparing(Exception):
    """The figures a page shows are being prepared (the new data's answers measured, a release
    protected) and were not ready within the app's patience (`WebState.patience`): the page
    says so and is asked for again; the work goes on meanwhile, once."""


#: How long a page of `equitrack serve` waits for figures being prepared before it says so
#: (`Preparing`), in seconds: after new data, preparing them takes minutes on a large
#: system, longer than a visitor (or a reverse proxy) waits for a page without a word.
PAGE_PATIENCE = 0.5


#: How long a page waits for a store another process has (an import), in seconds.
STORE_WAIT = 60.0
#: How long a session check waits for it before answering from the sessions seen before.
SESSION_WAIT = 0.5
#: How often, at most, a store that is not lent is asked whether another process changed it.
CHECK_EVERY = 1.0
#: After data change, the warm-up starts again once no further change has come for this long
#: (seconds): several files uploaded one after another are warmed for once, after the last.
REWARM_QUIET = 5.0

#: A step of the warm-up: its name, and the work.
Step = tuple[str, Callable[[], object]]


@dataclass
class WebState:
    store: Store
    secure_cookies: bool = True
    #: A DuckDB file held only while in use, so commands can open it while the app serves.
    lend: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: dict[Any, Any] = field(default_factory=dict)
    _apart: Store | None = None
    _apart_lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: threading.Event = field(default_factory=threading.Event)
    #: The warm-up: its plan (`warm`), whether it is wanted again, its thread while it runs.
    _warm_plan: Callable[[], Sequence[Step]] | None = None
    _warm_again: threading.Event = field(default_factory=threading.Event)
    _warm_thread: threading.Thread | None = None
    _warm_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Held while a release is built (`release`).
    _build_lock: threading.Lock = field(default_factory=threading.Lock)
    #: How long a reader's request waits for figures being prepared before it is told so
    #: (`Preparing`); None: until they are ready. Work without a reader (the warm-up, a
    #: report) always waits.
    patience: float | None = None
    #: The releases being prepared in the background for readers who were told so, by their
    #: exact organisations (`_prepared`).
    _preparing: dict[frozenset[str], _Preparation] = field(default_factory=dict)
    _preparing_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # kept in the store: a restart or a second server process loses neither
        self.sessions = Sessions(self.sessions_do)
        self.throttle = Throttle(self.sessions_do)
        described = self.store is None  # an app made only for its description (its routes)
        self.url = "" if described else self.store.url
        self.backend = "" if described else self.store.backend
        # what is kept about the data (the release) belongs to the database: it outlives an opening
        self.database = None if described else self.store.database
        #: Counts the changes of data seen; what the cache holds was measured at `_measured`.
        self.generation = self._measured = 0
        self._version = version(self.store) if self.backend in ("duckdb", "postgres") else None
        self._checked = time.monotonic()
        self._in_snapshot = False
        self._lender: Lender | None = None
        if self.lend and self.backend == "duckdb":
            self._lender = Lender(
                self.store, lambda: connect(self.url, create=False, wait=0), self._notice
            )

    # --- the store, and whether another process changed it --------------------------------

    @contextmanager
    def held(self, wait: float = STORE_WAIT) -> Iterator[Store]:
        """The store for the block: the app's own, or the lent file while it is free (waiting
        up to `wait` seconds for a command using it, else `StoreBusy`)."""
        if self._lender is None:
            yield self.store
            return
        with self._lender.hold(wait) as store:
            yield store

    def _notice(self, store: Store) -> None:
        """Whether the data changed since last seen (an import by this process or another): if
        so, what was measured is measured again when next asked."""
        if self._version is None:
            return
        now = version(store)
        if now != self._version:
            self._version = now
            self.generation += 1
            self._rewarm()

    def _maybe_notice(self, store: Store) -> None:
        """`_notice`, at most once a CHECK_EVERY, for a store no other process can be lent (a
        PostgreSQL database other servers and machines import into)."""
        if self._lender is None and time.monotonic() - self._checked >= CHECK_EVERY:
            self._checked = time.monotonic()
            self._notice(store)

    def sessions_do(self, work: Callable[[Store], T], wait: float = SESSION_WAIT) -> T:
        """`work` on the sessions' and sign-in throttle's tables (and the users' and the audit
        log's, for signing in), on a connection of their own behind a lock of their own
        (DuckDB, PostgreSQL): checking the session of every request, even the health check's,
        and signing in never wait for a page measuring, or a warm-up step reading a release,
        under the store's lock. `wait`: how long for a command that has the file. Every
        request passes here first, so here the app notices data changed elsewhere."""
        if self.backend not in ("duckdb", "postgres"):
            return self.store_do(work)
        if self._lender is not None:
            with self._lender.hold(wait) as store, self._apart_lock:
                apart = self._cursor_of(store)
                try:
                    return work(apart)
                finally:
                    apart.close()
        if self._apart is None:
            made: Store | None = self._connection_apart()  # not under _apart_lock: it may wait
            with self._apart_lock:
                if self._apart is None:
                    self._apart, made = made, None
            if made is not None:
                made.close()
        with self._apart_lock:
            assert self._apart is not None
            self._maybe_notice(self._apart)
            return work(self._apart)

    def _cursor_of(self, store: Store) -> Store:
        import ibis

        return Store(ibis.duckdb.from_connection(store.con.con.cursor()), self.url)

    def apart_do(self, work: Callable[[Store], T]) -> T:
        """`work` on a connection of its own, holding none of the app's locks while it runs:
        long work (an upload's import, building a release, writing a report) leaves every
        page free. DuckDB: a cursor of the app's connection (made under the app's lock, the
        connection it is made from being the app's), the file held open while it runs;
        PostgreSQL: a connection of its own. Another engine: under the app's lock."""
        if self.backend not in ("duckdb", "postgres"):
            return self.store_do(work)
        with self.held():  # a lent DuckDB file stays open while the work runs
            own = self._connection_apart()
            try:
                return work(own)
            finally:
                own.close()

    def _connection_apart(self) -> Store:
        if self.backend == "duckdb":
            # a second connection to the same database, made from the app's under its lock
            return self.store_do(self._cursor_of)
        return connect(self.url, create=False)

    def store_do(self, work: Callable[[Store], T], wait: float = STORE_WAIT) -> T:
        # the store first: waiting for a command to let it go must not hold the page lock,
        # or pages already measured would wait too
        with self.held(wait) as store, self._lock:
            return work(store)

    def cached(self, key: Any, work: Callable[[Store], T]) -> T:
        """`work`'s answer, measured once per data version; within one page, every answer is of
        the same version (`DataChanged` otherwise). An answer kept is given without the store,
        so pages already measured answer while another process (an import) has it."""
        hit, found = self._found(key)
        if hit:
            return found  # type: ignore[no-any-return]
        with self.held() as store, self._lock:
            self._drop_stale()  # opening the store may have found the data changed
            if key not in self._cache:
                with self._snapshot(store):
                    self._maybe_notice(store)
                    self._drop_stale()
                    self._cache[key] = work(store)
            return self._pinned(self._cache[key])

    def _after_answers(self, key: Any) -> None:
        """Unless `key`'s figures are kept, wait for the release's answers if they are being
        measured (`release.measuring`), holding no lock while waiting: the page then
        reads its figures from them instead of measuring them again beside them."""
        if self._found(key)[0]:
            return
        if self._patience() is not None:
            # every figure is read from the answers the board release is built from: a reader
            # told to come back while they are measured holds nothing meanwhile
            self.release(frozenset())
            return
        underway = self.sessions_do(release.measuring, STORE_WAIT)
        if underway is not None:
            underway.wait()

    def _found(self, key: Any) -> tuple[bool, Any]:
        """Whether `key`'s answer is kept, and the answer (see `cached`)."""
        with self._lock:
            self._drop_stale()
            if key in self._cache:
                return True, self._pinned(self._cache[key])
        return False, None

    def _pinned(self, value: T) -> T:
        """`value`, if it is of the version this page has read so far (the first read sets it)."""
        pinned = PINNED.get()
        if pinned is not None:
            if pinned[0] is None:
                pinned[0] = self._measured
            elif pinned[0] != self._measured:
                raise DataChanged
        return value

    @contextmanager
    def _snapshot(self, store: Store) -> Iterator[None]:
        """One repeatable-read transaction around a measurement on PostgreSQL (the outermost),
        so it reads one version of the data while another server or machine commits an import.

        Not on DuckDB: no other process writes the file while the app holds it (lending), and
        DuckDB registers Ibis's in-memory tables in the transaction, which a rollback would
        drop behind Ibis's back."""
        if self._in_snapshot or store.backend != "postgres":
            yield
            return
        store.con.raw_sql("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        self._in_snapshot = True
        try:
            yield
        except BaseException:
            store.con.raw_sql("ROLLBACK")
            store.con._memtables.clear()  # created in the transaction: gone with it
            raise
        else:
            store.con.raw_sql("COMMIT")
        finally:
            self._in_snapshot = False

    def _drop_stale(self) -> None:
        if self._measured != self.generation:
            self._cache.clear()
            self._measured = self.generation

    def changed(self) -> None:
        """Data changed (an upload's import): measure again when next asked. The version of
        the data it made is taken as seen, so the next request does not count the same change
        again (twice, the app would warm up twice and send a page being made "asked again")."""
        if self._version is not None:
            with suppress(StoreBusy):  # a command has the file: a request notices it later
                self._version = self.store_do(version)
        with self._lock:
            self.generation += 1
            self._drop_stale()
        self._rewarm()

    def close(self) -> None:
        """Let the store go: the lent file, or the app's own connection."""
        self._closed.set()  # a warm-up still running stops at its next step
        self._warm_again.set()  # and one waiting for the data to settle stops waiting
        if self._lender is not None:
            self._lender.close()
        else:
            self.store.close()

    def audit(
        self, username: str, event: str, detail: str = "", request: Request | None = None
    ) -> None:
        address = address_of(request) if request is not None else ""
        self.sessions_do(lambda s: audit.record(s, username, event, detail, address), STORE_WAIT)

    # --- what is loaded ------------------------------------------------------------------

    def organisations(self) -> list[Organisation]:
        def read(store: Store) -> list[Organisation]:
            rows = store.table("organisations").order_by("org_code").to_pyarrow().to_pylist()
            return [Organisation(r["org_code"], r["name"], r["system_code"]) for r in rows]

        return self.cached("organisations", read)

    def loaded(self, org: str) -> bool:
        return any(o.code == org for o in self.organisations())

    def visible(self, principal: Principal) -> list[Organisation]:
        """The organisations loaded that the user's scope covers."""
        return [o for o in self.organisations() if principal.sees(o.code)]

    def scope(self, principal: Principal) -> Scope:
        """The organisations a user reads, as the measures take them: every one (an empty
        scope) only for the whole system. A user none of whose organisations is loaded is
        scoped to those, so reads nothing: never everyone's."""
        if principal.whole_system:
            return Scope()
        return Scope(tuple(o.code for o in self.visible(principal)) or principal.orgs)

    def upload_scope(self, principal: Principal) -> tuple[str, ...] | None:
        """The organisations a user's upload may load rows of (None: any, the whole system)."""
        return None if principal.whole_system else principal.orgs

    def tracker_scope(self, principal: Principal) -> str | None:
        """Whose recommendations and journeys a user reads: the whole system (None) for a
        whole-system user, else their first organisation."""
        scope = self.scope(principal)
        return scope.orgs[0] if scope.orgs else None

    def quality(self, principal: Principal) -> quality.Quality:
        """The data-quality summary of the user's scope: declaration through their gate, and
        the files of their organisations, with row counts exact only for those who see exact
        figures (board rules for everyone else)."""
        scope, exact = self.scope(principal), principal.may(Permission.EXACT)
        key = ("quality", scope, exact, self.exact_orgs(principal))
        hit, kept = self._found(key)
        if hit:
            return kept  # type: ignore[no-any-return]
        self._after_answers(key)
        built = self.release(self.exact_orgs(principal))  # before the page lock (see `shown`)

        def summarise(store: Store) -> quality.Quality:
            found = quality.summarise(store, scope, shown=built.answer, run=release.run)
            if exact:
                return found
            board = policy_for(Audience.BOARD)
            shown = [
                replace(
                    b,
                    **{
                        name: None if n is None else shown_count(n, board)
                        for name in ("rows_read", "rows_loaded", "rows_rejected")
                        for n in (getattr(b, name),)
                    },
                )
                for b in found.batches
            ]
            return replace(found, batches=tuple(shown))

        return self.cached(key, summarise)

    def audit_entries(self, principal: Principal, limit: int = 500) -> list[audit.Entry]:
        """The audit log as the user may read it: all of it for the whole system, else the
        entries of users every organisation of whom is in their scope."""
        from equitrack.web.users import list_users

        def read(store: Store) -> list[audit.Entry]:
            found = audit.entries(store, limit)
            if principal.whole_system:
                return found
            mine = {u.username for u in list_users(store) if all(principal.sees(o) for o in u.orgs)}
            return [e for e in found if e.username in mine]

        return self.store_do(read)

    def names(self) -> dict[str, str]:
        """What readers call each organisation and system (as the reports do)."""
        return self.cached("names", unit_names)

    def staff_groups(self) -> list[str]:
        """The staff groups the dashboard's filter offers (those the release holds)."""
        return self.cached("staff groups", staff_groups)

    def latest_year(self) -> int | None:
        from equitrack.measures.queries import latest_year

        return self.cached("latest_year", latest_year)

    def systems(self) -> dict[str, tuple[str, ...]]:
        return self.cached("systems", systems_of)

    # --- the recommendations -----------------------------------------------------------------

    def evidence(self, principal: Principal, year: int, plan: Plan) -> list[RecommendationEvidence]:
        """Each recommendation's evidence in the user's tracker scope, through their gate."""
        org = self.tracker_scope(principal)
        self._after_answers(("evidence", year, org))
        results = self.cached(
            ("evidence", year, org),
            lambda s: evidence_results(
                s, plan, year, org=org, years=plan.years(year), run=release.run
            ),
        )
        return summarise_results(plan, year, self.shown(principal, results))

    def action_owner(self, action_id: int) -> str | None:
        """The organisation an action belongs to as stored (None for no such action), for the
        guard, which has read the id from the path (`equitrack.web.guard.parse_id`)."""
        found = self.store_do(lambda s: tracked.actions(s, load_plan()))
        return next((a.owner for a in found if a.action_id == action_id), None)

    def actions(self, principal: Principal) -> list[tracked.Action]:
        """The actions of the organisations in the user's scope (every one for the whole
        system): another organisation's actions, and their statuses, are theirs."""
        found = self.store_do(lambda s: tracked.actions(s, load_plan()))
        return [a for a in found if principal.sees(a.owner)]

    # --- figures ---------------------------------------------------------------------------

    def results(
        self,
        family: str,
        years: Sequence[int],
        *,
        orgs: Sequence[str] = (),
        system: bool = False,
        by: str = "wres",
        measures: Sequence[str] | None = None,
        interval: Interval = Interval.YEAR,
        options: dict[str, Any] | None = None,
    ) -> list[Result]:
        """Exact results, once per question: read from the release's answers where it asked the
        question (after a restart, read back from disk), else measured."""
        key = (
            "results",
            family,
            tuple(years),
            tuple(orgs),
            system,
            by,
            tuple(measures or ()),
            interval,
            tuple(sorted((options or {}).items())),
        )
        self._after_answers(key)
        return self.cached(
            key,
            lambda store: release.run(
                family,
                tuple(years),
                store=store,
                orgs=orgs,
                system=system,
                by=by,
                measures=measures,
                interval=interval,
                options=options,
            ),
        )

    def drawings(self, what: Any, draw: Callable[[], list[Drawn]]) -> list[Drawn]:
        """The charts `draw` draws from `what` (everything they are drawn from: the figures,
        the names, the question), kept on disk with this data version's releases
        (`release_files.Shelf.drawn`): a restarted server shows them without drawing them
        again, which takes longer than reading the figures. Pages keep them in memory too."""
        shelf = self.cached("shelf", release.shelf)
        if shelf is not None:
            found = shelf.drawn(what)
            if found is not None:
                return [Drawn(d.title, d.alt, d.svg) for d in found]
        made = draw()
        if shelf is not None:
            shelf.keep_drawn(what, [Drawing(d.title, d.alt, d.markup) for d in made])
        return made

    def shown(self, principal: Principal, results: list[Result]) -> list[Result]:
        """`results` as this user may see them: exact for an analyst's own organisations, the
        board rules (counts of 1 to 7 hidden, others rounded) for everything else, read from
        the one release protected together for everything a board viewer can reach
        (`equitrack.release`), so no two pages can be subtracted to find a hidden count.

        Answered once per set of results and access: measured results are kept objects, so
        their identities name the set (the cache keeps them alive until data changes). The
        release is found before the page lock is taken: a page waiting for its release to be
        built holds no other page back."""
        exact = self.exact_orgs(principal)
        key = ("shown", exact, tuple(id(r) for r in results))
        hit, found = self._found(key)
        if not hit:
            built = self.release(exact)
            found = self.cached(key, lambda _: (results, built.answer(results)))
        return found[1]  # type: ignore[no-any-return]

    def warm(self, plan: Callable[[], Sequence[Step]] = tuple) -> threading.Thread:
        """Warm up in the background, so the first visitor waits for nothing: the board release
        (read back from disk after a restart, `equitrack.release_files`), the modules pages
        import when first used, then the steps `plan()` gives (each a name
        and a page put together as a reader would ask for it:
        `equitrack.web.warmup.first_pages`; asked each time, so the readers are those of the
        moment). A page asked for meanwhile waits for the same measurement, never starts
        another (`cached`). Each step holds the store on its own, so a command asking for the
        file between steps gets it; a step that fails is logged, and the next one runs.

        Whenever the data change afterwards (an upload, another process's import), the
        warm-up runs again once they have been still for `REWARM_QUIET` seconds: the first
        visitor after an upload waits for nothing either."""
        with self._warm_lock:
            self._warm_plan = plan
        return self._start_warm_up(at_once=True)

    def _rewarm(self) -> None:
        """The data changed: warm up again, if this app warms up at all (`serve` does)."""
        if self._warm_plan is not None and not self._closed.is_set():
            self._start_warm_up(at_once=False)

    def _start_warm_up(self, at_once: bool) -> threading.Thread:
        with self._warm_lock:
            self._warm_again.set()
            if self._warm_thread is None:
                thread = threading.Thread(
                    target=self._warming, args=(at_once,), name="warm-up", daemon=True
                )
                self._warm_thread = thread
                thread.start()
            return self._warm_thread

    def _warming(self, at_once: bool) -> None:
        """Warm up, and again while asked to again (after the data have been still a while)."""
        while True:
            with self._warm_lock:
                if not self._warm_again.is_set() or self._closed.is_set():
                    self._warm_thread = None
                    return
            if not at_once:
                self._settle()
            at_once = False
            with self._warm_lock:
                self._warm_again.clear()
                plan = self._warm_plan or tuple
            # the release first: kept on disk, it is read back in moments and every page asks it
            steps: list[Step] = [("board release", self._board), ("imports", _import_heavy)]
            try:
                steps += plan()
            except Exception:  # reading who to warm for: the board release is still worth it
                LOG.exception("warm-up could not plan its pages")
            run_steps(steps, self._closed)

    def _settle(self) -> None:
        """Wait until no change has come for `REWARM_QUIET` seconds (or the app closes)."""
        self._warm_again.clear()
        while not self._closed.wait(REWARM_QUIET) and self._warm_again.is_set():
            self._warm_again.clear()  # another change meanwhile: wait again

    def _board(self) -> None:
        self.release(frozenset()).look_up_all()  # without the store: pages answer meanwhile

    def release(self, exact: frozenset[str]) -> Release:
        """The board release with `exact` organisations' figures exact: one per data version,
        shared with every report made over this store (`equitrack.release.release_for`).
        One built already is found on the sessions' connection, without waiting for a page
        measuring (waiting, as a page does, for a command that has the file); one to build is
        built on a connection of its own (`apart_do`), so pages that do not read it are
        answered meanwhile.

        In a reader's request with the app's `patience` set, a release not built yet is built in
        the background (`_prepared`), and the reader is told after `patience` seconds that
        their figures are being prepared (`Preparing`)."""
        patience = self._patience()
        if patience is None:
            return self._release(exact)
        deadline = time.monotonic() + patience
        while True:
            found, _ = self._look_up(exact)
            if found is not None:
                return found
            done = self._prepared(exact)
            if not done.finished.wait(max(0.0, deadline - time.monotonic())):
                raise Preparing
            if done.error is not None:  # said as the page's own failure; the next asks again
                raise done.error

    def _patience(self) -> float | None:
        """How long this thread waits for figures being prepared: the app's `patience` in a
        reader's request (`PINNED` is set for it), none when a page's script asks whether they
        are ready (`AGAIN`), else until they are ready."""
        if PINNED.get() is None or self.patience is None:
            return None
        return 0.0 if AGAIN.get() else self.patience

    def _look_up(self, exact: frozenset[str]) -> tuple[Release | None, threading.Event | None]:
        policy = policy_for(Audience.BOARD)
        return self.sessions_do(lambda store: release.look_up(store, policy, exact), STORE_WAIT)

    def _prepared(self, exact: frozenset[str]) -> _Preparation:
        """The background preparation of `exact`'s release: the one under way, else one
        started now (one thread per release however many readers ask meanwhile)."""
        with self._preparing_lock:
            under_way = self._preparing.get(exact)
            if under_way is not None and not under_way.finished.is_set():
                return under_way
            self._preparing[exact] = preparing = _Preparation()

        def prepare() -> None:
            try:
                self._release(exact)
            except Exception as error:  # given to the readers waiting, and logged
                preparing.error = error
                LOG.exception("preparing figures failed")
            finally:
                preparing.finished.set()

        threading.Thread(target=prepare, name="preparing figures", daemon=True).start()
        return preparing

    def _release(self, exact: frozenset[str]) -> Release:
        """`release`, waiting until it is ready."""
        policy = policy_for(Audience.BOARD)
        while True:
            found, underway = self._look_up(exact)
            if found is not None:
                return found
            if underway is None:
                break
            underway.wait()  # built by another thread: then read (or built again, if it failed)
        # one build at a time: side by side (the warm-up's board release, an analyst's own)
        # each takes longer than both in turn, and the board's viewers wait for the slower
        with self._build_lock:
            return self.apart_do(lambda store: release_for(store, policy, exact_orgs=exact))

    def exact_orgs(self, principal: Principal) -> frozenset[str]:
        return principal.exact_orgs([o.code for o in self.organisations()])


@dataclass
class _Preparation:
    """A release being prepared in the background for readers told to come back."""

    finished: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


#: What pages import on first use, at a second or more between them (the statistics of the
#: journeys and the funnels, and the chart renderer's JavaScript engine).
HEAVY_MODULES = ("scipy.stats", "lifelines", "vl_convert")


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)
    # the renderer starts its engine on its first chart: one tiny chart starts it
    import altair as alt

    points = alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    Chart("warm-up", "warm-up", [], points).svg()


def run_steps(
    steps: Sequence[tuple[str, Callable[[], object]]],
    closed: threading.Event,
    advance: Advance = lambda _n: None,
) -> int:
    """Run each step in turn, logging how long it took, until the app closes; a failure is
    logged and counted (the count returned), never raised. `advance` is told of each step
    done (a progress bar's)."""
    began = time.perf_counter()
    failed = 0
    for name, step in steps:
        if closed.is_set():
            log(LOG, "warm-up stopped: the dashboard is closing", step=name)
            return failed
        start = time.perf_counter()
        try:
            step()
        except StoreBusy:  # a command had the file too long (its page measures when asked)
            failed += 1  # or the app closed it (said at the next step)
            if not closed.is_set():
                log(LOG, "warm-up step waited too long for the store", logging.WARNING, step=name)
        except Exception:
            failed += 1
            LOG.exception("warm-up step %s failed", name)
        else:
            log(LOG, "warm-up step", step=name, seconds=round(time.perf_counter() - start, 3))
        advance(1)
    seconds = round(time.perf_counter() - began, 3)
    log(LOG, "warm-up finished", steps=len(steps), failed=failed, seconds=seconds)
    return failed
