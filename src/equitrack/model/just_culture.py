"""The just-culture decision path: the node table, and checking a recorded path against it.

Recommendation 10 asks that an action (or omission) goes through NHS Improvement's 2018 "A just
culture guide" before anyone is singled out. The guide is a short decision path: each node is a
yes/no question, and each answer either leads to the next node or ends at an outcome A–G. The
disciplinary table stores the answers as text (``1a=N;2a=N;…``); the outcome is derived here,
never typed, and a recorded path that does not follow the guide is reported as invalid with the
reason in plain words, so that a case is never counted as "assessed" on a path that skipped a
question or carried on past an outcome.

Only outcome A (deliberate harm) and the full path to G support action against the individual;
outcomes D and E point to system learning (see /work/shared/spec/just-culture.md).

Use :func:`assess` for one text and :func:`assess_all` for a column; :data:`NODES` and
:data:`OUTCOMES` (or :func:`node_table` / :func:`outcome_table`) render the guide itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

#: The framework and version whose decision path this module encodes.
FRAMEWORK: Final = "NHS Improvement, A just culture guide (2018)"

START: Final = "1a"


@dataclass(frozen=True, slots=True)
class Node:
    """One question of the guide; ``yes`` and ``no`` name the next node or an outcome (A–G)."""

    id: str
    test: str
    question: str
    yes: str
    no: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a path ends, and what it means for the person and for the organisation."""

    code: str
    guidance: str
    individual_action: bool
    system_learning: bool


NODES: Final[tuple[Node, ...]] = (
    Node("1a", "deliberate harm", "Was harm intended?", "A", "2a"),
    Node("2a", "health", "Signs of substance misuse?", "B", "2b"),
    Node("2b", "health", "Signs of physical ill health?", "C", "2c"),
    Node("2c", "health", "Signs of mental ill health?", "C", "3a"),
    Node(
        "3a",
        "foresight",
        "Were there agreed protocols or accepted practice for this action?",
        "3b",
        "D",
    ),
    Node("3b", "foresight", "Were they workable and in routine use?", "3c", "D"),
    Node("3c", "foresight", "Did the person knowingly depart from them?", "4a", "D"),
    Node(
        "4a",
        "substitution",
        "Would peers with similar experience have acted the same way?",
        "E",
        "4b",
    ),
    Node("4b", "substitution", "Was the person missed when peers were trained?", "E", "4c"),
    Node(
        "4c",
        "substitution",
        "Did seniors fail to give the supervision normally given?",
        "E",
        "5a",
    ),
    Node("5a", "mitigation", "Were there significant mitigating circumstances?", "F", "G"),
)
NODE_BY_ID: Final = {n.id: n for n in NODES}

OUTCOMES: Final[dict[str, Outcome]] = {
    o.code: o
    for o in (
        Outcome(
            "A",
            "Follow organisational guidance on management action (may include police, regulator, "
            "suspension); still investigate how patients were not protected.",
            individual_action=True,
            system_learning=False,
        ),
        Outcome("B", "Follow the substance-misuse policy.", False, False),
        Outcome("C", "Follow health guidance (occupational health).", False, False),
        Outcome(
            "D",
            "Action singling out the individual is unlikely to be appropriate; system learning.",
            False,
            True,
        ),
        Outcome(
            "E",
            "Action singling out the individual is unlikely to be appropriate; system learning.",
            False,
            True,
        ),
        Outcome(
            "F",
            "Action against the individual may not be appropriate; senior HR advice on mitigation.",
            False,
            False,
        ),
        Outcome(
            "G",
            "Management action directed at the individual may be appropriate (training, "
            "supervision, performance management, and in serious cases disciplinary action).",
            individual_action=True,
            system_learning=False,
        ),
    )
}

#: The only path that supports individual disciplinary action apart from outcome A.
INDIVIDUAL_ACTION_PATH: Final[tuple[tuple[str, bool], ...]] = (
    ("1a", False),
    ("2a", False),
    ("2b", False),
    ("2c", False),
    ("3a", True),
    ("3b", True),
    ("3c", True),
    ("4a", False),
    ("4b", False),
    ("4c", False),
    ("5a", False),
)

_YES = frozenset({"y", "yes"})
_NO = frozenset({"n", "no"})
_SEPARATORS = re.compile(r"[;,\n]+")
_ORDER = {n.id: i for i, n in enumerate(NODES)}


class JustCultureParseError(ValueError):
    """The answers cannot be read unambiguously; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Assessment:
    """What a recorded path says.

    ``outcome`` is set only for a valid path. ``reached`` is the outcome the walk from 1a got
    to even when the path is invalid (for example one that continues past it), for diagnosis
    only. ``path`` lists the nodes the walk answered, in order, with True for yes.
    ``supports_individual_action`` and ``system_learning`` are False for an invalid path.
    """

    valid: bool
    outcome: str | None
    reached: str | None
    path: tuple[tuple[str, bool], ...]
    problems: tuple[str, ...]
    supports_individual_action: bool
    system_learning: bool

    @property
    def path_text(self) -> str:
        """The path in the stored format, e.g. ``1a=N;2a=Y``."""
        return format_path(self.path)

    @property
    def empty(self) -> bool:
        """No answers were recorded at all."""
        return not self.path and self.problems == (_EMPTY,)

    @property
    def formal_case_flag(self) -> str | None:
        """Why a formal disciplinary case with this assessment is flagged, or None.

        The spec flags a formal case with no assessment, or whose path ends in B–F; an invalid
        path is flagged too, since it supports nothing.
        """
        if self.supports_individual_action:
            return None
        if self.empty:
            return "no just-culture assessment recorded"
        if not self.valid:
            return "the just-culture path is invalid: " + "; ".join(self.problems)
        return (
            f"the just-culture path ends in outcome {self.outcome}, "
            "which does not support action against the individual"
        )


_EMPTY = "empty: no answers recorded"


def parse(text: str | None) -> dict[str, bool]:
    """Read the stored answers into {node: answer}, True for yes; empty text gives {}.

    Tolerant of spaces, case, ``Y``/``N``/``yes``/``no``, ``=`` or ``:`` (or a space) between
    node and answer, and ``;``, ``,`` or new lines between answers. Raises
    :class:`JustCultureParseError` for anything it cannot read unambiguously: an unknown node, a
    node answered twice, an answer other than yes or no. This says nothing about whether the
    path is valid; use :func:`assess` for that.
    """
    answers, unreadable, problems = _read(text)
    if problems:
        raise JustCultureParseError(problems)
    assert not unreadable
    return answers


def assess(text: str | None) -> Assessment:
    """Walk the recorded answers from 1a, derive the outcome, and report every problem.

    Problems, in plain words:

    - empty: no answers recorded;
    - unreadable parts, unknown nodes, answers other than yes/no, a node answered twice;
    - "continues past outcome D at 3a: 3b answered after the path ended";
    - "skips 2b: answers 2c but not 2b, which the path reaches first";
    - "incomplete: stops at 4a without reaching an outcome".
    """
    answers, unreadable, problems = _read(text)
    if text is None or not _SEPARATORS.sub("", text).strip():
        return Assessment(False, None, None, (), (_EMPTY,), False, False)

    path: list[tuple[str, bool]] = []
    node = START
    reached: str | None = None
    missing: str | None = None
    while True:
        if node in OUTCOMES:
            reached = node
            break
        if node in unreadable:
            break  # already reported; the walk cannot go on
        if node not in answers:
            missing = node
            break
        answer = answers[node]
        path.append((node, answer))
        step = NODE_BY_ID[node]
        node = step.yes if answer else step.no

    on_path = {n for n, _ in path}
    extra = sorted((n for n in answers if n not in on_path), key=_ORDER.__getitem__)
    if reached is not None and extra:
        problems.append(
            f"continues past outcome {reached} at {path[-1][0]}: "
            f"{_listing(extra)} answered after the path ended"
        )
    elif missing is not None and extra:
        problems.append(
            f"skips {missing}: answers {_listing(extra)} but not {missing}, "
            "which the path reaches first"
        )
    elif missing is not None:
        problems.append(f"incomplete: stops at {missing} without reaching an outcome")

    valid = not problems and reached is not None
    outcome = reached if valid else None
    individual = valid and (
        outcome == "A" or (outcome == "G" and tuple(path) == INDIVIDUAL_ACTION_PATH)
    )
    learning = valid and outcome is not None and OUTCOMES[outcome].system_learning
    return Assessment(
        valid=valid,
        outcome=outcome,
        reached=reached,
        path=tuple(path),
        problems=tuple(problems),
        supports_individual_action=individual,
        system_learning=learning,
    )


ASSESSMENT_SCHEMA: Final = pa.schema(
    [
        ("valid", pa.bool_()),
        ("outcome", pa.string()),
        ("path", pa.string()),
        ("problems", pa.list_(pa.string())),
        ("supports_individual_action", pa.bool_()),
        ("system_learning", pa.bool_()),
        ("formal_case_flag", pa.string()),
    ]
)


def assess_all(values: pa.Array | pa.ChunkedArray) -> pa.Table:
    """:func:`assess` over a whole column: one row per input row, in order (schema above).

    A null is an empty assessment. Each distinct text is assessed once.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        raise TypeError(f"expected a pyarrow Array, got {type(values).__name__}")
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        if not pa.types.is_null(values.type):
            raise TypeError(f"expected a string column, got {values.type}")
        values = values.cast(pa.string())
    encoded = pc.dictionary_encode(values)
    distinct = [*encoded.dictionary.to_pylist(), None]
    rows = []
    for text in distinct:
        a = assess(text)
        rows.append(
            {
                "valid": a.valid,
                "outcome": a.outcome,
                "path": a.path_text,
                "problems": list(a.problems),
                "supports_individual_action": a.supports_individual_action,
                "system_learning": a.system_learning,
                "formal_case_flag": a.formal_case_flag,
            }
        )
    table = pa.Table.from_pylist(rows, schema=ASSESSMENT_SCHEMA)
    indices = pc.fill_null(encoded.indices, len(distinct) - 1)
    return table.take(indices)


def format_path(path: tuple[tuple[str, bool], ...]) -> str:
    """``(("1a", False), ("2a", True))`` → ``"1a=N;2a=Y"``, the stored format."""
    return ";".join(f"{node}={'Y' if answer else 'N'}" for node, answer in path)


def valid_paths() -> list[tuple[tuple[tuple[str, bool], ...], str]]:
    """Every valid path through the guide with its outcome, by walking the node table."""
    found: list[tuple[tuple[tuple[str, bool], ...], str]] = []

    def walk(node: str, path: tuple[tuple[str, bool], ...]) -> None:
        if node in OUTCOMES:
            found.append((path, node))
            return
        step = NODE_BY_ID[node]
        walk(step.yes, (*path, (node, True)))
        walk(step.no, (*path, (node, False)))

    walk(START, ())
    return found


def node_table() -> pa.Table:
    """The guide's nodes as a table (node, test, question, yes, no) for docs and reports."""
    return pa.table(
        {
            "node": [n.id for n in NODES],
            "test": [n.test for n in NODES],
            "question": [n.question for n in NODES],
            "yes": [n.yes for n in NODES],
            "no": [n.no for n in NODES],
        }
    ).replace_schema_metadata({"framework": FRAMEWORK})


def outcome_table() -> pa.Table:
    """The outcomes as a table (outcome, guidance, individual_action, system_learning)."""
    return pa.table(
        {
            "outcome": [o.code for o in OUTCOMES.values()],
            "guidance": [o.guidance for o in OUTCOMES.values()],
            "individual_action": [o.individual_action for o in OUTCOMES.values()],
            "system_learning": [o.system_learning for o in OUTCOMES.values()],
        }
    ).replace_schema_metadata({"framework": FRAMEWORK})


def _read(text: str | None) -> tuple[dict[str, bool], set[str], list[str]]:
    """Answers that can be read, nodes whose answer cannot be, and the problems found."""
    answers: dict[str, bool] = {}
    unreadable: set[str] = set()
    problems: list[str] = []
    seen: dict[str, bool | None] = {}
    if text is None:
        return answers, unreadable, problems
    for raw in _SEPARATORS.split(text):
        token = raw.strip()
        if not token:
            continue
        parts = _split_token(token)
        if parts is None:
            problems.append(f"cannot read {token!r}: expected a node and an answer, like 1a=N")
            continue
        node = re.sub(r"\s+", "", parts[0]).lower()
        word = parts[1].strip().lower()
        if node not in NODE_BY_ID:
            problems.append(f"unknown node {parts[0].strip()!r} (the nodes are 1a to 5a)")
            continue
        answer = True if word in _YES else False if word in _NO else None
        if answer is None:
            shown = f"{parts[1].strip()!r}" if word else "nothing"
            problems.append(f"bad answer for {node}: {shown} (expected Y or N)")
        if node in seen:
            differs = seen[node] != answer
            problems.append(
                f"{node} is answered more than once"
                + (", with different answers" if differs else "")
            )
            if differs:
                unreadable.add(node)
                answers.pop(node, None)
            continue
        seen[node] = answer
        if answer is None:
            unreadable.add(node)
        else:
            answers[node] = answer
    return answers, unreadable, problems


def _split_token(token: str) -> tuple[str, str] | None:
    """``"1a = yes"``, ``"1A:Y"``, ``"1a N"`` → (node, answer); None when there is no answer part."""
    if "=" in token or ":" in token:
        node, answer = re.split(r"[=:]", token, maxsplit=1)
        return node, answer
    match = re.fullmatch(r"(.*\S)\s+(\S+)", token)
    return (match[1], match[2]) if match else None


def _listing(nodes: list[str]) -> str:
    return ", ".join(nodes)
