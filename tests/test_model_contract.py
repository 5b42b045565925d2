"""The model against the written data contract in shared/spec: same tables, columns, required."""

import re
from pathlib import Path

import pytest

from equitrack.model.tables import TABLE_BY_NAME

SPEC = Path(__file__).parents[2] / "shared" / "spec" / "data-contract.md"


def contract() -> dict[str, list[tuple[str, str, str, str]]]:
    tables: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^## (\w+)$", line):
            current = m.group(1)
            tables[current] = []
        elif current and line.startswith("| ") and not line.startswith(("| column", "|---")):
            cells = [c.strip() for c in line.strip("|").split("|")]
            tables[current].append((cells[0], cells[1], cells[2], cells[3]))
    return tables


pytestmark = pytest.mark.skipif(not SPEC.exists(), reason="shared/spec is not beside the repo")


def test_same_tables() -> None:
    assert set(contract()) == set(TABLE_BY_NAME)


@pytest.mark.parametrize("name", sorted(TABLE_BY_NAME))
def test_same_columns_in_the_same_order_with_the_same_requirement(name: str) -> None:
    spec = contract()[name]
    model = TABLE_BY_NAME[name]
    assert [c[0] for c in spec] == list(model.column_names)
    for col_name, _type, req, _notes in spec:
        col = model.column(col_name)
        assert col.required == req.startswith("yes"), col_name
        assert col.blank_allowed == ("may be blank" in req), col_name


@pytest.mark.parametrize("name", sorted(TABLE_BY_NAME))
def test_enumerated_values_match(name: str) -> None:
    for col_name, kind, _req, notes in contract()[name]:
        listed = tuple(re.findall(r"`([^`]+)`", notes))
        if kind == "enum" and listed:  # applications' sex and disability say nothing new
            assert TABLE_BY_NAME[name].column(col_name).allowed == listed, col_name
