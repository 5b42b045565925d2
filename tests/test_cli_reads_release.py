"""The measuring commands read figures the release has answered for this data version (kept on
disk by an import, a report or the dashboard) instead of measuring them again: the same output,
byte for byte, and a question the release did not ask is measured as before."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from equitrack import api, release
from equitrack.cli import app
from equitrack.disclosure import policy_for
from equitrack.store import Store
from tests.test_release_files import _forget, calls, kept_on_disk, small  # noqa: F401

runner = CliRunner()


def _wres(store: Store, *args: str) -> str:
    result = runner.invoke(
        app, ["wres", *args, "--db", store.url, "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_kept_answer_is_read_not_measured_and_is_the_same(
    small: Store,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    year = str(release.released_years(small)[-1])
    measured = {args: _wres(small, "--year", year, *args) for args in [(), ("--system",)]}
    release.release_for(small, policy_for("board"))  # keeps this version's answers on disk
    _forget(small)  # as a new process: the answers are read back from the disk

    ran: list[tuple] = []
    run = api.run

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(args)
        return run(*args, **kwargs)

    monkeypatch.setattr(api, "run", counting)
    for args, expected in measured.items():
        assert _wres(small, "--year", year, *args) == expected
    assert ran == []  # read from the kept answers

    # a grouping the release (cut to WRES groups here) did not ask: measured, as before
    broad = _wres(small, "--year", year, "--by", "broad")
    assert ran and all(args[0] == "wres" for args in ran) and '"broad"' in broad
