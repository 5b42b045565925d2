"""Hand-worked examples for the scrutiny measures of recommendations 3 to 6 (opportunities.py):
small canonical files built row by row, imported, and measured end to end. The expected counts
and ratios are worked out in the comments next to each system."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from equitrack.ingest import import_paths
from equitrack.measures import Request, evaluate, measure
from equitrack.store import Store, connect
from tests.factories import write_csv
from tests.measures.builders import ORG, System

OTHER_ORG = "RX2"
Y = 2026  # reporting year: 1 April 2025 to 31 March 2026
IN_YEAR, LAST_YEAR = "2025-09-01", "2024-09-01"


@dataclass
class Scrutiny(System):
    """The builder's system plus the tables recommendations 3 to 6 read."""

    development: list[dict] = field(default_factory=list)
    appraisals: list[dict] = field(default_factory=list)

    def course(
        self,
        pid: str,
        category: str,
        start: str = IN_YEAR,
        *,
        mandatory: bool = False,
        delivery: str = "face_to_face",
        completed: bool | None = True,
    ) -> None:
        self.training.append(
            {"record_id": f"T{len(self.training) + 1}", "person_id": pid, "org_code": ORG,
             "course": category.title(), "category": category, "mandatory": str(mandatory).lower(),
             "delivery": delivery, "start_date": start,
             "completed": "" if completed is None else str(completed).lower()}
        )  # fmt: skip

    def vacancy(
        self,
        opportunity: str,
        advert: str = "internal",
        opened: str = "2025-06-01",
        panel: tuple[str, str] = ("", ""),
    ) -> str:
        vid = f"V{len(self.vacancies) + 1}"
        self.vacancies.append(
            {"vacancy_id": vid, "org_code": ORG, "pay_band": "Band 6", "opened_date": opened,
             "advert": advert, "opportunity_type": opportunity, "panel_size": panel[0],
             "panel_minority_members": panel[1]}
        )  # fmt: skip
        return vid

    def apply(
        self,
        vid: str,
        ethnic_code: str,
        shortlisted: bool = True,
        appointed: bool = False,
        applied: str = "2025-07-01",
    ) -> None:
        n = len(self.applications) + 1
        self.applications.append(
            {"application_id": f"A{n}", "vacancy_id": vid, "applicant_id": f"X{n}",
             "ethnic_code": ethnic_code, "applied_date": applied,
             "shortlisted": str(shortlisted).lower(), "appointed": str(appointed).lower()}
        )  # fmt: skip

    def develop(
        self,
        pid: str,
        kind: str,
        start: str = IN_YEAR,
        selection: str = "open_application",
        host: str = "",
    ) -> None:
        self.development.append(
            {"record_id": f"D{len(self.development) + 1}", "person_id": pid, "org_code": ORG,
             "host_org_code": host, "kind": kind, "selection": selection, "start_date": start}
        )  # fmt: skip

    def appraise(self, pid: str, edi: bool, pool: bool | None = None, when: str = IN_YEAR) -> None:
        self.appraisals.append(
            {"person_id": pid, "org_code": ORG, "appraisal_date": when,
             "edi_objective": str(edi).lower(), "succession_pool": "" if pool is None else str(pool).lower()}
        )  # fmt: skip

    def promote(self, pid: str, on: str, pay_band: str) -> None:
        """End the person's open assignment the day before `on` and start one on `band`."""
        day_before = {"2024-01-01": "2023-12-31", "2024-03-01": "2024-02-29",
                      "2024-09-01": "2024-08-31", "2025-05-01": "2025-04-30",
                      "2025-09-01": "2025-08-31", "2025-12-01": "2025-11-30"}[on]  # fmt: skip
        current = next(a for a in self.assignments if a["person_id"] == pid and not a["end_date"])
        current["end_date"] = day_before
        self.assign(pid, on, pay_band=pay_band)

    def load(self, folder: Path) -> Store:
        write_csv(
            folder / "organisations.csv",
            [
                {"org_code": ORG, "name": "Test Trust", "org_type": "trust", "system_code": "QX1"},
                {"org_code": OTHER_ORG, "name": "Other", "org_type": "trust", "system_code": "QX1"},
            ],
        )
        for name in ("people", "assignments", "vacancies", "applications", "training",
                     "development", "appraisals"):  # fmt: skip
            rows = getattr(self, name)
            if rows:
                columns = list(dict.fromkeys(k for row in rows for k in row))
                write_csv(
                    folder / f"{name}.csv", [{c: r.get(c, "") for c in columns} for r in rows]
                )
        store = connect(str(folder / "test.duckdb"))
        result = import_paths([folder], store)
        assert result.ok, [
            (r.source.label, r.problems) for r in result.sources if r.status != "loaded"
        ]
        return store


def counts(results, breakdown=None) -> dict[str, tuple[int, int]]:
    return {
        r.group: (r.numerator, r.denominator)
        for r in results
        if r.period == Y and r.breakdown == breakdown
    }


def ratio(results, group="BME", breakdown=None) -> float | None:
    return next(
        r.ratio for r in results if r.period == Y and r.group == group and r.breakdown == breakdown
    )


def run(store: Store, measure_id: str, by: str = "wres", **options) -> list:
    return evaluate(store, measure(measure_id), Request(years=(Y,), by=by, options=options))


# --- recommendation 3: EDI training ---------------------------------------------------------


@pytest.fixture(scope="module")
def training_system(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Scrutiny()
    white = s.people_of("A", 10)
    bme = s.people_of("N", 5)
    # reach: White 4 of 10 staff had EDI training starting in the year
    s.course(white[0], "edi")
    s.course(white[0], "edi", "2025-10-01")  # a second EDI record counts the person once
    s.course(white[1], "edi", mandatory=True, delivery="elearning")  # mandatory e-learning
    s.course(white[2], "edi", completed=False)
    s.course(white[3], "edi", delivery="")  # delivery not recorded
    s.course(white[4], "edi", LAST_YEAR)  # last year's: not this year's reach
    s.course(white[5], "leadership")  # not EDI
    # BME 1 of 5; with a second record delivered as e-learning
    s.course(bme[0], "edi", delivery="blended")
    s.course(bme[0], "edi", delivery="elearning")
    # Active Bystander: White 2 of 10, BME 1 of 5
    s.course(white[0], "active_bystander", delivery="virtual_live", completed=False)
    s.course(white[6], "active_bystander", completed=None)  # completion not recorded
    s.course(bme[1], "active_bystander")
    # not in post on 31 March, so outside reach, but still a learner and a record
    leaver = s.person("A", end="2026-01-31")
    s.course(leaver, "edi", delivery="elearning")
    # a bank-only worker: only with workforce=bank or both
    bank = s.person("H", start="2025-01-01", contract="bank")
    s.course(bank, "edi", delivery="elearning")
    return s.load(tmp_path_factory.mktemp("training"))


def test_edi_training_reach(training_system: Store) -> None:
    results = run(training_system, "edi_training_reach")
    # White 4/10 = 0.4, BME 1/5 = 0.2; ratio = 0.4 / 0.2 = 2.0 (BME staff half as likely)
    assert counts(results) == {"White": (4, 10), "BME": (1, 5)}
    assert ratio(results) == pytest.approx(2.0)
    assert next(r for r in results if r.group == "BME").verdict == "too few to tell"
    # without mandatory courses White loses the one whose only EDI record was mandatory: 3/10;
    # ratio = 0.3 / 0.2 = 1.5
    excluding = run(training_system, "edi_training_reach", mandatory="exclude")
    assert counts(excluding) == {"White": (3, 10), "BME": (1, 5)}
    assert ratio(excluding) == pytest.approx(1.5)
    assert excluding[0].options["mandatory"] == "exclude"
    # bank and substantive side by side: the bank-only worker is the bank cell's only member
    both = run(training_system, "edi_training_reach", workforce="both")
    assert counts(both, "Bank") == {"BME": (1, 1)}
    assert counts(both, "Substantive") == {"White": (4, 10), "BME": (1, 5)}
    assert counts(both) == {}


def test_bystander_reach(training_system: Store) -> None:
    results = run(training_system, "bystander_reach")
    # White 2/10 = 0.2, BME 1/5 = 0.2: ratio 1.0
    assert counts(results) == {"White": (2, 10), "BME": (1, 5)}
    assert ratio(results) == pytest.approx(1.0)


def test_edi_training_completion(training_system: Store) -> None:
    results = run(training_system, "edi_training_completion")
    # learners (in post or not), completed at least one record:
    # EDI: White w0 yes, w1 yes, w2 no, w3 yes, leaver yes = 4/5; BME b0 yes, bank H yes = 2/2
    assert counts(results, "EDI") == {"White": (4, 5), "BME": (2, 2)}
    # Active Bystander: White w0 no, w6 not recorded = 0/2; BME b1 1/1
    assert counts(results, "Active Bystander") == {"White": (0, 2), "BME": (1, 1)}
    # overall, once per person: White w0 (EDI done), w1, w3, leaver done; w2, w6 not = 4/6;
    # BME 3/3; ratio = (4/6) / (3/3) = 0.667
    assert counts(results) == {"White": (4, 6), "BME": (3, 3)}
    assert ratio(results) == pytest.approx(2 / 3)
    # every record completed: w0 now fails (Active Bystander not completed): White 3/6
    every = run(training_system, "edi_training_completion", completion="all")
    assert counts(every) == {"White": (3, 6), "BME": (3, 3)}


def test_edi_training_delivery(training_system: Store) -> None:
    results = run(training_system, "edi_training_delivery")
    # EDI records in the year: White w0 x2 face to face, w1 e-learning, w2 face to face,
    # w3 not recorded, leaver e-learning = 3 interactive of 6; BME b0 blended + e-learning and
    # the bank worker's e-learning = 1 of 3
    assert counts(results, "EDI") == {"White": (3, 6), "BME": (1, 3)}
    # Active Bystander: White virtual live + face to face = 2/2; BME 1/1
    assert counts(results, "Active Bystander") == {"White": (2, 2), "BME": (1, 1)}
    # all EDI and Active Bystander records: White 5/8, BME 2/4; ratio = 0.625 / 0.5 = 1.25
    assert counts(results) == {"White": (5, 8), "BME": (2, 4)}
    assert ratio(results) == pytest.approx(1.25)


# --- recommendation 4: development opportunities -------------------------------------------


@pytest.fixture(scope="module")
def vacancy_system(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Scrutiny()
    white, bme = s.people_of("A", 4), s.people_of("N", 4)
    # appointment from shortlisting to development opportunities
    sec = s.vacancy("secondment", "internal", panel=("4", "2"))
    s.apply(sec, "A", appointed=True)
    s.apply(sec, "A")
    s.apply(sec, "N", appointed=True)
    s.apply(sec, "N")
    s.apply(sec, "N", shortlisted=False)  # not shortlisted: outside the measure
    act = s.vacancy("acting_up", "expression_of_interest", panel=("3", ""))
    s.apply(act, "C", appointed=True)  # White Other: White
    s.apply(act, "A")
    s.apply(act, "H")
    s.apply(act, "P")
    post = s.vacancy("post", "external", panel=("5", "1"))  # a post, not development
    s.apply(post, "A", appointed=True)
    s.apply(post, "N")
    s.apply(post, "N")
    # filled without an advert, appointee seen and unseen
    seen = s.vacancy("secondment", "not_advertised")
    s.apply(seen, "N", appointed=True)
    s.vacancy("talent_programme", "not_advertised")  # nobody recorded: Unknown
    s.vacancy("development_post", "external", panel=("3", "0"))  # advertised, nobody appointed
    s.vacancy("post", "internal", panel=("0", "0"))  # no panel after all
    s.vacancy("post", "internal", panel=("3", "0"))
    s.vacancy("post", "internal", opened="2025-03-31", panel=("3", "1"))  # last year
    # the development table's view of the same question
    s.develop(white[0], "secondment", selection="informal")
    s.develop(white[1], "acting_up", selection="open_application")
    s.develop(white[2], "talent_programme", selection="nominated")
    s.develop(white[3], "shadowing", selection="informal")  # not an opportunity filled
    s.develop(bme[0], "secondment", selection="open_application")
    s.develop(bme[1], "acting_up", selection="")  # route not recorded
    s.develop(bme[2], "talent_programme", selection="nominated")
    return s.load(tmp_path_factory.mktemp("vacancies"))


def test_development_appointment(vacancy_system: Store) -> None:
    results = run(vacancy_system, "development_appointment")
    # shortlisted to development opportunities (the post's applications and the one not
    # shortlisted are out): White A, A (secondment), C, A (acting up) = 4, appointed 2 (0.5);
    # BME N, N (secondment), H, P (acting up), N (the unadvertised secondment's recorded
    # appointee) = 5, appointed 2 (0.4); ratio = 0.5 / 0.4 = 1.25
    assert counts(results) == {"White": (2, 4), "BME": (2, 5)}
    assert ratio(results) == pytest.approx(0.5 / 0.4)
    # secondments only: White 1/2, BME 2/3 (the advertised and the unadvertised one)
    only = run(vacancy_system, "development_appointment", opportunity_type="secondment")
    assert counts(only) == {"White": (1, 2), "BME": (2, 3)}


def test_unadvertised_development(vacancy_system: Store) -> None:
    results = run(vacancy_system, "unadvertised_development")
    # appointments to development opportunities opened in the year:
    # White: secondment (internal, open), acting up (expression of interest) = 1 of 2 not open
    # BME: secondment (internal), secondment (not advertised) = 1 of 2
    # Unknown: the talent programme filled without advert, appointee not recorded = 1 of 1
    # (the advertised development post with nobody appointed was not filled: not counted)
    assert counts(results) == {"White": (1, 2), "BME": (1, 2), "Unknown": (1, 1)}
    assert ratio(results) == pytest.approx(1.0)
    # from development records: White secondment informal, acting up open, talent nominated =
    # 2 of 3 (shadowing is not an opportunity filled); BME secondment open, acting up with no
    # route, talent nominated = 1 of 3; ratio = (2/3) / (1/3) = 2.0
    records = run(vacancy_system, "unadvertised_development", source="development")
    assert counts(records) == {"White": (2, 3), "BME": (1, 3)}
    assert ratio(records) == pytest.approx(2.0)


def test_panel_diversity(vacancy_system: Store) -> None:
    results = run(vacancy_system, "panel_diversity", by="broad")
    cells = {r.breakdown: (r.numerator, r.denominator, r.excluded) for r in results}
    # posts in the year: 5 with 1 (yes), 3 with 0 (no); panel of 0 is no panel: excluded 1
    # development: secondment 4 with 2 (yes), development post 3 with 0 (no); excluded: acting
    # up (minority members not recorded) and the two unadvertised ones (no panel) = 3
    assert cells == {"Posts": (1, 2, 1), "Development opportunities": (1, 2, 3), None: (2, 4, 4)}
    assert {(r.group_type, r.group) for r in results} == {("all", "All")}
    assert all(r.ratio is None for r in results)
    assert next(r for r in results if r.breakdown is None).rate == pytest.approx(0.5)


# --- recommendation 5: shadowing, mentoring and development ---------------------------------


@pytest.fixture(scope="module")
def development_system(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Scrutiny()
    white = s.people_of("A", 10)
    bme = s.people_of("H", 5)
    s.develop(white[0], "shadowing", host=OTHER_ORG)
    s.develop(white[0], "shadowing", "2025-11-01")  # the same person again
    s.develop(white[1], "mentoring", host=ORG)  # hosted at home: not cross-organisation
    s.develop(white[2], "coaching", LAST_YEAR, host=OTHER_ORG)  # last year
    s.develop(bme[0], "mentoring", host=OTHER_ORG)
    s.develop(bme[1], "reverse_mentoring")
    leaver = s.person("N", end="2025-12-31")
    s.develop(leaver, "shadowing")  # not in post at 31 March: not a participant, still a record
    return s.load(tmp_path_factory.mktemp("development"))


def test_development_participation(development_system: Store) -> None:
    results = run(development_system, "development_participation")
    # staff in post with development starting in the year: White w0, w1 = 2/10; BME b0, b1 =
    # 2/5; ratio = 0.2 / 0.4 = 0.5 (BME staff twice as likely)
    assert counts(results) == {"White": (2, 10), "BME": (2, 5)}
    assert ratio(results) == pytest.approx(0.5)
    shadowing = run(development_system, "development_participation", kind="shadowing")
    assert counts(shadowing) == {"White": (1, 10), "BME": (0, 5)}
    assert shadowing[0].options["kind"] == "shadowing"


def test_cross_org_placements(development_system: Store) -> None:
    results = run(development_system, "cross_org_placements")
    # records in the year: White shadowing at RX2 (yes), shadowing (no host), mentoring hosted
    # at home (no) = 1 of 3; BME mentoring at RX2 (yes), reverse mentoring, the leaver's
    # shadowing = 1 of 3; ratio 1.0
    assert counts(results) == {"White": (1, 3), "BME": (1, 3)}
    assert ratio(results) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def progression_system(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Development started in FY 2024 (April 2023 to March 2024), reported in 2026."""
    s = Scrutiny()
    x = s.person("A")
    s.develop(x, "mentoring", "2023-06-01")
    s.promote(x, "2024-09-01", "Band 6")  # within 24 months (by 2025-06-01)
    y = s.person("A")
    s.develop(y, "coaching", "2023-10-01")
    s.promote(y, "2025-12-01", "Band 6")  # after 24 months (2025-10-01), before 31 March
    z = s.person("A", end="2024-12-31")
    s.develop(z, "shadowing", "2023-05-01")  # left: not promoted, or left out
    w = s.person("A", pay_band="Band 2")
    s.develop(w, "secondment", "2023-11-01")
    s.promote(w, "2024-01-01", "Band 3")
    b1 = s.person("N")
    s.develop(b1, "mentoring", "2023-07-01")  # stays on band 5
    b2 = s.person("N", pay_band="Consultant")
    s.develop(b2, "mentoring", "2023-08-01")  # not on an AfC band: not in the cohort
    b3 = s.person("N", start="2023-01-01", contract="bank")
    s.develop(b3, "shadowing", "2023-08-01")  # bank only: no post to be promoted from
    b4 = s.person("N", pay_band="Band 6")
    s.develop(b4, "talent_programme", "2023-04-10")  # the first start counts
    s.develop(b4, "coaching", "2024-02-01")
    s.promote(b4, "2025-05-01", "Band 7")  # after 2025-04-10: not within 24 months of it
    b5 = s.person("N", pay_band="Band 3")
    s.develop(b5, "acting_up", "2023-09-01")
    s.promote(b5, "2024-03-01", "Band 4")
    later = s.person("A")
    s.develop(later, "mentoring", "2024-06-01")  # FY 2025: reported in 2027
    return s.load(tmp_path_factory.mktemp("progression"))


def test_progression_after_development(progression_system: Store) -> None:
    results = run(progression_system, "progression_after_development")
    # White x yes, y no (promoted after 24 months), z no (left), w yes = 2/4;
    # BME b1 no, b4 no, b5 yes = 1/3 (b2 medical and b3 bank are not in the cohort);
    # ratio = 0.5 / 0.333 = 1.5
    assert counts(results) == {"White": (2, 4), "BME": (1, 3)}
    assert ratio(results) == pytest.approx(1.5)
    # at 31 March 2026 instead: y and b4 now count: White 3/4, BME 2/3; ratio 1.125
    snapshot = run(progression_system, "progression_after_development", outcome_at="snapshot")
    assert counts(snapshot) == {"White": (3, 4), "BME": (2, 3)}
    assert ratio(snapshot) == pytest.approx(1.125)
    # without leavers: White 2/3, BME 1/3; ratio 2.0
    stayers = run(progression_system, "progression_after_development", leavers="exclude")
    assert counts(stayers) == {"White": (2, 3), "BME": (1, 3)}
    # mentoring only: White x = 1/1; BME b1 = 0/1 (b2 is medical)
    mentoring = run(progression_system, "progression_after_development", kind="mentoring")
    assert counts(mentoring) == {"White": (1, 1), "BME": (0, 1)}


# --- recommendation 6: embedding ------------------------------------------------------------


@pytest.fixture(scope="module")
def appraisal_system(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Scrutiny()
    p1 = s.person("A", pay_band="Band 7")
    p2 = s.person("A")
    p3 = s.person("B")
    b1 = s.person("K", pay_band="Band 8a")
    b2 = s.person("M")
    s.appraise(p1, edi=True, pool=True)
    s.appraise(p2, edi=False, pool=None)
    s.appraise(p2, edi=True, pool=False, when="2026-02-01")  # a second appraisal in the year
    s.appraise(p3, edi=False, pool=None)  # succession question not recorded
    s.appraise(b1, edi=False, pool=False)
    s.appraise(b2, edi=False, pool=True)
    s.appraise(b2, edi=True, pool=False, when=LAST_YEAR)  # last year's
    return s.load(tmp_path_factory.mktemp("appraisals"))


def test_edi_objectives(appraisal_system: Store) -> None:
    results = run(appraisal_system, "edi_objectives")
    # White p1 yes, p2 yes (second appraisal), p3 no = 2/3; BME b1 no, b2 no (this year) = 0/2
    assert counts(results) == {"White": (2, 3), "BME": (0, 2)}


def test_succession_pool(appraisal_system: Store) -> None:
    results = run(appraisal_system, "succession_pool")
    # recorded: White p1 yes, p2 no = 1/2 (p3 not recorded); BME b1 no, b2 yes = 1/2; ratio 1
    assert counts(results) == {"White": (1, 2), "BME": (1, 2)}
    assert ratio(results) == pytest.approx(1.0)
    # band 7 and above on the last appraisal: White p1 = 1/1; BME b1 = 0/1
    senior = run(appraisal_system, "succession_pool", bands="7_and_above")
    assert counts(senior) == {"White": (1, 1), "BME": (0, 1)}
