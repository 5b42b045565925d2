"""Signed-in sessions and sign-in throttling, kept in the store: the cookie carries only a token.

Both live in the store's own tables (`sessions`, `sign_in_attempts`), not in a server's memory,
so a restart, or a second server process over the same store, keeps everyone signed in and every
failed sign-in counted. Tokens are kept only as their SHA-256 digests, so whoever reads the
store (or a backup of it) cannot take over a session; a session's CSRF token is derived from
its token and never stored. A session ends on sign-out, after `idle` without use, or after
`lifetime`; expired rows are deleted whenever a session is started or an expired one is
presented.

Every use of the store goes through `run` (the app's `WebState.store_do`, which holds its
lock): the store's connection is not shared between threads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
import sqlglot.expressions as sge

from equitrack.store import Store, StoreBusy
from equitrack.store.schema import SESSIONS, SIGN_IN_ATTEMPTS
from equitrack.web.access import Principal, Role

COOKIE = "equitrack_session"
T = TypeVar("T")
#: Runs work on the store under the app's lock (`WebState.store_do`).
Run = Callable[[Callable[[Store], T]], T]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _csrf(token: str) -> str:
    """The session's CSRF token: known to whoever holds the session token, and never stored."""
    return hmac.new(token.encode(), b"equitrack csrf", hashlib.sha256).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _literal(value: object) -> sge.Expression:
    """A value for a statement built with sqlglot, which quotes it for the store's dialect."""
    if isinstance(value, dt.datetime):
        return sge.cast(sge.convert(value.isoformat(sep=" ")), "timestamp")
    return sge.convert(value)


def _execute(store: Store, statement: sge.Expression) -> None:
    answer = store.con.raw_sql(statement.sql(dialect=store.backend))
    if store.backend == "postgres":
        answer.close()  # a cursor (DuckDB answers with the connection itself)


def _delete(store: Store, table: str, where: sge.Expression) -> None:
    _execute(store, sge.delete(table, where=where))


def _column(name: str) -> sge.Column:
    return sge.column(name, quoted=True)


class _Tables:
    """Creates the tables a `Sessions` or `Throttle` needs once, on first use."""

    names: tuple[str, ...] = ()

    def __init__(self, run: Run[Any]) -> None:
        self._run = run
        self._ready = False

    def use(self, work: Callable[[Store], T]) -> T:
        def ready_then(store: Store) -> T:
            if not self._ready:
                store.ensure_tables(self.names)
                self._ready = True
            return work(store)

        return self._run(ready_then)


@dataclass
class Session:
    principal: Principal
    csrf: str
    started: dt.datetime
    seen: dt.datetime
    #: Messages for the next page shown (after a redirect): kept with the session in the store,
    #: never in the URL, so nobody can put words on the dashboard with a crafted link.
    flashes: list[str] = field(default_factory=list)
    _save: Callable[[list[str]], None] | None = field(default=None, repr=False)

    def flash(self, message: str) -> None:
        self.flashes.append(message)
        if self._save is not None:
            self._save(self.flashes)

    def take_flashes(self) -> list[str]:
        taken, self.flashes = self.flashes, []
        if taken and self._save is not None:
            self._save(self.flashes)
        return taken


class Sessions(_Tables):
    names = ("sessions",)

    def __init__(
        self,
        run: Run[Any],
        *,
        idle: float = 30 * 60,
        lifetime: float = 10 * 60 * 60,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        super().__init__(run)
        self.idle, self.lifetime, self.clock = idle, lifetime, clock
        #: Each session's row as last read from the store, by digest: while another process
        #: (an import) has the store, signed-in users are known from here (`get`).
        self._known: dict[str, dict[str, Any]] = {}

    def _expired(self, now: dt.datetime) -> sge.Expression:
        idle = _literal(now - dt.timedelta(seconds=self.idle))
        life = _literal(now - dt.timedelta(seconds=self.lifetime))
        return sge.or_(_column("seen") < idle, _column("started") < life)

    def start(self, principal: Principal) -> tuple[str, Session]:
        token, now = secrets.token_urlsafe(32), self.clock()
        row = {
            "digest": _digest(token),
            "username": principal.username,
            "role": str(principal.role),
            "orgs": ",".join(principal.orgs),
            "started": now,
            "seen": now,
            "flashes": "[]",
        }

        def write(store: Store) -> None:
            with store.transaction():
                _delete(store, "sessions", self._expired(now))
                store.insert("sessions", pa.Table.from_pylist([row], schema=SESSIONS.to_pyarrow()))

        self.use(write)
        return token, self._session(token, row)

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        digest, now = _digest(token), self.clock()
        mine = _column("digest").eq(_literal(digest))

        def read(store: Store) -> dict[str, Any] | None:
            t = store.table("sessions")
            rows = t.filter(t.digest == digest).to_pyarrow().to_pylist()
            if not rows:
                return None
            row = rows[0]
            if self._too_old(row, now):
                _delete(store, "sessions", sge.or_(mine, self._expired(now)))
                return None
            # marked as used at most once a minute or so: not a write for every request
            if (now - row["seen"]).total_seconds() > min(60.0, self.idle / 30):
                set_seen = sge.update("sessions", {"seen": _literal(now)}, where=mine)
                _execute(store, set_seen)
                row["seen"] = now
            return row

        try:
            row = self.use(read)
        except StoreBusy:
            row = self._known.get(digest)
            if row is None or self._too_old(row, now):
                raise
            return self._session(token, row)
        self._remember(digest, row, now)
        return None if row is None else self._session(token, row)

    def _remember(self, digest: str, row: dict[str, Any] | None, now: dt.datetime) -> None:
        if row is None:
            self._known.pop(digest, None)
            return
        self._known[digest] = dict(row)
        if len(self._known) > 10_000:  # sessions long gone: forget them
            for old in [d for d, r in self._known.items() if self._too_old(r, now)]:
                del self._known[old]

    def _too_old(self, row: dict[str, Any], now: dt.datetime) -> bool:
        idle, lived = now - row["seen"], now - row["started"]
        return idle.total_seconds() > self.idle or lived.total_seconds() > self.lifetime

    def _session(self, token: str, row: dict[str, Any]) -> Session:
        mine = _column("digest").eq(_literal(_digest(token)))

        def save(flashes: list[str]) -> None:
            update = sge.update("sessions", {"flashes": _literal(json.dumps(flashes))}, where=mine)
            with suppress(StoreBusy):  # an import has the store: a message may show again
                self.use(lambda store: _execute(store, update))

        orgs = tuple(o for o in row["orgs"].split(",") if o)
        principal = Principal(row["username"], Role(row["role"]), orgs)
        flashes = list(json.loads(row["flashes"] or "[]"))
        return Session(principal, _csrf(token), row["started"], row["seen"], flashes, save)

    def end(self, token: str | None) -> None:
        if token:
            self._known.pop(_digest(token), None)
            where = _column("digest").eq(_literal(_digest(token)))
            self.use(lambda store: _delete(store, "sessions", where))

    def end_user(self, username: str) -> None:
        """Every session of a user (their account was removed or changed)."""
        where = _column("username").eq(_literal(username))
        for digest in [d for d, r in self._known.items() if r["username"] == username]:
            del self._known[digest]
        self.use(lambda store: _delete(store, "sessions", where))


class Throttle(_Tables):
    """Sign-in throttling: after `failures` attempts that did not succeed for one username or
    from one address within `window` seconds, further attempts are refused for that window.

    An attempt is counted when it starts (`attempt`), in one transaction with the check, and
    uncounted only when it succeeds: concurrent attempts cannot all pass the check before any
    is counted, so at most `failures` passwords per username or address are ever checked in a
    window. On PostgreSQL the transaction locks the table first, so that holds across server
    processes too; a DuckDB store is only ever served by one process.
    """

    names = ("sign_in_attempts",)

    def __init__(
        self,
        run: Run[Any],
        *,
        failures: int = 5,
        window: float = 15 * 60,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        super().__init__(run)
        self.failures, self.window, self.clock = failures, window, clock

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        """The username and address as counted: hashed, so what people typed is not kept."""
        return _digest(f"user:{username.lower()}"), _digest(f"address:{address}")

    def attempt(self, username: str, address: str) -> str | None:
        """Count an attempt and return its ticket, or None when the attempt is refused."""
        keys, now, ticket = self._keys(username, address), self.clock(), secrets.token_hex(16)
        rows = [{"key": k, "ticket": ticket, "at": now} for k in keys]

        def count(store: Store) -> str | None:
            with store.transaction():
                if store.backend == "postgres":
                    store.con.raw_sql("LOCK TABLE sign_in_attempts IN EXCLUSIVE MODE").close()
                # old attempts go: a flood of made-up usernames does not pile up
                since = _literal(now - dt.timedelta(seconds=self.window))
                _delete(store, "sign_in_attempts", _column("at") < since)
                t = store.table("sign_in_attempts")
                counted = t.filter(t.key.isin(keys)).key.value_counts().to_pyarrow()
                if any(n >= self.failures for n in counted.column(1).to_pylist()):
                    return None
                schema = SIGN_IN_ATTEMPTS.to_pyarrow()
                store.insert("sign_in_attempts", pa.Table.from_pylist(rows, schema=schema))
                return ticket

        return self.use(count)

    def succeeded(self, username: str, address: str, ticket: str) -> None:
        """The attempt was right: the username starts afresh and the address's count is not
        charged for it."""
        user, where = (_literal(k) for k in self._keys(username, address))
        clear = sge.or_(
            _column("key").eq(user),
            sge.and_(_column("key").eq(where), _column("ticket").eq(_literal(ticket))),
        )

        def forget(store: Store) -> None:
            with store.transaction():
                _delete(store, "sign_in_attempts", clear)

        self.use(forget)
