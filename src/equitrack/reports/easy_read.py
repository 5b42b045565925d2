"""The easy-read summary: the ten recommendations on one page, in plain words.

It is made from the scrutiny update itself (its table of statuses, its tables of actions and
next steps), so it says what that report says, from the same gated evidence, and can never
show a figure the report does not: it shows no figures at all, only statuses in plain words
and counts of actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from equitrack.charts.words import join, plural
from equitrack.disclosure import Policy
from equitrack.reports.content import Paragraph, Report, Rows, Section
from equitrack.reports.write import ReportKind
from equitrack.reports.xlsx import is_actions
from equitrack.store import Store
from equitrack.tracker.evidence import Status
from equitrack.tracker.plan import Plan

KIND = ReportKind.easy_read.value

#: Each status in plain words: a short name, then what it means. Keyed by the status's name,
#: so a status added to the tracker without plain words is found by the tests.
PLAIN: dict[str, tuple[str, str]] = {
    "ADVERSE": ("A gap", "Some ethnic minority staff do worse, by more than chance."),
    "POSSIBLE": ("Maybe a gap", "Some ethnic minority staff may do worse. We are not sure yet."),
    "NO_GAP": ("No clear gap", "The numbers show no clear difference."),
    "TOO_FEW": ("Too few to tell", "Too few people to know."),
    "DESCRIBED": ("Numbers only", "Nothing to compare them with yet."),
    "NO_DATA": ("No information yet", "There are no numbers on this yet."),
}

COLUMNS = ("What was asked about", "What we found", "What happens next")
STILL_GOING = ("in progress", "planned")


@dataclass(frozen=True)
class Line:
    """One recommendation on the page."""

    number: int
    question: str
    status: Status
    done: int
    going: int
    steps: int | None  # next steps written down; None when the update lists none


def plain(status: Status) -> str:
    name, meaning = PLAIN.get(status.name, (str(status), ""))
    return f"{name}. {meaning}".strip()


def lines(update: Report, plan: Plan) -> list[Line]:
    """Each recommendation's status, actions and next steps, read from the update's tables."""
    sections = {s.id: s for s in update.sections}
    summary = next(
        b
        for b in sections["summary"].blocks
        if isinstance(b, Rows) and {"#", "Status"} <= set(b.columns)
    )
    number_at, status_at = summary.columns.index("#"), summary.columns.index("Status")
    out = []
    for row in summary.rows:
        number = int(row[number_at])
        rec = sections.get(f"rec{number}")
        tables = [b for b in rec.blocks if isinstance(b, Rows) and b.columns] if rec else []
        statuses = [  # "in progress (amber)": the status, without its rating
            action[t.columns.index("Status")].split(" (")[0]
            for t in tables
            if is_actions(t) and "Status" in t.columns
            for action in t.rows
        ]
        steps = [len(t.rows) for t in tables if t.columns[0] == "Step"]
        out.append(
            Line(
                number,
                plan.recommendation(number).question,
                Status(row[status_at]),
                sum(s == "done" for s in statuses),
                sum(s in STILL_GOING for s in statuses),
                sum(steps) if steps else None,
            )
        )
    return out


def next_words(line: Line) -> str:
    """What happens next to one recommendation: its actions done, then what is still to do (its
    next steps where the update lists them, which include its actions still going; else its
    actions still going)."""
    to_do = line.going if line.steps is None else line.steps
    said = [f"{plural(line.done, 'action')} done."] if line.done else []
    said.append(f"{to_do} more to do." if to_do else "No next step yet.")
    return " ".join(said)


def _are(count: int, what: str) -> str:
    return f"{plural(count, 'action')} {'is' if count == 1 else 'are'} {what}."


def _which(numbers: Sequence[int], one: str, many: str) -> str:
    """ "Recommendations 1 and 4 show a gap." (nothing when there are none)."""
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"Recommendation {numbers[0]} {one}."
    return f"Recommendations {join(str(n) for n in numbers)} {many}."


def _financial_year(year: int) -> str:
    return f"April {year - 1} to March {year}"


def summary(found: Sequence[Line], year: int, where: str, policy: Policy, audience: str) -> Report:
    """The one page: why it was written, each recommendation's status, what happens next."""
    gaps = [x.number for x in found if x.status.name == "ADVERSE"]
    maybe = [x.number for x in found if x.status.name == "POSSIBLE"]
    done, going = sum(x.done for x in found), sum(x.going for x in found)
    about = Section(
        "about",
        "What this is",
        (
            Paragraph(
                "Councillors looked at how Black and minority ethnic staff are treated at work "
                f"in local health services. They made {len(found)} recommendations. This page "
                f"shows what staff records say about each one, from {_financial_year(year)}."
            ),
        ),
    )
    table = Section(
        "found",
        "What we found",
        (
            Rows(
                "The recommendations and what we found",
                COLUMNS,
                tuple((f"{x.number}. {x.question}", plain(x.status), next_words(x)) for x in found),
            ),
        ),
    )
    after = [
        f"{_are(done, 'done')}" + (f" {_are(going, 'still going')}" if going else "")
        if done + going
        else "No actions are written down yet.",
        " ".join(
            [
                _which(gaps, "shows a gap", "show a gap"),
                _which(maybe, "may show a gap", "may show a gap"),
            ]
        ).strip()
        or "No recommendation shows a clear gap.",
        "The full report has all the numbers.",
        f"The next update will look at {_financial_year(year + 1)}.",
        f"About the numbers: {policy.plain()}" if policy.plain() else "",
    ]
    return Report(
        KIND,
        "Fair treatment at work for ethnic minority staff",
        f"An easy-read summary for {where}, {_financial_year(year)}",
        audience,
        policy.describe(),
        (
            about,
            table,
            Section("next", "What happens next", tuple(Paragraph(t) for t in after if t)),
        ),
    )


def _where(store: Store, org: str | None) -> str:
    """The organisation's name as its table has it, or the system in plain words."""
    if org is None:
        return "the NHS organisations in this area"
    t = store.table("organisations")
    names = t.filter(t.org_code == org).select("name").to_pyarrow().column("name").to_pylist()
    return names[0] if names and names[0] else org


def build(
    store: Store, plan: Plan, year: int, *, org: str | None, policy: Policy, audience: str
) -> Report:
    """The easy-read summary of the scrutiny update for the same organisation or system."""
    from equitrack.reports.scrutiny import build as scrutiny

    update = scrutiny(store, plan, year, org=org, policy=policy, audience=audience)
    return summary(lines(update, plan), year, _where(store, org), policy, audience)
