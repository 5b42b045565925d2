"""The dashboard's container image (issue 22 item 4).

Everywhere: the Dockerfile's contract, checked against the project (a non-root user, the PDF
libraries scripts/system-deps names, every data file in the wheel the image installs, a build
context with nothing private in it), and its entry point, command and health check run here as
the image would run them, on a folder standing in for its /data volume. Where a Docker engine
answers: the image itself, built by `make image` and run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
#: what scripts/system-deps installs for the tests and the asset build, never for serving
BUILD_AND_TEST_TOOLS = {"postgresql", "default-jre-headless", "poppler-utils", "nodejs", "npm"}
ADMIN, PASSWORD = "image.admin", "a-long-enough-password"


# --- reading the Dockerfile -------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str

    def exec_form(self) -> list[str]:
        """The JSON array of CMD, ENTRYPOINT or HEALTHCHECK (after its flags and CMD)."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = re.sub(r"^(--\S+\s+)*CMD\s+", "", text)
        value = json.loads(text)  # the shell form would not pass the stop signal on
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), text
        return value

    def copy_parts(self) -> tuple[dict[str, str], list[str], str]:
        """A COPY's flags, sources and destination."""
        words = shlex.split(self.args)
        flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
        paths = [w for w in words if not w.startswith("--")]
        return flags, paths[:-1], paths[-1]


def stages() -> list[list[Instruction]]:
    """The Dockerfile's stages, each a list of instructions (continuations joined)."""
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    logical, current = [], ""
    for line in lines:
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    found: list[list[Instruction]] = []
    for text in logical:
        keyword, _, args = text.partition(" ")
        if keyword.upper() == "FROM":
            found.append([])
        found[-1].append(Instruction(keyword.upper(), args.strip()))
    return found


def runtime() -> list[Instruction]:
    return stages()[-1]


def only(stage: list[Instruction], keyword: str) -> Instruction:
    matches = [i for i in stage if i.keyword == keyword]
    assert len(matches) == 1, f"the runtime stage should have one {keyword}, has {len(matches)}"
    return matches[0]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for i in runtime():
        if i.keyword == "ENV":
            env.update(w.split("=", 1) for w in shlex.split(i.args))
    return env


def volume() -> str:
    args = only(runtime(), "VOLUME").args
    paths = json.loads(args) if args.startswith("[") else args.split()
    assert len(paths) == 1, paths
    return paths[0]


def exposed_port() -> int:
    return int(only(runtime(), "EXPOSE").args.split("/")[0])


def installed_packages(stage: list[Instruction]) -> set[str]:
    """Debian packages an `apt-get install` in the stage names."""
    names: set[str] = set()
    for i in stage:
        if i.keyword == "RUN" and "apt-get install" in i.args:
            for command in i.args.split("&&"):
                words = command.split()
                if words[:2] == ["apt-get", "install"]:
                    names |= {w for w in words[2:] if not w.startswith("-")}
    return names


def system_deps_packages() -> set[str]:
    """Every Debian package scripts/system-deps may install."""
    text = (ROOT / "scripts" / "system-deps").read_text(encoding="utf-8")
    return {n for group in re.findall(r"need\+=\(([^)]*)\)", text) for n in group.split()}


def with_port(argv: list[str], port: int) -> list[str]:
    """The command line with its `--port` value replaced (there must be one)."""
    at = argv.index("--port") + 1
    return [*argv[:at], str(port), *argv[at + 1 :]]


# --- the contract -----------------------------------------------------------------------------


def test_the_runtime_stage_runs_as_a_fixed_unprivileged_user() -> None:
    # numeric, so an orchestrator can check it is not root before starting it
    user = only(runtime(), "USER").args
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0, f"USER {user} is root or not a numeric uid"
    assert not gid or (gid.isdigit() and int(gid) != 0), f"USER {user}: group is root"
    creates = [i.args for i in runtime() if i.keyword == "RUN" and "useradd" in i.args]
    assert any(f"--uid {uid}" in args for args in creates), f"no user with uid {uid} is made"


def test_the_runtime_has_weasyprints_libraries_and_fonts_and_no_build_tools() -> None:
    deps = system_deps_packages()
    libraries = {n for n in deps if n.startswith(("lib", "fonts-"))}
    assert {"libpango-1.0-0", "fonts-dejavu-core"} <= libraries, deps  # the parse found them
    installed = installed_packages(runtime())
    assert libraries <= installed, f"missing from the image: {sorted(libraries - installed)}"
    assert not (installed & (BUILD_AND_TEST_TOOLS | {"chromium"})), installed
    assert deps - libraries <= BUILD_AND_TEST_TOOLS | {"chromium"}, (
        "scripts/system-deps names a package this test does not know to be for tests only: "
        f"{sorted(deps - libraries - BUILD_AND_TEST_TOOLS - {'chromium'})}"
    )


def test_the_runtime_installs_the_built_wheel_without_dev_extras() -> None:
    pip = [i.args for i in runtime() if i.keyword == "RUN" and "pip install" in i.args]
    assert len(pip) == 1, pip
    installs = re.search(r"--find-links[= ]/wheels\s+'?equitrack(?:\[([\w,]*)\])?'?\s*$", pip[0])
    assert installs, pip[0]
    extras = set(filter(None, (installs.group(1) or "").split(",")))
    assert extras <= {"postgres"}, f"the image should not carry the {extras} extras"
    if "postgres" in extras:  # psycopg loads libpq itself
        assert "libpq5" in installed_packages(runtime())
    assert "--no-index" in pip[0]  # the wheels the builder made, nothing else
    builder = next(s for s in stages() if s[0].args.endswith(" AS builder"))
    assert any(i.keyword == "RUN" and "pip wheel" in i.args for i in builder)
    assets = [i for s in stages() for i in s if i.keyword == "RUN" and "web-assets" in i.args]
    assert assets, "no stage builds the dashboard's NHS.UK assets"


def test_the_wheel_carries_every_data_file_the_image_needs() -> None:
    # the image installs the wheel, not the source tree: a template, profile or asset outside
    # the package data would be missing from the container only
    package = ROOT / "src" / "equitrack"
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["equitrack"]
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    data = {
        p
        for p in package.rglob("*")
        if p.is_file()
        and p.suffix not in {".py", ".pyc"}
        and "__pycache__" not in p.parts
        and not p.name.startswith(".")
    }
    assert (package / "web" / "templates" / "sign_in.html") in data
    assert data - shipped == set(), sorted(str(p.relative_to(package)) for p in data - shipped)


def _dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes, pattern) for each line, in Docker's syntax: * within a folder, ** across."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
            regex += {"**/": "(.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                part, re.escape(part)
            )
        rules.append((not negated, re.compile(regex + r"\Z")))
    return rules


def in_build_context(path: str) -> bool:
    """Whether `path` enters the build context: the last rule matching it or a parent wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    included = True
    for excludes, regex in _dockerignore_rules():
        if any(regex.match(p) for p in prefixes):
            included = not excludes
    return included


def test_the_build_context_has_what_the_dockerfile_copies_and_nothing_private() -> None:
    copied = [
        source
        for stage in stages()
        for i in stage
        if i.keyword == "COPY" and "from" not in i.copy_parts()[0]
        for source in i.copy_parts()[1]
    ]
    assert "scripts/container-start" in copied
    for source in copied:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not here"
        assert in_build_context(source.rstrip("/")), f".dockerignore leaves out {source}"
    assert in_build_context("src/equitrack/web/templates/sign_in.html")
    for private in (
        ".git/config",
        ".venv/bin/python",
        "equitrack.duckdb",
        "src/equitrack.duckdb",
        "demo/equitrack.duckdb",
        "out/wres.pdf",
        "rejects/staff.csv",
        "pseudonymisation.key",
        "src/equitrack/data/pseudonymisation.key",
        "web/node_modules/nhsuk-frontend/package.json",
        "src/equitrack/web/static/nhsuk/nhsuk-frontend.min.css",  # built afresh in the image
        "src/equitrack/__pycache__/cli.cpython-311.pyc",
    ):
        assert not in_build_context(private), f"{private} would be sent to the Docker engine"


# --- the image's own command lines, run here --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Here:
    """The image's environment mapped onto this machine: its volume a temporary folder, its
    scripts the repository's, `equitrack` and `python` the project's virtual environment."""

    data: Path
    env: dict[str, str]

    def run(
        self, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, env=env or self.env, cwd=self.data, capture_output=True, text=True, timeout=60
        )


def _here(tmp_path: Path) -> Here:
    data, bin_ = tmp_path / "data", tmp_path / "bin"
    data.mkdir(mode=0o700)
    bin_.mkdir()
    for i in runtime():
        if i.keyword == "COPY" and "from" not in i.copy_parts()[0]:
            _, sources, destination = i.copy_parts()
            assert destination.startswith("/usr/local/bin/"), destination
            (bin_ / Path(destination).name).symlink_to(ROOT / sources[0])
    mount = volume()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUITRACK_")}
    for name, value in image_env().items():
        if value == mount or value.startswith(mount + "/"):
            value = str(data) + value[len(mount) :]
        env[name] = value
    env["PATH"] = os.pathsep.join([str(bin_), str(VENV_BIN), env.get("PATH", "")])
    env["HOME"] = str(tmp_path)
    return Here(data, env)


@contextmanager
def _running(here: Here, argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The command in its own process group, always stopped (and its children) on exit."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=here.env, cwd=here.data, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.inputs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append(dict(attrs))
        elif tag == "input" and self.forms:
            found = dict(attrs)
            self.inputs[found.get("name") or ""] = found


def _sign_in_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    assert [(f.get("method"), f.get("action")) for f in form.forms] == [("post", "/sign-in")]
    assert form.inputs["username"].get("type") == "text"
    assert form.inputs["password"].get("type") == "password"
    assert form.inputs["csrf_token"].get("value")
    return form


def test_the_image_starts_serves_the_sign_in_page_and_checks_its_health(tmp_path: Path) -> None:
    entrypoint = only(runtime(), "ENTRYPOINT").exec_form()
    command = only(runtime(), "CMD").exec_form()
    health = only(runtime(), "HEALTHCHECK").exec_form()
    port = exposed_port()
    assert command[:2] == ["equitrack", "serve"], command
    # inside a container, loopback only would answer no one
    assert command[command.index("--host") + 1] == "0.0.0.0", command
    assert command[command.index("--port") + 1] == str(port) == health[health.index("--port") + 1]
    assert image_env()["EQUITRACK_DB"].startswith(volume() + "/")
    assert image_env()["EQUITRACK_KEY_FILE"].startswith(volume() + "/")

    here, free = _here(tmp_path), _free_port()
    # the first administrator, added through the entry point to a volume with no store yet
    added = here.run(
        [*entrypoint, "equitrack", "users", "add", ADMIN, "--role", "admin", "--org", "*"],
        env={**here.env, "EQUITRACK_NEW_PASSWORD": PASSWORD},
    )
    assert added.returncode == 0, added.stdout + added.stderr
    store = Path(here.env["EQUITRACK_DB"])
    assert store.is_file() and store.stat().st_mode & 0o077 == 0, oct(store.stat().st_mode)
    assert Path(here.env["EQUITRACK_KEY_FILE"]).parent.is_dir()

    healthcheck = with_port(health, free)
    log = tmp_path / "serve.log"
    with _running(here, [*entrypoint, *with_port(command, free)], log) as server:
        deadline = time.monotonic() + 30
        while (checked := here.run(healthcheck)).returncode != 0:
            assert server.poll() is None, f"the server stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"never healthy: {checked.stderr}\n{log.read_text()}"
            )
            time.sleep(0.25)
        with httpx.Client(base_url=f"http://127.0.0.1:{free}", trust_env=False) as client:
            page = client.get("/sign-in")
            assert page.status_code == 200
            form = _sign_in_form(page.text)
            for href in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
                assert client.get(href).status_code == 200, href
            # the session cookies are Secure (HTTPS behind the proxy), so a client on plain
            # HTTP keeps them back: given by hand, as the browser would over HTTPS
            token = form.inputs["csrf_token"]["value"]
            signed_in = client.post(
                "/sign-in",
                data={"username": ADMIN, "password": PASSWORD, "csrf_token": token, "next": "/"},
                headers={"Cookie": f"equitrack_sign_in={token}"},
            )
            assert signed_in.status_code == 303, signed_in.text
            assert "secure" in signed_in.headers["set-cookie"].lower()
        # the health check stays a passing check only while the server answers
    stopped = here.run(healthcheck)
    assert stopped.returncode == 1 and "/health" in stopped.stderr, stopped.stderr


# --- the image itself, where a Docker engine answers ------------------------------------------


def _docker_engine() -> str | None:
    """Why the image cannot be built here, or None when a Docker engine answers."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "docker info did not answer in 20 s"
    if info.returncode != 0:
        last = (info.stderr.strip().splitlines() or ["no reason given"])[-1]
        return f"no Docker engine answers `docker info` ({last})"
    return None


@pytest.mark.slow
def test_the_built_image_serves_the_sign_in_page_as_a_non_root_user(tmp_path: Path) -> None:
    if reason := _docker_engine():
        pytest.skip(f"the image cannot be built or run here: {reason}")
    built = subprocess.run(["make", "image"], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    name = f"equitrack-test-{uuid.uuid4().hex[:8]}"
    volume_name = f"{name}-data"

    def docker(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120)

    try:
        added = docker(
            "run", "--rm", "-e", f"EQUITRACK_NEW_PASSWORD={PASSWORD}",
            "-v", f"{volume_name}:/data", "equitrack:latest",
            "equitrack", "users", "add", ADMIN, "--role", "admin", "--org", "*",
        )  # fmt: skip
        assert added.returncode == 0, added.stdout + added.stderr
        started = docker(
            "run", "-d", "--name", name, "-v", f"{volume_name}:/data",
            "-p", f"127.0.0.1::{exposed_port()}", "equitrack:latest",
        )  # fmt: skip
        assert started.returncode == 0, started.stderr
        deadline = time.monotonic() + 120
        while (
            state := docker("inspect", "-f", "{{.State.Health.Status}}", name)
        ).stdout.strip() != "healthy":
            assert state.stdout.strip() in {"starting", ""}, docker("logs", name).stderr
            assert time.monotonic() < deadline, docker("logs", name).stderr
            time.sleep(1)
        published = docker("port", name, str(exposed_port())).stdout.splitlines()[0].strip()
        page = httpx.get(f"http://{published}/sign-in", trust_env=False)
        assert page.status_code == 200
        _sign_in_form(page.text)
        uid = docker("exec", name, "id", "-u").stdout.strip()
        assert uid == only(runtime(), "USER").args.partition(":")[0] and uid != "0", uid
    finally:
        docker("rm", "-f", name)
        docker("volume", "rm", "-f", volume_name)


def test_the_deployment_guide_describes_this_image() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = guide.split("## Running the container image", 1)[1].split("\n## ", 1)[0]
    uid = only(runtime(), "USER").args.partition(":")[0]
    assert f"uid {uid}" in section
    for name in ("EQUITRACK_DB", "EQUITRACK_KEY_FILE", "EQUITRACK_PROFILES"):
        assert f"`{image_env()[name].rstrip('/')}" in section and f"`{name}`" in section, name
    assert f"{volume()}/key" in section  # the key's own volume is mounted where the key lives
    assert Path(image_env()["EQUITRACK_KEY_FILE"]).parent == Path(volume()) / "key"
    served = re.search(r"equitrack:latest equitrack serve (.*)", section)
    assert served, "the guide runs no server"
    assert f"--port {exposed_port()}" in served.group(1) and "--host 0.0.0.0" in served.group(1)
