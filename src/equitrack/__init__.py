"""equitrack: evidence on whether Black and minority ethnic NHS staff are treated fairly."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("equitrack")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["__version__"]
