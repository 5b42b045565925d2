"""equitrack: evidence on whether Black and minority ethnic NHS staff are treated fairly."""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("equitrack")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["__version__", "bank_wres", "wdes", "wres"]


def __getattr__(name: str) -> Any:
    """`equitrack.wres(...)` without loading the engine for every command that does not need it."""
    if name in ("wres", "wdes", "bank_wres"):
        from equitrack import api

        return getattr(api, name)
    raise AttributeError(f"module 'equitrack' has no attribute {name!r}")
