"""The store: canonical tables in an engine reached through Ibis."""

from equitrack.store.connection import Store, StoreBusy, StoreError, connect

__all__ = ["Store", "StoreBusy", "StoreError", "connect"]
