from pathlib import Path

from equitrack.model import docs
from equitrack.model.tables import TABLES, load_order

DOC = Path(__file__).parents[1] / "docs" / "data-model.md"


def test_data_model_doc_is_generated_from_the_model() -> None:
    assert DOC.read_text(encoding="utf-8") == docs.render(), "run `make docs` to regenerate it"


def test_doc_names_every_column_of_every_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    for t in TABLES:
        assert f"## {t.name}\n" in text
        for c in t.columns:
            assert f"| {c.name} | {c.kind.value} |" in text


def test_load_order_puts_every_referenced_table_first() -> None:
    order = load_order()
    assert sorted(order) == sorted(t.name for t in TABLES)
    for t in TABLES:
        for c in t.columns:
            if c.references:
                assert order.index(c.references.split(".")[0]) < order.index(t.name)
