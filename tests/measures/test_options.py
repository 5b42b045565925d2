"""Measure options are declared with a type and allowed values, and a run refuses a misspelt
one, naming the option the user most likely meant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from equitrack import api
from equitrack.cli import app
from equitrack.measures import MEASURES, measure
from equitrack.measures.declare import (
    Kind,
    Measure,
    OptionError,
    check_options,
    option_type,
)
from equitrack.store import Store

runner = CliRunner()


def _declared(**fields: object) -> Measure:
    return Measure(
        id="m", family="f", title="t", kind=Kind.COMPARISON, population=lambda f: None, **fields
    )  # type: ignore[arg-type]


def test_a_declaration_with_a_default_it_does_not_allow_is_refused() -> None:
    with pytest.raises(TypeError, match="default 3 is not allowed"):
        _declared(options={"window": 3}, choices={"window": (1, 2)})
    with pytest.raises(TypeError, match="not all"):
        _declared(options={"window": 1}, choices={"window": (1, "2")})
    with pytest.raises(TypeError, match="which is not an option"):
        _declared(options={}, choices={"window": (1, 2)})
    with pytest.raises(TypeError, match="whole number or text"):
        _declared(options={"ratio": 0.5})


def test_values_are_read_as_the_declared_type() -> None:
    wres3 = measure("wres3")
    assert wres3.resolve({"window": "1"})["window"] == 1  # text from the command line
    assert wres3.resolve({"window": 1})["window"] == 1  # a number from Python
    with pytest.raises(OptionError, match="window takes a whole number, not 'one'"):
        wres3.resolve({"window": "one"})
    with pytest.raises(OptionError, match=r"window must be one of 1, 2, not 3"):
        wres3.resolve({"window": "3"})
    with pytest.raises(OptionError, match="window must be one of 1, 2, not True"):
        wres3.resolve({"window": True})  # True == 1 in Python, but is not a window
    with pytest.raises(OptionError, match="appointed must be one of appointed, offered, not 1"):
        measure("wres2").resolve({"appointed": 1})
    long_case = measure("long_case")
    assert long_case.resolve({"threshold_days": "90"})["threshold_days"] == 90
    with pytest.raises(OptionError, match="must be from 1 to 3650, not 0"):
        long_case.resolve({"threshold_days": "0"})


def test_a_fixed_option_cannot_be_changed() -> None:
    """A survey measure's item is part of what the measure is: wres5 cannot read wres6's."""
    wres5 = measure("wres5")
    assert wres5.resolve({"survey_measure": "wres5"})["survey_measure"] == "wres5"
    with pytest.raises(OptionError, match="survey_measure is fixed at wres5, not 'wres6'"):
        wres5.resolve({"survey_measure": "wres6"})


def test_an_option_no_measure_of_the_run_takes_is_refused_with_the_nearest_name() -> None:
    wres = [m for m in MEASURES.values() if m.family == "wres"]
    with pytest.raises(OptionError, match=r"takes option 'windw'; did you mean 'window'\?"):
        check_options(wres, {"windw": "1"}, MEASURES.values())
    # not of this run, but of another measure: the user is told which
    with pytest.raises(OptionError) as refused:
        check_options(wres, {"workfroce": "both"}, MEASURES.values())
    said = str(refused.value)
    assert "did you mean 'workforce'" in said
    assert "edi_training_reach" in said and "This run's options: appointed," in said
    with pytest.raises(OptionError, match=r"'workforce' \(it is an option of edi_training_reach"):
        check_options(wres, {"workforce": "both"}, MEASURES.values())
    with pytest.raises(OptionError, match=r"takes option 'zzz'\. This run's options"):
        check_options(wres, {"zzz": "1"}, MEASURES.values())
    check_options(wres, {"window": "1", "pooling": "mean_of_rates"}, MEASURES.values())


def test_an_option_has_one_type_across_measures() -> None:
    """A run's option reaches every measure that takes it, so each must read it alike."""
    types: dict[str, set[type]] = {}
    for m in MEASURES.values():
        for name, default in m.options.items():
            types.setdefault(name, set()).add(option_type(default))
    assert {n: t for n, t in types.items() if len(t) > 1} == {}


def test_the_api_refuses_before_counting(llr: Store) -> None:
    with pytest.raises(OptionError, match="did you mean 'staff_group'"):
        api.run("wres", (2026,), store=llr, options={"staff_grup": "Students"})
    with pytest.raises(OptionError, match="staff_group must be one of all, Add Prof"):
        api.run("wres", (2026,), store=llr, options={"staff_group": "students"})


def test_the_command_line_refuses_a_misspelt_option(llr_db_path: Path) -> None:
    args = ["wres", "--year", "2026", "--org", "RWE", "--db", str(llr_db_path)]
    typo = runner.invoke(app, [*args, "--option", "workfroce=both"], terminal_width=200)
    assert typo.exit_code == 2
    assert "workfroce" in typo.output and "did you mean 'workforce'" in typo.output
    assert "Traceback" not in typo.output
    word = runner.invoke(app, [*args, "--option", "window=two"], terminal_width=200)
    assert word.exit_code == 2 and "window takes a whole number, not 'two'" in word.output
    bad = runner.invoke(app, ["pay-gap", "--year", "2026", "--db", str(llr_db_path),
                              "--option", "staf=bank"], terminal_width=200)  # fmt: skip
    assert bad.exit_code == 2 and "did you mean 'staff'" in bad.output


def test_measures_lists_each_options_type_and_allowed_values() -> None:
    listed = {m["id"]: m for m in json.loads(cli_output("measures", "--format", "json"))}
    assert listed["wres3"]["options"]["window"] == {
        "type": "int", "default": 2, "allowed": [1, 2], "fixed": False,
    }  # fmt: skip
    assert listed["long_case"]["options"]["threshold_days"]["allowed"] == {"from": 1, "to": 3650}
    assert listed["wres5"]["options"]["instrument"] == {
        "type": "str", "default": "nss", "allowed": ["nss"], "fixed": True,
    }  # fmt: skip
    table = cli_output("measures")  # a narrow table: words wrap, so only a short one
    assert "options" in table and "window:" in table


def cli_output(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False, terminal_width=400)
    assert result.exit_code == 0, result.output
    return result.output
