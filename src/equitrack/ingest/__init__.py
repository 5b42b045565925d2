"""Ingest: read exports, validate them against the model, pseudonymise, load atomically."""

from equitrack.ingest.load import ImportResult, SourceResult, Status, import_paths
from equitrack.ingest.readers import ReadError

__all__ = ["ImportResult", "ReadError", "SourceResult", "Status", "import_paths"]
