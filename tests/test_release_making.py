"""What is kept per data version (`equitrack.release._kept`: the answers, each audience's
release) is made once, and made without holding anyone else back: a dashboard building an
analyst's release after an upload must not keep a viewer from the release already built, nor
two readers make the same release twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from equitrack import release
from equitrack.store import Store, connect

#: How long a thread may take to do what it should do at once: generous, as the machine may be
#: busy; a thread held back waits for the test to let the other go, which it never does first.
AT_ONCE = 30.0


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = connect(str(tmp_path / "making.duckdb"))
    yield made
    made.close()


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """`work` started in a thread of its own; the list gets its answer (or what it raised)."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(work())
        except Exception as exc:
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def _held(started: threading.Event, go: threading.Event, value: Any) -> Callable[[], Any]:
    def make() -> Any:
        started.set()
        assert go.wait(AT_ONCE * 2), "the test let the making go"
        return value

    return make


def test_what_is_kept_or_made_apart_is_given_while_another_key_is_being_made(
    store: Store,
) -> None:
    release._kept(store, "kept before", lambda: "old")
    started, go = threading.Event(), threading.Event()
    slow, _ = _in_thread(lambda: release._kept(store, "slow", _held(started, go, "slow")))
    assert started.wait(AT_ONCE)
    try:
        for key, make, expected in [
            ("kept before", lambda: "made again", "old"),  # kept: read, not made again
            ("another", lambda: "another", "another"),  # another key: made side by side
        ]:
            reader, out = _in_thread(lambda k=key, m=make: release._kept(store, k, m))
            reader.join(AT_ONCE)
            assert not reader.is_alive(), f"{key!r} waited for another key being made"
            assert out == [expected]
    finally:
        go.set()
        slow.join(AT_ONCE)
    assert release._kept(store, "slow", lambda: "made twice") == "slow"


def test_who_asks_for_a_key_being_made_waits_for_that_making_and_gets_its_answer(
    store: Store,
) -> None:
    started, go = threading.Event(), threading.Event()
    made: list[str] = []

    def once() -> object:
        made.append("made")
        started.set()
        assert go.wait(AT_ONCE * 2)
        return object()

    first, first_out = _in_thread(lambda: release._kept(store, "release", once))
    assert started.wait(AT_ONCE)
    second, second_out = _in_thread(lambda: release._kept(store, "release", once))
    second.join(0.5)
    assert second.is_alive(), "the second reader waits for the release being made"
    go.set()
    first.join(AT_ONCE)
    second.join(AT_ONCE)
    assert made == ["made"]
    assert first_out[0] is second_out[0]


def test_a_making_that_fails_is_made_again_by_the_next_to_ask(store: Store) -> None:
    started, go = threading.Event(), threading.Event()

    def fails() -> object:
        started.set()
        assert go.wait(AT_ONCE * 2)
        raise RuntimeError("the store went away")

    first, first_out = _in_thread(lambda: release._kept(store, "release", fails))
    assert started.wait(AT_ONCE)
    second, second_out = _in_thread(lambda: release._kept(store, "release", lambda: "made"))
    go.set()
    first.join(AT_ONCE)
    second.join(AT_ONCE)
    assert isinstance(first_out[0], RuntimeError)  # its own failure, said to the one who made it
    assert second_out == ["made"]
    assert release._kept(store, "release", lambda: "made again") == "made"
