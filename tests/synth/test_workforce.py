"""The LLR system looks like Leicester, Leicestershire and Rutland's workforce."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from equitrack.model import codes

from .checks import broad_group, senior, workforce_at

Tables = dict[str, pa.Table]
END = "2026-03-31"


@pytest.fixture(scope="module")
def staff(llr: Tables) -> pd.DataFrame:
    return workforce_at(llr, END)


@pytest.fixture(scope="module")
def assignments(llr: Tables) -> pd.DataFrame:
    return llr["assignments"].to_pandas()


def test_headcounts_near_targets(staff: pd.DataFrame) -> None:
    counts = staff.groupby("org_code").size()
    for org, target in {"RWE": 17_000, "RT5": 6_500, "QK1": 300}.items():
        assert abs(counts[org] / target - 1) <= 0.10, (org, counts[org])


def test_a_diverse_city_workforce(staff: pd.DataFrame) -> None:
    known = staff[staff.wres != "Unknown"]
    assert 0.35 <= (known.wres == "BME").mean() <= 0.45
    broad = known.broad.value_counts(normalize=True)
    assert broad["Asian"] > broad["Black"] > broad["Mixed"]
    top = staff.ethnic_code.value_counts()
    assert top.index[0] == "A" and top.index[1] == "H"
    assert (staff.ethnic_code.str[0] == "N").sum() > 500  # a substantial Black African group


def test_minority_staff_sparse_at_senior_bands(staff: pd.DataFrame) -> None:
    known = staff[staff.wres != "Unknown"]
    overall = (known.wres == "BME").mean()
    top = known[senior(known.pay_band)]
    assert len(top) > 500
    assert (top.wres == "BME").mean() < 0.7 * overall


def test_bands_fit_staff_groups(assignments: pd.DataFrame) -> None:
    medical = assignments.staff_group == "Medical and Dental"
    grades = set(codes.MEDICAL_GRADES) | {"VSM"}
    assert set(assignments[medical].pay_band) <= grades
    assert not (set(assignments[~medical].pay_band) & set(codes.MEDICAL_GRADES))
    icb = assignments[assignments.org_code == "QK1"]
    assert (icb.staff_group == "Administrative and Clerical").mean() > 0.8


def test_unknown_ethnicity_is_messy(llr: Tables, staff: pd.DataFrame) -> None:
    assert 0.02 <= (staff.wres == "Unknown").mean() <= 0.08
    used = set(llr["people"].column("ethnic_code").to_pylist())
    assert {"Z", "99", ""} <= used
    assert {"CP", "PA", "PC", "SC", "LK"} <= used
    assert used <= set(codes.EXTENDED_CODES) | set(codes.CATEGORY_BY_CODE) | {"Z", "99", ""}


def test_people_at_two_organisations(assignments: pd.DataFrame) -> None:
    orgs = assignments.groupby("person_id").org_code.nunique()
    assert 0.003 <= (orgs > 1).mean() <= 0.03


def test_bank_only_and_dual_contract_staff(assignments: pd.DataFrame) -> None:
    day = pd.Timestamp(END).date()
    active = assignments[
        (assignments.start_date <= day)
        & (assignments.end_date.isna() | (assignments.end_date >= day))
    ]
    bank = active.assign(bank=active.contract == "bank").groupby(["person_id", "org_code"]).bank
    kinds = pd.DataFrame({"any": bank.any(), "all": bank.all()})
    assert (kinds["all"]).sum() > 1_000  # bank-only workers
    assert (kinds["any"] & ~kinds["all"]).sum() > 300  # substantive post plus bank


def test_promotions_are_consecutive_rows(assignments: pd.DataFrame) -> None:
    a = assignments.sort_values(["person_id", "org_code", "start_date"]).copy()
    a["rank"] = a.pay_band.map(codes.band_rank)
    nxt = a.groupby(["person_id", "org_code"]).shift(-1)
    day_after = (pd.to_datetime(a.end_date) + pd.Timedelta(days=1)).dt.date
    promoted = (nxt.start_date == day_after) & (nxt["rank"] > a["rank"]) & (a["rank"] > 0)
    assert promoted.sum() > 2_000
    assert a.loc[promoted, "leaving_reason"].isna().all()


def test_leavers_say_why(assignments: pd.DataFrame) -> None:
    reasons = set(assignments.leaving_reason.dropna())
    assert {"Voluntary Resignation - Relocation", "Retirement Age", "Dismissal - Conduct",
            "End of Fixed Term Contract", "Removed from Bank"} <= reasons  # fmt: skip


def test_international_recruits(llr: Tables) -> None:
    people = llr["people"].to_pandas()
    ir = people[people.international_recruit]
    assert len(ir) > 800
    assert (broad_group(ir.ethnic_code).isin(["Asian", "Black", "Other", "Mixed"])).mean() > 0.85
    assert {"H", "SC", "N", "PC"} <= set(ir.ethnic_code)
    a = llr["assignments"].select(["person_id", "staff_group", "start_date"]).to_pandas()
    first = a[a.person_id.isin(ir.person_id)].sort_values("start_date").drop_duplicates("person_id")
    assert (first.staff_group == "Nursing and Midwifery Registered").mean() > 0.6
    arrived = first.merge(ir, on="person_id")
    assert (arrived.start_date == arrived.nhs_start_date).mean() > 0.95


def test_boards(assignments: pd.DataFrame) -> None:
    day = pd.Timestamp(END).date()
    current = (assignments.start_date <= day) & (
        assignments.end_date.isna() | (assignments.end_date >= day)
    )
    board = assignments[assignments.board_member & current]
    voting = board[board.board_voting.astype(bool)].groupby("org_code").size()
    assert set(voting.index) == {"RWE", "RT5", "QK1"}
    assert voting.between(12, 16).all()
    assert board.board_executive.notna().all()
    assert assignments[~assignments.board_member].board_voting.isna().all()


def test_recruitment_shapes(llr: Tables) -> None:
    v = llr["vacancies"].to_pandas()
    assert set(v.opportunity_type) == {
        "post",
        "secondment",
        "acting_up",
        "development_post",
        "talent_programme",
    }
    dev = v[v.opportunity_type != "post"]
    assert (dev.advert == "not_advertised").mean() > 0.2
    panels = v.dropna(subset=["panel_size"])
    assert panels.panel_size.between(3, 5).all()
    apps = llr["applications"].select(["applicant_id", "internal", "appointed"]).to_pandas()
    staff_ids = set(llr["people"].column("person_id").to_pylist())
    assert apps[apps.appointed].applicant_id.isin(staff_ids).all()
    assert apps[apps.internal].applicant_id.isin(staff_ids).all()
    assert not apps[~apps.internal & ~apps.appointed].applicant_id.isin(staff_ids).any()


def test_just_culture_paths(llr: Tables) -> None:
    d = llr["disciplinary"].to_pandas()
    formal = d[d.formal_date.notna()]
    assert 0.1 < formal.just_culture_answers.isna().mean() < 0.9
    assert (formal[formal.just_culture_answers.isna()].pre_formal_assessment == False).all()  # noqa: E712
    answers = d.just_culture_answers.dropna()
    assert answers.str.match(r"^1a=[YN](;(2[abc]|3[abc]|4[abc]|5a)=[YN])*$").all()
    full = answers.str.count("=") == 11
    outcome_g = answers == "1a=N;2a=N;2b=N;2c=N;3a=Y;3b=Y;3c=Y;4a=N;4b=N;4c=N;5a=N"
    assert (full & ~outcome_g & ~answers.str.endswith("5a=Y")).sum() > 5  # over-answered paths
    assert d.suspended.any() and d.closed_date.isna().any()


def test_training_and_development(llr: Tables) -> None:
    t = llr["training"].select(["category", "delivery", "mandatory", "start_date"]).to_pandas()
    edi = t[t.category == "edi"]
    assert (edi.delivery == "elearning").mean() > 0.7 and (edi.delivery == "face_to_face").any()
    bystander = t[t.category == "active_bystander"]
    assert bystander.start_date.min() >= pd.Timestamp("2022-04-01").date()
    assert set(bystander.delivery) <= {"face_to_face", "virtual_live"}
    people_years = workforce_at(llr, END).shape[0] * 8
    assert 0.8 < len(t) / people_years < 2.0
    dev = llr["development"].to_pandas()
    kinds = {"shadowing", "mentoring", "reverse_mentoring", "coaching", "talent_programme"}
    assert set(dev.kind) == kinds | {"secondment", "acting_up"}
    assert {"Developing Diverse Leadership", "We Nurture"} <= set(dev.programme.dropna())
    assert dev.host_org_code.notna().any()


def test_appraisals_pay_survey(llr: Tables) -> None:
    ap = llr["appraisals"].to_pandas()
    early = ap[ap.appraisal_date < pd.Timestamp("2019-04-01").date()].edi_objective.mean()
    late = ap[ap.appraisal_date > pd.Timestamp("2025-04-01").date()].edi_objective.mean()
    assert late > early + 0.2
    pay = llr["pay"].to_pandas()
    assert pay.bonus_pay.notna().mean() < 0.05 and pay.bonus_pay.notna().any()
    assert pay.hourly_pay.between(8, 200).all()
    s = llr["survey"].to_pandas()
    assert set(s.measure) == {"wres5", "wres6", "wres7", "wres8"} | {
        f"wdes{n}" for n in range(4, 10)
    }
    assert set(s.instrument) == {"nss", "bank"}
    assert set(s.survey_year) == set(range(2018, 2026))
    everyone = s[
        (s.group_type == "all") & (s.org_code == "RWE") & (s.survey_year == 2025)
    ].responses.iloc[0]
    assert 0.40 < everyone / 17_000 < 0.52
