"""The dashboard's API says "no data for 2026/27" for a year the store does not reach, rather
than repeating the last year's figures under the next year's label."""

from __future__ import annotations

from equitrack.measures.calendar import label
from equitrack.store import Store, coverage


def test_a_year_after_the_data_has_no_figures_in_the_api(as_user, web_store: Store) -> None:
    last = coverage.spans(web_store)[("assignments", "RXA")].last_year
    client = as_user("analyst")
    covered = client.get(f"/api/organisations/RXA/measures/wres?year={last}").json()
    assert any(r["numerator"] for r in covered if r["measure"] == "wres1")
    after = client.get(f"/api/organisations/RXA/measures/wres?year={last + 1}").json()
    assert {r["measure"] for r in after} >= {"wres1", "wres3", "wres9"}
    assert all(r["numerator"] is None and r["denominator"] is None for r in after)
    assert all(r["reason"].startswith(f"no data for {label(last + 1)}: ") for r in after), after
