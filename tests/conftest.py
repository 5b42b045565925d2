"""Every test gets its own pseudonymisation key, database and local profiles, never the
user's; generated systems are built once per session and shared by every folder of tests."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from equitrack import config, logs, synth
from equitrack.ingest import import_paths
from equitrack.store import Store, connect
from tests import across_workers
from tests.same_data import measured, same_data


@pytest.fixture(scope="session", autouse=True)
def releases_in_memory() -> Iterator[None]:
    """Releases are not kept on disk unless a test asks (`tests/test_release_files.py`): many
    tests cut the release's questions down by patching the code, which its files' key cannot
    see, and share the generated stores whose files would then hold a cut-down release."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.RELEASES_ENV, "off")
        yield


@pytest.fixture(autouse=True)
def isolated_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    key_file = tmp_path_factory.mktemp("key") / "pseudonymisation.key"
    monkeypatch.setenv(config.KEY_FILE_ENV, str(key_file))
    monkeypatch.delenv(config.KEY_ENV, raising=False)
    monkeypatch.delenv(config.DB_ENV, raising=False)
    # no local profiles unless a test puts some there
    monkeypatch.setenv(config.PROFILES_ENV, str(key_file.parent / "profiles"))
    return key_file


@pytest.fixture(autouse=True)
def in_tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files a command writes by default (rejects/, equitrack.duckdb) land in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """A test that sets up equitrack's JSON logs (a command with EQUITRACK_LOG_LEVEL, `serve`)
    leaves the next test's logging as it found it."""
    root = logging.getLogger()
    before, level = logs._HANDLER, root.level
    yield
    if logs._HANDLER is not before:
        if logs._HANDLER is not None:
            root.removeHandler(logs._HANDLER)
        if before is not None and before not in root.handlers:
            root.addHandler(before)
        logs._HANDLER = before
    root.setLevel(level)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def loaded_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Store]]:
    """Returns a store holding a generated system; each (preset, parity) is built once in the
    run (by the first worker to ask, `tests.across_workers`) and copied into each worker's
    folder: its data, its key (every system's the same) and its database, as if built there."""
    cache: dict[tuple[str, bool], Store] = {}
    base = tmp_path_factory.mktemp("systems")
    shared = across_workers.shared_folder(tmp_path_factory) / "systems"
    shared.mkdir(mode=0o700, exist_ok=True)

    def make(preset: str, parity: bool) -> Callable[[Path], None]:
        def into(folder: Path) -> None:
            tables = synth.generate(
                preset, seed=7, disparities=synth.Disparities.none() if parity else None
            )
            synth.write(tables, folder / "data", "parquet")
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv(config.KEY_FILE_ENV, str(shared / "key"))
                store = connect(str(folder / "db.duckdb"))
                assert import_paths([folder / "data"], store).ok
                store.close()

        return into

    def build(preset: str = "llr", parity: bool = False) -> Store:
        if (preset, parity) not in cache:
            name = f"{preset}-{'parity' if parity else 'default'}"
            with across_workers.locked(shared / "key.lock"):  # the first import makes the key
                made = across_workers.built_once(shared / name, make(preset, parity))
                if not (base / "key").exists():
                    shutil.copy2(shared / "key", base / "key")
            folder = base / name
            shutil.copytree(made, folder)
            store = connect(str(folder / "db.duckdb"), create=False)
            same_data(store)  # its copies share what is built for these data
            cache[(preset, parity)] = store
        return cache[(preset, parity)]

    yield build
    for store in cache.values():
        store.close()


@pytest.fixture(scope="session")
def mini_measured(loaded_system: Callable[..., Store], tmp_path_factory) -> None:
    """The mini system's exact answers, measured once in the run for every copy of it in every
    worker (`tests.same_data.measured`): a copy's new data then ask again only the measures
    that read them."""
    measured(loaded_system("mini"), across_workers.shared_folder(tmp_path_factory) / "answers")


def _group(nodeid: str) -> str:
    """A test's worker group: its module, or "engines" for every engine test."""
    module = nodeid.split("::")[0]
    return "engines" if Path(module).parent.name == "engines" else module


@pytest.hookimpl(tryfirst=True)  # before xdist's own choice of scheduler
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With `pytest -n 2 --dist loadgroup` (make test), each module runs whole on one worker so
    its module fixtures are built once, and the engine tests share one worker's PostgreSQL and
    Spark. (xdist's own groups ride on a suffix to the test's id that pytest 9 no longer keeps,
    so the groups are given to the scheduler directly.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    config.option.loadscopereorder = False  # the workers' order (`pytest_collection_modifyitems`)
    return ByGroup(config, log)  # type: ignore[arg-type]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With `make test`'s groups, the groups with a `heavy` module first, then the rest, each
    by their number of tests as xdist orders them: a long group handed out last would leave the
    other worker idle while it runs."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers only
        return
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(_group(item.nodeid), []).append(item)

    def cost(name: str) -> tuple[bool, int]:
        heavy = any(item.get_closest_marker("heavy") for item in groups[name])
        return heavy, len(groups[name])

    items[:] = [item for name in sorted(groups, key=cost, reverse=True) for item in groups[name]]
