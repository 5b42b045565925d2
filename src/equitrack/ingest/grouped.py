"""Row problems grouped for a person to read: 809 rows with the same problem are one entry
(how many, which lines, the first few examples), not 809 lines.

Problems are alike when they are in the same column and their reasons differ only in the values
they quote or the numbers they give ("person_id '1001' is already loaded" and "person_id '1002'
is already loaded"). The full list, one line per problem, is still written to the problems file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

#: Problems shown one by one before they are grouped; also the examples a group shows.
EXAMPLES = 3

_QUOTED = re.compile(r"'[^']*'")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Group:
    """Alike problems: their column, every line they are on, and the first few of them."""

    column: str
    lines: list[int]  # ascending, each line once
    count: int  # problems (a line may have two in one column)
    first: list[tuple[int, str]]  # (line, reason): the first EXAMPLES problems
    examples: list[tuple[int, str]]  # (line, reason): the first EXAMPLES distinct reasons
    same: bool  # every reason is word for word the same

    @property
    def reason(self) -> str:
        return self.examples[0][1]


def shape(reason: str) -> str:
    """A reason without its quoted values and numbers: what alike problems share."""
    return _NUMBER.sub("#", _QUOTED.sub("'…'", reason))


@dataclass
class _Gathering:
    """A group as its problems arrive."""

    first_reason: str | None
    lines: list[int] = field(default_factory=list)
    count: int = 0
    first: list[tuple[int, str]] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # distinct reason → its first line

    def add(self, line: int, reason: str) -> None:
        self.count += 1
        if len(self.first) < EXAMPLES:
            self.first.append((line, reason))
        if not self.lines or self.lines[-1] != line:
            self.lines.append(line)
        if len(self.reasons) < EXAMPLES and reason not in self.reasons:
            self.reasons[reason] = line
        if reason != self.first_reason:
            self.first_reason = None

    def done(self, column: str) -> Group:
        examples = [(line, reason) for reason, line in self.reasons.items()]
        same = self.first_reason is not None
        return Group(column, sorted(set(self.lines)), self.count, self.first, examples, same)


def group(problems: pa.Table) -> list[Group]:
    """Problems (columns line, column, reason) grouped, in the order of their first line."""
    found: dict[tuple[str, str], _Gathering] = {}
    for line, column, reason in zip(
        problems.column("line").to_pylist(),
        problems.column("column").to_pylist(),
        problems.column("reason").to_pylist(),
        strict=True,
    ):
        column, reason = column or "", reason or ""
        key = (column, shape(reason))
        if key not in found:
            found[key] = _Gathering(reason)
        found[key].add(line, reason)
    groups = [g.done(column) for (column, _), g in found.items()]
    return sorted(groups, key=lambda g: (g.lines[0], g.column))


def stretches(lines: list[int], most: int = 4) -> str:
    """Lines as ranges: "2–801", "2–5, 9 and 12–30"; with more than `most` ranges, the first
    few and the last: "2–5, 9, 12–30, …, 790–801 (57 ranges)"."""
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    shown = [str(a) if a == b else f"{a}–{b}" for a, b in runs]
    if len(shown) == 1:
        return shown[0]
    if len(shown) <= most:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"{', '.join(shown[: most - 1])}, …, {shown[-1]} ({len(shown):,} ranges)"
