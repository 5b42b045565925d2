"""Measures: declarations of WRES, WDES, Bank WRES and more, evaluated by one engine."""

from equitrack.measures.engine import Request, evaluate
from equitrack.measures.populations import Scope
from equitrack.measures.registry import FAMILIES, MEASURES, family, measure
from equitrack.measures.result import Result, to_arrow

__all__ = [
    "FAMILIES",
    "MEASURES",
    "Request",
    "Result",
    "Scope",
    "evaluate",
    "family",
    "measure",
    "to_arrow",
]
