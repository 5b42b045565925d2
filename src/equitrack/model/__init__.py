"""The canonical model: tables of the data contract and the code lists behind the measures."""

from equitrack.model import codes
from equitrack.model.tables import TABLE_BY_NAME, TABLES, Column, Identifier, Kind, Table, table

__all__ = ["TABLES", "TABLE_BY_NAME", "Column", "Identifier", "Kind", "Table", "codes", "table"]
