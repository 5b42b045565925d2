"""The measuring commands: any measure, a family of them, careers over time and the pay gap."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from equitrack.cli.common import (
    DbOption,
    OrgOption,
    SystemOption,
    UserError,
    YearOption,
    open_store,
    org_names,
    user_errors,
    year_or_latest,
)
from equitrack.cli.formats import (
    AnyFormat,
    BroadOrWres,
    By,
    ByOption,
    Format,
    TableJsonOrCsv,
    TableOrJson,
    View,
    show,
)
from equitrack.measures.calendar import Interval

OutOption = Annotated[Path | None, typer.Option(help="Write to this file instead of the screen.")]
MeasureOptions = Annotated[
    list[str] | None,
    typer.Option(
        help="A measure option as NAME=VALUE, e.g. window=1, pooling=mean_of_rates, appointed=offered."
    ),
]


def _parse_options(pairs: list[str]) -> dict[str, str]:
    """`--option NAME=VALUE` pairs as text: each measure reads a value as its option's declared
    type, and the run refuses a name no measure takes (`measures.declare.check_options`)."""
    options: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE (for example window=1)")
        options[name.strip()] = value.strip()
    return options


def _run_measures(
    family_name: str,
    measures: Sequence[str] | None,
    *,
    year: int,
    org: list[str] | None,
    system: bool,
    by: By,
    output: str,
    out: Path | None,
    option: list[str] | None,
    db: str | None,
    since: int | None = None,
    interval: Interval = Interval.YEAR,
) -> None:
    """Measure, then show or write: the body of `wres`, `wdes`, `bank-wres` and `measure`.
    Figures the release has answered for this data version (kept on disk by `equitrack
    import`, a report or the dashboard) are read, not measured again: the same results."""
    from equitrack import release
    from equitrack.outputs import files, terminal
    from equitrack.outputs.pay_gap import to_csv

    with user_errors():
        if output == Format.xlsx and out is None:
            raise UserError("--format xlsx needs --out FILE.xlsx")
        if since is not None and since > year:
            raise UserError(f"--since {since} is after --year {year}")
        with open_store(db) as store:
            first = since if since is not None else year - (output == Format.xlsx)
            results = release.run(
                family_name, tuple(range(first, year + 1)), store=store, orgs=org or (),
                system=system, by=by.value, options=_parse_options(option or []),
                measures=measures, interval=interval,
            )  # fmt: skip
            # only a workbook names the organisations: a query the other formats need not run
            names = org_names(store) if output == Format.xlsx else {}

    def workbook(path: Path) -> None:
        from equitrack.outputs.workbook import write_results_workbook

        write_results_workbook(family_name, results, year, path, names)

    view = View(
        table=lambda c: terminal.show(results, c),
        json=lambda: files.to_json(results),
        csv=lambda: to_csv(results),
        xlsx=workbook,
    )
    show(output, view, out)


def _measures_command(family_name: str, label: str) -> Callable[..., None]:
    def command(
        year: YearOption,
        org: OrgOption = None,
        system: SystemOption = False,
        by: ByOption = By.wres,
        output: AnyFormat = "table",
        out: OutOption = None,
        option: MeasureOptions = None,
        db: DbOption = None,
    ) -> None:
        _run_measures(
            family_name, None, year=year, org=org, system=system, by=by,
            output=output, out=out, option=option, db=db,
        )  # fmt: skip

    command.__doc__ = label
    return command


wres = _measures_command(
    "wres",
    "Workforce Race Equality Standard indicators 1 to 9 for a reporting year.\n\n"
    "Every ratio comes with its counts, a 95% interval and a verdict in words; "
    "'too few to tell' where the numbers are small.",
)
wdes = _measures_command(
    "wdes", "Workforce Disability Equality Standard metrics 1, 2, 3, 10 and the survey metrics."
)
bank_wres = _measures_command(
    "bank-wres",
    "Bank WRES: the bank-only workforce against substantive staff (representation, "
    "disciplinary, removal from the bank, route of entry, bank survey).",
)


def measure_command(
    name: Annotated[str, typer.Argument(help="The measure's id (see `equitrack measures`).")],
    year: YearOption,
    org: OrgOption = None,
    system: SystemOption = False,
    by: ByOption = By.wres,
    output: AnyFormat = "table",
    out: OutOption = None,
    option: MeasureOptions = None,
    db: DbOption = None,
    since: Annotated[
        int | None,
        typer.Option(help="First reporting year of a series (to --year); for SPC charts."),
    ] = None,
    interval: Annotated[
        Interval,
        typer.Option(help="year, or month for a monthly series (not for survey or pay)."),
    ] = Interval.YEAR,
) -> None:
    """Any one measure, by its id, with counts, intervals and verdicts; a series with --since."""
    from equitrack.measures.engine import has_interval
    from equitrack.measures.registry import JOURNEYS, MEASURES

    with user_errors():
        if name in JOURNEYS:
            raise UserError(f"{name} is a journey, followed over years: `equitrack journeys`")
        if name not in MEASURES:
            raise UserError(f"no measure {name!r}; `equitrack measures` lists them")
        if not has_interval(MEASURES[name], interval):
            raise UserError(f"{name} is counted once a year; there is no monthly series")
    _run_measures(
        MEASURES[name].family, [name], year=year, org=org, system=system, by=by,
        output=output, out=out, option=option, db=db, since=since, interval=interval,
    )  # fmt: skip


def measures_list(output: TableOrJson = "table") -> None:
    """Every measure equitrack computes (the journeys too), with its definition and options."""
    from rich.table import Table

    from equitrack.measures.declare import allowed_values, option_type
    from equitrack.measures.registry import listed

    measures = listed()
    rows = [
        {
            "id": m.id,
            "family": m.family,
            "title": m.title,
            "definition": m.description,
            "options": {
                name: {
                    "type": option_type(default).__name__,
                    "default": default,
                    "allowed": allowed_values(m.allowed(name)),
                    "fixed": name not in m.choices,
                }
                for name, default in m.options.items()
            },
        }
        for m in measures
    ]

    def table() -> Table:
        made = Table(title=f"{len(rows)} measures", title_justify="left", show_lines=True)
        # an id is copied whole, never cut short
        made.add_column("id", no_wrap=True, min_width=max(len(r["id"]) for r in rows))
        for column in ("family", "title", "definition", "options"):
            made.add_column(column)
        for m, r in zip(measures, rows, strict=True):
            options = "\n".join(f"{name}: {m.option_text(name)}" for name in m.options)
            made.add_row(r["id"], r["family"], r["title"], r["definition"], options)
        return made

    view = View(
        table=lambda c: c.print(table()), json=lambda: json.dumps(rows, indent=2, default=str)
    )
    show(output, view)


def journeys(
    org: OrgOption = None,
    system: SystemOption = False,
    by: BroadOrWres = "wres",
    output: TableJsonOrCsv = "table",
    year: Annotated[
        int | None,
        typer.Option(
            help="Follow journeys to 31 March of this year (default: the latest year loaded)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Careers over time: time to first promotion, and from the bank to a substantive post.

    Per group: people, how many got there and how many left first, the median time, the share
    who got there by 3 and 5 years (leaving counted as a competing event), and a log-rank test
    against White; 'too few to tell' where the numbers are small.
    """
    from equitrack.measures.populations import Scope
    from equitrack.measures.registry import JOURNEYS
    from equitrack.outputs import journeys as render

    with user_errors(), open_store(db) as store:
        scope, end = Scope(tuple(org or ()), system), year_or_latest(store, year)
        found = [
            j for declared in JOURNEYS.values() for j in declared.follow(store, scope, by, end)
        ]
    view = View(
        table=lambda c: render.show(found, c),
        json=lambda: render.to_json(found),
        csv=lambda: render.to_csv(found),
    )
    show(output, view)


def pay_gap(
    year: YearOption,
    org: OrgOption = None,
    system: SystemOption = False,
    by: ByOption = By.wres,
    output: TableJsonOrCsv = "table",
    option: Annotated[
        list[str] | None,
        typer.Option(help="staff=all (default), substantive, bank, medical or non_medical."),
    ] = None,
    db: DbOption = None,
) -> None:
    """The ethnicity pay gap at each organisation's snapshot in the year.

    Mean and median hourly pay gaps of each group, and of all minority groups together,
    against White British and White (positive: the group is paid less), each group's share of
    the four hourly pay quarters, bonus gaps and who received a bonus, and the share of staff
    whose ethnicity is not known. csv gives the figures in the result shape every measure uses;
    json gives the whole report.
    """
    from equitrack.measures import pay as measure
    from equitrack.measures.populations import Scope
    from equitrack.outputs import pay_gap as render

    with user_errors(), open_store(db) as store:
        scope = Scope(tuple(org or ()), system)
        options = _parse_options(option or [])
        reports = measure.pay_gap_report(store, year, scope, by=by.value, options=options)
        names = org_names(store)
    view = View(
        table=lambda c: render.show(reports, c, names),
        json=lambda: measure.reports_json(reports),
        csv=lambda: render.to_csv(measure.report_results(reports, scope, options=options)),
    )
    show(output, view)
