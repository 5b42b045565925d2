"""The dashboard's own writes (the audit log, users) leave an import in progress on another
connection alone: only a writing open of the store clears up after a dead import."""

from __future__ import annotations

import pyarrow as pa

from equitrack.store import connect
from equitrack.web import audit
from equitrack.web.users import add_user


def test_an_audit_entry_or_a_new_user_leaves_a_running_import_alone(tmp_path) -> None:
    url = str(tmp_path / "s.duckdb")
    importing, app = connect(url), connect(url)
    # an import on its own connection has committed batch 7, not yet finished
    importing.insert("import_journal", pa.table({"batch_id": pa.array([7], pa.int64())}))
    app.con.raw_sql("DROP TABLE audit_log; DROP TABLE users")  # as in a store made before them
    audit.record(app, "someone", audit.Event.SIGN_IN)
    add_user(app, "someone", "a long enough password", "viewer", ["*"], by="test")
    assert app.unfinished_batches() == [7]
    assert [e.username for e in audit.entries(app)] == ["someone"]
    # the next writing open is what clears it
    connect(url).close()
    assert app.unfinished_batches() == []
