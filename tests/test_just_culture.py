"""The just-culture decision path: valid paths, invalid ones with reasons, tolerant reading."""

from __future__ import annotations

import pyarrow as pa
import pytest

from equitrack.model.just_culture import (
    INDIVIDUAL_ACTION_PATH,
    NODE_BY_ID,
    NODES,
    OUTCOMES,
    JustCultureParseError,
    assess,
    assess_all,
    format_path,
    node_table,
    outcome_table,
    parse,
    valid_paths,
)

FULL_G = "1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=N;5a=N"


def _all_valid_paths() -> list[tuple[str, str]]:
    """Independent enumeration from the node table: every route from 1a to an outcome."""
    paths: list[tuple[str, str]] = []
    stack: list[tuple[str, list[str]]] = [("1a", [])]
    while stack:
        node, steps = stack.pop()
        if node in OUTCOMES:
            paths.append((";".join(steps), node))
            continue
        for answer, following in (("Y", NODE_BY_ID[node].yes), ("N", NODE_BY_ID[node].no)):
            stack.append((following, [*steps, f"{node}={answer}"]))
    return sorted(paths)


ALL_VALID = _all_valid_paths()


def test_the_table_has_twelve_routes_reaching_every_outcome() -> None:
    assert len(ALL_VALID) == 12
    assert {outcome for _, outcome in ALL_VALID} == set("ABCDEFG")
    assert sorted((format_path(p), o) for p, o in valid_paths()) == ALL_VALID


@pytest.mark.parametrize(("text", "outcome"), ALL_VALID)
def test_every_valid_path_is_accepted_with_its_outcome(text: str, outcome: str) -> None:
    a = assess(text)
    assert a.valid, a.problems
    assert a.problems == ()
    assert a.outcome == outcome
    assert a.path_text == text
    assert a.supports_individual_action is (outcome in ("A", "G"))
    assert a.system_learning is (outcome in ("D", "E"))


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("1a=Y", "A"),  # deliberate harm
        ("1a=N;2a=Y", "B"),  # substance misuse
        ("1a=N;2a=N;2b=Y", "C"),  # physical ill health
        ("1a=N;2a=N;2b=N;2c=Y", "C"),  # mental ill health
        ("1a=N;2a=N;2b=N;2c=N;3a=N", "D"),  # no agreed protocol
        ("1a=N;2a=N;2b=N;2c=N;3a=Y;3b=N", "D"),  # protocol not workable
        ("1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=N", "D"),  # did not knowingly depart
        ("1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=Y", "E"),  # peers would have done the same
        ("1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=Y", "E"),  # supervision failed
        ("1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=N;5a=Y", "F"),  # mitigation
        (FULL_G, "G"),
    ],
)
def test_hand_checked_paths(text: str, outcome: str) -> None:
    assert assess(text).outcome == outcome


def test_only_a_and_the_full_path_to_g_support_individual_action() -> None:
    supporting = [(t, o) for t, o in ALL_VALID if assess(t).supports_individual_action]
    assert sorted(supporting) == sorted([("1a=Y", "A"), (FULL_G, "G")])
    assert assess(FULL_G).path == INDIVIDUAL_ACTION_PATH
    # an invalid path supports nothing, even if it got to G first
    assert not assess(FULL_G + ";5a=N").supports_individual_action
    assert not assess("1a=Y;2a=N").supports_individual_action


def test_a_path_that_continues_past_an_outcome_is_rejected() -> None:
    a = assess("1a=N;2a=N;2b=N;2c=N;3a=N;3b=Y;3c=Y")
    assert not a.valid
    assert a.outcome is None
    assert a.reached == "D"
    assert a.problems == ("continues past outcome D at 3a: 3b, 3c answered after the path ended",)
    assert not a.system_learning
    b = assess("1a=Y;2a=N")
    assert b.problems == ("continues past outcome A at 1a: 2a answered after the path ended",)


def test_a_path_that_skips_a_node_is_rejected() -> None:
    a = assess("1a=N;2a=N;2c=N;3a=N")
    assert not a.valid and a.outcome is None
    assert a.problems == ("skips 2b: answers 2c, 3a but not 2b, which the path reaches first",)
    # skipping a health question on the way to G
    b = assess(FULL_G.replace("2c=N;", ""))
    assert b.problems[0].startswith("skips 2c: ")


def test_an_unfinished_path_is_rejected() -> None:
    a = assess("1a=N;2a=N;2b=N;2c=N;3a=Y")
    assert a.problems == ("incomplete: stops at 3b without reaching an outcome",)
    assert a.path_text == "1a=N;2a=N;2b=N;2c=N;3a=Y"


@pytest.mark.parametrize("text", [None, "", "   ", ";;", " ; \n"])
def test_empty_is_reported(text: str | None) -> None:
    a = assess(text)
    assert not a.valid
    assert a.problems == ("empty: no answers recorded",)
    assert a.empty
    assert a.formal_case_flag == "no just-culture assessment recorded"
    assert parse(text) == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1a=N;6a=Y", "unknown node '6a'"),
        ("1a=N;x=Y", "unknown node 'x'"),
        ("1a=maybe", "bad answer for 1a: 'maybe' (expected Y or N)"),
        ("1a=", "bad answer for 1a: nothing (expected Y or N)"),
        ("1a=Y;1a=Y", "1a is answered more than once"),
        ("1a=N;1a=Y", "1a is answered more than once, with different answers"),
        ("1a=N;2a", "cannot read '2a'"),
    ],
)
def test_bad_input_is_reported_in_plain_words(text: str, problem: str) -> None:
    a = assess(text)
    assert not a.valid
    assert a.outcome is None
    assert any(p.startswith(problem) for p in a.problems), a.problems
    with pytest.raises(JustCultureParseError) as error:
        parse(text)
    assert any(p.startswith(problem) for p in error.value.problems)


def test_a_bad_answer_does_not_also_report_a_skip() -> None:
    a = assess("1a=N;2a=perhaps;2b=N;2c=N;3a=N")
    assert a.problems == ("bad answer for 2a: 'perhaps' (expected Y or N)",)


@pytest.mark.parametrize(
    "text",
    [
        "1a=N;2a=Y",
        "1A=n;2A=y",
        " 1a = no ; 2a = YES ",
        "1a: No, 2a: Yes",
        "1a N\n2a Y",
        "1a=N;2a=Y;",
        "1 a = N ; 2 a = y",
    ],
)
def test_reading_is_tolerant(text: str) -> None:
    assert parse(text) == {"1a": False, "2a": True}
    a = assess(text)
    assert a.valid and a.outcome == "B"
    assert a.path_text == "1a=N;2a=Y"


def test_parse_gives_answers_in_order() -> None:
    answers = parse(FULL_G)
    assert list(answers) == [n.id for n in NODES]
    assert answers["3a"] is True and answers["5a"] is False


def test_formal_case_flags() -> None:
    assert assess("1a=Y").formal_case_flag is None
    assert assess(FULL_G).formal_case_flag is None
    assert "outcome C" in assess("1a=N;2a=N;2b=Y").formal_case_flag
    assert assess("1a=Y;2a=N").formal_case_flag.startswith("the just-culture path is invalid")


def test_assess_all_works_over_a_column() -> None:
    column = pa.chunked_array(
        [["1a=Y", None, "1a=N;2a=N;2b=N;2c=N;3a=N"], [FULL_G, "1a=Y;2a=N", "1a=Y"]]
    )
    table = assess_all(column)
    assert table.num_rows == 6
    assert table["valid"].to_pylist() == [True, False, True, True, False, True]
    assert table["outcome"].to_pylist() == ["A", None, "D", "G", None, "A"]
    assert table["supports_individual_action"].to_pylist() == [
        True,
        False,
        False,
        True,
        False,
        True,
    ]
    assert table["system_learning"].to_pylist() == [False, False, True, False, False, False]
    assert table["problems"][1].as_py() == ["empty: no answers recorded"]
    assert table["path"][2].as_py() == "1a=N;2a=N;2b=N;2c=N;3a=N"
    assert assess_all(pa.array([None, None])).num_rows == 2
    assert assess_all(pa.array(["1a=Y"], pa.large_string()))["outcome"].to_pylist() == ["A"]
    with pytest.raises(TypeError):
        assess_all(pa.array([1, 2]))


def test_the_node_table_is_data_for_docs() -> None:
    nodes = node_table()
    assert nodes.column_names == ["node", "test", "question", "yes", "no"]
    assert nodes.num_rows == 11
    assert nodes.slice(4, 1).to_pylist()[0] == {
        "node": "3a",
        "test": "foresight",
        "question": "Were there agreed protocols or accepted practice for this action?",
        "yes": "3b",
        "no": "D",
    }
    assert b"2018" in nodes.schema.metadata[b"framework"]
    outcomes = outcome_table()
    assert outcomes["outcome"].to_pylist() == list("ABCDEFG")
    assert outcomes["system_learning"].to_pylist() == [False] * 3 + [True] * 2 + [False] * 2
