"""Disclosure rules as configuration: shipped defaults, user overrides, clear errors."""

from pathlib import Path

import pytest

from equitrack.disclosure import Audience, Policy, PolicyError, gate, load_policies, policy_for
from tests.disclosure.builders import by, representation


def test_defaults_follow_the_spec() -> None:
    policies = load_policies(None)
    for audience in (Audience.PUBLIC, Audience.BOARD):
        p = policies[audience]
        assert not p.exact and p.secondary
        assert (p.smallest_shown, p.rounding_base) == (8, 5)
        assert (p.survey_min_respondents, p.ratio_min_count) == (11, 8)
    assert policies[Audience.ANALYST].exact
    assert policy_for("public") == policies[Audience.PUBLIC]
    p = Policy()
    assert policy_for(p) is p


def test_describe_is_one_line_naming_the_rule() -> None:
    public = policy_for(Audience.PUBLIC).describe()
    assert "\n" not in public
    assert public.startswith("public: counts 1–7 suppressed, others rounded to the nearest 5")
    assert "under 11 respondents" in public and "at least 8" in public
    assert policy_for("analyst").describe() == "analyst: exact counts (no suppression or rounding)"


def test_a_user_file_overrides_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[public]\nsmallest_shown = 10\n\n[analyst]\nexact = false\n")
    policies = load_policies(path)
    assert policies[Audience.PUBLIC].smallest_shown == 10
    assert policies[Audience.PUBLIC].rounding_base == 5  # left as shipped
    assert not policies[Audience.ANALYST].exact
    assert policies[Audience.BOARD] == load_policies()[Audience.BOARD]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[public]\nsmalest_shown = 10\n", "[public] has an unknown key 'smalest_shown'"),
        ("[public]\nrounding_base = '5'\n", "[public] rounding_base must be a whole number"),
        ("[public]\nexact = 1\n", "[public] exact must be true or false"),
        ("[public]\nrounding_base = 0\n", "[public] rounding_base must be at least 1"),
        ("[viewer]\nexact = true\n", "unknown audience [viewer]"),
        ("public = 3\n", "[public] must be a table of rules"),
        ("[public\n", "is not valid TOML"),
    ],
)
def test_bad_files_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "my-rules.toml"
    path.write_text(text)
    with pytest.raises(PolicyError) as raised:
        load_policies(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_a_missing_file_and_an_unknown_audience_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"cannot read .*absent\.toml"):
        load_policies(tmp_path / "absent.toml")
    with pytest.raises(PolicyError, match="unknown audience 'press'"):
        policy_for("press")


def test_board_membership_is_public_by_nature_and_the_list_is_configuration(
    tmp_path: Path,
) -> None:
    """WRES 9's board counts are named in every annual report: shown exact to the public, even
    a board of 15 with 2 BME members; a rules file can take the measure off the list."""
    board = representation({"All": {"White": 13, "BME": 2}}, measure="wres9")
    bme = by(gate(board, "public"), group="BME")
    assert (bme.numerator, bme.denominator, bme.suppressed) == (2, 15, False)
    assert "wres9 exact (public by nature)" in bme.options["disclosure"]
    path = tmp_path / "rules.toml"
    path.write_text("[public]\npublic = []\n")
    strict = load_policies(path)[Audience.PUBLIC]
    assert by(gate(board, strict), group="BME").numerator is None
    path.write_text('[public]\npublic = "wres9"\n')
    with pytest.raises(PolicyError, match="public must be a list of measure ids"):
        load_policies(path)
