"""The organisation named at import (`--org CODE`, or a profile's constant for org_code).

A single trust's report often has no organisation column: naming the organisation gives every
row its code, and adds the organisation to `organisations` when it is not loaded, from
--org-name/--org-type or the shipped list of NHS organisations (model/organisations.py). A file
whose own codes differ from the one named is refused: the code is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest.coerce import text
from equitrack.ingest.readers import RawData, ReadError, Source, contiguous, quoted
from equitrack.model.organisations import (
    ODS_CODE,
    ORG_TYPES,
    SHIPPED,
    Organisation,
    known,
)
from equitrack.model.tables import ORG_REF, TABLE_BY_NAME


@dataclass(frozen=True)
class OrgOption:
    """What the command line said: --org, and --org-name/--org-type when given."""

    code: str
    name: str | None = None
    org_type: str | None = None

    @classmethod
    def of(cls, code: str, name: str | None = None, org_type: str | None = None) -> OrgOption:
        """Checked as typed, before any file is read."""
        code = code.strip().upper()
        if not ODS_CODE.fullmatch(code):
            raise ReadError(
                f"--org {code!r} is not an ODS code (three to five letters and digits, such as "
                "RWE or QK1)"
            )
        if org_type is not None and org_type.strip().lower() not in ORG_TYPES:
            raise ReadError(f"--org-type must be one of {', '.join(ORG_TYPES)}, not {org_type!r}")
        name = name.strip() if name and name.strip() else None
        option = cls(code, name, org_type.strip().lower() if org_type else None)
        if name is not None and option.org_type is None and _type_from(name) is None:
            raise ReadError(
                f"--org-name {name!r} does not say whether {code} is a trust or an ICB: give "
                f"--org-type ({', '.join(ORG_TYPES)})"
            )
        return option

    def organisation(self) -> Organisation | None:
        """The organisation to add if it is not loaded; None when equitrack cannot name it."""
        listed = known(self.code)
        if self.name is None:
            if listed is None or self.org_type in (None, listed.org_type):
                return listed
            return replace(listed, org_type=self.org_type)
        org_type = self.org_type or _type_from(self.name) or "other"
        return Organisation(self.code, self.name, org_type, listed.system_code if listed else None)

    def unknown(self) -> str:
        return (
            f"--org {self.code}: equitrack does not know this organisation (it is not loaded, "
            f"and not in its list of NHS organisations, {SHIPPED}): give its name with "
            f'--org-name "…" (and --org-type {"|".join(ORG_TYPES)}), or load an '
            f"organisations.csv that has {self.code}"
        )


def _type_from(name: str) -> str | None:
    """A type the name itself states ("… NHS Trust", "… ICB"); otherwise --org-type says."""
    lowered = name.lower()
    if lowered.endswith(" icb") or "integrated care board" in lowered:
        return "icb"
    if lowered.endswith(" trust"):
        return "trust"
    return None


def needs_org(table_name: str) -> bool:
    """The tables whose rows belong to an organisation (an org_code naming organisations)."""
    tbl = TABLE_BY_NAME.get(table_name)
    return tbl is not None and any(
        c.name == "org_code" and c.references == ORG_REF for c in tbl.columns
    )


def constant_of(source: Source) -> str | None:
    """The org_code a source's profile sets on every row (`constant = "RXN"`), if any."""
    if not source.mapped:
        return None
    rule = next((r for r in source.profile.rules(source.table) if r.target == "org_code"), None)
    return rule.constant.strip().upper() if rule and rule.constant else None


def fill(raw: RawData, code: str) -> RawData:
    """Rows take `code` where the file gives no org_code (no column, or a blank); a file whose
    own codes differ is refused, naming the first such line."""
    if not needs_org(raw.source.table):
        return raw
    n = raw.data.num_rows
    if "org_code" not in raw.data.column_names:
        data = raw.data.append_column("org_code", pa.array([code] * n, pa.string()))
        labels = {**raw.labels, "org_code": f"org_code (set to '{code}' by --org)"}
        return replace(raw, data=data, labels=labels)
    values = text(contiguous(raw.data.column("org_code")))
    other = pc.fill_null(pc.not_equal(pc.utf8_upper(values), code), False)
    rows = np.flatnonzero(other.to_numpy(zero_copy_only=False))
    index = raw.data.column_names.index("org_code")
    data = raw.data.set_column(index, "org_code", pc.if_else(other, values, pa.scalar(code)))
    if not len(rows):
        return replace(raw, data=data)
    first = int(rows[0])
    more = f" (and {len(rows) - 1:,} more row(s) with another code)" if len(rows) > 1 else ""
    problem = (
        f"{raw.where('org_code')} has '{quoted(values[first].as_py())}' on {raw.line_word} "
        f"{raw.lines[first]}{more}, but --org names {code}: leave --org out for a file that "
        "has its own organisation codes, or import each organisation's file with its own --org"
    )
    return replace(raw, data=data, file_problems=[*raw.file_problems, problem])


class Naming:
    """The organisations an import names, each added at most once, just before the first file
    that needs it is checked (so that an organisations.csv in the same import is seen first)."""

    def __init__(self, option: OrgOption | None) -> None:
        self.option = option
        self._done: set[str] = set()

    def fill(self, raw: RawData) -> RawData:
        return fill(raw, self.option.code) if self.option is not None else raw

    def wanted(self, source: Source) -> Organisation | None:
        """The organisation to add before `source` is checked, if one is named and known."""
        if not needs_org(source.table):
            return None
        code = self.option.code if self.option is not None else constant_of(source)
        if code is None or code in self._done:
            return None
        self._done.add(code)
        return self.option.organisation() if self.option is not None else known(code)

    def note(self, org: Organisation) -> str:
        """What the import says when it adds the organisation."""
        named = self.option is not None and self.option.name is not None
        where = "--org-name" if named else f"equitrack's list of NHS organisations ({SHIPPED})"
        system = f", system {org.system_code}" if org.system_code else ""
        how = "--org" if self.option is not None else "the profile's constant"
        return (
            f"{org.org_code} ({org.name}, {org.org_type}{system}) added to organisations: "
            f"named by {how}, its name from {where}"
        )
