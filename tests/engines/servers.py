"""Throwaway engines for the parity tests: a PostgreSQL server and a local Spark session.

Both come from the machine (Debian's postgresql package, a Java runtime for PySpark), which
`make system-deps` installs. Where one is missing the tests that need it skip, unless
EQUITRACK_REQUIRE_ENGINES is set (as `.ci/run` does), when the absence is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRE_ENV = "EQUITRACK_REQUIRE_ENGINES"
POSTGRES_URL_ENV = "EQUITRACK_TEST_POSTGRES"


def unavailable(reason: str) -> None:
    """Skip, or fail where the engines are required."""
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set, so this engine is required)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres account the package made."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A URL for an empty database on a server of our own, stopped and deleted afterwards."""
    if url := os.environ.get(POSTGRES_URL_ENV):
        yield url
        return
    bindir = _postgres_bin()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (Debian package postgresql)")
    home = Path(tempfile.mkdtemp(prefix="equitrack-pg-"))
    data, port = home / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")

    def run(*args: object) -> None:
        command = _as_server_user([str(a) for a in args])
        subprocess.run(command, check=True, capture_output=True, text=True)

    try:
        run(bindir / "initdb", "-D", data, "-U", "equitrack", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(bindir / "pg_ctl", "-D", data, "-o", options, "-l", home / "log", "-w", "start")
        url = f"postgres://equitrack@127.0.0.1:{port}/postgres"
        yield url
    except subprocess.CalledProcessError as exc:
        unavailable(f"could not start PostgreSQL: {exc.stderr or exc.stdout}")
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                capture_output=True,
            )
        time.sleep(0.1)
        shutil.rmtree(home, ignore_errors=True)


def spark_available() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("no Java runtime for Spark (Debian package default-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        unavailable("pyspark is not installed")
