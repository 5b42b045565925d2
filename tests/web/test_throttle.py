"""Sign-in throttling holds under concurrency, and password hashing never holds the store lock."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from equitrack.web import users
from tests.web.conftest import PASSWORD, attempt_sign_in, forget_sign_in_attempts

ATTEMPTS = 30


class CountingHasher:
    """The app's password hasher, counting each password it checks and noting whether the
    store's lock was held at the time; each check waits at a barrier so that the attempts
    really overlap."""

    def __init__(self, lock: object, parties: int) -> None:
        self.real = users.HASHER
        self.lock = lock
        self.calls = 0
        self.under_lock = 0
        self.barrier = threading.Barrier(parties, timeout=2)
        self._count = threading.Lock()

    def verify(self, hashed: str, password: str) -> bool:
        with self._count:
            self.calls += 1
            self.under_lock += bool(self.lock._is_owned())  # type: ignore[attr-defined]
        # the checks let through wait for each other: none is over before the last starts
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()
        return self.real.verify(hashed, password)


@pytest.fixture
def fresh_throttle(app):
    """The app's throttle with nothing counted (its counts are kept in the store), and nothing
    left counted for the tests after it."""
    forget_sign_in_attempts(app.state.web)
    yield app.state.web.throttle
    forget_sign_in_attempts(app.state.web)


def _concurrently(app, attempt) -> list[int]:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(ATTEMPTS) as pool:
        return list(pool.map(attempt, range(ATTEMPTS)))


@pytest.mark.parametrize("spread", ["one address", "many addresses"])
def test_concurrent_wrong_passwords_check_at_most_the_limit(
    app, fresh_throttle, monkeypatch, spread
) -> None:
    """30 wrong passwords for one user at once (from one address, or each from its own): at
    most 5 are checked, the rest are refused as throttled, and no check holds the store lock."""
    hasher = CountingHasher(app.state.web._lock, fresh_throttle.failures)
    monkeypatch.setattr(users, "HASHER", hasher)

    def attempt(i: int) -> int:
        where = "203.0.113.50" if spread == "one address" else f"198.51.100.{i + 1}"
        with TestClient(app, client=(where, 40000 + i)) as client:
            return attempt_sign_in(client, "analyst", "not the password at all").status_code

    answers = _concurrently(app, attempt)
    assert hasher.calls == fresh_throttle.failures, answers
    assert hasher.under_lock == 0
    assert sorted(answers) == [401] * fresh_throttle.failures + [429] * (
        ATTEMPTS - fresh_throttle.failures
    )
    # and the right password is refused too, for the rest of the window
    with TestClient(app, client=("192.0.2.77", 40999)) as client:
        assert attempt_sign_in(client, "analyst", PASSWORD).status_code == 429
    assert hasher.calls == fresh_throttle.failures


def test_concurrent_guesses_from_one_address_over_many_users_are_limited(
    app, fresh_throttle, monkeypatch
) -> None:
    hasher = CountingHasher(app.state.web._lock, fresh_throttle.failures)
    monkeypatch.setattr(users, "HASHER", hasher)

    def attempt(i: int) -> int:
        with TestClient(app, client=("203.0.113.60", 41000 + i)) as client:
            return attempt_sign_in(client, f"someone{i}", "not the password at all").status_code

    answers = _concurrently(app, attempt)
    assert hasher.calls == fresh_throttle.failures
    assert answers.count(429) == ATTEMPTS - fresh_throttle.failures


def test_a_right_password_does_not_count_against_the_address(app, fresh_throttle) -> None:
    """Colleagues behind one address each signing in do not lock each other out."""
    for i in range(fresh_throttle.failures + 2):
        with TestClient(app, client=("203.0.113.70", 42000 + i)) as client:
            assert attempt_sign_in(client, "viewer").status_code == 303
    with TestClient(app, client=("203.0.113.70", 42100)) as client:
        assert attempt_sign_in(client, "viewer", "wrong wrong wrong").status_code == 401
