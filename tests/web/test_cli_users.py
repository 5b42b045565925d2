"""Users and the audit trail from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from equitrack.cli import app
from equitrack.store import connect
from equitrack.web.audit import entries
from equitrack.web.users import authenticate
from tests.factories import small_system

runner = CliRunner()


def test_users_are_added_listed_and_removed_and_imports_are_audited(
    tmp_path: Path, db_path: Path
) -> None:
    data = small_system(tmp_path / "data")
    assert runner.invoke(app, ["import", str(data), "--db", str(db_path)]).exit_code == 0
    add = ["users", "add", "alice", "--role", "editor", "--org", "RWE", "--db", str(db_path)]
    short = runner.invoke(app, [*add, "--password", "short"])
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    unknown = runner.invoke(
        app, [*add[:-4], "--org", "ZZ9", "--db", str(db_path), "--password", "long enough password"]
    )
    assert unknown.exit_code != 0 and "no organisation ZZ9" in unknown.output
    assert runner.invoke(app, [*add, "--password", "long enough password"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--db", str(db_path)])
    assert "alice" in listed.output and "editor" in listed.output and "RWE" in listed.output
    store = connect(str(db_path), create=False)
    principal = authenticate(store, "alice", "long enough password")
    assert principal is not None and principal.orgs == ("RWE",)
    assert authenticate(store, "alice", "wrong password here") is None
    hashes = store.table("users").password_hash.to_pyarrow().to_pylist()
    assert all(h.startswith("$argon2id$") and "long enough" not in h for h in hashes)
    store.close()
    assert runner.invoke(app, ["users", "remove", "alice", "--db", str(db_path)]).exit_code == 0
    store = connect(str(db_path), create=False)
    assert authenticate(store, "alice", "long enough password") is None
    events = [(e.event, e.address) for e in entries(store)]
    store.close()
    assert ("import", "command line") in events
