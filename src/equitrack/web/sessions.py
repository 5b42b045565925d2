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
    """Sign-in throttling: after `failures` failed attempts for one username or from one
    address within `window` seconds, further attempts are refused for that window."""

    failures: int = 5
    window: float = 15 * 60
    _failed: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failed.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, username: str, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(
                len(self._recent(k, now)) >= self.failures
                for k in (f"user:{username.lower()}", f"address:{address}")
            )

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in (f"user:{username.lower()}", f"address:{address}"):
                self._recent(k, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failed.pop(f"user:{username.lower()}", None)
