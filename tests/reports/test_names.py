"""Readers meet names, not codes: an organisation's name, and its system's made from its ICB's."""

from __future__ import annotations

import pytest

from equitrack.store.names import system_name, unit_names


@pytest.mark.parametrize(
    ("icb", "named"),
    [
        (
            "NHS Leicester, Leicestershire and Rutland Integrated Care Board",
            "Leicester, Leicestershire and Rutland integrated care system",
        ),
        ("NHS Minster Valley ICB", "Minster Valley integrated care system"),
        ("Cheshire and Merseyside ICB", "Cheshire and Merseyside integrated care system"),
        ("Minster Valley Health Partnership", "the QXA system"),  # not an ICB's name: the code
        (None, "the QXA system"),
    ],
)
def test_a_system_is_named_from_its_icb(icb: str | None, named: str) -> None:
    assert system_name(icb, "QXA") == named


def test_units_are_named_from_the_store_then_the_shipped_list(loaded_system) -> None:
    names = unit_names(loaded_system("mini"))
    assert names["RXA"] == "Minster Valley NHS Trust"
    assert names["system:QXA"] == "Minster Valley integrated care system"
    assert names["RT5"] == "Leicestershire Partnership NHS Trust"  # shipped, not loaded
    assert "system:QK1" not in names  # no organisation of that system is loaded
