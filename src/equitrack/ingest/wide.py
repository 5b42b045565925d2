"""A published survey sheet, one row per group and columns per question, made into records one
per group and question (a profile's `[wide]` section: see `profiles/staff_survey_published.toml`).

The NHS Staff Survey publishes each question as a base column and a percentage per answer
(`Q14a Base (number of responses)`, `Q14a % Never`, `Q14a % 1-2`, …). The sheet's year says
which questionnaire numbered the questions (`questions.py`); the measure a question is read for
says which answers it counts; each answer's percentage of the base is turned back into its count
(`percent.py`) and the counted answers are added up. The records made carry the file's line, and
a percentage that fits no count is a problem at that line naming its column. What the records
hold goes under fixed headers (`MEASURE`, `RESPONSES`, `POSITIVE`, `YEAR`) that the profile's
columns read, as they read any file's columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from equitrack.ingest import questions
from equitrack.ingest.headers import header_key
from equitrack.ingest.percent import count_of
from equitrack.ingest.readers import (
    RawData,
    ReadError,
    _column_letter,
    normalise_name,
    quoted,
    title_of,
)

if TYPE_CHECKING:
    from equitrack.ingest.profile import Profile

#: How a profile's [detect] names "a question's base column" and "an answer's percentage
#: column", which no fixed header can: a file has them when some header parses as such.
QUESTION_BASE = "Qnn Base"
QUESTION_ANSWER = "Qnn %"
#: The headers of what each record holds, which the profile's columns read.
MEASURE = "Measure (from the question number)"
RESPONSES = "Question base (number of responses)"
POSITIVE = "Answers counted (from the percentages)"
YEAR = "Survey year (of the whole sheet)"
#: Decimal places a percentage is kept to (a workbook's unrounded share has sixteen).
PLACES = 6
SHOWN = 8


@dataclass(frozen=True)
class Wide:
    """A profile's [wide] section."""

    question: re.Pattern[str]  # group 1: the question number; group 2: what the column holds
    base: frozenset[str]  # header keys of what follows the number in a base column
    percent: str  # what stands before the answer in a percentage column
    year: int | None  # the survey year, when a copy of the profile gives it
    year_in_title: tuple[re.Pattern[str], ...]
    questions: Path | None = None  # the question numbers' file; None: the shared one


KEYS = {"question", "base", "percent", "year", "year_in_title", "questions"}


def parse(spec: object, fail: Callable[[str, str], Exception], folder: Path) -> Wide:
    """The [wide] section checked; `fail(key, message)` makes the profile's error, and a
    `questions` file is found beside the profile (`folder`)."""
    if not isinstance(spec, dict) or set(spec) - KEYS or not {"question", "base"} <= set(spec):
        raise fail(
            "wide", f"must be a table with question and base (and {', '.join(sorted(KEYS))})"
        )

    def pattern(text: object, key: str, groups: int) -> re.Pattern[str]:
        try:
            compiled = re.compile(str(text), re.IGNORECASE)
        except re.error as exc:
            raise fail(f"wide.{key}", f"is not a regular expression ({exc})") from exc
        if not isinstance(text, str) or compiled.groups < groups:
            raise fail(f"wide.{key}", f"must be a regular expression with {groups} group(s)")
        return compiled

    base = spec["base"]
    if not isinstance(base, list) or not base or not all(isinstance(b, str) for b in base):
        raise fail("wide.base", "must be a list of what follows the question number")
    year = spec.get("year")
    if year is not None and not (isinstance(year, int) and 1990 <= year <= 2100):
        raise fail("wide.year", f"must be a survey year such as 2023, not {year!r}")
    titles = spec.get("year_in_title", [])
    if not isinstance(titles, list):
        raise fail("wide.year_in_title", "must be a list of regular expressions")
    own = None
    if "questions" in spec:
        own = folder / str(spec["questions"])
        if not own.is_file():
            raise fail("wide.questions", f"{own}: no such file (a copy of {questions.file()})")
    return Wide(
        pattern(spec["question"], "question", 2),
        frozenset(header_key(b) for b in base),
        str(spec.get("percent", "%")),
        year,
        tuple(pattern(t, "year_in_title", 1) for t in titles),
        own,
    )


@dataclass
class Question:
    """One question's columns: their headers, then (once found) their names in the data."""

    number: str  # as the header writes it
    base: str | None = None
    answers: list[tuple[str, str]] = field(default_factory=list)  # (answer, column)


@dataclass
class Long:
    """The file as records, and what the profile's mapping needs to know of them."""

    raw: RawData
    record: np.ndarray  # the file's row each record comes from
    bad: dict[str, list[str | None]]  # column → each record's problem with its value
    used: set[str]  # the file's columns read here
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the file's, not a record's


def columns(header: list[str], spec: Wide) -> tuple[dict[str, Question], list[str]]:
    """The question columns of a header (by question key, in file order), and the headers that
    start with a question number but are neither a base nor a percentage (not read)."""
    found: dict[str, Question] = {}
    other: list[str] = []
    for name in header:
        match = spec.question.match(str(name).strip())
        if not match:
            continue
        number, rest = match.group(1).strip(), match.group(2).strip()
        question = found.setdefault(header_key(number), Question(number))
        if header_key(rest) in spec.base:
            question.base = name
        elif rest.startswith(spec.percent) and rest[len(spec.percent) :].strip():
            question.answers.append((rest[len(spec.percent) :].strip(), name))
        else:
            other.append(name)
    return {k: q for k, q in found.items() if q.base or q.answers}, other


def detect_keys(header: list[str], spec: Wide) -> set[str]:
    """The header keys a profile's [detect] reads for a wide file: QUESTION_BASE and
    QUESTION_ANSWER when some header is one."""
    found, _ = columns(header, spec)
    keys = set()
    if any(q.base for q in found.values()):
        keys.add(header_key(QUESTION_BASE))
    if any(q.answers for q in found.values()):
        keys.add(header_key(QUESTION_ANSWER))
    return keys


def reshape(raw: RawData, profile: Profile, spec: Wide) -> Long:
    """The file's rows as records, one per row and question a measure reads."""
    return _Reshaper(raw, profile, spec).run()


class _Reshaper:
    def __init__(self, raw: RawData, profile: Profile, spec: Wide) -> None:
        self.raw, self.profile, self.spec = raw, profile, spec
        self.n = raw.data.num_rows
        self.notes: list[str] = []
        self.problems: list[str] = []
        self._text: dict[str, list[str]] = {}
        # counted while making the records, for the notes
        self.several = self.widest = self.converted = self.blank = 0
        self.blank_rows: set[int] = set()

    def text(self, name: str) -> list[str]:
        """A column's values as stripped text ("" for blank), read once when first needed."""
        if name not in self._text:
            values = self.raw.data.column(name).to_pylist()
            self._text[name] = ["" if v is None else str(v).strip() for v in values]
        return self._text[name]

    def header(self, name: str) -> str:
        return self.raw.headers.get(name, name)

    def where(self, name: str) -> str:
        """A column as problems name it: its letter (or number) and its header."""
        pos = self.raw.positions[name]
        place = _column_letter(pos) if self.raw.source.format == "xlsx" else str(pos)
        return f"column {place} ({self.header(name)})"

    def rule_columns(self, target: str) -> list[str]:
        """The file's columns the profile reads for a canonical column, in its order."""
        rules = [r for r in self.profile.columns if r.target == target]
        keys = [header_key(h) for r in rules for h in r.headers]
        by_key = {header_key(self.header(c)): c for c in self.raw.data.column_names}
        return [by_key[k] for k in keys if k in by_key]

    def run(self) -> Long:
        names = {c: self.header(c) for c in self.raw.data.column_names}
        found, other = columns(list(names.values()), self.spec)
        by_header = {h: c for c, h in names.items()}
        for q in found.values():
            q.base = by_header[q.base] if q.base else None
            q.answers = [(a, by_header[h]) for a, h in q.answers]
        question_cols = {c for q in found.values() for c in [q.base, *(h for _, h in q.answers)]}
        question_cols |= {by_header[h] for h in other}
        blank = {c for c, h in names.items() if not h.strip()}
        ids = [c for c in self.raw.data.column_names if c not in question_cols | blank]
        used = (question_cols | blank) - {None}
        if other:
            self.notes.append(f"not read: {_listed(other)} (neither a base nor an answer's %)")
        if not found:
            self.problems.append(
                "no column's header is a question number followed by its base or an answer's "
                "percentage (such as 'Q14a Base (number of responses)' and 'Q14a % Never')"
            )
        years = self.years()
        group_types = self.group_types()
        records = self.records(found, years, group_types)
        return self.long(ids, used, records, years)

    # --- the survey year -------------------------------------------------------------------

    def years(self) -> list[int | None]:
        """Each row's survey year: from the file's year column, else the profile's [wide] year,
        else the title block. None for every row when none says (a problem is recorded)."""
        cols = self.rule_columns("survey_year")
        if cols:
            years = [_year(v) for v in self.text(cols[0])]
            if unread := [i for i, y in enumerate(years) if y is None]:
                i = unread[0]
                self.problems.append(
                    f"{self.where(cols[0])}: {len(unread):,} row(s) give no year that can be "
                    f"read (such as {self.raw.line_word} {self.raw.lines[i]}: "
                    f"'{quoted(self.text(cols[0])[i])}'), so their question numbers cannot be read"
                )
            return years
        if self.spec.year is not None:
            return [self.spec.year] * self.n
        year, said = self.title_year()
        if year is not None:
            self.notes.append(f"survey year {year}, read from the title block ('{said}')")
        else:
            self.problems.append(
                f"cannot tell the survey year, which says how the questionnaire numbered its "
                f"questions: {said}. Add a Survey Year column, or copy the {self.profile.name} "
                "profile, give it [wide] year = 2023 (the year the survey ran) and import with "
                "--profile PATH"
            )
        return [year] * self.n

    def title_year(self) -> tuple[int | None, str]:
        try:
            rows = title_of(self.raw.source)
        except ReadError:
            rows = []
        found: dict[int, str] = {}
        for row in rows:
            text = " ".join(str(c).strip() for c in row if c is not None and str(c).strip())
            for pattern in self.spec.year_in_title:
                if match := pattern.search(text):
                    found.setdefault(_full_year(match.group(1)), text)
                    break
        if len(found) > 1:
            shown = " and ".join(f"'{t}'" for t in found.values())
            return None, f"the title block names two survey years ({shown})"
        if not found:
            said = "has no title block" if not rows else "has a title block that names no year"
            return (
                None,
                f"the sheet {said} (such as 'NHS Staff Survey 2023') and no Survey Year column",
            )
        return next(iter(found.items()))

    def group_types(self) -> list[str | None]:
        """Each row's breakdown as the profile reads it (None where it cannot), which says
        which measure a question serves (Q15: WRES 7, or WDES 5 by disability)."""
        rules = [r for r in self.profile.columns if r.target == "group_type" and r.values]
        cols = self.rule_columns("group_type")
        if not rules or not cols:
            return [None] * self.n
        return [rules[0].values.lookup(v) if v else None for v in self.text(cols[0])]

    # --- the records ---------------------------------------------------------------------

    def records(
        self, found: dict[str, Question], years: list[int | None], group_types: list[str | None]
    ) -> list[tuple[int, str, str, str | None, str | None]]:
        """(row, measure, base as written, positive count or mark, its problem) per record."""
        book = questions.load(self.spec.questions)
        listed = {y for y in years if y is not None}
        for y in sorted(listed - set(book.years)):
            self.problems.append(
                f"{book.path.name} lists no questionnaire for the survey year {y}: add "
                f"[years.{y}] (question number = measure) to {book.path}"
            )
        read = {k for y in listed if y in book.years for k in book.years[y]}
        fraction = self.fractions([q for k, q in found.items() if k in read])
        checked: set[tuple[str, str]] = set()
        unread: dict[tuple[str, int], int] = {}
        out: list[tuple[int, str, str, str | None, str | None]] = []
        for i in range(self.n):
            year = years[i]
            if year is None or year not in book.years:
                continue
            for key, q in found.items():
                measure = book.measure(year, q.number, group_types[i])
                if measure is None:
                    unread[(q.number, year)] = unread.get((q.number, year), 0) + 1
                    continue
                if (key, measure.code) not in checked:
                    checked.add((key, measure.code))
                    self.check_answers(q, measure, book.path)
                if q.base is None:
                    continue
                made = self.record(i, q, measure, fraction)
                if made is not None:
                    out.append((i, measure.code, *made))
        if unread:
            shown = sorted({f"{q} ({y})" for q, y in unread})
            self.notes.append(
                f"not loaded: {_listed(shown)}, which no measure reads in that year's "
                f"questionnaire ({book.path.name})"
            )
        if self.blank:
            lines = sorted({int(self.raw.lines[i]) for i in self.blank_rows})
            shown = ", ".join(map(str, lines[:SHOWN])) + (", …" if len(lines) > SHOWN else "")
            self.notes.append(
                f"{self.blank:,} question(s) left blank on {self.raw.line_word}(s) {shown} "
                "(a group not asked, or a note below the table): nothing to load from them"
            )
        if self.converted:
            rounding = (
                f"; on {self.several:,} record(s) an answer's percentage fits more than one "
                f"count (at most ±{self.widest}), the nearest was taken"
                if self.several
                else "; each percentage fits exactly one count"
            )
            self.notes.append(
                f"survey: positive worked out from each counted answer's percentage of its "
                f"question's base on {self.converted:,} record(s){rounding}"
            )
        return out

    def check_answers(self, q: Question, measure: questions.Measure, path: object) -> None:
        """Every answer known to the measure, every answer it counts in the sheet, and a base."""
        unknown = [a for a, _ in q.answers if not measure.knows(a)]
        if unknown:
            self.problems.append(
                f"{q.number} has the answer(s) {_listed(unknown)}, not listed for "
                f"{measure.code} in {path} ([measures.{measure.code}] counted or others): add "
                "each to one of the two, so that equitrack knows whether it is counted"
            )
        have = {header_key(a) for a, _ in q.answers}
        missing = [a for a in measure.written if header_key(a) not in have]
        if missing:
            self.problems.append(
                f"{q.number} has no percentage column for {_listed(missing)}, which "
                f"{measure.code} counts (such as '{q.number} {self.spec.percent} {missing[0]}'), "
                "so its count would fall short"
            )
        if q.base is None:
            self.problems.append(
                f"{q.number} has percentages but no base column (such as '{q.number} Base "
                "(number of responses)'), so they cannot be turned into counts"
            )

    def fractions(self, read: list[Question]) -> bool:
        """Whether the sheet writes shares as fractions (0.275, a workbook's percentage cells)
        rather than percentages (27.5): fractions when no number in an answer column of the
        questions read is over 1."""
        for q in read:
            for _, col in q.answers:
                for v in self.text(col):
                    if v.endswith("%"):
                        return False
                    try:
                        if Decimal(v) > 1:
                            return False
                    except InvalidOperation:
                        continue
        return True

    def record(
        self, i: int, q: Question, measure: questions.Measure, fraction: bool
    ) -> tuple[str, str | None, str | None] | None:
        """(base as written, the count or a withheld mark, the problem) for a row's question;
        None when the question is blank for the row."""
        base = _count(self.text(q.base)[i]) if q.base else ""
        counted = [(a, c) for a, c in q.answers if measure.counts(a)]
        shares = [self.text(c)[i] for _, c in counted]
        if not base and not any(self.text(c)[i] for _, c in q.answers):
            self.blank += 1
            self.blank_rows.add(i)
            return None
        mark = next((v for v in [base, *shares] if v and not _numeric(v)), None)
        if mark is not None:  # withheld: the profile's skip list says what to do with it
            return base, mark, None
        total, several = 0, False
        for (_, col), share in zip(counted, shares, strict=True):
            where = self.where(col)
            if not share:
                return base, None, f"{where}: blank, so {measure.code} cannot be counted"
            fit = count_of(_as_percent(share, fraction), base, self.header(q.base))
            if isinstance(fit, str):
                return base, None, f"{where}: {fit}"
            total += fit.count
            if fit.high > fit.low:
                several = True
                self.widest = max(self.widest, fit.high - fit.count, fit.count - fit.low)
        self.converted += 1
        self.several += several
        return base, str(total), None

    def long(
        self,
        ids: list[str],
        used: set[str],
        records: list[tuple[int, str, str, str | None, str | None]],
        years: list[int | None],
    ) -> Long:
        rows = np.array([r[0] for r in records], np.int64)
        data = {c: self.raw.data.column(c).take(pa.array(rows, pa.int64())) for c in ids}
        headers = dict(self.raw.headers)  # every column's: a rejected record shows its row
        made = {MEASURE: [r[1] for r in records], RESPONSES: [r[2] for r in records],
                POSITIVE: [r[3] for r in records]}  # fmt: skip
        if not self.rule_columns("survey_year"):
            made[YEAR] = [None if years[r] is None else str(years[r]) for r in rows]
        for header, values in made.items():
            name = normalise_name(header)
            if name in data or header_key(header) in {header_key(h) for h in headers.values()}:
                raise ReadError(
                    f"{self.raw.source.label}: a column is headed '{header}', which the "
                    f"{self.profile.name} profile gives the records it makes: rename it"
                )
            data[name] = pa.array(values, pa.string())
            headers[name] = header
        long = replace(
            self.raw,
            data=pa.table(data) if data else pa.table({"__empty": pa.nulls(0)}),
            positions={c: p for c, p in self.raw.positions.items() if c in ids},
            lines=self.raw.lines[rows],
            headers=headers,
        )
        bad = {normalise_name(POSITIVE): [r[4] for r in records]}
        return Long(long, rows, bad, used, self.notes, self.problems)


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


def _count(text: str) -> str:
    """A base as a count: `1,203` (a number format's thousands) is 1203."""
    return text.replace(",", "") if _THOUSANDS.fullmatch(text) else text


def _numeric(text: str) -> bool:
    try:
        Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        return False
    return True


def _as_percent(share: str, fraction: bool) -> str:
    """A share as a percentage written to the decimals it was published with (at most PLACES:
    a workbook holds a formula's unrounded share)."""
    if share.endswith("%"):
        return share
    value = Decimal(share)
    if fraction:
        value = value.scaleb(2)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PLACES:
        value = value.quantize(Decimal(1).scaleb(-PLACES))
    return format(value, "f")


def _year(text: str) -> int | None:
    try:
        return _full_year(str(int(Decimal(text))))
    except (InvalidOperation, ValueError, OverflowError):  # not a number; NaN; Infinity
        return None


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _listed(items: list[str]) -> str:
    shown = ", ".join(quoted(i) for i in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
