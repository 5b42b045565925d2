"""Keyed hashing of identifiers, so that raw ids never reach the store but still join up.

HMAC-SHA256 with a secret key held outside the database: without the key nobody can test a
guessed employee number against the store. The key is made on first use in a file only its
owner can read, or given in an environment variable (for servers and CI).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack import config
from equitrack.store.pseudonyms import digests, to_hex

#: Bytes kept of each digest: 128 bits, far beyond any collision risk at NHS scale.
HALF = 16
#: SHA-256's block and digest, in bytes (HMAC pads the key to the block).
BLOCK_SIZE, DIGEST_SIZE = 64, 32
PERSON_NAMESPACE = "person"
#: Ids turned into Python bytes at a time: enough to amortise the call, few enough to stay small.
CHUNK = 1 << 16
#: Odd constants of `fingerprints` (any will do; these spread bits well).
FINGERPRINT_BASE = np.uint64(0x100000001B3)
FINGERPRINT_LENGTH = np.uint64(0x9E3779B97F4A7C15)
#: An id written as a whole number with a decimal fraction of zeros ("43.0"), and the number.
WHOLE_WITH_ZEROS, THE_NUMBER = r"^([0-9]+)\.0+$", r"\1"


class KeyProblem(Exception):
    """The key cannot be read or made; said so an analyst knows what to fix."""


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyProblem(
            f"the pseudonymisation key {path} can be read by other users; run: chmod 600 {path}"
        )
    key = path.read_bytes().strip()
    if len(key) < 32:
        raise KeyProblem(
            f"the pseudonymisation key {path} is too short (it must be 32 bytes or more)"
        )
    return key


def load_key(create: bool = True) -> bytes:
    """The key from EQUITRACK_PSEUDONYM_KEY, else the key file, made on first use."""
    if env := os.environ.get(config.KEY_ENV):
        if len(env) < 32:
            raise KeyProblem(f"{config.KEY_ENV} is too short: use 32 characters or more")
        return env.encode()
    path = config.key_file()
    if path.exists():
        return _read_key_file(path)
    if not create:
        raise KeyProblem(f"no pseudonymisation key at {path}")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def normalise_ids(values: pa.Array) -> pa.Array:
    """Spaces trimmed, letters upper-cased, a whole number's ".0" dropped, and leading zeros
    dropped from all-digit ids.

    Excel drops the leading zeros of ESR employee numbers when a CSV passes through it, and a
    column of numbers with a blank in it leaves pandas (and so many analysts' scripts) as
    "10000043.0"; without this the same person would not join up across exports.
    """
    text = values.cast(pa.string())
    if _plain_numbers(text):  # as most exports write them: nothing to trim, raise or drop
        return text
    text = pc.utf8_upper(pc.utf8_trim_whitespace(text))
    if pc.any(pc.match_substring(text, ".")).as_py():  # the regex only where a dot is
        text = pc.replace_substring_regex(text, WHOLE_WITH_ZEROS, THE_NUMBER)
    digits = pc.ascii_is_decimal(text)  # as ^[0-9]+$ (non-empty, ASCII digits), without a regex
    unpadded = pc.utf8_ltrim(text, "0")
    unpadded = pc.if_else(pc.equal(unpadded, ""), "0", unpadded)
    return pc.if_else(digits, unpadded, text)


def _plain_numbers(text: pa.Array) -> bool:
    """Every (non-null) id is ASCII digits without a leading zero: already normalised."""
    digits = pc.all(pc.ascii_is_decimal(text)).as_py()  # "" is not decimal
    return digits is not False and not pc.any(pc.starts_with(text, "0")).as_py()


class Pseudonymiser:
    """Hashes identifiers with the key; remembers the ids of `recurring` namespaces (people,
    and keys other tables refer to, such as vacancies), so that each is hashed once an import.

    The people table loads first and fills the memory with the ids that recur; it is bounded by
    `remember` ids in all: applicants who never become staff, millions of them nationally, are
    hashed without being remembered once it is full.
    """

    def __init__(
        self,
        key: bytes,
        remember: int = 5_000_000,
        recurring: Iterable[str] = (PERSON_NAMESPACE,),
    ) -> None:
        self._key = key
        self._remember = remember
        self._memory = {namespace: Memory() for namespace in recurring}

    def fingerprint(self) -> str:
        """Identifies the key without revealing it, so a store refuses ids hashed with another."""
        return hmac.digest(self._key, b"equitrack key fingerprint", "sha256").hex()[:16]

    def hash(self, namespace: str, raw: str) -> str:
        """The pseudonym of one id as people see it: 32 lower-case hex digits."""
        return to_hex(self.hash_array(namespace, pa.array([raw]))).to_pylist()[0]

    def hash_array(self, namespace: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Hashes each distinct value once; nulls stay null. The pseudonyms are 16 bytes each
        (`store.pseudonyms.PSEUDONYM`), as stored."""
        return decode(self.hash_dictionary(namespace, values))

    def hash_dictionary(
        self,
        namespace: str,
        values: pa.Array | pa.ChunkedArray,
        *,
        expect_distinct: bool = False,
    ) -> pa.DictionaryArray:
        """The pseudonyms as a dictionary array: one entry per distinct normalised id.

        Checks that need the distinct values (duplicates, references) read them from the
        dictionary instead of hashing tens of millions of pseudonyms once more. A table's own
        key is `expect_distinct`: see `_hash_distinct`.
        """
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        normalised = normalise_ids(values)
        memory = self._memory.get(namespace)
        if expect_distinct and memory is None and not normalised.null_count:
            return self._hash_distinct(namespace, normalised)
        encoded = pc.dictionary_encode(normalised)
        uniques = encoded.dictionary
        if memory is None:
            raw = hmac_prefixes(self._key, uniques, f"{namespace}:")
        else:
            raw = self._recalled(namespace, memory, uniques)
        return pa.DictionaryArray.from_arrays(encoded.indices, digests(raw))

    def _recalled(self, namespace: str, memory: Memory, uniques: pa.Array) -> np.ndarray:
        """The digests of distinct ids: those remembered from memory, the rest hashed (and
        remembered while there is room)."""
        prints = fingerprints(uniques)
        found = memory.find(uniques, prints)
        new = np.flatnonzero(found < 0)
        fresh = hmac_prefixes(self._key, uniques.take(pa.array(new)), f"{namespace}:")
        raw = np.empty((len(uniques), HALF), np.uint8)
        raw[found >= 0] = memory.digests(found[found >= 0])
        raw[new] = fresh
        remembered = sum(len(m) for m in self._memory.values())
        if len(new) and remembered + len(new) <= self._remember:
            memory.add(uniques.take(pa.array(new)), prints[new], fresh)
        return raw

    def _hash_distinct(self, namespace: str, normalised: pa.Array) -> pa.DictionaryArray:
        """Ids that should all differ: every row is hashed, and whether they do differ is
        read from the digests by sorting numbers, about a quarter of the cost of numbering the
        distinct ids first. Equal ids give equal digests, so digests that all differ (in
        their first 64 bits, even) mean ids that all differ, and each row is its own entry.
        """
        raw = hmac_prefixes(self._key, normalised, f"{namespace}:")
        leading = np.ascontiguousarray(raw[:, :8]).view(np.uint64).ravel()
        if not (np.diff(np.sort(leading)) == 0).any():
            indices = pa.array(np.arange(len(raw), dtype=np.int32))
            return pa.DictionaryArray.from_arrays(indices, digests(raw))
        encoded = pc.dictionary_encode(normalised)  # some repeat: number them as usual
        _, first = np.unique(encoded.indices.to_numpy(), return_index=True)
        return pa.DictionaryArray.from_arrays(encoded.indices, digests(raw[first]))


class Memory:
    """Normalised ids of one namespace already hashed, with their digests.

    Found again by a 64-bit fingerprint of each id, kept sorted, so that a batch's distinct ids
    are looked up with one binary search instead of a hash table of every id remembered being
    built again for each batch. A fingerprint found is confirmed by comparing the ids
    themselves: two ids sharing one are told apart, and the second is simply hashed again.
    """

    def __init__(self) -> None:
        self._ids: list[pa.Array] = []  # in the order remembered
        self._raw = np.empty((0, HALF), np.uint8)  # digest of each, with room to grow
        self._size = 0
        self._sorted = np.empty(0, np.uint64)  # fingerprints, ascending
        self._where = np.empty(0, np.int64)  # the position of each in `_ids`

    def __len__(self) -> int:
        return self._size

    def find(self, ids: pa.Array, prints: np.ndarray) -> np.ndarray:
        """The position of each id in memory, or -1."""
        found = np.full(len(ids), -1, np.int64)
        if not self._size or not len(ids):
            return found
        # looked up in ascending order, which walks the memory once instead of jumping about
        # it (five times faster for millions of ids), then put back in the ids' order
        order = np.argsort(prints)
        slot = np.empty(len(prints), np.int64)
        slot[order] = np.searchsorted(self._sorted, prints[order])
        slot = np.minimum(slot, self._size - 1)
        hit = np.flatnonzero(self._sorted[slot] == prints)
        if len(hit):
            candidates = self._where[slot[hit]]
            known = pa.chunked_array(self._ids, pa.string()).take(pa.array(candidates))
            same = pc.equal(known.combine_chunks(), ids.take(pa.array(hit)))
            same = same.to_numpy(zero_copy_only=False)
            found[hit[same]] = candidates[same]
        return found

    def digests(self, positions: np.ndarray) -> np.ndarray:
        return self._raw[positions]

    def add(self, ids: pa.Array, prints: np.ndarray, raw: np.ndarray) -> None:
        start, end = self._size, self._size + len(ids)
        if end > len(self._raw):
            grown = np.empty((max(end, 2 * len(self._raw)), HALF), np.uint8)
            grown[:start] = self._raw[:start]
            self._raw = grown
        self._raw[start:end] = raw
        self._ids.append(ids.cast(pa.string()))
        order = np.argsort(prints, kind="stable")
        at = np.searchsorted(self._sorted, prints[order])
        self._sorted = np.insert(self._sorted, at, prints[order])
        self._where = np.insert(self._where, at, np.arange(start, end, dtype=np.int64)[order])
        self._size = end


def fingerprints(values: pa.Array) -> np.ndarray:
    """A 64-bit number for each (non-null) text value, computed over its UTF-8 bytes at once:
    a polynomial in the bytes, plus the length. Equal values give equal numbers; different ones
    almost always differ, and `Memory` confirms any match, so a clash costs only a re-hash."""
    text = values.cast(pa.string())
    if not len(text):
        return np.empty(0, np.uint64)
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + len(text) + 1]
    lengths = np.diff(offsets).astype(np.int64)
    prints = lengths.astype(np.uint64) * np.uint64(FINGERPRINT_LENGTH)
    if not lengths.any():
        return prints
    data = np.frombuffer(text.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    starts = (offsets[:-1] - offsets[0]).astype(np.int64)
    within = np.arange(len(data), dtype=np.int64) - np.repeat(starts, lengths)
    powers = np.full(int(lengths.max()), FINGERPRINT_BASE, np.uint64)
    powers[0] = 1
    powers = np.multiply.accumulate(powers)  # BASE ** i, wrapping at 2**64 as intended
    terms = (data.astype(np.uint64) + np.uint64(1)) * powers[within]
    filled = np.flatnonzero(lengths)
    prints[filled] += np.add.reduceat(terms, starts[filled])
    return prints


def decode(pseudonyms: pa.DictionaryArray) -> pa.Array:
    """The pseudonym of each row. Record keys are distinct, and then (distinct values are
    numbered in order of first appearance) the dictionary already is the column: no copy."""
    if len(pseudonyms.dictionary) == len(pseudonyms) and pseudonyms.null_count == 0:
        return pseudonyms.dictionary
    return pc.take(pseudonyms.dictionary, pseudonyms.indices)


def hmac_prefixes(key: bytes, messages: pa.Array, prefix: str = "") -> np.ndarray:
    """The first HALF bytes of HMAC-SHA256(key, prefix + message) for each (non-null) message.

    A national import hashes tens of millions of ids, one Python call each, so the work per id
    is cut to the two SHA-256 states HMAC is made of (RFC 2104): the inner one has taken the
    padded key and `prefix` once, and is copied and finished per id, then the outer one (its
    padded key taken once) hashes that digest. That is a fifth less than copying a keyed
    `hmac` state and joining the prefix to every id. The digests are kept as bytes, stored as
    they are (`store.pseudonyms.digests`). Messages (text as UTF-8, or bytes) become Python
    bytes a chunk at a time, to stay small.
    """
    inner, outer = _hmac_states(key)
    inner.update(prefix.encode())
    inner_copy, outer_copy = inner.copy, outer.copy
    out = np.empty((len(messages), HALF), np.uint8)
    for start in range(0, len(messages), CHUNK):
        digests: list[bytes] = []
        append = digests.append
        for message in messages.slice(start, CHUNK).cast(pa.binary()).to_pylist():
            h = inner_copy()
            h.update(message)
            o = outer_copy()
            o.update(h.digest())
            append(o.digest())
        block = np.frombuffer(b"".join(digests), np.uint8).reshape(-1, DIGEST_SIZE)
        out[start : start + len(digests)] = block[:, :HALF]
    return out


def _hmac_states(key: bytes) -> tuple[Any, Any]:
    """SHA-256 having taken the key padded with HMAC's inner and outer bytes (RFC 2104): a key
    longer than the block is hashed first, a shorter one filled with zeros."""
    if len(key) > BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(BLOCK_SIZE, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    return inner, outer
