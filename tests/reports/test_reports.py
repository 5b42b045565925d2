"""The reports as written: every figure is the gated result, a public report hides what it
must, the PDF carries the words and the charts, and a missing source is said, not fatal."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from openpyxl import load_workbook
from PIL import Image

from equitrack.disclosure import Audience, load_policies, read, relations, systems_of
from equitrack.measures.progression import NEEDED_PREFIX
from equitrack.release import release_for
from equitrack.reports.cells import SUPPRESSED
from equitrack.reports.content import Figures, Paragraph, Picture, Rows, walk
from equitrack.reports.pdf import alt_text
from equitrack.reports.write import ReportKind, build, write
from equitrack.reports.xlsx import sheet_name, typed
from equitrack.stats import format_share
from equitrack.store import Store
from equitrack.tracker.evidence import evidence_results
from equitrack.tracker.plan import load_plan

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

YEAR = 2026
PUBLIC = load_policies()[Audience.PUBLIC]
COUNT_FIELDS = ("numerator", "denominator")


class FigureRows(HTMLParser):
    """The figures tables of a report: each row's key and its cells by field."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple, dict[str, str]] = {}
        self._row: tuple | None = None
        self._previous: dict[str, str] | None = None
        self._field: str | None = None
        self.paragraphs: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-measure" in a:
            self._row = (
                a["data-measure"], a["data-org"], int(a["data-period"]), a["data-group-type"],
                a["data-group"], a["data-breakdown"] or None,
            )  # fmt: skip
            # a measure two recommendations cite is shown under each: the same figures twice
            self._previous = self.rows.pop(self._row, None)
            self.rows[self._row] = {}
        elif tag == "td" and self._row is not None:
            self._field = a.get("data-field")
            self.rows[self._row][self._field] = ""
        elif tag == "p":
            self._in_p = True
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            if self._previous is not None:
                assert self._previous == self.rows[self._row], f"{self._row} shown two ways"
            self._row = None
        elif tag == "td":
            self._field = None
        elif tag == "p":
            self._in_p = False

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._field:
            self.rows[self._row][self._field] += data
        elif self._in_p:
            self.paragraphs[-1] += data


def parse(html_text: str) -> FigureRows:
    parser = FigureRows()
    parser.feed(html_text)
    return parser


def shown_count(text: str) -> int | None:
    return None if text in (SUPPRESSED, "–") else int(text.replace(",", ""))


def key(r) -> tuple:
    return (r.measure, r.org, r.period, r.group_type, r.group, r.breakdown)


def worked_out(k: tuple) -> bool:
    """A headcount needed for parity: worked out from the shown counts, not a count of staff
    (so it may be 1 to 7; tests/disclosure/test_end_to_end.py leaves it out likewise)."""
    return str(k[5] or "").startswith(NEEDED_PREFIX)


@pytest.fixture(scope="module")
def mini(loaded_system: Callable[..., Store], mini_measured: None) -> Store:
    return loaded_system("mini")


@pytest.fixture(scope="module")
def public_scrutiny(mini: Store, tmp_path_factory: pytest.TempPathFactory):
    report = build(ReportKind.scrutiny, mini, YEAR, org=None, policy=PUBLIC, audience="public")
    paths = write(report, tmp_path_factory.mktemp("scrutiny"), "scrutiny", ["html", "pdf", "xlsx"])
    return report, {p.suffix: p for p in paths}


def test_every_figure_is_the_measure_result_after_the_gate(mini, public_scrutiny) -> None:
    """Measured again here, independently of the report, then read from the public release
    (everything a public reader can reach, protected together): each row of each table in the
    HTML shows exactly the released counts and rate."""
    _, paths = public_scrutiny
    page = parse(paths[".html"].read_text("utf-8"))
    results = evidence_results(mini, load_plan(), YEAR, years=load_plan().years(YEAR))
    gated = {key(r): r for r in release_for(mini, PUBLIC).answer(results)}
    assert len(page.rows) > 100
    suppressed = 0
    for row, cells in page.rows.items():
        r = gated[row]  # nothing shown that the measures did not produce
        for field in COUNT_FIELDS:
            if field in cells:
                assert shown_count(cells[field]) == getattr(r, field), (row, field)
                suppressed += cells[field] == SUPPRESSED
        if "rate" in cells:
            assert cells["rate"] == ("–" if r.rate is None else format_share(r.rate)), row
    assert suppressed, "a public report of a small system hides some counts"


def test_a_public_report_shows_no_small_count_and_none_can_be_worked_out(
    mini, public_scrutiny
) -> None:
    _, paths = public_scrutiny
    page = parse(paths[".html"].read_text("utf-8"))
    for row, cells in page.rows.items():
        for field in COUNT_FIELDS:
            value = shown_count(cells.get(field, "–"))
            public = row[0] in PUBLIC.public  # board membership: public by nature
            public = public or worked_out(row)
            assert public or value is None or not 1 <= value <= 7, (row, field, value)
    for text in page.paragraphs:
        for n, d in re.findall(r"\(([\d,]+) of ([\d,]+)\)", text):
            for value in (int(n.replace(",", "")), int(d.replace(",", ""))):
                assert not 1 <= value <= 7, text
    # secondary protection: no small count hidden from this page can be worked out by
    # subtraction from an exact additive relation (groups to totals, bands to columns, years to
    # a pooled window, organisations to the system) whose other members the page shows: the
    # others' shown counts, each standing for the counts that round to it, leave it at least
    # every value from 1 to 7
    results = evidence_results(mini, load_plan(), YEAR, years=load_plan().years(YEAR))
    figures = read(results)
    values = figures.values()
    seen: dict = defaultdict(lambda: None)
    for f in figures.shown:
        cells = page.rows.get(key(results[f.index]), {})
        if f.field in cells and shown_count(cells[f.field]) is not None:
            seen[f.node] = shown_count(cells[f.field])
    checked = 0
    for rel in relations(figures, systems_of(mini)):
        if not rel.exact:
            continue
        unseen = [m for m in rel.members if seen[m] is None]
        checked += 1
        if len(unseen) == 1 and unseen[0] in values and 1 <= values[unseen[0]] <= 7:
            lo, hi = _subtracted(rel, unseen[0], seen)
            assert lo <= 1 and hi >= 7, (rel.rule, unseen[0], values[unseen[0]], lo, hi)
    assert checked > 100


def _subtracted(rel, hidden, seen) -> tuple[int, int]:
    """The counts a reader can give `hidden` from the shown members of `rel`: each shown count
    stands for the counts that round to it (10 for 8 to 12, as none below 8 is shown; 0 for 0)."""
    others = [
        (0, 0) if seen[m] == 0 else (max(8, seen[m] - 2), seen[m] + 2)
        for m in rel.members
        if m != hidden
    ]
    if hidden == rel.total:
        return sum(r[0] for r in others), sum(r[1] for r in others)
    (t_lo, t_hi), parts = others[0], others[1:]
    return t_lo - sum(r[1] for r in parts), t_hi - sum(r[0] for r in parts)


def test_the_pdf_has_every_recommendation_its_key_figure_and_real_charts(
    public_scrutiny, tmp_path: Path
) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed (scripts/system-deps installs it)")
    report, paths = public_scrutiny
    text = subprocess.run(
        ["pdftotext", str(paths[".pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    summary = next(t for t in report.tables() if t.columns[:3] == ("#", "Recommendation", "Status"))
    assert len(summary.rows) == 10
    for number, title, status, figure in summary.rows:
        assert f"Recommendation {number}: {' '.join(title.split())}" in flat
        assert status in flat
        if figure:
            assert " ".join(figure.split())[:60] in flat, figure
    # the page that carries the first chart's words shows the chart in colour, not a blank box
    first = report.charts()[0]
    pages = text.split("\f")
    page = next(
        i
        for i, p in enumerate(pages, 1)
        if " ".join(first.title.split())[:40] in " ".join(p.split())
    )
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "100",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            str(paths[".pdf"]),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    pixels = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")).astype(int)
    colourful = int(((pixels.max(axis=2) - pixels.min(axis=2)) > 80).sum())
    assert colourful > 2000, f"page {page} has {colourful} coloured pixels: no chart drawn"


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The structure elements of a tagged PDF, depth first, as a screen reader meets them."""
    out: list[pikepdf.Dictionary] = []

    def visit(node: pikepdf.Dictionary) -> None:
        if "/S" in node:
            out.append(node)
        for kid in children(node):
            visit(kid)

    visit(pdf.Root.StructTreeRoot)
    return out


def children(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = node.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def test_the_pdf_is_tagged_with_its_title_language_headings_tables_and_chart_text(
    public_scrutiny,
) -> None:
    """PDF/UA-1: read back from the file, the structure tree has a heading for each section,
    every table (its caption, header cells and data cells tied to them) and a figure for each
    chart whose alternative text is the chart's title and description."""
    report, paths = public_scrutiny
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(paths[".pdf"])], capture_output=True, text=True, check=True
        ).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    with pikepdf.open(paths[".pdf"]) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title) == f"{report.title}: {report.subtitle}"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle  # viewers show the title, not a name
        assert pdf.Root.MarkInfo.Marked
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == f"{report.title}: {report.subtitle}"
        elements = structure(pdf)
        kinds = [str(e.S) for e in elements]
        sections = walk(report.sections)
        assert kinds.count("/H1") == 1
        cover = report.cover is not None  # its sheet has a heading and a table of its own
        assert kinds.count("/H2") == len(report.sections) + 1 + cover  # and the contents
        assert kinds.count("/H3") == len(sections) - len(report.sections)
        # a table broken over pages is one Table element a page; its caption is on the first
        tables = [e for e in elements if e.S == "/Table"]
        captioned = [t for t in tables if any(k.S == "/Caption" for k in children(t))]
        blocks = [b for s in sections for b in s.blocks if isinstance(b, Figures | Rows)]
        assert len(captioned) == len(blocks) + cover
        cells = [e for e in elements if e.S == "/TD"]
        assert cells and all(len(c.A.Headers) > 0 for c in cells)
        assert kinds.count("/TH") >= sum(len(b.columns) for b in blocks if isinstance(b, Rows))
        figures = [str(e.Alt) for e in elements if e.S == "/Figure"]
        assert figures == [alt_text(c.title, c.alt) for c in report.charts()]
        for chart, alt in zip(report.charts(), figures, strict=True):
            assert " ".join(chart.alt.split()) in alt and alt.startswith(chart.title[:20])


def test_the_main_paper_is_ten_to_fifteen_pages_with_each_part_printed_once(
    public_scrutiny,
) -> None:
    """A committee reads the cover sheet, the summary, a page or two per recommendation and
    what it is asked to do; the figures, methods and data quality follow as appendices, and
    each measure's evidence is printed once however many recommendations cite it."""
    report, paths = public_scrutiny
    with pikepdf.open(paths[".pdf"]) as pdf:
        start = pikepdf.NameTree(pdf.Root.Names.Dests)["appendix-evidence"][0].objgen
        main = next(n for n, page in enumerate(pdf.pages) if page.objgen == start)
    assert 10 <= main <= 15, f"the main paper is {main} pages"
    tops = [s.id for s in report.sections]
    assert tops[:12] == ["summary", *(f"rec{n}" for n in range(1, 11)), "asked"]
    assert all(s.title.startswith("Appendix ") for s in report.sections[12:])
    ids = [s.id for s in walk(report.sections)]
    assert len(ids) == len(set(ids)), "no section is printed twice"
    cited = [m for r in load_plan().recommendations for m in r.evidence]
    assert len(cited) > len(set(cited)), "recommendations share measures"
    evidence = [i for i in ids if i.startswith("evidence-")]
    assert sorted(evidence) == sorted(f"evidence-{m}" for m in set(cited))
    for rec in report.sections[1:11]:
        assert not rec.subsections and "Appendix A" in rec.blocks[-1].text
    # a reader meets names, not codes: the system's, and each organisation's
    page = paths[".html"].read_text("utf-8")
    words = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S))
    assert "Minster Valley integrated care system" in words
    assert not re.search(r"system:\w|\b(RXA|QXA)\b", words)
    assert not any(re.search(r"system:\w", c.title + c.alt) for c in report.charts())


def test_every_sentence_of_the_paper_keeps_the_rules_on_words(public_scrutiny) -> None:
    """Read as a commission member would: rates differ, people are never "treated differently";
    a route in (international recruitment) is never a gap, better or worse; a comparison that
    depends on band says it is not adjusted for band and is made again within each band;
    racist abuse is a rate per 1,000."""
    report, _ = public_scrutiny

    def text(section) -> str:
        return " ".join(
            b.text for s in walk([section]) for b in s.blocks if isinstance(b, Paragraph)
        )

    sections = {s.id: s for s in walk(report.sections)}
    every = " ".join(text(s) for s in report.sections)
    assert "treated differently" not in every
    route = text(sections["evidence-bank_route"])
    assert "international recruitment" in sections["evidence-bank_route"].title
    assert "Black staff" in route  # described, however few
    assert not re.search(r"gap|adverse|favour|worse|better|improv", route.lower()), route
    for rec in ("rec1", "rec6"):  # promotion, and the succession pool
        said = text(sections[rec])
        assert "This is not adjusted for band" in said, rec
        assert "within each band" in said, rec
    racism = load_plan().recommendation(9).level
    assert racism is not None and racism.per == 1000  # said per 1,000 where it is shown


def test_the_spreadsheet_holds_the_tables_behind_the_charts(public_scrutiny) -> None:
    report, paths = public_scrutiny
    wb = load_workbook(paths[".xlsx"], read_only=True)
    contents = [row for row in wb["Contents"].iter_rows(min_row=6, values_only=True)]
    titles = {row[2] for row in contents}
    for chart in report.charts():
        assert f"Chart: {chart.title}" in titles
    sheet = next(row[0] for row in contents if row[2] == f"Chart: {report.charts()[0].title}")
    rows = list(wb[sheet].iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(report.charts()[0].rows())


def test_the_workbook_figures_sheet_is_every_gated_figure_once_as_numbers(public_scrutiny) -> None:
    """The tidy sheet has one row for each figure the report's tables show (the gated results,
    as the test above checks), its counts and rates stored as numbers with number formats."""
    report, paths = public_scrutiny
    wb = load_workbook(paths[".xlsx"])
    ws = wb["Figures"]
    header = [c.value for c in ws[1]]
    at = {name: header.index(name) for name in header}
    sections = walk(report.sections)
    gated = {
        key(r): r for s in sections for b in s.blocks if isinstance(b, Figures) for r in b.results
    }
    page = parse(paths[".html"].read_text("utf-8"))
    rows = list(ws.iter_rows(min_row=2))
    keys = []
    for row in rows:
        v = [c.value for c in row]
        k = (v[at["Measure"]], v[at["Organisation code"]], v[at["Period"]], v[at["Group type"]],
             v[at["Group"]], v[at["Cell"]])  # fmt: skip
        keys.append(k)
        r = gated[k]
        assert v[at["Count"]] == r.numerator and v[at["Of"]] == r.denominator, k
        for name, value in (("Rate", r.rate), ("Relative likelihood", r.ratio)):
            assert v[at[name]] == (None if value is None else pytest.approx(value, rel=1e-12)), k
        assert v[at["Suppressed"]] is r.suppressed, k
        public = k[0] in PUBLIC.public or worked_out(k)
        for name in ("Count", "Of", "Excluded"):
            cell = row[at[name]]
            assert cell.value is None or (
                isinstance(cell.value, int) and cell.number_format == "#,##0"
            )
            assert public or cell.value is None or not 1 <= cell.value <= 7, (k, name)
        for name in ("Rate", "Rate 95% interval from"):
            cell = row[at[name]]
            assert cell.value is None or (
                isinstance(cell.value, int | float) and cell.number_format == "0.0%"
            )
    assert len(keys) == len(set(keys)) == len(page.rows)  # each figure the tables show, once
    assert set(keys) == set(page.rows)
    assert any(r[at["Suppressed"]].value for r in rows)


def test_the_workbook_lists_every_action_and_names_its_sheets_in_words(public_scrutiny) -> None:
    report, paths = public_scrutiny
    wb = load_workbook(paths[".xlsx"])
    listed = [r for r in report.tables() if r.columns[0] == "Action"]
    actions = list(wb["Actions"].iter_rows(min_row=2, values_only=True))
    words = [row for t in listed for row in t.rows]
    assert len(actions) == len(words) and all(a[0].startswith("Recommendation ") for a in actions)
    for got, said in zip(actions, words, strict=True):
        for value, word in zip(got[1:], said, strict=True):
            want = typed(word)[0]  # a date or a number as itself, not its words
            if isinstance(want, dt.date) and not isinstance(want, dt.datetime):
                want = dt.datetime.combine(want, dt.time())
            assert value == (want if want != "" else None), (value, word)
    names = wb.sheetnames
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    contents = list(wb["Contents"].iter_rows(min_row=6, values_only=True))
    assert [row[0] for row in contents] == names[1:]
    captions = {t.caption for t in report.tables()}
    sections = {s.title for s in walk(report.sections)}
    for sheet, section, what in contents:
        assert (
            sheet in ("Figures", "Actions")
            or re.fullmatch(r"(Chart|Table) \d+", sheet)
            or (sheet == what and sheet in captions)
            or (sheet == sheet_name(set(), section) and section in sections)  # as Excel allows
        ), (sheet, section, what)
    # no number anywhere is stored as its words
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=3, values_only=True):
            for value in row:
                assert not (
                    isinstance(value, str) and re.fullmatch(r"-?[\d,]+|-?\d+(\.\d+)?%", value)
                ), (ws.title, value)


def test_a_recommendation_with_no_data_says_so(small_store: Store, tmp_path: Path) -> None:
    """The small store has staff but no leave, cases, training or survey: the report is still
    written, and says what cannot be evidenced."""
    report = build(
        ReportKind.scrutiny, small_store, YEAR, org=None, policy=PUBLIC, audience="public"
    )
    (html_path,) = write(report, tmp_path, "empty", ["html"])
    text = " ".join(re.sub(r"<[^>]+>", " ", html_path.read_text("utf-8")).split())
    summary = next(t for t in report.tables() if isinstance(t, Rows) and t.columns[0] == "#")
    by_number = {row[0]: row for row in summary.rows}
    assert by_number["7"][2] == "no data loaded"
    assert "No data is loaded for this measure" in text
    assert "cannot be evidenced" in text  # the data-quality section names what is missing


@pytest.mark.parametrize("kind", [ReportKind.wres, ReportKind.system])
def test_wres_and_system_reports_are_self_contained(mini, kind, tmp_path: Path) -> None:
    first = mini.table("organisations").to_pyarrow().column("org_code")[0].as_py()
    org = first if kind is ReportKind.wres else None
    report = build(kind, mini, YEAR, org=org, policy=PUBLIC, audience="public")
    html_path, xlsx_path = write(report, tmp_path, kind.value, ["html", "xlsx"])
    html_text = html_path.read_text("utf-8")
    assert not re.search(r"""(src|href)=["']https?:|url\(\s*['"]?https?:|@import""", html_text)
    # the workbook's tidy sheet: each figure the report's tables are made from, counts as numbers
    shown = {key(r): r for t in report.tables() for r in t.results}
    shown |= {key(r): r for s in walk(report.sections) for b in s.blocks
              if isinstance(b, Figures) for r in b.results}  # fmt: skip
    ws = load_workbook(xlsx_path)["Figures"]
    header = [c.value for c in ws[1]]
    sheet = [
        dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)
    ]
    assert len(sheet) == len(shown) > 9
    for row in sheet:
        r = shown[(row["Measure"], row["Organisation code"], row["Period"], row["Group type"],
                   row["Group"], row["Cell"])]  # fmt: skip
        assert (row["Count"], row["Of"]) == (r.numerator, r.denominator)
        assert row["Measure"] in PUBLIC.public or not 1 <= (row["Count"] or 0) <= 7
    ids = {s.id for s in report.sections}
    assert {f"wres{n}" for n in range(1, 10)} <= ids
    assert report.charts(), "charts are drawn"
    page = parse(html_text)
    for row, cells in page.rows.items():
        for field in COUNT_FIELDS:
            value = shown_count(cells.get(field, "–"))
            public = row[0] in PUBLIC.public  # board membership: public by nature
            assert public or value is None or not 1 <= value <= 7
    # the reader is told first, in plain words, what was done to the numbers
    opening = html_text[html_text.index("<h1>") : html_text.index("<nav")]
    assert PUBLIC.plain() in opening
    assert "Numbers are rounded to the nearest 5 and numbers below 8 are not shown" in opening
    board = [cells for row, cells in page.rows.items() if row[0] == "wres9"]
    assert kind is ReportKind.system or board
    assert all(shown_count(c["denominator"]) is not None for c in board if "denominator" in c)


def test_monthly_charts_are_drawn_for_a_protected_audience_only_from_complete_moving_counts(
    mini,
) -> None:
    """An analyst sees every monthly SPC chart; the public sees one only where every month's
    counts are shown and they move, and otherwise reads why it is withheld."""

    def change(policy, audience):
        report = build(ReportKind.system, mini, YEAR, org=None, policy=policy, audience=audience)
        (section,) = [s for s in report.sections if s.id == "change"]
        return section.blocks[1:]

    analyst = change(load_policies()[Audience.ANALYST], "analyst")
    public = change(PUBLIC, "public")
    assert analyst and all(isinstance(b, Picture) for b in analyst)
    assert len(public) == len(analyst)
    withheld = [b for b in public if isinstance(b, Paragraph)]
    for b in withheld:
        assert "the monthly chart is not shown to this audience, because" in b.text
        assert re.search(
            r"counts of \d+ of \d+ months are too small|leaves too little change", b.text
        )
    for b in public:
        if isinstance(b, Picture):  # drawn: no month is a gap
            assert "no value is shown" not in b.chart.alt
    assert withheld, "a small system's monthly counts are too small to chart for the public"
