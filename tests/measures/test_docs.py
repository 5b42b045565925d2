from pathlib import Path

from equitrack.measures import MEASURES, docs

DOC = Path(__file__).parents[2] / "docs" / "measures.md"


def test_measures_doc_is_generated_from_the_declarations() -> None:
    assert DOC.read_text(encoding="utf-8") == docs.render(), "run `make docs` to regenerate it"


def test_every_measure_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for m in MEASURES.values():
        assert f"### `{m.id}`" in text
        for option in m.options:
            assert f"- Option `{option}`: {m.option_text(option, '`')}." in text


def test_options_show_their_type_and_allowed_values() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "- Option `window`: whole number; default `2`, one of `1`, `2`." in text
    assert "- Option `threshold_days`: whole number; default `182`, from `1` to `3650`." in text
    assert "- Option `survey_measure`: text; fixed at `wres5`." in text
