"""What the app holds while it runs: the store behind one lock, and measured results.

DuckDB connections are not safe to share between threads and FastAPI serves requests on a
thread pool, so every use of the store goes through `WebState.store_do` (one lock). Measures
are computed once per question and kept until data changes (an import, an action), so pages
render from memory. Sessions and sign-in throttling are kept in the store itself
(`equitrack.web.sessions`), so a restart or a second server process loses neither.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from fastapi import Request

from equitrack import api
from equitrack.charts import Chart
from equitrack.disclosure import Audience, policy_for, systems_of
from equitrack.disclosure.counts import shown_count
from equitrack.measures.calendar import Interval
from equitrack.measures.populations import Scope
from equitrack.measures.result import Result
from equitrack.release import Release, release_for, staff_groups
from equitrack.reports import quality
from equitrack.store import Store, connect
from equitrack.store.names import unit_names
from equitrack.tracker import actions as tracked
from equitrack.tracker.evidence import RecommendationEvidence, evidence_results, summarise_results
from equitrack.tracker.plan import Plan, load_plan
from equitrack.web import audit
from equitrack.web.access import Permission, Principal
from equitrack.web.sessions import Sessions, Throttle

T = TypeVar("T")


@dataclass(frozen=True)
class Drawn:
    """A chart drawn once: pages show the same SVG until the data changes."""

    title: str
    alt: str
    markup: str

    def svg(self) -> str:
        return self.markup


def drawn(chart: Chart) -> Drawn:
    return Drawn(chart.title, chart.alt, chart.svg())


def address_of(request: Request) -> str:
    """The caller's address, for the audit log and the sign-in throttle."""
    return request.client.host if request.client else ""


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    system: str


@dataclass
class WebState:
    store: Store
    secure_cookies: bool = True
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: dict[Any, Any] = field(default_factory=dict)
    _apart: Store | None = None
    _apart_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # kept in the store: a restart or a second server process loses neither
        self.sessions = Sessions(self.sessions_do)
        self.throttle = Throttle(self.sessions_do)

    def sessions_do(self, work: Callable[[Store], T]) -> T:
        """`work` on the sessions' and sign-in throttle's tables, on a connection of their own
        behind a lock of their own (DuckDB, PostgreSQL): checking the session of every request,
        even the health check's, never waits for a page measuring under the store's lock."""
        if self.store.backend not in ("duckdb", "postgres"):
            return self.store_do(work)
        if self._apart is None:
            made: Store | None = self._connection_apart()  # not under _apart_lock: it may wait
            with self._apart_lock:
                if self._apart is None:
                    self._apart, made = made, None
            if made is not None:
                made.close()
        with self._apart_lock:
            assert self._apart is not None
            return work(self._apart)

    def _connection_apart(self) -> Store:
        if self.store.backend == "duckdb":
            import ibis

            # a second connection to the same database, made from the app's under its lock
            cursor = self.store_do(lambda store: store.con.con.cursor())
            return Store(ibis.duckdb.from_connection(cursor), self.store.url)
        return connect(self.store.url, create=False)

    def store_do(self, work: Callable[[Store], T]) -> T:
        with self._lock:
            return work(self.store)

    def cached(self, key: Any, work: Callable[[Store], T]) -> T:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = work(self.store)
            return self._cache[key]

    def changed(self) -> None:
        """Data changed (an import, an action): measure again when next asked."""
        with self._lock:
            self._cache.clear()

    def audit(
        self, username: str, event: str, detail: str = "", request: Request | None = None
    ) -> None:
        address = address_of(request) if request is not None else ""
        self.store_do(lambda s: audit.record(s, username, event, detail, address))

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

        def summarise(store: Store) -> quality.Quality:
            found = quality.summarise(store, scope, shown=lambda r: self.shown(principal, r))
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

        return self.cached(("quality", scope, exact, self.exact_orgs(principal)), summarise)

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
        results = self.cached(
            ("evidence", year, org),
            lambda s: evidence_results(s, plan, year, org=org, years=plan.years(year)),
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
        """Exact results, measured once per question."""
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
        return self.cached(
            key,
            lambda store: api.run(
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

    def shown(self, principal: Principal, results: list[Result]) -> list[Result]:
        """`results` as this user may see them: exact for an analyst's own organisations, the
        board rules (counts of 1 to 7 hidden, others rounded) for everything else, read from
        the one release protected together for everything a board viewer can reach
        (`equitrack.release`), so no two pages can be subtracted to find a hidden count.

        Answered once per set of results and access: measured results are kept objects, so
        their identities name the set (the cache keeps them alive until data changes)."""
        exact = self.exact_orgs(principal)
        key = ("shown", exact, tuple(id(r) for r in results))
        return self.cached(key, lambda _: (results, self.release(exact).answer(results)))[1]

    def warm(self) -> threading.Thread:
        """Build the board release in the background, so the first page does not wait for it
        (pages asking meanwhile wait for the same build, never start another)."""
        thread = threading.Thread(
            target=self.release, args=(frozenset(),), name="release", daemon=True
        )
        thread.start()
        return thread

    def release(self, exact: frozenset[str]) -> Release:
        """The board release with `exact` organisations' figures exact: one per data version,
        shared with every report made over this store (`equitrack.release.release_for`)."""
        policy = policy_for(Audience.BOARD)
        return self.store_do(lambda store: release_for(store, policy, exact_orgs=exact))

    def exact_orgs(self, principal: Principal) -> frozenset[str]:
        return principal.exact_orgs([o.code for o in self.organisations()])
