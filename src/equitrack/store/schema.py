"""Schemas of the stored tables: the canonical tables plus the store's own bookkeeping."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import ibis

from equitrack.model.tables import TABLES, Column, Table
from equitrack.store.pseudonyms import IBIS_PSEUDONYM
from equitrack.store.types import IBIS_TYPES

BATCH_ID = "batch_id"
#: 2: pseudonyms stored in 16 bytes (UUID); a store of schema 1 held them as 32 hex characters
#: and is brought up to date by `equitrack migrate` (store/migrate.py).
SCHEMA_VERSION = "2"
TEXT_PSEUDONYMS = "1"

BATCHES = ibis.schema(
    {
        "batch_id": "int64",
        "source_file": "string",
        "sheet": "string",
        "sha256": "string",
        "table_name": "string",
        "rows_read": "int64",
        "rows_loaded": "int64",
        "rows_rejected": "int64",
        "loaded_at": "timestamp",
        "equitrack_version": "string",
    }
)

#: Unknown extra columns of a source, kept rather than dropped (data contract), one value a row.
EXTRA_VALUES = ibis.schema(
    {
        "batch_id": "int64",
        "table_name": "string",
        "line": "int64",
        "column_name": "string",
        "value": "string",
    }
)

META = ibis.schema({"key": "string", "value": "string"})

#: Batches committed by an import still in progress. An import commits file by file (one
#: transaction per batch keeps memory bounded at national scale) and clears the journal when it
#: completes; whatever is left in it belongs to an import that failed or was killed, and is
#: removed, so the store returns to what it was before that import.
IMPORT_JOURNAL = ibis.schema({"batch_id": "int64"})

#: Actions reported against the recommendations being tracked, and every change of their status
#: (the history is kept: a status is never overwritten).
ACTIONS = ibis.schema(
    {
        "action_id": "int64",
        "recommendation": "int64",
        "text": "string",
        "owner": "string",
        "created_at": "timestamp",
        "created_by": "string",
    }
)
ACTION_EVENTS = ibis.schema(
    {
        "event_id": "int64",
        "action_id": "int64",
        "status": "string",
        "status_date": "date",
        "recorded_at": "timestamp",
        "recorded_by": "string",
        "note": "string",
    }
)
#: Every change of an action's other fields (lead, due date, next milestone, RAG rating, linked
#: measures), one row per change: the latest row per action and field is its value.
ACTION_FIELDS = ibis.schema(
    {
        "event_id": "int64",
        "action_id": "int64",
        "field": "string",
        "value": "string",
        "recorded_at": "timestamp",
        "recorded_by": "string",
        "note": "string",
    }
)

#: Officers' commentary on a paper (its whole, or one recommendation), one row per change: a new
#: draft, or the approval of the draft then current (its text copied, so what was approved stays
#: as it was whatever is written after). The latest approved row is what a public paper prints.
COMMENTARY = ibis.schema(
    {
        "entry_id": "int64",
        "scope": "string",  # an organisation's code, or "system"
        "year": "int64",  # the reporting year of the paper
        "part": "string",  # "paper", or "rec1" to "rec10"
        "text": "string",
        "state": "string",  # draft | approved
        "recorded_at": "timestamp",
        "recorded_by": "string",
    }
)

#: Dashboard users. A change (a new user, a new password, removal) is a new row: the latest row
#: per username is the user as they are, and earlier rows are their history.
USERS = ibis.schema(
    {
        "username": "string",
        "password_hash": "string",  # Argon2id, never the password
        "role": "string",
        "orgs": "string",  # comma-separated ODS codes, or * for the whole system
        "recorded_at": "timestamp",
        "recorded_by": "string",
        "removed": "boolean",
    }
)
#: What people did in the dashboard and the CLI that matters for trust: sign-ins (and failed
#: ones), imports, exports, action changes, views of restricted pages. Append-only.
AUDIT_LOG = ibis.schema(
    {
        "at": "timestamp",
        "username": "string",
        "event": "string",
        "detail": "string",
        "address": "string",
    }
)
#: Signed-in dashboard sessions, kept here rather than in a server's memory so a restart or a
#: second server process keeps people signed in. `digest` is the SHA-256 of the cookie's token
#: (never the token); a row is deleted on sign-out and once it has expired.
SESSIONS = ibis.schema(
    {
        "digest": "string",
        "username": "string",
        "role": "string",
        "orgs": "string",  # as in users
        "started": "timestamp",
        "seen": "timestamp",
        "flashes": "string",  # messages for the next page shown, a JSON list
    }
)
#: Sign-in attempts counted by the throttle, one row per counted attempt and key (a username or
#: an address, hashed: typed usernames and callers' addresses are not kept as given).
SIGN_IN_ATTEMPTS = ibis.schema({"key": "string", "ticket": "string", "at": "timestamp"})

#: ESR staff-in-post snapshots and leavers reports as received (pseudonymised), a row per
#: assignment with its person's equality fields: `kind` is `in_post` (a snapshot of `org_code`
#: as at `as_at`) or `leaver` (a leavers report's row; `as_at` is its termination date). The
#: organisation's assignments, and the people, are derived from them (ingest/spells.py).
SNAPSHOT_KINDS = ("in_post", "leaver")


def stored_type(column: Column) -> ibis.DataType:
    """A model column's type in the store: a pseudonymised identifier is 16 bytes."""
    return IBIS_PSEUDONYM if column.identifier else IBIS_TYPES[column.kind]


def _snapshot_rows() -> ibis.Schema:
    fields: dict[str, object] = {"kind": "string", "as_at": "date"}
    for name in ("assignments", "people"):
        declared = next(t for t in TABLES if t.name == name)
        fields |= {c.name: stored_type(c) for c in declared.columns if c.name not in fields}
    fields[BATCH_ID] = "int64"
    return ibis.schema(fields)


SNAPSHOT_ROWS = _snapshot_rows()
#: The batches holding assignments (for an organisation) or people (org_code blank) derived
#: from the snapshots: replaced whole whenever a snapshot or leavers report is loaded.
#: What the derivation could not know for sure is counted with it (see spells.Quality).
DERIVED_BATCHES = ibis.schema(
    {
        "batch_id": "int64",
        "org_code": "string",
        "snapshots": "int64",
        "ended_between": "int64",
        "leaver_conflicts": "int64",
    }
)

BOOKKEEPING = {
    "batches": BATCHES,
    "extra_values": EXTRA_VALUES,
    "meta": META,
    "import_journal": IMPORT_JOURNAL,
    "actions": ACTIONS,
    "action_events": ACTION_EVENTS,
    "action_fields": ACTION_FIELDS,
    "commentary": COMMENTARY,
    "users": USERS,
    "audit_log": AUDIT_LOG,
    "sessions": SESSIONS,
    "sign_in_attempts": SIGN_IN_ATTEMPTS,
    "snapshot_rows": SNAPSHOT_ROWS,
    "derived_batches": DERIVED_BATCHES,
}


def table_schema(table: Table) -> ibis.Schema:
    fields = {c.name: stored_type(c) for c in table.columns}
    fields[BATCH_ID] = ibis.dtype("int64")
    return ibis.schema(fields)


#: Tables a store gains when first written to; a store made before them is still readable.
OPTIONAL = frozenset(
    {
        "actions",
        "action_events",
        "action_fields",
        "commentary",
        "users",
        "audit_log",
        "sessions",
        "sign_in_attempts",
        "snapshot_rows",
        "derived_batches",
    }
)
#: Tables that stay in the store: password hashes, the audit log, sessions and sign-in attempts
#: are not data to analyse, so no export (Parquet for Spark) carries them.
PRIVATE = frozenset({"users", "audit_log", "sessions", "sign_in_attempts"})


@functools.cache
def all_schemas() -> Mapping[str, ibis.Schema]:
    """Every table a store holds, and its schema: made once (reading a table asks, and a run
    of the measures reads hundreds), and read-only, as the tables are."""
    return MappingProxyType({**{t.name: table_schema(t) for t in TABLES}, **BOOKKEEPING})
