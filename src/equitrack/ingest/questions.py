"""The staff survey's question numbers, year by year (`profiles/shared/survey_questions.toml`).

The questionnaire renumbers its questions between years (harassment from patients is Q13a in
2020 and Q14a from 2021), so a published sheet's "Q14a" is read with its survey year. Which
answers a measure counts ("at least once" is every answer but Never) is written there too, as
data, beside the measure, so that a sheet's percentages per answer add up to the measure's count.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from equitrack.ingest.headers import header_key
from equitrack.ingest.readers import ReadError
from equitrack.model.tables import table


def file() -> Path:
    shared = resources.files("equitrack.ingest").joinpath("profiles", "shared")
    return Path(str(shared.joinpath("survey_questions.toml")))


@dataclass(frozen=True)
class Measure:
    """A survey measure and the answers it counts (compared as headers are: `header_key`)."""

    code: str
    counted: frozenset[str]
    others: frozenset[str]
    breakdowns: frozenset[str]  # the group types it is read for; empty: any
    written: tuple[str, ...]  # the counted answers as the file writes them, for messages

    def knows(self, answer: str) -> bool:
        return header_key(answer) in self.counted | self.others

    def counts(self, answer: str) -> bool:
        return header_key(answer) in self.counted

    def applies(self, group_type: str | None) -> bool:
        return not self.breakdowns or group_type in self.breakdowns


@dataclass(frozen=True)
class Questions:
    measures: dict[str, Measure]
    years: dict[int, dict[str, tuple[str, ...]]]  # year → question key → measure codes
    path: Path

    def measure(self, year: int, question: str, group_type: str | None) -> Measure | None:
        """The measure a question of that year's questionnaire is read for, in a group of that
        type: the first listed that applies (None: no measure reads it)."""
        codes = self.years.get(year, {}).get(header_key(question), ())
        return next((self.measures[c] for c in codes if self.measures[c].applies(group_type)), None)


@cache
def load(path: Path | None = None) -> Questions:
    """The file read and checked: a mistake names the file and the key."""
    where = path or file()
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReadError(f"{where}: the survey questions cannot be read ({exc})") from exc
    allowed = set(table("survey").column("group_type").allowed)
    measures: dict[str, Measure] = {}
    for code, spec in _table(data, "measures", where).items():
        if not isinstance(spec, dict):
            raise ReadError(f"{where}: [measures.{code}] must be a table")
        counted = _answers(spec, "counted", code, where)
        others = _answers(spec, "others", code, where)
        if counted & others:
            raise ReadError(f"{where}: [measures.{code}] an answer is both counted and not")
        breakdowns = frozenset(spec.get("breakdowns", []))
        if not breakdowns <= allowed:
            raise ReadError(
                f"{where}: [measures.{code}] breakdowns must be among {', '.join(sorted(allowed))}"
            )
        measures[code] = Measure(code, counted, others, breakdowns, tuple(spec["counted"]))
    years: dict[int, dict[str, tuple[str, ...]]] = {}
    for year, spec in _table(data, "years", where).items():
        if not (year.isdigit() and isinstance(spec, dict)):
            raise ReadError(f"{where}: [years.{year}] must be a year's table of question = measure")
        mapped: dict[str, tuple[str, ...]] = {}
        for question, codes in spec.items():
            listed = (codes,) if isinstance(codes, str) else tuple(codes)
            unknown = [c for c in listed if c not in measures]
            if unknown or not listed:
                raise ReadError(
                    f"{where}: [years.{year}] {question}: {', '.join(unknown) or 'nothing'} is "
                    "not a measure listed under [measures]"
                )
            mapped[header_key(question)] = listed
        years[int(year)] = mapped
    return Questions(measures, years, where)


def _table(data: dict, key: str, where: Path) -> dict:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise ReadError(f"{where}: [{key}] is missing")
    return value


def _answers(spec: dict, key: str, code: str, where: Path) -> frozenset[str]:
    value = spec.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ReadError(f"{where}: [measures.{code}] {key} must be a list of answers")
    return frozenset(header_key(v) for v in value)
