"""Dashboard users in the store: Argon2id password hashes, roles and organisation scopes.

Nothing is overwritten: adding, changing and removing a user each append a row, and the latest
row per username is the user as they are now.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from equitrack.store import Store, StoreError
from equitrack.store.schema import USERS
from equitrack.web.access import WHOLE_SYSTEM, Principal, Role
from equitrack.web.sessions import Sessions

HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
#: Verified against when a username is unknown, so a wrong username costs as long as a wrong
#: password and the timing does not say which usernames exist.
_DUMMY = HASHER.hash("equitrack: no such user")
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
SHORTEST_PASSWORD = 12


class UserProblem(ValueError):
    """A user that cannot be added as asked: the message says why."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    orgs: tuple[str, ...]
    recorded_at: dt.datetime

    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.orgs)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _rows(store: Store) -> list[dict]:
    if "users" not in store.con.list_tables():
        return []
    return store.table("users").order_by("recorded_at").to_pyarrow().to_pylist()


def _latest(store: Store) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for row in _rows(store):
        latest[row["username"]] = row
    return {name: row for name, row in latest.items() if not row["removed"]}


def _append(store: Store, row: dict) -> None:
    """Record a change of a user; their sessions end, so a new password, role or scope, or
    the removal, holds from their next request on, on every server."""
    store.ensure_tables(["users"])  # not ensure_schema: it removes imports in progress
    with store.transaction():
        store.insert("users", pa.Table.from_pylist([row], schema=USERS.to_pyarrow()))
    Sessions(lambda work: work(store)).end_user(row["username"])


def add_user(
    store: Store, username: str, password: str, role: Role | str, orgs: Sequence[str], *, by: str
) -> User:
    """Add a user, or replace an existing one's password, role and organisations."""
    if not USERNAME.match(username):
        raise UserProblem(
            "a username is 2 to 64 letters, digits, dots, dashes, underscores or @ signs"
        )
    if len(password) < SHORTEST_PASSWORD:
        raise UserProblem(f"a password needs at least {SHORTEST_PASSWORD} characters")
    try:
        role = Role(role)
    except ValueError:
        raise UserProblem(f"role must be one of {', '.join(Role)}, not {role!r}") from None
    orgs = tuple(sorted({o.strip().upper() if o != WHOLE_SYSTEM else o for o in orgs if o.strip()}))
    if not orgs:
        raise UserProblem(f"give the user's organisations, or {WHOLE_SYSTEM} for the whole system")
    known = set(store.table("organisations").org_code.to_pyarrow().to_pylist())
    unknown = sorted(set(orgs) - known - {WHOLE_SYSTEM})
    if unknown:
        raise UserProblem(f"no organisation {', '.join(unknown)} is loaded")
    at = _now()
    _append(
        store,
        {
            "username": username,
            "password_hash": HASHER.hash(password),
            "role": str(role),
            "orgs": ",".join(orgs),
            "recorded_at": at,
            "recorded_by": by,
            "removed": False,
        },
    )
    return User(username, role, orgs, at)


def remove_user(store: Store, username: str, *, by: str) -> None:
    current = _latest(store).get(username)
    if current is None:
        raise UserProblem(f"no user {username!r}")
    _append(store, {**current, "recorded_at": _now(), "recorded_by": by, "removed": True})


def list_users(store: Store) -> list[User]:
    return [
        User(r["username"], Role(r["role"]), tuple(r["orgs"].split(",")), r["recorded_at"])
        for _, r in sorted(_latest(store).items())
    ]


def account(store: Store, username: str) -> dict | None:
    """A user's current row (None for no such user): the only part of signing in that reads the
    store, so a server can look it up under its store lock and check the password outside it."""
    return _latest(store).get(username)


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    """The user, if the password is theirs; None otherwise (same work either way)."""
    return check_password(account(store, username), password)


def check_password(row: dict | None, password: str) -> Principal | None:
    """The user of `row` if `password` is theirs; a missing row costs the same hashing."""
    try:
        HASHER.verify(row["password_hash"] if row else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    return Principal(row["username"], Role(row["role"]), tuple(row["orgs"].split(",")))


__all__ = [
    "StoreError",
    "User",
    "UserProblem",
    "account",
    "add_user",
    "authenticate",
    "check_password",
    "list_users",
    "remove_user",
]
