"""The generated training records as an ESR learning (OLM) export (`olm_learning.csv`).

What an analyst gets from an ESR BI learning report: a row per course enrolment with the
person's Employee Number (the same number as in `esr_workforce.csv`) and assignment, OLM's words
rather than codes ("E-Learning", "Virtual Classroom", "Attended", "Not Attended"), a course
category added from a local lookup, dates day-first (the enrolment date in ESR BI's
31-MAR-2024 form), and some statutory e-learning held only as a Core Skills Training Framework
competence, with no course name. Values are untidy as real reports are: spelt several ways,
the odd one in capitals or with a trailing space. The shipped `esr_olm` profile reads it back
into exactly the training table it was made from (tests/ingest_profiles holds the two equal).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equitrack.synth.untidy import day_first, pick, untidy, write_csv_export, yes_no

FILE_NAME = "olm_learning.csv"

#: Canonical delivery → OLM "Delivery Method" spellings, the most common first.
DELIVERY = {
    "elearning": ("E-Learning", "eLearning", "Online"),
    "face_to_face": ("Classroom", "Face to Face", "Face-to-Face"),
    "virtual_live": ("Virtual Classroom", "MS Teams", "Webinar"),
    "blended": ("Blended Learning", "Blended"),
}
#: "Enrolment Status" by how the course ran (online or in a class) and whether it was done.
STATUS = {
    "online|true": ("Completed", "Passed"),
    "online|false": ("In Progress", "Not Attempted", "Enrolled"),
    "class|true": ("Attended", "Completed"),
    "class|false": ("Not Attended", "Placed", "Enrolled"),
}
#: Canonical category → the local lookup's wording ("Course Category" is not an ESR field).
CATEGORY = {
    "statutory": ("Statutory and Mandatory", "Core Skills Training Framework", "Stat/Mand"),
    "edi": ("Equality, Diversity and Inclusion", "EDI"),
    "active_bystander": ("Active Bystander",),
    "leadership": ("Leadership and Management", "Leadership"),
    "clinical": ("Clinical Skills", "Clinical"),
}
#: ESR's CSTF competence for each statutory course of the generated catalogue.
COMPETENCE = {
    "Equality, Diversity and Human Rights": "NHS|CSTF|Equality, Diversity and Human Rights - "
    "3 Years|",
    "Fire Safety": "NHS|CSTF|Fire Safety - 2 Years|",
    "Health, Safety and Welfare": "NHS|CSTF|Health, Safety and Welfare - 3 Years|",
    "Infection Prevention and Control": "NHS|CSTF|Infection Prevention and Control - Level 1 - "
    "3 Years|",
    "Information Governance and Data Security": "NHS|CSTF|Information Governance and Data "
    "Security - 1 Year|",
    "Moving and Handling": "NHS|CSTF|Moving and Handling - Level 1 - 3 Years|",
    "Conflict Resolution": "NHS|CSTF|Conflict Resolution - 3 Years|",
    "Basic Life Support": "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|",
    "Safeguarding Adults Level 2": "NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|",
}
#: Share of completed statutory e-learning held only as a competence (no OLM course name).
COMPETENCE_ONLY = 0.15


def assignment_numbers(training: pa.Table, assignments: pa.Table) -> pa.Array:
    """Each record's ESR assignment: the person's latest assignment at the organisation that
    started on or before the record (else their first there); blank when they have none."""
    if assignments.num_rows == 0:
        return pa.nulls(training.num_rows, pa.string())
    a_key = pc.binary_join_element_wise(assignments["person_id"], assignments["org_code"], "|")
    t_key = pc.binary_join_element_wise(training["person_id"], training["org_code"], "|")
    groups = pc.unique(a_key)
    a_group = pc.index_in(a_key, groups).to_numpy().astype(np.int64)
    t_group = pc.fill_null(pc.index_in(t_key, groups), -1).to_numpy().astype(np.int64)
    a_day = assignments["start_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    t_day = training["start_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    order = np.lexsort((a_day, a_group))
    span, offset = 1 << 22, 1 << 21  # days since 1970, shifted to be positive, within a group
    keys = a_group[order] * span + a_day[order] + offset
    latest = np.searchsorted(keys, t_group * span + t_day + offset, side="right") - 1
    first = np.searchsorted(keys, t_group * span, side="left")
    same = (latest >= 0) & (a_group[order][np.maximum(latest, 0)] == t_group)
    chosen = order[np.minimum(np.where(same, latest, first), len(order) - 1)]
    ids = assignments["assignment_id"].combine_chunks().take(pa.array(chosen))
    return pc.if_else(pa.array(t_group >= 0), ids, pa.scalar(None, pa.string()))


def olm_export(tables: dict[str, pa.Table], seed: int = 7) -> pa.Table:
    """The OLM export of a generated system's training records."""
    rng = np.random.default_rng(seed)
    training = tables["training"].combine_chunks()
    orgs = tables["organisations"]
    names = dict(zip(orgs["org_code"].to_pylist(), orgs["name"].to_pylist(), strict=True))
    n = training.num_rows
    delivery = training["delivery"].combine_chunks()
    completed = training["completed"].combine_chunks()
    online = pc.fill_null(pc.equal(delivery, "elearning"), False)
    status_key = pc.binary_join_element_wise(
        pc.if_else(online, "online", "class"),
        pc.if_else(completed, "true", "false"),
        "|",
    )
    course = training["course"].combine_chunks()
    competence = pc.take(
        pa.array(list(COMPETENCE.values()), pa.string()),
        pc.index_in(course, pa.array(list(COMPETENCE), pa.string())),
    )
    # completed statutory e-learning, some of it recorded as the competence alone
    only = pc.and_(
        pc.and_(pc.is_valid(competence), pc.fill_null(pc.and_(online, completed), False)),
        pa.array(rng.random(n) < COMPETENCE_ONLY),
    )
    start = training["start_date"].combine_chunks()
    days = start.cast(pa.int32()).to_numpy().astype(np.int64)
    booked = np.where(online.to_numpy(zero_copy_only=False), 0, rng.integers(3, 61, n))
    enrolled = pa.array(days - booked, pa.int32()).cast(pa.date32())
    took = np.where(
        pc.fill_null(pc.equal(delivery, "blended"), False).to_numpy(zero_copy_only=False),
        rng.integers(0, 15, n),
        np.where(online.to_numpy(zero_copy_only=False), rng.integers(0, 3, n), 0),
    )
    finished = pa.array(days + took, pa.int32()).cast(pa.date32())
    blank = pa.scalar(None, pa.string())
    mandatory = yes_no(training["mandatory"].combine_chunks())
    columns = {
        "Employee Number": training["person_id"],
        "Assignment Number": assignment_numbers(training, tables["assignments"]),
        "Organisation": pc.take(
            pa.array([f"{c} {name}" for c, name in names.items()], pa.string()),
            pc.index_in(training["org_code"], pa.array(list(names), pa.string())),
        ),
        "Org Code": training["org_code"],
        "Enrolment ID": training["record_id"],
        "Course Name": pc.if_else(only, blank, course),
        "Competence Name": untidy(rng, competence),
        "Course Category": untidy(
            rng,
            pick(rng, training["category"].combine_chunks(), CATEGORY),
        ),
        "Statutory/Mandatory": pick(rng, mandatory, {"Y": ("Y", "Yes"), "N": ("N", "No")}),
        "Delivery Method": untidy(rng, pick(rng, delivery, DELIVERY)),
        "Enrolment Date": pc.utf8_upper(pc.strftime(enrolled.cast(pa.timestamp("s")), "%d-%b-%Y")),
        "Course Start Date": pc.if_else(online, blank, day_first(start)),
        "Completion Date": pc.if_else(pc.fill_null(completed, False), day_first(finished), blank),
        "Enrolment Status": untidy(rng, pick(rng, status_key, STATUS)),
    }
    return pa.table({k: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
                     for k, v in columns.items()})  # fmt: skip


def write_export(tables: dict[str, pa.Table], out_dir: Path, seed: int = 7) -> list[Path]:
    """`olm_learning.csv`."""
    return [write_csv_export(olm_export(tables, seed), Path(out_dir) / FILE_NAME)]
