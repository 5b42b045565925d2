"""Keyed hashing of identifiers, so that raw ids never reach the store but still join up.

HMAC-SHA256 with a secret key held outside the database: without the key nobody can test a
guessed employee number against the store. The key is made on first use in a file only its
owner can read, or given in an environment variable (for servers and CI).
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack import config

try:  # OpenSSL's keyed HMAC state without the Python wrapper, copied once per id
    from _hashlib import hmac_new as _hmac_new
except ImportError:  # pragma: no cover - CPython without OpenSSL
    _hmac_new = hmac.new

#: Bytes kept of each digest: 128 bits, far beyond any collision risk at NHS scale.
HALF = 16
PERSON_NAMESPACE = "person"
#: Ids turned into Python bytes at a time: enough to amortise the call, few enough to stay small.
CHUNK = 1 << 16
HEX_DIGITS = np.frombuffer(b"0123456789abcdef", np.uint8)


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
    """Spaces trimmed, letters upper-cased, and leading zeros dropped from all-digit ids.

    Excel drops the leading zeros of ESR employee numbers when a CSV passes through it; without
    this the same person would not join up across exports.
    """
    text = pc.utf8_upper(pc.utf8_trim_whitespace(values.cast(pa.string())))
    digits = pc.ascii_is_decimal(text)  # as ^[0-9]+$ (non-empty, ASCII digits), without a regex
    unpadded = pc.utf8_ltrim(text, "0")
    unpadded = pc.if_else(pc.equal(unpadded, ""), "0", unpadded)
    return pc.if_else(digits, unpadded, text)


class Pseudonymiser:
    """Hashes identifiers with the key; remembers person ids, which recur in every table.

    The memory is two Arrow arrays (normalised id, pseudonym), bounded by `remember`: the
    people table loads first and fills it with the ids that recur; applicants who never become
    staff, millions of them nationally, are hashed without being remembered.
    """

    def __init__(self, key: bytes, remember: int = 5_000_000) -> None:
        self._key = key
        self._remember = remember
        self._known = pa.array([], pa.string())
        self._pseudonyms = pa.array([], pa.string())

    def fingerprint(self) -> str:
        """Identifies the key without revealing it, so a store refuses ids hashed with another."""
        return hmac.digest(self._key, b"equitrack key fingerprint", "sha256").hex()[:16]

    def hash(self, namespace: str, raw: str) -> str:
        return self.hash_array(namespace, pa.array([raw])).to_pylist()[0]

    def _digests(self, namespace: str, normalised: pa.Array) -> pa.Array:
        """The pseudonym of each (non-null) normalised id: HMAC of "namespace:id", hex."""
        return hex_strings(hmac_prefixes(self._key, normalised, f"{namespace}:"))

    def hash_array(self, namespace: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Hashes each distinct value once; nulls stay null."""
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
        if expect_distinct and namespace != PERSON_NAMESPACE and not normalised.null_count:
            return self._hash_distinct(namespace, normalised)
        encoded = pc.dictionary_encode(normalised)
        uniques = encoded.dictionary
        if namespace != PERSON_NAMESPACE:
            digests = self._digests(namespace, uniques)
            return pa.DictionaryArray.from_arrays(encoded.indices, digests)
        found = pc.index_in(uniques, self._known)
        missing = uniques.filter(pc.is_null(found))
        # known ids from memory, the rest freshly hashed and placed after them
        offset = len(self._pseudonyms)
        table = pa.concat_arrays([self._pseudonyms, self._digests(namespace, missing)])
        position = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).copy()
        position[position < 0] = offset + np.arange(len(missing))
        if len(self._known) + len(missing) <= self._remember:
            self._known = pa.concat_arrays([self._known, missing.cast(pa.string())])
            self._pseudonyms = table
        return pa.DictionaryArray.from_arrays(encoded.indices, pc.take(table, pa.array(position)))

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
            return pa.DictionaryArray.from_arrays(indices, hex_strings(raw))
        encoded = pc.dictionary_encode(normalised)  # some repeat: number them as usual
        _, first = np.unique(encoded.indices.to_numpy(), return_index=True)
        return pa.DictionaryArray.from_arrays(encoded.indices, hex_strings(raw[first]))


def decode(pseudonyms: pa.DictionaryArray) -> pa.Array:
    """The pseudonym of each row. Record keys are distinct, and then (distinct values are
    numbered in order of first appearance) the dictionary already is the column: no copy."""
    if len(pseudonyms.dictionary) == len(pseudonyms) and pseudonyms.null_count == 0:
        return pseudonyms.dictionary
    return pc.take(pseudonyms.dictionary, pseudonyms.indices)


def hmac_prefixes(key: bytes, messages: pa.Array, prefix: str = "") -> np.ndarray:
    """The first HALF bytes of HMAC-SHA256(key, prefix + message) for each (non-null) message.

    A national import hashes tens of millions of ids. A one-shot `hmac.digest` redoes the key
    schedule and OpenSSL's digest lookup every time; copying a keyed state costs about half as
    much, and the digests are kept as bytes and turned into hex all at once (`hex_strings`).
    Messages (text as UTF-8, or bytes) become Python bytes a chunk at a time, to stay small.
    """
    template = _hmac_new(key, digestmod="sha256")
    copy = template.copy
    out = np.empty((len(messages), HALF), np.uint8)
    for start in range(0, len(messages), CHUNK):
        chunk = messages.slice(start, CHUNK)
        if prefix:
            chunk = pc.binary_join_element_wise(prefix.encode(), chunk.cast(pa.binary()), b"")
        digests: list[bytes] = []
        append = digests.append
        for message in chunk.cast(pa.binary()).to_pylist():
            h = copy()
            h.update(message)
            append(h.digest())
        block = np.frombuffer(b"".join(digests), np.uint8).reshape(-1, template.digest_size)
        out[start : start + len(digests)] = block[:, :HALF]
    return out


def hex_strings(raw: np.ndarray) -> pa.Array:
    """Each row of bytes as lower-case hex, built in one buffer rather than a Python str a row."""
    rows, width = raw.shape
    chars = np.empty((rows, 2 * width), np.uint8)
    chars[:, 0::2] = HEX_DIGITS[raw >> 4]
    chars[:, 1::2] = HEX_DIGITS[raw & 0x0F]
    large = chars.size >= 2**31  # beyond 32-bit offsets: the cast raises Arrow's own error
    offsets = np.arange(rows + 1, dtype=np.int64 if large else np.int32) * (2 * width)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    text = pa.Array.from_buffers(pa.large_string() if large else pa.string(), rows, buffers)
    return text.cast(pa.string())
