"""The batched HMAC gives exactly what Python's `hmac` gives, for every kind of id and key."""

from __future__ import annotations

import hashlib
import hmac
import random

import numpy as np
import pyarrow as pa
import pytest

from equitrack.ingest import pseudonymise
from equitrack.ingest.pseudonymise import (
    PERSON_NAMESPACE,
    Pseudonymiser,
    hex_strings,
    hmac_prefixes,
    normalise_ids,
)

ALPHABET = "0123456789 abcXYZ-/_éßø€中文😀\u00a0\t"


def expected(key: bytes, namespace: str, value: str | None) -> str | None:
    if value is None:
        return None
    return hmac.new(key, f"{namespace}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def random_ids(seed: int, n: int) -> list[str | None]:
    rng = random.Random(seed)
    ids: list[str | None] = [None, "", " ", "0", "000", "007", "é", "x" * 200, "😀" * 40]
    for _ in range(n):
        if rng.random() < 0.05:
            ids.append(None)
        else:
            ids.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))))
    return ids


@pytest.mark.parametrize("key_length", [32, 63, 64, 65, 200])
@pytest.mark.parametrize("namespace", [PERSON_NAMESPACE, "assignments.assignment_id"])
def test_pseudonyms_equal_pythons_hmac(key_length: int, namespace: str) -> None:
    key = bytes(random.Random(key_length).randrange(256) for _ in range(key_length))
    ids = random_ids(key_length, 3000)
    normalised = normalise_ids(pa.array(ids, pa.string())).to_pylist()
    got = Pseudonymiser(key).hash_array(namespace, pa.array(ids, pa.string())).to_pylist()
    assert got == [expected(key, namespace, v) for v in normalised]


def test_more_ids_than_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pseudonymise, "CHUNK", 7)
    key = b"k" * 40
    ids = [str(i) for i in range(100)]
    got = Pseudonymiser(key).hash_array("training.record_id", pa.array(ids)).to_pylist()
    assert got == [expected(key, "training.record_id", v) for v in ids]


def test_chunked_and_empty_input() -> None:
    key = b"q" * 32
    p = Pseudonymiser(key)
    assert p.hash_array("x", pa.array([], pa.string())).to_pylist() == []
    assert p.hash_array("x", pa.array([None, None], pa.string())).to_pylist() == [None, None]
    chunked = pa.chunked_array([["a", None], ["b"]])
    assert p.hash_array("x", chunked).to_pylist() == [
        expected(key, "x", "A"),
        None,
        expected(key, "x", "B"),
    ]


def test_hmac_prefixes_and_hex_strings() -> None:
    key = b"z" * 32
    messages = [b"", b"a", "é".encode(), bytes(range(256))]
    raw = hmac_prefixes(key, pa.array(messages, pa.binary()))
    assert raw.shape == (4, 16)
    assert [bytes(row) for row in raw] == [hmac.digest(key, m, "sha256")[:16] for m in messages]
    rows = np.array([[0x00, 0x0F, 0xA5, 0xFF]], np.uint8)
    assert hex_strings(rows).to_pylist() == ["000fa5ff"]
    assert hex_strings(np.empty((0, 16), np.uint8)).to_pylist() == []
