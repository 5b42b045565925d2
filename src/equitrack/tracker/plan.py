"""The recommendations being tracked, as data: their words, the actions first reported against
them, and the measures that evidence each.

The shipped file holds the LLR scrutiny review's ten; another system points
EQUITRACK_RECOMMENDATIONS at its own file of the same shape.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from equitrack.measures.registry import MEASURES

PLAN_ENV = "EQUITRACK_RECOMMENDATIONS"
STATUSES = ("planned", "in_progress", "done", "stopped")


class PlanProblem(Exception):
    """The recommendations file cannot be used; says where and why."""


@dataclass(frozen=True)
class PlannedAction:
    text: str
    owner: str
    status: str
    date: dt.date


@dataclass(frozen=True)
class Recommendation:
    number: int
    title: str
    asked: str
    question: str
    evidence: tuple[str, ...]
    actions: tuple[PlannedAction, ...]


@dataclass(frozen=True)
class Plan:
    source: str
    reported: dt.date
    recommendations: tuple[Recommendation, ...]

    def recommendation(self, number: int) -> Recommendation:
        for r in self.recommendations:
            if r.number == number:
                return r
        known = ", ".join(str(r.number) for r in self.recommendations)
        raise PlanProblem(f"no recommendation {number}; there are {known}")


def plan_path() -> Path | None:
    explicit = os.environ.get(PLAN_ENV)
    return Path(explicit).expanduser() if explicit else None


def load_plan(path: Path | None = None) -> Plan:
    path = path or plan_path()
    where = str(path) if path else "the shipped recommendations"
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else resources.files("equitrack.tracker").joinpath("recommendations.toml").read_text()
        )
        data = tomllib.loads(text)
    except OSError as exc:
        raise PlanProblem(f"cannot read {where}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanProblem(f"{where} is not valid TOML: {exc}") from None
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanProblem(f"{where}: {exc}") from None


def _parse(data: dict) -> Plan:
    reported = data["reported"]
    recs = []
    for i, raw in enumerate(data["recommendation"], start=1):
        label = f"recommendation {raw.get('number', i)}"
        unknown = [m for m in raw.get("evidence", []) if m not in MEASURES]
        if unknown:
            raise ValueError(f"{label} cites unknown measures {', '.join(unknown)}")
        actions = []
        for a in raw.get("actions", []):
            status = a.get("status", "done")
            if status not in STATUSES:
                raise ValueError(f"{label}: status {status!r} is not one of {', '.join(STATUSES)}")
            actions.append(PlannedAction(a["text"], a["owner"], status, a.get("date", reported)))
        recs.append(
            Recommendation(
                number=int(raw["number"]),
                title=raw["title"],
                asked=raw["asked"],
                question=raw["question"],
                evidence=tuple(raw.get("evidence", [])),
                actions=tuple(actions),
            )
        )
    numbers = [r.number for r in recs]
    if len(set(numbers)) != len(numbers):
        raise ValueError("recommendation numbers repeat")
    return Plan(data["source"], reported, tuple(recs))
