"""Ibis's SQL compilers imported one by one, when a backend first uses its own.

Why: `ibis.backends.sql.compilers` imports the compiler of every dialect Ibis knows (Athena,
BigQuery, Trino and sixteen more) as soon as any backend loads, a seventh of a second of every
`equitrack` command that opens a store, for the one dialect it speaks. `load_lazily` puts in
its place, before it is first imported, the same package with no module run at import: each
compiler module is imported when the package is asked for it (`compilers.duckdb`, or a class
named in the package's `__all__`, such as `PostgresCompiler`), so everything that reads the
package finds what it found before. Nothing changes once the package has been imported.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "ibis.backends.sql.compilers"


def _exported(init: Path) -> dict[str, str]:
    """Each name the package's `__init__` imports from one of its modules, and that module:
    {"DuckDBCompiler": "duckdb", …}, read from its source, so a later Ibis is read as it is."""
    prefix = f"{PACKAGE}."
    return {
        alias.asname or alias.name: node.module.removeprefix(prefix)
        for node in ast.parse(init.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix)
        for alias in node.names
    }


def load_lazily() -> None:
    """Make `ibis.backends.sql.compilers` import each compiler when first asked for (once, and
    only if nothing has imported the package yet)."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None or spec.loader is None:
        return
    exported = _exported(Path(spec.origin))
    package = importlib.util.module_from_spec(spec)  # its path and spec, its body not run

    def find(name: str) -> Any:
        """A compiler module by name, or a class by the name the package exports it as."""
        if name.startswith("__"):
            raise AttributeError(name)
        module = exported.get(name, name)
        try:
            found = importlib.import_module(f"{PACKAGE}.{module}")
        except ModuleNotFoundError as missing:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from missing
        return getattr(found, name) if name in exported else found

    package.__dict__.update(__all__=list(exported), __getattr__=find)
    sys.modules[PACKAGE] = package
    parent = sys.modules.get(PACKAGE.rpartition(".")[0])
    if isinstance(parent, ModuleType):
        parent.compilers = package  # type: ignore[attr-defined]


__all__ = ["load_lazily"]
