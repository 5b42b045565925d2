"""The hand-checkable `System` builder with the rows casework and pay measures read: cases with
suspension, outcome and just-culture answers, leave requests, pay snapshots, and international
recruitment on people."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from equitrack.store import Store
from tests.factories import write_csv
from tests.measures.builders import ORG, System

#: The one path that supports individual action (outcome G), as the guide lays it out.
G_PATH = "1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=N;5a=N"
D_PATH = "1a=N;2a=N;2b=N;2c=N;3a=N"
A_PATH = "1a=Y"
B_PATH = "1a=N;2a=Y"
PAST_B = "1a=N;2a=Y;2b=N"  # carries on past outcome B: invalid


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


@dataclass
class CaseSystem(System):
    leave: list[dict] = field(default_factory=list)
    pay: list[dict] = field(default_factory=list)
    international: set[str] = field(default_factory=set)

    def recruit(self, ethnic_code: str, international: bool = False, **kwargs: object) -> str:
        pid = self.person(ethnic_code, **kwargs)  # type: ignore[arg-type]
        if international:
            self.international.add(pid)
        return pid

    def formal_case(
        self,
        pid: str,
        formal: str,
        *,
        case_type: str = "conduct",
        suspended: bool | None = None,
        closed: str = "",
        outcome: str = "",
        answers: str = "",
        assessed: bool | None = None,
    ) -> None:
        self.disciplinary.append(
            {"case_id": f"C{len(self.disciplinary) + 1}", "person_id": pid, "org_code": ORG,
             "case_type": case_type, "opened_date": formal, "formal_date": formal,
             "suspended": _flag(suspended), "closed_date": closed, "outcome": outcome,
             "just_culture_answers": answers, "pre_formal_assessment": _flag(assessed)}
        )  # fmt: skip

    def requests(
        self, pid: str, leave_type: str, decision: str, count: int, requested: str = "2025-09-01"
    ) -> None:
        for _ in range(count):
            self.leave.append(
                {"request_id": f"L{len(self.leave) + 1}", "person_id": pid, "org_code": ORG,
                 "leave_type": leave_type, "requested_date": requested, "start_date": requested,
                 "days": "1", "decision": decision}
            )  # fmt: skip

    def paid(
        self, pid: str, hourly: float, bonus: float | None = None, snapshot: str = "2026-03-31"
    ) -> None:
        self.pay.append(
            {"person_id": pid, "org_code": ORG, "snapshot_date": snapshot,
             "hourly_pay": str(hourly), "bonus_pay": "" if bonus is None else str(bonus)}
        )  # fmt: skip

    def load(self, folder: Path) -> Store:
        for row in self.people:
            row["international_recruit"] = _flag(row["person_id"] in self.international)
        for name in ("leave", "pay"):
            rows = getattr(self, name)
            if rows:
                write_csv(folder / f"{name}.csv", rows)
        return super().load(folder)
