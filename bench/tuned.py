"""WRES 1-4 as hand-tuned DuckDB SQL over a store: the limit the engine is measured against.

Issue 20's target is the engine within 1.2× of what an analyst fluent in SQL would write for the
same counts over every year at once. These queries are that: each reads the store's tables
directly, joins assignments to the years' 31 Marches once, picks each person's assignment with
a window, and counts every year, organisation, cell and group in one pass. They share no code
with the engine (the rules are those of `tests/reference/plain_wres.py`, from the spec), so the
counts agreeing is a check as well as a yardstick.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import duckdb

from equitrack.store import Store, connect

YEARS = tuple(range(2019, 2027))
#: WRES 3 pools two years, so the year before the first is read too.
WINDOW = 2

_BAND = " ".join(
    f"WHEN '{band}' THEN {rank}"
    for rank, band in enumerate(
        ("Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Band 8a",
         "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM"),
        start=1,
    )
)  # fmt: skip
_MEDICAL = (
    "CASE a.pay_band WHEN 'Consultant' THEN 'Consultant' "
    "WHEN 'Specialty Doctor' THEN 'Non-consultant career grade' "
    "WHEN 'Specialist' THEN 'Non-consultant career grade' "
    "WHEN 'Associate Specialist' THEN 'Non-consultant career grade' "
    "WHEN 'Specialty Registrar' THEN 'Trainee grades' WHEN 'Core Training' THEN 'Trainee grades' "
    "WHEN 'Foundation Year 1' THEN 'Trainee grades' WHEN 'Foundation Year 2' THEN 'Trainee grades' "
    "WHEN 'Other' THEN 'Other' ELSE a.pay_band END"
)
_GROUP = (
    "CASE WHEN upper(left(trim(coalesce({c}, '')), 1)) IN ('A', 'B', 'C') THEN 'White' "
    "WHEN upper(left(trim(coalesce({c}, '')), 1)) IN "
    "('D','E','F','G','H','J','K','L','M','N','P','R','S') THEN 'BME' ELSE 'Unknown' END"
)


def _prelude(first: int, last: int) -> str:
    """The years, the people's groups and the workforce at each 31 March (one row per person
    and organisation: the non-bank assignment with the largest FTE, then the highest band, the
    earliest start, the smallest id), made once and read by every indicator. Most people hold
    one assignment at a time: only assignments overlapping another of the same person there
    are chosen between (`min_by` on those keys); a window ranking every person-year took most
    of the time on the region preset, and hashing every person-year most of what was left."""
    return f"""
    WITH years AS (
        SELECT y, make_date(y, 3, 31) AS snap, make_date(y - 1, 4, 1) AS opens
        FROM range({first}, {last + 1}) t(y)
    ),
    orgs AS (SELECT DISTINCT org_code FROM organisations),
    groups AS (SELECT person_id, {_GROUP.format(c="ethnic_code")} AS grp FROM people),
    staffed AS (
        SELECT a.assignment_id, a.org_code, a.person_id, a.start_date, a.end_date,
            {_MEDICAL} AS cell,
            coalesce(a.clinical, lower(trim(coalesce(a.staff_group, '')))
                NOT IN ('administrative and clerical', 'estates and ancillary')) AS clinical,
            -coalesce(a.fte, 0) AS fte, -(CASE a.pay_band {_BAND} ELSE 0 END) AS band
        FROM assignments a
        WHERE lower(trim(coalesce(a.contract, ''))) <> 'bank'
            AND a.org_code IN (SELECT org_code FROM orgs)
    ),
    contested AS MATERIALIZED (
        SELECT DISTINCT a.assignment_id
        FROM staffed a JOIN staffed b ON a.org_code = b.org_code AND a.person_id = b.person_id
            AND a.assignment_id <> b.assignment_id
            AND (b.end_date IS NULL OR a.start_date <= b.end_date)
            AND (a.end_date IS NULL OR b.start_date <= a.end_date)
    ),
    workforce AS MATERIALIZED (
        SELECT w.y, w.org_code, w.person_id, w.cell, w.clinical, coalesce(g.grp, 'Unknown') AS grp
        FROM (
            SELECT y.y, s.org_code, s.person_id, s.cell, s.clinical
            FROM staffed s ANTI JOIN contested c USING (assignment_id)
            JOIN years y ON s.start_date <= y.snap
                AND (s.end_date IS NULL OR s.end_date >= y.snap)
            UNION ALL
            SELECT y.y, s.org_code, s.person_id,
                min_by(s.cell, (s.fte, s.band, s.start_date, s.assignment_id)),
                min_by(s.clinical, (s.fte, s.band, s.start_date, s.assignment_id))
            FROM staffed s SEMI JOIN contested c USING (assignment_id)
            JOIN years y ON s.start_date <= y.snap
                AND (s.end_date IS NULL OR s.end_date >= y.snap)
            GROUP BY ALL
        ) w LEFT JOIN groups g USING (person_id)
    )"""


def _wres1(first: int) -> tuple[str, str]:
    """Headcount by clinical side, band cell and group (each side's total and the whole's)."""
    cte = f"""cells AS (
        SELECT y, org_code, CASE WHEN clinical THEN 'Clinical' ELSE 'Non-clinical' END AS side,
            cell, grp, count(*) AS n, grouping(side) AS all_sides, grouping(cell) AS all_cells
        FROM workforce WHERE y >= {first}
        GROUP BY GROUPING SETS ((y, org_code, side, cell, grp), (y, org_code, side, grp),
            (y, org_code, grp))
    )"""
    select = """SELECT 'wres1', org_code, y,
        CASE WHEN all_sides = 1 THEN 'All' WHEN all_cells = 1 THEN side || ' | All'
            ELSE side || ' | ' || cell END,
        grp, n, sum(n) OVER (PARTITION BY y, org_code, side, cell, all_sides, all_cells)
    FROM cells WHERE all_sides = 1 OR all_cells = 1 OR cell IS NOT NULL"""
    return cte, select


def _wres2(first: int) -> tuple[str, str]:
    """Appointed of those shortlisted, by the application's ethnicity."""
    select = f"""SELECT 'wres2', v.org_code, y.y, 'All', {_GROUP.format(c="a.ethnic_code")},
        count(*) FILTER (WHERE a.appointed), count(*)
    FROM applications a
    JOIN vacancies v USING (vacancy_id)
    JOIN years y ON a.applied_date BETWEEN y.opens AND y.snap
    WHERE a.shortlisted AND y.y >= {first} AND v.org_code IN (SELECT org_code FROM orgs)
    GROUP BY ALL"""
    return "", select


def _wres3(first: int) -> tuple[str, str]:
    """Entrants to a formal conduct process (not bank-only at the organisation on the formal
    date), pooled over the year and the one before, over the two 31 March workforces."""
    cte = """cases AS (
        SELECT d.case_id, d.org_code, d.person_id, d.formal_date, y.y
        FROM disciplinary d JOIN years y ON d.formal_date BETWEEN y.opens AND y.snap
        WHERE d.case_type = 'conduct' AND d.org_code IN (SELECT org_code FROM orgs)
    ),
    spells AS (
        SELECT c.case_id,
            bool_or(a.contract IS NOT NULL AND lower(trim(a.contract)) <> 'bank'
                AND a.start_date <= c.formal_date
                AND (a.end_date IS NULL OR a.end_date >= c.formal_date)) AS employed,
            bool_or(lower(trim(coalesce(a.contract, ''))) = 'bank'
                AND a.start_date <= c.formal_date
                AND (a.end_date IS NULL
                    OR a.end_date >= c.formal_date + INTERVAL 1 DAY - INTERVAL 6 MONTH)) AS bank
        FROM cases c JOIN assignments a USING (org_code, person_id)
        GROUP BY c.case_id
    ),
    entrants AS (
        SELECT DISTINCT c.y, c.org_code, c.person_id
        FROM cases c LEFT JOIN spells s USING (case_id)
        WHERE NOT (coalesce(s.bank, false) AND NOT coalesce(s.employed, false))
    ),
    yearly AS (
        SELECT y, org_code, grp, sum(n) AS n, sum(d) AS d FROM (
            SELECT e.y, e.org_code, coalesce(g.grp, 'Unknown') AS grp, 1 AS n, 0 AS d
            FROM entrants e LEFT JOIN groups g USING (person_id)
            UNION ALL
            SELECT y, org_code, grp, 0, 1 FROM workforce
        ) GROUP BY ALL
    )"""
    select = f"""SELECT 'wres3', org_code, t.y, 'All', grp, sum(n), sum(d)
    FROM yearly JOIN years t ON yearly.y BETWEEN t.y - {WINDOW - 1} AND t.y
    WHERE t.y >= {first}
    GROUP BY ALL"""
    return cte, select


def _wres4(first: int) -> tuple[str, str]:
    """Staff in post with non-mandatory training starting in the year, at the organisation."""
    cte = """trained AS (
        SELECT DISTINCT y.y, t.org_code, t.person_id
        FROM training t JOIN years y ON t.start_date BETWEEN y.opens AND y.snap
        WHERE t.mandatory = false
    )"""
    select = f"""SELECT 'wres4', w.org_code, w.y, 'All', w.grp, count(t.person_id), count(*)
    FROM workforce w LEFT JOIN trained t USING (y, org_code, person_id)
    WHERE w.y >= {first}
    GROUP BY ALL"""
    return cte, select


def query(first: int, last: int) -> str:
    """The one statement: the shared workforce, then each indicator's counts, all together."""
    parts = [q(first) for q in (_wres1, _wres2, _wres3, _wres4)]
    ctes = ",\n".join(cte for cte, _ in parts if cte)
    selects = "\nUNION ALL\n".join(f"({select})" for _, select in parts)
    return f"{_prelude(first - WINDOW + 1, last)},\n{ctes}\n{selects}"


Row = tuple[str, str, int, str, str, int, int]


def counts(con: duckdb.DuckDBPyConnection, years: Iterable[int] = YEARS) -> list[Row]:
    """Every year's WRES 1-4 counts: (measure, org, year, breakdown, group, numerator,
    denominator)."""
    years = tuple(years)
    return [tuple(r) for r in con.sql(query(min(years), max(years))).fetchall()]


def engine_counts(store: Store, years: Iterable[int] = YEARS) -> list[Row]:
    """The same counts from equitrack's engine (every statistic made too, as a user gets them)."""
    from equitrack import api

    results = api.run(
        "wres", tuple(years), store=store, measures=("wres1", "wres2", "wres3", "wres4")
    )
    return [
        (r.measure, r.org, r.period, r.breakdown or "All", r.group, r.numerator, r.denominator)
        for r in results
        if r.numerator is not None and r.denominator
    ]


def disagreements(engine: list[Row], tuned: list[Row]) -> list[str]:
    """Counts one side gives and the other does not (a group with no one in it may be left
    out by either: a zero numerator is taken as absent)."""

    def keyed(rows: list[Row]) -> dict[tuple, tuple[int, int]]:
        return {r[:5]: (int(r[5]), int(r[6])) for r in rows if r[5]}

    mine, theirs = keyed(engine), keyed(tuned)
    return [
        f"{k}: engine {mine.get(k)}, SQL {theirs.get(k)}"
        for k in sorted(mine.keys() | theirs.keys())
        if mine.get(k) != theirs.get(k)
    ]


def engine_vs_tuned(db: str, repeats: str = "3") -> dict:
    """The engine's WRES 1-4 over every year against the tuned SQL, run alternately (the
    machine may be shared), best of `repeats` each; and whether their counts agree. The
    engine's modules are imported first: a run's imports are start-up, not counting."""
    import equitrack.api  # noqa: F401

    engine_s, tuned_s = [], []
    engine: list[Row] = []
    tuned: list[Row] = []
    for _ in range(int(repeats)):
        start = time.perf_counter()
        con = duckdb.connect(db, read_only=True)
        tuned = counts(con)
        con.close()
        tuned_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        store = connect(db, create=False)
        engine = engine_counts(store)
        store.close()
        engine_s.append(time.perf_counter() - start)
    differ = disagreements(engine, tuned)
    return {
        "seconds": sum(engine_s) + sum(tuned_s),
        "engine_seconds": min(engine_s),
        "tuned_seconds": min(tuned_s),
        "ratio": min(engine_s) / max(min(tuned_s), 1e-9),
        "rows": len(tuned),
        "disagreements": len(differ),
        "first_disagreements": differ[:5],
    }
