"""equitrack: evidence on whether Black and minority ethnic NHS staff are treated fairly."""

from typing import Any

__all__ = ["__version__", "bank_wres", "wdes", "wres"]


def __getattr__(name: str) -> Any:
    """`equitrack.wres(...)` without loading the engine for every command that does not need it;
    the version read from the installed package's metadata only when asked for."""
    if name in ("wres", "wdes", "bank_wres"):
        from equitrack import api

        return getattr(api, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("equitrack")
        except PackageNotFoundError:  # running from a source tree without installing
            return "0.0.0"
    raise AttributeError(f"module 'equitrack' has no attribute {name!r}")
