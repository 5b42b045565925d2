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

try:  # OpenSSL's one-shot HMAC without the Python wrapper: a third faster over millions of ids
    from _hashlib import hmac_digest as _hmac_digest
except ImportError:  # pragma: no cover - CPython without OpenSSL
    _hmac_digest = hmac.digest

#: Bytes kept of each digest: 128 bits, far beyond any collision risk at NHS scale.
HALF = 16
PERSON_NAMESPACE = "person"


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
    digits = pc.match_substring_regex(text, "^[0-9]+$")
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
        key, digest, prefix = self._key, _hmac_digest, f"{namespace}:"
        hashed = [
            digest(key, (prefix + v).encode(), "sha256")[:HALF].hex()
            for v in normalised.to_pylist()
        ]
        return pa.array(hashed, pa.string())

    def hash_array(self, namespace: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Hashes each distinct value once; nulls stay null."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        encoded = pc.dictionary_encode(normalise_ids(values))
        uniques = encoded.dictionary
        if namespace != PERSON_NAMESPACE:
            return pc.take(self._digests(namespace, uniques), encoded.indices)
        found = pc.index_in(uniques, self._known)
        missing = uniques.filter(pc.is_null(found))
        fresh = self._digests(namespace, missing)
        if len(self._known) + len(missing) <= self._remember:
            self._known = pa.concat_arrays([self._known, missing.cast(pa.string())])
            self._pseudonyms = pa.concat_arrays([self._pseudonyms, fresh])
            found = pc.index_in(uniques, self._known)
            return pc.take(pc.take(self._pseudonyms, found), encoded.indices)
        # over the limit: known ids from memory, the rest freshly hashed
        offset = len(self._pseudonyms)
        table = pa.concat_arrays([self._pseudonyms, fresh])
        position = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).copy()
        position[position < 0] = offset + np.arange(len(missing))
        return pc.take(pc.take(table, pa.array(position)), encoded.indices)
