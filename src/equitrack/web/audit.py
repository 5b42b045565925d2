"""The audit log: append-only rows of who did what, from where, and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from equitrack.store import Store
from equitrack.store.schema import AUDIT_LOG


class Event:
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in failed"
    SIGN_IN_THROTTLED = "sign-in throttled"
    SIGN_OUT = "sign-out"
    IMPORT = "import"
    IMPORT_REJECTED = "import rejected"
    EXPORT = "export"
    ACTION_ADDED = "action added"
    ACTION_STATUS = "action status changed"
    ACTION_FIELD = "action field changed"
    COMMENTARY = "commentary written"
    COMMENTARY_APPROVED = "commentary approved"
    RESTRICTED_VIEW = "restricted page viewed"
    DENIED = "access denied"


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    username: str
    event: str
    detail: str
    address: str


def record(store: Store, username: str, event: str, detail: str = "", address: str = "") -> None:
    store.ensure_tables(["audit_log"])  # not ensure_schema: it removes imports in progress
    row = {
        "at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "username": username,
        "event": event,
        "detail": detail,
        "address": address,
    }
    with store.transaction():
        store.insert("audit_log", pa.Table.from_pylist([row], schema=AUDIT_LOG.to_pyarrow()))


def entries(store: Store, limit: int = 500) -> list[Entry]:
    """The latest entries, newest first."""
    if "audit_log" not in store.con.list_tables():
        return []
    t = store.table("audit_log")
    rows = t.order_by(t.at.desc()).limit(limit).to_pyarrow().to_pylist()
    return [Entry(**r) for r in rows]
