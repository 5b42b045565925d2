"""Hand-checkable systems for measure tests, built row by row and loaded through the importer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from equitrack.ingest import import_paths
from equitrack.store import Store, connect
from tests.factories import write_csv

ORG = "RX1"


@dataclass
class System:
    """Canonical rows under construction; `load` writes them as CSV and imports them."""

    people: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    vacancies: list[dict] = field(default_factory=list)
    applications: list[dict] = field(default_factory=list)
    disciplinary: list[dict] = field(default_factory=list)
    training: list[dict] = field(default_factory=list)
    survey: list[dict] = field(default_factory=list)
    leave: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    _next: int = 0

    def person(
        self,
        ethnic_code: str,
        start: str = "2015-01-01",
        end: str = "",
        contract: str = "permanent",
        pay_band: str = "Band 5",
        board: tuple[bool, bool] | None = None,
        disability: str = "N",
    ) -> str:
        self._next += 1
        pid = f"{self._next:08d}"
        self.people.append(
            {"person_id": pid, "ethnic_code": ethnic_code, "sex": "F", "disability": disability}
        )
        self.assign(pid, start, end, contract, pay_band, board)
        return pid

    def assign(
        self,
        pid: str,
        start: str,
        end: str = "",
        contract: str = "permanent",
        pay_band: str = "Band 5",
        board: tuple[bool, bool] | None = None,
    ) -> None:
        n = sum(1 for a in self.assignments if a["person_id"] == pid) + 1
        self.assignments.append(
            {
                "assignment_id": f"{pid}-{n}", "person_id": pid, "org_code": ORG,
                "start_date": start, "end_date": end, "pay_band": pay_band,
                "staff_group": "Nursing and Midwifery Registered", "contract": contract, "fte": "1.0",
                "board_member": "true" if board else "false",
                "board_voting": "true" if board and board[0] else "false",
                "board_executive": "true" if board and board[1] else "false",
            }
        )  # fmt: skip

    def reaches(self, day: str) -> None:
        """The data is current to `day`: a one-day spell the day before it, of a person whose
        ethnicity is not recorded and who is in post at no month end. Open-ended assignments
        say nothing of when the data was taken, and a year the data does not reach has no
        figures ("no data for 2025/26"), so a worked example about a later year says so."""
        last = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        self.person("", start=last, end=last)

    def people_of(self, ethnic_code: str, count: int, **kwargs: object) -> list[str]:
        return [self.person(ethnic_code, **kwargs) for _ in range(count)]  # type: ignore[arg-type]

    def case(self, pid: str, formal: str, case_type: str = "conduct") -> None:
        self.disciplinary.append(
            {"case_id": f"C{len(self.disciplinary) + 1}", "person_id": pid, "org_code": ORG,
             "case_type": case_type, "opened_date": formal, "formal_date": formal}
        )  # fmt: skip

    def applicants(
        self,
        ethnic_code: str,
        shortlisted: int,
        appointed: int,
        applied: str,
        not_shortlisted: int = 0,
    ) -> None:
        if not self.vacancies:
            self.vacancies.append(
                {"vacancy_id": "V1", "org_code": ORG, "pay_band": "Band 5", "opened_date": "2024-04-01",
                 "advert": "external", "opportunity_type": "post"}
            )  # fmt: skip
        for i in range(shortlisted + not_shortlisted):
            is_short = i < shortlisted
            self.applications.append(
                {"application_id": f"A{len(self.applications) + 1}", "vacancy_id": "V1",
                 "applicant_id": f"X{len(self.applications) + 1}", "ethnic_code": ethnic_code,
                 "applied_date": applied, "shortlisted": str(is_short).lower(),
                 "appointed": str(is_short and i < appointed).lower()}
            )  # fmt: skip

    def trained(self, pid: str, start: str, mandatory: bool = False) -> None:
        self.training.append(
            {"record_id": f"T{len(self.training) + 1}", "person_id": pid, "org_code": ORG,
             "course": "Leadership", "mandatory": str(mandatory).lower(), "start_date": start}
        )  # fmt: skip

    def asked_leave(self, pid: str, requested: str, decision: str = "approved") -> None:
        self.leave.append(
            {"request_id": f"L{len(self.leave) + 1}", "person_id": pid, "org_code": ORG,
             "leave_type": "annual", "requested_date": requested, "start_date": requested,
             "days": "5", "decision": decision}
        )  # fmt: skip

    def incident(self, pid: str, day: str, category: str = "racist_abuse") -> None:
        self.incidents.append(
            {"incident_id": f"I{len(self.incidents) + 1}", "org_code": ORG, "incident_date": day,
             "person_id": pid, "source": "patient_or_public", "category": category,
             "action": "none"}
        )  # fmt: skip

    def surveyed(
        self, measure: str, group: str, positive: int, responses: int, year: int = 2025
    ) -> None:
        """A survey result for a WRES group (run in the autumn of `year`)."""
        self.survey.append(
            {"org_code": ORG, "survey_year": year, "instrument": "nss", "measure": measure,
             "group_type": "wres", "group_value": group, "responses": responses,
             "positive": positive}
        )  # fmt: skip

    def load(self, folder: Path) -> Store:
        write_csv(
            folder / "organisations.csv",
            [{"org_code": ORG, "name": "Test Trust", "org_type": "trust", "system_code": "QX1"}],
        )
        for name in (
            "people",
            "assignments",
            "vacancies",
            "applications",
            "disciplinary",
            "training",
            "survey",
            "leave",
            "incidents",
        ):
            rows = getattr(self, name)
            if rows:
                write_csv(folder / f"{name}.csv", rows)
        store = connect(str(folder / "test.duckdb"))
        result = import_paths([folder], store)
        assert result.ok, [
            (r.source.label, r.problems) for r in result.sources if r.status != "loaded"
        ]
        return store
