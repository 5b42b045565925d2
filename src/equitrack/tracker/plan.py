"""The recommendations being tracked, as data: their words, the actions first reported against
them, the figure that answers each (its headline and its level), and the measures that
evidence each.

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
from typing import Any

from equitrack.measures.opportunities import REVIEW_YEAR
from equitrack.measures.registry import MEASURES

PLAN_ENV = "EQUITRACK_RECOMMENDATIONS"
STATUSES = ("planned", "in_progress", "done", "stopped")
RAGS = ("red", "amber", "green")


class PlanProblem(Exception):
    """The recommendations file cannot be used; says where and why."""


@dataclass(frozen=True)
class PlannedAction:
    text: str
    owner: str
    status: str
    date: dt.date
    lead: str | None = None
    #: The year the source gives for the action's start ("launched in 2023"), if it gives one.
    started: int | None = None


@dataclass(frozen=True)
class Headline:
    """The one comparison that answers a recommendation, about the population it concerns.

    `group` against its reference group within breakdown cell `cell` (None: the whole);
    or, with `against`, everyone in `cell` against everyone in cell `against` (international
    recruits against other staff), named by `names`. `noun` names the people counted
    ("bank workers"), `event` what happened to them, in the past tense."""

    measure: str
    population: str
    event: str
    cell: str | None = None
    group: str = "Black"
    noun: str = "staff"
    against: str | None = None
    names: tuple[str, str] = ("", "")
    #: What a reader must know to read it, said after it ("not adjusted for band: …").
    note: str | None = None
    #: The same comparison made within each band (a measure whose cells are bands), for a
    #: headline that depends on band: said after it, band by band where there are enough.
    within: str | None = None


@dataclass(frozen=True)
class Level:
    """How far what was asked is happening: a share (or rate per `per`) of everyone in
    `measure`'s cell `cell`, or of one `group`'s figure there (a representation measure's
    share). `what` follows the figure: "14.3% of" + "EDI training records … were delivered
    interactively"."""

    measure: str
    what: str
    cell: str | None = None
    group: str | None = None
    per: int = 100


@dataclass(frozen=True)
class NextStep:
    text: str
    owner: str
    due: dt.date | None = None


@dataclass(frozen=True)
class Claim:
    """A figure the source states, to be tested against the data: `value` (a share) for
    `org`'s `measure` in cell `cell`, reporting year `year`."""

    text: str
    measure: str
    org: str
    year: int
    value: float
    cell: str | None = None


@dataclass(frozen=True)
class Recommendation:
    number: int
    title: str
    asked: str
    question: str
    evidence: tuple[str, ...]
    actions: tuple[PlannedAction, ...]
    headline: Headline | None = None
    level: Level | None = None
    next_steps: tuple[NextStep, ...] = ()
    #: Parts of the ask no reported action answers, in words.
    unanswered: tuple[str, ...] = ()
    #: What the source records that is not an action (a comment of the Task Group).
    noted: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Plan:
    source: str
    reported: dt.date
    recommendations: tuple[Recommendation, ...]
    #: The reporting year change is measured from: the review's, unless the file says else.
    baseline: int = REVIEW_YEAR

    def recommendation(self, number: int) -> Recommendation:
        for r in self.recommendations:
            if r.number == number:
                return r
        known = ", ".join(str(r.number) for r in self.recommendations)
        raise PlanProblem(f"no recommendation {number}; there are {known}")

    def years(self, year: int, baseline: int | None = None) -> int:
        """How many reporting years, up to `year`, the evidence covers: back to the baseline,
        and last year at least (each measure's sentences compare with it). The command line,
        the dashboard and the report all measure these, so they show the same figures."""
        return max(2, year - (baseline or self.baseline) + 1)


def plan_path() -> Path | None:
    explicit = os.environ.get(PLAN_ENV)
    return Path(explicit).expanduser() if explicit else None


def read_toml(path: Path | None, package: str, shipped: str, what: str) -> tuple[dict, str]:
    """A TOML file's contents and how to name it in a message: `path`, else the file `shipped`
    with `package` (`what` names it). Unreadable or not TOML: a PlanProblem saying where."""
    where = str(path) if path else what
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else resources.files(package).joinpath(shipped).read_text()
        )
        return tomllib.loads(text), where
    except OSError as exc:
        raise PlanProblem(f"cannot read {where}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanProblem(f"{where} is not valid TOML: {exc}") from None


def load_plan(path: Path | None = None) -> Plan:
    data, where = read_toml(
        path or plan_path(), "equitrack.tracker", "recommendations.toml",
        "the shipped recommendations",
    )  # fmt: skip
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanProblem(f"{where}: {exc}") from None


def _known(label: str, measure: str) -> str:
    if measure not in MEASURES:
        raise ValueError(f"{label} cites unknown measure {measure}")
    return measure


def _headline(label: str, raw: dict[str, Any] | None) -> Headline | None:
    if raw is None:
        return None
    names = tuple(raw.get("names", ("", "")))
    if raw.get("against") and (len(names) != 2 or not all(names)):
        raise ValueError(f"{label}: a headline comparing two cells needs names = [two names]")
    return Headline(
        measure=_known(f"{label}'s headline", raw["measure"]),
        population=raw["population"],
        event=raw["event"],
        cell=raw.get("cell") or None,
        group=raw.get("group", "Black"),
        noun=raw.get("noun", "staff"),
        against=raw.get("against") or None,
        names=names,  # type: ignore[arg-type]
        note=raw.get("note"),
        within=_known(f"{label}'s headline", raw["within"]) if raw.get("within") else None,
    )


def _level(label: str, raw: dict[str, Any] | None) -> Level | None:
    if raw is None:
        return None
    per = int(raw.get("per", 100))
    if per not in (100, 1000):
        raise ValueError(f"{label}: a level is per 100 or per 1000, not {per}")
    return Level(
        measure=_known(f"{label}'s level", raw["measure"]),
        what=raw["what"],
        cell=raw.get("cell") or None,
        group=raw.get("group"),
        per=per,
    )


def _action(label: str, raw: dict[str, Any], reported: dt.date, leads: dict[str, str]):
    status = raw.get("status", "done")
    if status not in STATUSES:
        raise ValueError(f"{label}: status {status!r} is not one of {', '.join(STATUSES)}")
    owners = raw.get("owners") or [raw["owner"]]
    return [
        PlannedAction(
            raw["text"],
            owner,
            status,
            raw.get("date", reported),
            raw.get("lead", leads.get(owner)),
            raw.get("started"),
        )
        for owner in owners
    ]


def _parse(data: dict) -> Plan:
    reported = data["reported"]
    leads = dict(data.get("leads", {}))
    recs = []
    for i, raw in enumerate(data["recommendation"], start=1):
        label = f"recommendation {raw.get('number', i)}"
        unknown = [m for m in raw.get("evidence", []) if m not in MEASURES]
        if unknown:
            raise ValueError(f"{label} cites unknown measures {', '.join(unknown)}")
        actions = [
            a
            for raw_action in raw.get("actions", [])
            for a in _action(label, raw_action, reported, leads)
        ]
        headline = _headline(label, raw.get("headline"))
        level = _level(label, raw.get("level"))
        evidence = list(raw.get("evidence", []))
        cited = [f.measure for f in (headline, level) if f is not None]
        cited += [headline.within] if headline and headline.within else []
        for measure in cited:  # a headline, its within-band comparison or a level is evidence too
            if measure not in evidence:
                evidence.append(measure)
        recs.append(
            Recommendation(
                number=int(raw["number"]),
                title=raw["title"],
                asked=raw["asked"],
                question=raw["question"],
                evidence=tuple(evidence),
                actions=tuple(actions),
                headline=headline,
                level=level,
                next_steps=tuple(
                    NextStep(s["text"], s["owner"], s.get("due")) for s in raw.get("next_steps", [])
                ),
                unanswered=tuple(raw.get("unanswered", ())),
                noted=tuple(raw.get("noted", ())),
                claims=tuple(
                    Claim(
                        c["text"],
                        _known(f"{label}'s claim", c["measure"]),
                        c["org"],
                        int(c["year"]),
                        float(c["value"]),
                        c.get("cell") or None,
                    )
                    for c in raw.get("claims", [])
                ),
            )
        )
    numbers = [r.number for r in recs]
    if len(set(numbers)) != len(numbers):
        raise ValueError("recommendation numbers repeat")
    return Plan(data["source"], reported, tuple(recs), int(data.get("baseline", REVIEW_YEAR)))
