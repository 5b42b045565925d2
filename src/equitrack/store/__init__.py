"""The store: canonical tables in an engine reached through Ibis."""

from equitrack.store.connection import Store, StoreError, connect

__all__ = ["Store", "StoreError", "connect"]
