"""Who is looking, and the disclosure rules that follow: configuration, not code.

The rules (spec: statistics-and-disclosure.md, "Disclosure control") are numbers an information
governance lead may need to change without a release, so they live in a TOML file shipped with
the package (``rules.toml``), which a user file may override key by key. A `Policy` is frozen:
the rule applied to an output is fixed once chosen, and `Policy.describe` is recorded in every
result it gates.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any


class Audience(StrEnum):
    """Who an output is for: the rules differ by who may see what."""

    PUBLIC = "public"  # published reports, the open dashboard
    BOARD = "board"  # board and committee papers: leave the system, so treated as public
    ANALYST = "analyst"  # record-level rights inside the system: exact counts


class PolicyError(ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Policy:
    """The rules one output is gated by. Defaults are the spec's public rules."""

    name: str = Audience.PUBLIC.value
    exact: bool = False  # exact counts allowed: nothing suppressed or rounded
    smallest_shown: int = 8  # counts 1 to smallest_shown - 1 are suppressed; zero stays 0
    rounding_base: int = 5  # other counts are rounded to the nearest multiple, halves up
    survey_min_respondents: int = 11  # survey groups with fewer respondents are not shown
    ratio_min_count: int = 8  # a ratio needs every count it rests on to be at least this
    secondary: bool = True  # complementary suppression, so no cell is found by subtraction
    #: Measures whose own counts are public by nature (board membership, named in every annual
    #: report): shown exact, never suppressed. Their comparisons with the workforce are not.
    public: tuple[str, ...] = ("wres9",)
    #: Secondary suppression weighs a figure of an organisation of more staff than this at
    #: twice its count when it chooses a complement (its board reads its own figures), so a
    #: small organisation's figure of comparable size goes first; the system's figures weigh
    #: twice that again (`equitrack.disclosure.secondary.least_loss`).
    spare_above: int = 1000
    #: What a reader is told, in plain words, before any figure (the rules file's words; the
    #: numbers in braces are this policy's own, so overriding a number keeps the words true).
    notice: str = (
        "Numbers are rounded to the nearest {rounding_base} and numbers below {smallest_shown} "
        "are not shown, to protect the privacy of staff."
    )

    def __post_init__(self) -> None:
        for name in ("smallest_shown", "rounding_base", "survey_min_respondents"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.ratio_min_count < 0:
            raise ValueError(f"ratio_min_count must be 0 or more, not {self.ratio_min_count}")

    def plain(self) -> str:
        """The notice a reader sees first, with this policy's numbers."""
        return self.notice.format(
            rounding_base=self.rounding_base,
            smallest_shown=self.smallest_shown,
            survey_min_respondents=self.survey_min_respondents,
        )

    def describe(self) -> str:
        """The rule applied, in one line, for recording in every output it gates."""
        if self.exact:
            return f"{self.name}: exact counts (no suppression or rounding)"
        small = (
            f"counts 1–{self.smallest_shown - 1} suppressed"
            if self.smallest_shown > 1
            else "no counts suppressed"
        )
        rounding = (
            f"others rounded to the nearest {self.rounding_base} (halves up)"
            if self.rounding_base > 1
            else "others exact"
        )
        return (
            f"{self.name}: {small}, {rounding}, zero shown as 0; rates and intervals from the "
            f"shown counts; survey groups under {self.survey_min_respondents} respondents not "
            f"shown; ratios only where every count is at least {self.ratio_min_count}"
            + ("; secondary suppression" if self.secondary else "")
            + (f"; {', '.join(self.public)} exact (public by nature)" if self.public else "")
        )


#: What each key of a rules file must hold (every field of `Policy` but its name).
_TYPES: dict[str, type] = {
    "exact": bool,
    "smallest_shown": int,
    "rounding_base": int,
    "survey_min_respondents": int,
    "ratio_min_count": int,
    "secondary": bool,
    "public": list,
    "spare_above": int,
    "notice": str,
}
assert set(_TYPES) | {"name"} == {f.name for f in fields(Policy)}


def _checked(where: str, audience: str, raw: Any, base: Policy) -> Policy:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: [{audience}] must be a table of rules")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        wanted = _TYPES.get(key)
        if wanted is None:
            raise PolicyError(
                f"{where}: [{audience}] has an unknown key {key!r}; "
                f"known keys are {', '.join(_TYPES)}"
            )
        if wanted is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PolicyError(
                    f"{where}: [{audience}] {key} must be a list of measure ids, not {value!r}"
                )
            values[key] = tuple(value)
            continue
        # bool is an int in Python: a rule of `true` must not pass for a count, nor 1 for a flag
        if type(value) is not wanted:
            raise PolicyError(
                f"{where}: [{audience}] {key} must be {'true or false' if wanted is bool else 'a whole number'}, "
                f"not {value!r}"
            )
        values[key] = value
    try:
        policy = replace(base, name=audience, **values)
        policy.plain()
        return policy
    except (KeyError, IndexError) as exc:
        raise PolicyError(f"{where}: [{audience}] notice names an unknown number {exc}") from None
    except ValueError as exc:
        raise PolicyError(f"{where}: [{audience}] {exc}") from None


def _read(where: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where} is not valid TOML: {exc}") from None


@functools.cache
def _defaults() -> dict[Audience, Policy]:
    where = "the shipped disclosure rules (equitrack/disclosure/rules.toml)"
    text = resources.files("equitrack.disclosure").joinpath("rules.toml").read_text("utf-8")
    data = _read(where, text)
    missing = [a.value for a in Audience if a.value not in data]
    if missing:
        raise PolicyError(f"{where}: no rules for {', '.join(missing)}")
    return {a: _checked(where, a.value, data[a.value], Policy()) for a in Audience}


def load_policies(path: Path | None = None) -> dict[Audience, Policy]:
    """The rules for each audience: the shipped defaults, with any given in `path` on top.

    A user file holds tables named after audiences (``[public]``, ``[board]``, ``[analyst]``)
    with any of the keys of ``rules.toml``; keys it leaves out keep their default.
    """
    policies = dict(_defaults())
    if path is None:
        return policies
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read {where}: {exc.strerror or exc}") from None
    for audience, raw in _read(where, text).items():
        try:
            known = Audience(audience)
        except ValueError:
            raise PolicyError(
                f"{where}: unknown audience [{audience}]; "
                f"known audiences are {', '.join(a.value for a in Audience)}"
            ) from None
        policies[known] = _checked(where, audience, raw, policies[known])
    return policies


def policy_for(audience_or_policy: Audience | str | Policy) -> Policy:
    """A policy as given, or the default one for an audience named or given."""
    if isinstance(audience_or_policy, Policy):
        return audience_or_policy
    try:
        audience = Audience(audience_or_policy)
    except ValueError:
        raise PolicyError(
            f"unknown audience {audience_or_policy!r}; "
            f"known audiences are {', '.join(a.value for a in Audience)}"
        ) from None
    return _defaults()[audience]
