"""The batched HMAC gives exactly what Python's `hmac` gives, for every kind of id and key."""

from __future__ import annotations

import hashlib
import hmac
import random

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitrack.ingest import pseudonymise
from equitrack.ingest.pseudonymise import (
    PERSON_NAMESPACE,
    Pseudonymiser,
    hmac_prefixes,
    normalise_ids,
)
from equitrack.store.pseudonyms import PSEUDONYM, hex_strings, to_hex

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
    got = to_hex(Pseudonymiser(key).hash_array(namespace, pa.array(ids, pa.string()))).to_pylist()
    assert got == [expected(key, namespace, v) for v in normalised]


def test_more_ids_than_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pseudonymise, "CHUNK", 7)
    key = b"k" * 40
    ids = [str(i) for i in range(100)]
    got = to_hex(Pseudonymiser(key).hash_array("training.record_id", pa.array(ids))).to_pylist()
    assert got == [expected(key, "training.record_id", v) for v in ids]


def test_chunked_and_empty_input() -> None:
    key = b"q" * 32
    p = Pseudonymiser(key)
    assert to_hex(p.hash_array("x", pa.array([], pa.string()))).to_pylist() == []
    assert to_hex(p.hash_array("x", pa.array([None, None], pa.string()))).to_pylist() == [
        None,
        None,
    ]
    chunked = pa.chunked_array([["a", None], ["b"]])
    assert p.hash_array("x", chunked).type == PSEUDONYM  # 16 bytes each, as stored
    assert to_hex(p.hash_array("x", chunked)).to_pylist() == [
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


def test_a_fixed_id_keeps_the_pseudonym_it_always_had() -> None:
    """Stores made before keep joining up: these are the pseudonyms equitrack gave before
    the memory of ids was rewritten (HMAC-SHA256, first 16 bytes, hex)."""
    p = Pseudonymiser(b"equitrack known-answer key, 32 bytes+", recurring=("person",))
    assert p.hash("person", " 0012345 ") == "c96a3d30cd2cfaf66291da8a4b29ae8a"
    assert p.hash("person", "12345") == "c96a3d30cd2cfaf66291da8a4b29ae8a"  # now remembered
    assert p.hash("vacancies.vacancy_id", "v-9") == "578923ff9c0421e6aee1dbb678f27588"


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of ids each call of `hmac_prefixes` hashes."""
    calls: list[int] = []
    real = pseudonymise.hmac_prefixes

    def counted(key: bytes, messages: pa.Array, prefix: str = "") -> np.ndarray:
        calls.append(len(messages))
        return real(key, messages, prefix)

    monkeypatch.setattr(pseudonymise, "hmac_prefixes", counted)
    return calls


def test_each_distinct_id_of_a_recurring_namespace_is_hashed_once_per_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = b"m" * 32
    calls = counting(monkeypatch)
    p = Pseudonymiser(key, recurring=("person", "vacancies.vacancy_id"))
    batches = [["1", "2", "2", "003"], ["3", "4", None, "1"], ["04", "5", "2"]]
    for batch in batches:
        got = to_hex(p.hash_array(PERSON_NAMESPACE, pa.array(batch))).to_pylist()
        normalised = normalise_ids(pa.array(batch)).to_pylist()
        assert got == [expected(key, PERSON_NAMESPACE, v) for v in normalised]
    assert calls == [3, 1, 1]  # 1, 2, 3; then 4; then 5
    # a table's own key in a namespace others refer to is remembered for them
    p.hash_dictionary("vacancies.vacancy_id", pa.array(["v1", "v2"]), expect_distinct=True)
    refs = to_hex(p.hash_array("vacancies.vacancy_id", pa.array(["v2", "v1", "v3"]))).to_pylist()
    assert refs == [expected(key, "vacancies.vacancy_id", v) for v in ("V2", "V1", "V3")]
    assert calls[3:] == [2, 1]


def test_ids_sharing_a_fingerprint_keep_their_own_pseudonyms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fingerprint is not an identity: ids that clash are told apart by their text."""
    monkeypatch.setattr(pseudonymise, "fingerprints", lambda v: np.zeros(len(v), np.uint64))
    key = b"c" * 32
    p = Pseudonymiser(key)
    for batch in (["a", "b"], ["c", "a", "b"], ["b", "d", "c"]):
        got = to_hex(p.hash_array(PERSON_NAMESPACE, pa.array(batch))).to_pylist()
        assert got == [expected(key, PERSON_NAMESPACE, v.upper()) for v in batch]


def test_fingerprints_differ_for_different_text_and_agree_for_equal() -> None:
    ids = random_ids(5, 5000)
    values = pa.array([v for v in ids if v is not None], pa.string())
    prints = pseudonymise.fingerprints(values)
    by_text: dict[str, int] = {}
    for text, number in zip(values.to_pylist(), prints.tolist(), strict=True):
        assert by_text.setdefault(text, number) == number
    assert len(set(by_text.values())) == len(by_text)
    sliced = pseudonymise.fingerprints(values.slice(100, 50))
    assert sliced.tolist() == prints[100:150].tolist()


@given(st.lists(st.one_of(st.none(), st.from_regex(r"[0-9]{1,12}", fullmatch=True))))
def test_ids_that_are_plain_numbers_are_normalised_as_any_other(ids: list[str | None]) -> None:
    """A column of digits only (no leading zero) is taken as it is; one with any other id is
    trimmed, upper-cased and unpadded. Each id is normalised as it is when alone."""
    odd = [" 7", "0", "x1", "43.0", "043.00", "43.5", "4.30", ".0", "A.0", "4.3E+01"]
    for column in (ids, *([*ids, v] for v in odd)):
        got = normalise_ids(pa.array(column, pa.string())).to_pylist()
        assert got == [normalise_ids(pa.array([v], pa.string()))[0].as_py() for v in column]
        assert got == [None if v is None else _by_hand(v) for v in column]


def _by_hand(value: str) -> str:
    text = value.strip().upper()
    number, dot, fraction = text.partition(".")
    if dot and fraction and set(fraction) == {"0"} and number.isascii() and number.isdigit():
        text = number  # "43.0", as pandas writes a column of numbers with a blank in it
    return (text.lstrip("0") or "0") if text.isascii() and text.isdigit() else text
