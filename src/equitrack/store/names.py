"""What readers call each unit: an organisation's name, and its system's ("Leicester,
Leicestershire and Rutland integrated care system"), never a code where a name is known."""

from __future__ import annotations

import re

from equitrack.model import organisations
from equitrack.model.codes import system_unit
from equitrack.store import Store

#: How an ICB's name is written around the place it covers.
_ICB = re.compile(r"^(?:NHS\s+)?(?P<place>.+?)\s+(?:Integrated Care Board|ICB)$", re.I)


def system_name(icb: str | None, code: str) -> str:
    """A system's name from its ICB's ("NHS Leicester, Leicestershire and Rutland Integrated
    Care Board" names the Leicester, Leicestershire and Rutland integrated care system)."""
    found = _ICB.match(icb.strip()) if icb else None
    return f"{found['place']} integrated care system" if found else f"the {code} system"


def unit_names(store: Store) -> dict[str, str]:
    """Every organisation's name by its code, and each system's by its unit ("system:QK1"):
    the store's own, else the shipped list's (an action may be owned by an organisation whose
    data is not loaded, and a trust's system named by an ICB that is not)."""
    rows = store.table("organisations").to_pyarrow().to_pylist()
    shipped = organisations.shipped()
    names = {o.org_code: o.name for o in shipped.values()}
    names |= {r["org_code"]: r["name"] for r in rows}
    icbs = {o.org_code: o.name for o in shipped.values() if o.org_type == "icb"}
    icbs |= {r["system_code"]: r["name"] for r in rows if r.get("org_type") == "icb"}
    for code in {r["system_code"] for r in rows if r["system_code"]}:
        names[system_unit(code)] = system_name(icbs.get(code), code)
    return names
