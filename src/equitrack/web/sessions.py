"""Signed-in sessions, held by the server: the cookie carries only a random token.

Tokens are kept hashed, so a memory dump does not hand out sessions; each session has its own
CSRF token; a session ends on sign-out, after `idle` without use, or after `lifetime`.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from equitrack.web.access import Principal

COOKIE = "equitrack_session"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Session:
    principal: Principal
    csrf: str
    started: float
    seen: float
    #: Messages for the next page shown (after a redirect): kept here, never in the URL, so
    #: nobody can put words on the dashboard with a crafted link.
    flashes: list[str] = field(default_factory=list)

    def flash(self, message: str) -> None:
        self.flashes.append(message)

    def take_flashes(self) -> list[str]:
        taken, self.flashes = self.flashes, []
        return taken


@dataclass
class Sessions:
    idle: float = 30 * 60
    lifetime: float = 10 * 60 * 60
    _by_digest: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, principal: Principal) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        session = Session(principal, secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._by_digest[_digest(token)] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._by_digest.get(_digest(token))
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.started > self.lifetime:
                del self._by_digest[_digest(token)]
                return None
            session.seen = now
            return session

    def end(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._by_digest.pop(_digest(token), None)

    def end_user(self, username: str) -> None:
        """Every session of a user (their account was removed or changed)."""
        with self._lock:
            for digest in [
                d for d, s in self._by_digest.items() if s.principal.username == username
            ]:
                del self._by_digest[digest]


@dataclass
class Throttle:
    """Sign-in throttling: after `failures` attempts that did not succeed for one username or
    from one address within `window` seconds, further attempts are refused for that window.

    An attempt is counted when it starts (`attempt`), atomically with the check, and uncounted
    only when it succeeds: concurrent attempts cannot all pass the check before any is counted,
    so at most `failures` passwords per username or address are ever checked in a window.
    """

    failures: int = 5
    window: float = 15 * 60
    _counted: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.lower()}", f"address:{address}"

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._counted.get(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            self._counted.pop(key, None)  # a flood of made-up usernames does not pile up
        return times

    def attempt(self, username: str, address: str) -> float | None:
        """Count an attempt and return its ticket, or None when the attempt is refused."""
        now = time.monotonic()
        with self._lock:
            keys = self._keys(username, address)
            if any(len(self._recent(k, now)) >= self.failures for k in keys):
                return None
            for k in keys:
                self._counted.setdefault(k, deque()).append(now)
            return now

    def succeeded(self, username: str, address: str, ticket: float) -> None:
        """The attempt was right: the username starts afresh and the address's count is not
        charged for it."""
        user, where = self._keys(username, address)
        with self._lock:
            self._counted.pop(user, None)
            times = self._counted.get(where)
            if times is not None and ticket in times:
                times.remove(ticket)
