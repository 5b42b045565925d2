"""Scrutiny recommendations 3 to 6 as declarations: EDI training, development opportunities,
shadowing and mentoring, and whether EDI work is embedded (spec: measures.md, "Beyond WRES").

Reporting year Y is the financial year 1 April Y-1 to 31 March Y throughout. Records (training,
development, appraisals, vacancies) belong to the year their date falls in and to the unit of
their `org_code`: the organisation, or its system for system figures. Where a measure counts
staff in post, `workforce` chooses substantive staff (the WRES population, the default), the
bank-only workforce, or both side by side, split into `Bank` and `Substantive` cells.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from equitrack.measures import calendar
from equitrack.measures import populations as pop
from equitrack.measures import queries as q
from equitrack.measures.counting import ALL
from equitrack.measures.declare import Frame, Kind, Measure, subset
from equitrack.model.tables import allowed
from equitrack.stats import Orientation

FAMILY = "scrutiny"
PERSON = ("ethnic_code", "sex", "disability")

WORKFORCE = ("substantive", "bank", "both")
TRAINING = {"edi": "EDI", "active_bystander": "Active Bystander"}
#: Every delivery but e-learning is interactive (rec 3 asks for interactive EDI training).
INTERACTIVE = tuple(d for d in allowed("training", "delivery") if d != "elearning")
MANDATORY = ("include", "exclude")
COMPLETION = ("any", "all")
DEVELOPMENT_KINDS = allowed("development", "kind")
KIND_CHOICES = ("any", *DEVELOPMENT_KINDS)
#: Vacancies that are development opportunities: every type but an ordinary post.
OPPORTUNITY_TYPES = tuple(t for t in allowed("vacancies", "opportunity_type") if t != "post")
OPPORTUNITY_CHOICES = ("development", *OPPORTUNITY_TYPES)
NOT_OPEN_ADVERTS = ("not_advertised", "expression_of_interest")
#: Development records that are opportunities filled, as vacancies are (`source=development`).
OPPORTUNITY_KINDS = ("secondment", "acting_up", "talent_programme")
NOT_OPEN_SELECTION = ("nominated", "informal")
SOURCES = ("vacancies", "development")
OUTCOME_AT = ("24_months", "snapshot")
LEAVERS = ("include", "exclude")
BANDS = ("all", "7_and_above")
SENIOR_RANK = 7  # AfC Band 7: succession pools draw on band 7 and above
APPOINTED = ("appointed", "offered")
#: The reporting year of the LLR scrutiny review, from which reach since the review counts.
REVIEW_YEAR = 2022


def _by_workforce(t: ir.Table) -> ir.StringValue:
    return t.workforce


# --- staff in post ------------------------------------------------------------------------


def staff(frame: Frame) -> ir.Table:
    """Staff at 31 March as the `workforce` option says: substantive (WRES), bank-only, or
    both, labelled `Bank` and `Substantive` (otherwise one `All` cell)."""
    choice = frame.options.get("workforce", "substantive")
    both = choice == "both"
    columns = ("period", "unit", "person_id", *PERSON)
    parts = []
    if choice in ("substantive", "both"):
        label = "Substantive" if both else ALL
        parts.append(q.workforce(frame).select(*columns, workforce=ibis.literal(label)))
    if choice in ("bank", "both"):
        label = "Bank" if both else ALL
        parts.append(q.bank_only(frame).select(*columns, workforce=ibis.literal(label)))
    return parts[0] if len(parts) == 1 else ibis.union(*parts)


# --- rec 3: EDI training ------------------------------------------------------------------


def _edi_records(frame: Frame) -> ir.Table:
    """EDI and Active Bystander training records starting in each year, at the unit."""

    def build(years: tuple[int, ...]) -> ir.Table:
        t = frame.store.table("training")
        t = t.mutate(category=t.category.strip().lower())
        t = t.filter(t.category.isin(list(TRAINING)))
        t = t.join(pop.units(frame.store, frame.scope), "org_code")
        t = t.mutate(period=frame.period_of(t.start_date))
        t = t.filter(t.period.isin(list(years)))
        return t.select("period", "unit", "person_id", "category", "mandatory", "delivery",
                        "completed")  # fmt: skip

    records = frame.population("scrutiny.edi_training", build)
    if frame.options.get("mandatory", "include") == "exclude":
        records = records.filter(~records.mandatory.fill_null(False))
    return records


def _course_cells(records: ir.Table) -> ir.Table:
    """Each record once under its course (`EDI`, `Active Bystander`) and once under `All`."""
    label = ibis.cases(
        (records.category == "edi", TRAINING["edi"]), else_=TRAINING["active_bystander"]
    )
    return ibis.union(records.mutate(course=label), records.mutate(course=ibis.literal(ALL)))


def _by_course(t: ir.Table) -> ir.StringValue:
    return t.course


def trained_in(category: str):
    """Staff (per `workforce`) with a `category` training record starting in the year."""

    def query(frame: Frame) -> ir.Table:
        records = _edi_records(frame)
        records = records.filter(records.category == category)
        return staff(frame).semi_join(records, ["person_id", "unit", "period"])

    return query


def trained_since(category: str):
    """Staff (per `workforce`) with a `category` training record at the unit starting in any
    reporting year from the `since` option up to their own period: reach since the review."""

    def query(frame: Frame) -> ir.Table:
        since = int(frame.options.get("since", REVIEW_YEAR))
        t = frame.store.table("training")
        t = t.filter(t.category.strip().lower() == category)
        t = t.join(pop.units(frame.store, frame.scope), "org_code")
        t = t.mutate(
            started=frame.period_of(t.start_date),
            started_year=calendar.period_of(t.start_date, calendar.Interval.YEAR),
        )
        t = t.filter(t.started_year >= since).select("person_id", "unit", "started")
        members = staff(frame)
        joined = members.select("person_id", "unit", "period").join(t, ["person_id", "unit"])
        joined = joined.filter(joined.started <= joined.period)
        return members.semi_join(joined, ["person_id", "unit", "period"])

    return query


def edi_learners(frame: Frame) -> ir.Table:
    """People with EDI or Active Bystander training starting in the year, once per course cell,
    with whether they completed any and all of those records."""
    records = _course_cells(_edi_records(frame))
    done = ibis.ifelse(records.completed.fill_null(False), 1, 0)
    people = records.group_by(["period", "unit", "course", "person_id"]).aggregate(
        any_done=done.max(), all_done=done.min()
    )
    return pop.with_person(frame.store, people)


def completed(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    column = t.all_done if frame.options.get("completion", "any") == "all" else t.any_done
    return column == 1


def edi_courses(frame: Frame) -> ir.Table:
    """EDI and Active Bystander training records in the year, by course cell, one row each."""
    return pop.with_person(frame.store, _course_cells(_edi_records(frame)))


def interactive(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.delivery.isin(list(INTERACTIVE)).fill_null(False)


# --- rec 4: development opportunities -----------------------------------------------------


def _development_vacancies(frame: Frame) -> ir.Table:
    v = frame.store.table("vacancies")
    chosen = frame.options.get("opportunity_type", "development")
    kind = v.opportunity_type
    return v.filter(kind != "post" if chosen == "development" else kind == chosen)


def development_shortlisted(frame: Frame) -> ir.Table:
    """Shortlisted applications in the year to development opportunities (WRES 2's rules)."""
    v = _development_vacancies(frame).select("vacancy_id", "org_code")
    a = frame.store.table("applications")
    joined = a.join(v, "vacancy_id").join(pop.units(frame.store, frame.scope), "org_code")
    joined = joined.mutate(period=frame.period_of(joined.applied_date))
    return joined.filter(
        joined.shortlisted.fill_null(False), joined.period.isin(list(frame.periods))
    )


def development_appointments(frame: Frame) -> ir.Table:
    """Appointments to development opportunities in the year, each with `unadvertised`.

    `source=vacancies` (default): development vacancies opened in the year; one row per
    appointed application, by the ethnicity declared on it, and one row, ethnicity not recorded,
    for an unadvertised vacancy with no appointed application (the recruitment system never saw
    the appointee, but the opportunity was filled). Unadvertised = advert `not_advertised` or
    `expression_of_interest`. `source=development`: secondment, acting-up and talent-programme
    records starting in the year; unadvertised = selection `nominated` or `informal`.
    """
    columns = ("period", "unit", *PERSON, "unadvertised")
    if frame.options.get("source", "vacancies") == "development":
        d = _development(frame)
        d = d.filter(d.kind.isin(list(OPPORTUNITY_KINDS)))
        d = d.mutate(unadvertised=d.selection.isin(list(NOT_OPEN_SELECTION)).fill_null(False))
        return pop.with_person(frame.store, d).select(*columns)
    v = _development_vacancies(frame).join(pop.units(frame.store, frame.scope), "org_code")
    v = v.mutate(period=frame.period_of(v.opened_date))
    v = v.filter(v.period.isin(list(frame.periods)))
    v = v.select("period", "unit", "vacancy_id", "advert",
                 unadvertised=v.advert.isin(list(NOT_OPEN_ADVERTS)))  # fmt: skip
    a = frame.store.table("applications")
    a = a.filter(a.appointed.fill_null(False)).select("vacancy_id", *PERSON)
    filled = v.join(a, "vacancy_id").select(*columns)
    unseen = v.filter(v.advert == "not_advertised").anti_join(a, "vacancy_id")
    blank = ibis.null().cast("string")
    unseen = unseen.mutate(ethnic_code=blank, sex=blank, disability=blank).select(*columns)
    return ibis.union(filled, unseen)


def vacancy_panels(frame: Frame) -> ir.Table:
    """Vacancies opened in the year; `counted` where a panel (size above 0 and its minority
    members) is recorded; split into posts and development opportunities."""
    v = frame.store.table("vacancies").join(pop.units(frame.store, frame.scope), "org_code")
    v = v.mutate(period=frame.period_of(v.opened_date))
    v = v.filter(v.period.isin(list(frame.periods)))
    recorded = v.panel_size.notnull() & v.panel_minority_members.notnull()
    return v.select(
        "period",
        "unit",
        counted=ibis.ifelse(recorded, v.panel_size > 0, False),
        minority=v.panel_minority_members.fill_null(0),
        opportunity=ibis.cases(
            (v.opportunity_type == "post", "Posts"), else_="Development opportunities"
        ),
    )


def diverse_panel(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.counted & (t.minority >= 1)


# --- rec 5: shadowing, mentoring and other development ------------------------------------


def _development(frame: Frame) -> ir.Table:
    """Development records starting in each year at the unit, of the `kind` chosen."""

    def build(years: tuple[int, ...]) -> ir.Table:
        d = frame.store.table("development").join(pop.units(frame.store, frame.scope), "org_code")
        d = d.mutate(period=frame.period_of(d.start_date))
        d = d.filter(d.period.isin(list(years)))
        return d.select("period", "unit", "org_code", "person_id", "kind", "selection",
                        "host_org_code")  # fmt: skip

    records = frame.population("scrutiny.development", build)
    kind = frame.options.get("kind", "any")
    return records if kind == "any" else records.filter(records.kind == kind)


def developing(frame: Frame) -> ir.Table:
    """Staff (per `workforce`) with a development record of the kind starting in the year."""
    return staff(frame).semi_join(_development(frame), ["person_id", "unit", "period"])


def development_records(frame: Frame) -> ir.Table:
    return pop.with_person(frame.store, _development(frame))


def hosted_elsewhere(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    host = t.host_org_code.strip().upper()
    return (host.notnull() & (host != "") & (host != t.org_code.strip().upper())).fill_null(False)


def _band_on(frame: Frame, people: ir.Table) -> ir.Table:
    """The AfC band rank of each (period, unit, person_id) on the date `day`: from their non-bank
    assignment active that day, chosen by the workforce tie-break. No row when none is."""
    a = frame.store.table("assignments")
    a = a.filter(a.contract != pop.BANK).join(pop.units(frame.store, frame.scope), "org_code")
    a = a.select(
        _person=a.person_id,
        _unit=a.unit,
        _start=a.start_date,
        _end=a.end_date,
        _fte=a.fte.fill_null(0.0),
        _band=pop.band_rank(a.pay_band),
        _id=a.assignment_id,
    )
    j = people.join(
        a,
        [
            people.person_id == a._person,
            people.unit == a._unit,
            a._start <= people.day,
            a._end.isnull() | (a._end >= people.day),
        ],
    )
    w = ibis.window(
        group_by=[j.period, j.unit, j.person_id],
        order_by=[ibis.desc(j._fte), ibis.desc(j._band), j._start, j._id],
    )
    ranked = j.mutate(_n=ibis.row_number().over(w))
    return ranked.filter(ranked._n == 0).select("period", "unit", "person_id", band=ranked._band)


def development_cohort(frame: Frame) -> ir.Table:
    """People who started a development record (of the `kind`) in FY Y-2, on an AfC band in a
    non-bank post at the unit that day; reported in year Y with whether they were promoted.

    Start = their first such record in FY Y-2. Promoted = the band rank of their non-bank post
    at the unit on the outcome date is higher than on the start date. Outcome date: the start
    plus 24 months (`outcome_at=24_months`, default; it falls in FY Y, so the whole cohort has
    had exactly 24 months), or 31 March Y (`snapshot`: 24 to 36 months after the start). People
    not in post on the outcome date count as not promoted (`leavers=include`, default) or are
    left out (`leavers=exclude`).
    """
    d = frame.store.table("development").join(pop.units(frame.store, frame.scope), "org_code")
    kind = frame.options.get("kind", "any")
    if kind != "any":
        d = d.filter(d.kind == kind)
    d = d.mutate(period=calendar.years_later(frame.period_of(d.start_date), 2, frame.interval))
    d = d.filter(d.period.isin(list(frame.periods)))
    first = d.group_by(["period", "unit", "person_id"]).aggregate(started=d.start_date.min())
    base = _band_on(frame, first.mutate(day=first.started)).rename(base_band="band")
    cohort = first.join(base, ["period", "unit", "person_id"])
    cohort = cohort.filter(cohort.base_band > 0)
    if frame.options.get("outcome_at", "24_months") == "snapshot":
        snapshots = pop.periods_table(frame.periods).select("period", "snapshot")
        cohort = cohort.join(snapshots, "period").rename(day="snapshot")
    else:
        cohort = cohort.mutate(day=cohort.started + ibis.interval(months=24))
    after = _band_on(frame, cohort).rename(after_band="band")
    out = cohort.left_join(after, ["period", "unit", "person_id"]).select(
        "period", "unit", "person_id", "base_band", "after_band"
    )
    if frame.options.get("leavers", "include") == "exclude":
        out = out.filter(out.after_band.notnull())
    out = out.mutate(promoted=(out.after_band.fill_null(0) > out.base_band))
    return pop.with_person(frame.store, out)


def promoted(t: ir.Table, frame: Frame) -> ir.BooleanValue:
    return t.promoted


# --- rec 6: embedding ---------------------------------------------------------------------


def appraised(frame: Frame) -> ir.Table:
    """People appraised in the year at the unit, once each, with whether any of the year's
    appraisals set an EDI objective, recorded the succession question, named them in a pool."""

    def build(years: tuple[int, ...]) -> ir.Table:
        a = frame.store.table("appraisals").join(pop.units(frame.store, frame.scope), "org_code")
        a = a.mutate(period=frame.period_of(a.appraisal_date))
        a = a.filter(a.period.isin(list(years)))
        people = a.group_by(["period", "unit", "person_id"]).aggregate(
            edi=ibis.ifelse(a.edi_objective.fill_null(False), 1, 0).max(),
            asked=ibis.ifelse(a.succession_pool.notnull(), 1, 0).max(),
            pool=ibis.ifelse(a.succession_pool.fill_null(False), 1, 0).max(),
            last=a.appraisal_date.max(),
        )
        return pop.with_person(frame.store, people)

    return frame.population("scrutiny.appraised", build)


def succession_recorded(frame: Frame) -> ir.Table:
    """People appraised in the year whose appraisals recorded the succession question."""
    people = appraised(frame)
    people = people.filter(people.asked == 1)
    if frame.options.get("bands", "all") == "all":
        return people
    senior = _band_on(frame, people.mutate(day=people.last))
    senior = senior.filter(senior.band >= SENIOR_RANK)
    return people.semi_join(senior, ["period", "unit", "person_id"])


def succession_by_band(frame: Frame) -> ir.Table:
    """People whose appraisals recorded the succession question, with the AfC band of their
    non-bank post at the unit on their last appraisal of the year (`band`): pools draw on
    senior bands, so the comparison is made within each band. No AfC band, no row."""
    people = appraised(frame)
    people = people.filter(people.asked == 1)
    banded = _band_on(frame, people.mutate(day=people.last))
    banded = banded.filter(banded.band > 0).mutate(band=pop.band_of_rank(banded.band))
    return people.join(banded, ["period", "unit", "person_id"])


# --- declarations -------------------------------------------------------------------------

STAFF_OPTIONS = {"workforce": "substantive"}
STAFF_CHOICES = {"workforce": WORKFORCE}
STAFF_TEXT = (
    " `workforce=bank` counts the bank-only workforce instead; `both` gives bank and "
    "substantive staff side by side."
)
TRAINING_OPTIONS = {"mandatory": "include"}
TRAINING_CHOICES = {"mandatory": MANDATORY}
MANDATORY_TEXT = (
    " Mandatory EDI courses (the e-learning refresher) count unless `mandatory=exclude`."
)

MEASURES = (
    Measure(
        id="edi_training_reach",
        phrase="to start EDI training in the year",
        family=FAMILY,
        title="Reach of EDI training",
        kind=Kind.COMPARISON,
        population=staff,
        event=trained_in("edi"),
        orientation=Orientation.BENEFIT,
        breakdown=_by_workforce,
        options={**STAFF_OPTIONS, **TRAINING_OPTIONS},
        choices={**STAFF_CHOICES, **TRAINING_CHOICES},
        description="Staff in post at 31 March with a training record in category `edi` at "
        "the organisation starting in the year, over staff in post." + MANDATORY_TEXT + STAFF_TEXT,
    ),
    Measure(
        id="bystander_reach",
        phrase="to start Active Bystander training in the year",
        family=FAMILY,
        title="Reach of Active Bystander training",
        kind=Kind.COMPARISON,
        population=staff,
        event=trained_in("active_bystander"),
        orientation=Orientation.BENEFIT,
        breakdown=_by_workforce,
        options={**STAFF_OPTIONS, **TRAINING_OPTIONS},
        choices={**STAFF_CHOICES, **TRAINING_CHOICES},
        description="Staff in post at 31 March with a training record in category "
        "`active_bystander` at the organisation starting in the year, over staff in post "
        "(recommendations 3 and 8)." + STAFF_TEXT,
    ),
    Measure(
        id="bystander_reach_since",
        phrase="to have started Active Bystander training since the review",
        family=FAMILY,
        title="Reach of Active Bystander training since the review",
        kind=Kind.COMPARISON,
        population=staff,
        event=trained_since("active_bystander"),
        orientation=Orientation.BENEFIT,
        breakdown=_by_workforce,
        options={**STAFF_OPTIONS, "since": REVIEW_YEAR},
        choices={**STAFF_CHOICES, "since": range(2000, 2101)},
        description="Staff in post at 31 March with a training record in category "
        "`active_bystander` at the organisation starting in any reporting year from `since` "
        f"(default {REVIEW_YEAR}, the year of the scrutiny review) up to the year counted, over "
        "staff in post: how widely the programme has reached since the review (recommendation "
        "8). Mandatory and optional courses both count." + STAFF_TEXT,
    ),
    Measure(
        id="edi_training_completion",
        phrase="to complete the EDI or Active Bystander training they started",
        family=FAMILY,
        title="Completion of EDI and Active Bystander training",
        kind=Kind.COMPARISON,
        population=edi_learners,
        event=subset(edi_learners, completed),
        orientation=Orientation.BENEFIT,
        breakdown=_by_course,
        options={**TRAINING_OPTIONS, "completion": "any"},
        choices={**TRAINING_CHOICES, "completion": COMPLETION},
        description="People with an EDI or Active Bystander training record at the "
        "organisation starting in the year (in post or not), once per course and once overall "
        "(no breakdown); the share who completed: at least one of those records "
        "(`completion=any`) or every one (`all`). A blank `completed` is not completed."
        + MANDATORY_TEXT,
    ),
    Measure(
        id="edi_training_delivery",
        phrase="to have their EDI or Active Bystander training delivered interactively",
        family=FAMILY,
        title="EDI and Active Bystander training delivered interactively",
        kind=Kind.COMPARISON,
        population=edi_courses,
        event=subset(edi_courses, interactive),
        orientation=Orientation.BENEFIT,
        breakdown=_by_course,
        options=TRAINING_OPTIONS,
        choices=TRAINING_CHOICES,
        description="EDI and Active Bystander training records starting in the year, per "
        "course and overall (no breakdown), one row per record: the share delivered "
        "interactively (`face_to_face`, `virtual_live` or `blended`) rather than by "
        "`elearning`. A record with no delivery recorded stays in the denominator and is not "
        "interactive. Summing every group's counts gives the organisation's share; the ratio shows"
        " whether some groups get more of their EDI training as "
        "e-learning." + MANDATORY_TEXT,
    ),
    Measure(
        id="development_appointment",
        phrase="to be appointed to a development opportunity from shortlisting",
        family=FAMILY,
        title="Relative likelihood of appointment to development opportunities",
        kind=Kind.COMPARISON,
        population=development_shortlisted,
        event=subset(development_shortlisted, q.appointed),
        orientation=Orientation.BENEFIT,
        options={"appointed": "appointed", "opportunity_type": "development"},
        choices={"appointed": APPOINTED, "opportunity_type": OPPORTUNITY_CHOICES},
        description="WRES 2 for development opportunities: shortlisted applications made in "
        "the year to vacancies whose opportunity_type is not `post` (secondment, acting up, "
        "development post, talent programme; `opportunity_type` picks one), by the ethnicity "
        "on the application; likelihood = appointed / shortlisted.",
    ),
    Measure(
        id="unadvertised_development",
        phrase="to be appointed to a development opportunity that was not openly advertised",
        family=FAMILY,
        title="Development opportunities filled without open advert",
        kind=Kind.COMPARISON,
        population=development_appointments,
        event=subset(development_appointments, lambda t, f: t.unadvertised),
        orientation=Orientation.BENEFIT,
        options={"source": "vacancies", "opportunity_type": "development"},
        choices={"source": SOURCES, "opportunity_type": OPPORTUNITY_CHOICES},
        description="Appointments to development opportunities (vacancies whose "
        "opportunity_type is not `post`, opened in the year), by the appointee's ethnicity on "
        "the application: the share filled without open advert (advert `not_advertised` or "
        "`expression_of_interest`). An unadvertised vacancy with no appointed application "
        "counts once under Unknown (the appointee is not recorded), so summing every group "
        "gives the share of all development opportunities filled without open advert. A "
        "comparison, not representation: a ratio above 1 means White "
        "appointees more often got their opportunity without open competition, the informal "
        "route the review asks about. `source=development` measures the same from the "
        "development table instead: secondment, acting-up and talent-programme records "
        "starting in the year, unadvertised when selection is `nominated` or `informal` "
        "(`opportunity_type` does not apply there).",
    ),
    Measure(
        id="panel_diversity",
        phrase="interview panels had an ethnic-minority member",
        family=FAMILY,
        title="Interview panels with an ethnic-minority member",
        kind=Kind.SHARE,
        population=vacancy_panels,
        event=subset(vacancy_panels, diverse_panel),
        breakdown=lambda t: t.opportunity,
        description="Vacancies opened in the year whose interview panel is recorded "
        "(panel_size above 0 and panel_minority_members given): the share with at least one "
        "ethnic-minority member, for posts, development opportunities and all (no breakdown). "
        "About vacancies, not people: one row per organisation, group `All`; vacancies with "
        "no panel recorded are counted in `excluded`.",
    ),
    Measure(
        id="development_participation",
        phrase="to take part in shadowing, mentoring or other development",
        family=FAMILY,
        title="Taking part in shadowing, mentoring and other development",
        kind=Kind.COMPARISON,
        population=staff,
        event=developing,
        orientation=Orientation.BENEFIT,
        breakdown=_by_workforce,
        options={**STAFF_OPTIONS, "kind": "any"},
        choices={**STAFF_CHOICES, "kind": KIND_CHOICES},
        description="Staff in post at 31 March with a development record at the organisation "
        "(their employer) starting in the year, of any kind or the `kind` chosen, over staff "
        "in post." + STAFF_TEXT,
    ),
    Measure(
        id="cross_org_placements",
        phrase="to have a development placement hosted by another organisation",
        family=FAMILY,
        title="Development placements hosted by another organisation",
        kind=Kind.COMPARISON,
        population=development_records,
        event=subset(development_records, hosted_elsewhere),
        orientation=Orientation.BENEFIT,
        options={"kind": "any"},
        choices={"kind": KIND_CHOICES},
        description="Development records starting in the year, of any kind or the `kind` "
        "chosen, counted at the person's employer, one row per record: the share hosted by "
        "another organisation (host_org_code given and not the employer's org_code, even "
        "within the same system).",
    ),
    Measure(
        id="progression_after_development",
        phrase="to be promoted after taking part in development",
        family=FAMILY,
        title="Promotion within 24 months of development",
        kind=Kind.COMPARISON,
        population=development_cohort,
        event=subset(development_cohort, promoted),
        orientation=Orientation.BENEFIT,
        options={"kind": "any", "outcome_at": "24_months", "leavers": "include"},
        choices={"kind": KIND_CHOICES, "outcome_at": OUTCOME_AT, "leavers": LEAVERS},
        description="Year Y follows the people who started a development record (of the "
        "`kind` chosen) at the organisation in FY Y-2 while on an AfC band in a non-bank post "
        "there, from their first such start that year: the share on a higher AfC band 24 "
        "months after that start (`outcome_at=24_months`, so everyone has exactly 24 months; "
        "`snapshot` looks at 31 March Y instead, 24 to 36 months on). The post on each date is "
        "chosen by the workforce tie-break. People no longer in post then count as not "
        "promoted unless `leavers=exclude`.",
    ),
    Measure(
        id="edi_objectives",
        phrase="to have an EDI objective set at appraisal",
        family=FAMILY,
        title="Appraisals with an EDI objective",
        kind=Kind.COMPARISON,
        population=appraised,
        event=subset(appraised, lambda t, f: t.edi == 1),
        orientation=Orientation.BENEFIT,
        description="People appraised at the organisation in the year (once each): the share "
        "with an EDI objective in at least one of the year's appraisals.",
    ),
    Measure(
        id="succession_pool",
        phrase="to be named in a succession pool at appraisal",
        family=FAMILY,
        title="Named in a succession pool at appraisal",
        kind=Kind.COMPARISON,
        population=succession_recorded,
        event=subset(succession_recorded, lambda t, f: t.pool == 1),
        orientation=Orientation.BENEFIT,
        options={"bands": "all"},
        choices={"bands": BANDS},
        description="People appraised at the organisation in the year whose appraisal recorded "
        "the succession question (succession_pool not blank): the share named in a succession "
        "pool at any of the year's appraisals. Pools draw on senior "
        "staff, so with `bands=all` the ratio also reflects who holds senior posts; "
        "`bands=7_and_above` compares only people whose non-bank post at the organisation on "
        "their last appraisal of the year is AfC band 7 or above.",
    ),
    Measure(
        id="succession_pool_by_band",
        phrase="to be named in a succession pool at appraisal",
        family=FAMILY,
        title="Named in a succession pool at appraisal, within each band",
        kind=Kind.COMPARISON,
        population=succession_by_band,
        event=subset(succession_by_band, lambda t, f: t.pool == 1),
        orientation=Orientation.BENEFIT,
        breakdown=lambda t: t.band,
        description="`succession_pool` made within each band, so that who holds senior posts "
        "does not stand in for who is named: the cell is the AfC band of the person's non-bank "
        "post at the organisation on their last appraisal of the year (people on no AfC band, "
        "such as doctors, are outside it), compared within the band.",
    ),
)
