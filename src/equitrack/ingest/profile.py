"""Source profiles: how one kind of export becomes canonical tables, written as data (TOML).

A profile names the canonical tables it produces, the header columns that identify it, and for
each canonical column where its values come from: source headers (with aliases, matched
ignoring case, spaces, punctuation and CamelCase: see `headers.py`), a value list, a constant,
or a rule deriving it from another column. Shipped profiles live in `ingest/profiles/*.toml`; an analyst writes one for a
local report and passes its path. See `profiles/esr_workforce.toml` for a documented example.

Published aggregates need two more column keys (see `profiles/staff_survey.toml`): `percent_of`
turns a published percentage back into the count it was worked out from. `skip` lists values
whose rows are not records to load (a publisher's `*` or `[c]` for a withheld figure, a
cancelled booking): such rows are neither loaded nor rejected, and the import counts them.

A source column that no rule reads is not stored, unless the profile lists it under `keep`:
then its values go to the table `extra_values`, as the file wrote them. A kept column whose
header or values look like they identify a person refuses the file (`identifying.py`); so does
a profile that keeps a column whose header reads like one.

A profile is checked when it is loaded, and a mistake is reported with the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from equitrack import config
from equitrack.ingest import vocabulary
from equitrack.ingest.coerce import FALSE_WORDS, TRUE_WORDS
from equitrack.ingest.headers import header_key
from equitrack.ingest.identifying import identifying_header
from equitrack.ingest.readers import ReadError
from equitrack.model import codes
from equitrack.model.tables import TABLE_BY_NAME, Kind, table

#: Date forms a profile may declare. Month-first (US) dates are never read: see `dates.py`.
DATE_FORMATS = ("day_first", "iso", "excel_serial")
UNMAPPED = ("refuse", "keep")
#: year: the year of a date (for birth_year). present: true when the cell has anything in it
#: but a no-word (N, No, False, 0), false when blank (a stage reached is a date in the stage's
#: column).
TRANSFORMS = ("year", "present")
CANONICAL = "canonical"
TOP_KEYS = {
    "name", "description", "tables", "dates", "detect", "merge", "ignore", "keep", "columns",
    "wide",
}  # fmt: skip
COLUMN_KEYS = {
    "headers",
    "required",
    "values",
    "unmapped",
    "constant",
    "derive_from",
    "otherwise",
    "transform",
    "percent_of",
    "skip",
    "vocabulary",
}
#: Decimal places a percentage may be written with for `percent_of` (the arithmetic is exact).
PERCENT_DECIMALS = 6


class ProfileError(ReadError):
    """A profile that cannot be used; the message names the file and the key."""


_DASHES = re.compile(r"\s*[-\u2012\u2013\u2014\u2212]\s*")
_SPACES = re.compile(r"\s+")


def value_key(value: object) -> str:
    """How values are compared: case, surrounding and repeated spaces and dash style ignored.

    `N Black or Black British - African`, `n black or black british-african ` and the same text
    with an en dash (as Windows-1252 exports write it) are one value. Nothing else is loosened:
    a value that differs in any letter is not in the list.
    """
    text = _DASHES.sub(" - ", str(value).strip())
    return _SPACES.sub(" ", text).casefold()


@dataclass(frozen=True)
class ValueMap:
    """Source values (compared by `value_key`) → canonical values ("" means blank)."""

    entries: dict[str, str]
    written: dict[str, str]  # key → the source value as the profile writes it
    unmapped: str  # "refuse": stop (or reject the row); "keep": pass the text on to validation
    section: str  # the TOML table holding the list, e.g. `columns.ethnic_code.values`
    line: int | None  # its line in the profile file (else the column's, when it has none)
    vocabulary: str | None = None  # the shared vocabulary's list it extends

    def lookup(self, value: str) -> str | None:
        return self.entries.get(value_key(value))


@dataclass(frozen=True)
class ColumnRule:
    """Where one canonical column's values come from."""

    key: str  # as written under [columns]: `ethnic_code` or `assignments.start_date`
    target: str  # the canonical column
    table: str | None  # None: every table of the profile that has the column
    headers: tuple[str, ...] = ()
    required: bool | None = None  # None: as the canonical table says
    values: ValueMap | None = None
    constant: str | None = None
    derive_from: str | None = None
    otherwise: str | None = None
    transform: str | None = None
    line: int | None = None
    #: The column this one's source percentage is a percentage of: the count is worked out.
    percent_of: str | None = None
    #: Marks of a figure withheld at source: a record holding one is not loaded (and counted).
    skip: tuple[str, ...] = ()  # values whose rows are not loaded (counted in the notes)

    def applies_to(self, table_name: str) -> bool:
        if self.table is not None:
            return self.table == table_name
        return self.target in TABLE_BY_NAME[table_name].column_names


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    tables: tuple[str, ...]
    path: Path | None = None
    canonical: bool = False
    #: header column sets that recognise the export: a file whose header has all of one set
    detect: tuple[tuple[str, ...], ...] = ()
    dates: tuple[str, ...] = ("iso",)
    merge: dict[str, str] = field(default_factory=dict)  # table → column rows are merged on
    ignore: tuple[str, ...] = ()
    columns: tuple[ColumnRule, ...] = ()
    #: Source columns no rule reads that are stored as written (extra_values); all others are not.
    keep: tuple[str, ...] = ()
    #: A published sheet with columns per question and answer, made into records (`wide.py`).
    wide: Any = None

    def rules(self, table_name: str) -> list[ColumnRule]:
        return [r for r in self.columns if r.applies_to(table_name)]

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else self.name

    @property
    def row_table(self) -> str:
        """The table with a row per record of the file: it holds the columns kept aside."""
        plain = [t for t in self.tables if t not in self.merge]
        return plain[-1] if plain else self.tables[0]


# --- loading ------------------------------------------------------------------------------


def shipped_dir() -> Path:
    return Path(str(resources.files("equitrack.ingest").joinpath("profiles")))


def shipped() -> list[Profile]:
    """Every profile shipped with equitrack, canonical first."""
    found = [load_file(p) for p in sorted(shipped_dir().glob("*.toml"))]
    return sorted(found, key=lambda p: (not p.canonical, p.name))


def local() -> list[Profile]:
    """The organisation's own profiles (`config.profile_dirs()`), in name order."""
    files = [f for d in config.profile_dirs() if d.is_dir() for f in sorted(d.glob("*.toml"))]
    return [load_file(f) for f in files]


def available() -> list[Profile]:
    """The shipped profiles and the local ones; a local profile replaces a shipped one of the
    same name, so a trust can adapt `esr_workforce` to its own report and keep detection."""
    chosen = {p.name: p for p in shipped()}
    chosen.update({p.name: p for p in local()})
    return sorted(chosen.values(), key=lambda p: (not p.canonical, p.name))


def canonical() -> Profile:
    """The canonical profile (a local one of that name replaces the shipped one)."""
    return next(p for p in available() if p.name == CANONICAL)


def is_local(profile: Profile) -> bool:
    return profile.path is not None and profile.path.parent != shipped_dir()


def load(name_or_path: str | Path) -> Profile:
    """A profile by name (local, else shipped), or a profile file by path."""
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".toml") or path.exists() or "/" in text or "\\" in text:
        if not path.is_file():
            raise ProfileError(f"{path}: no such profile file")
        return load_file(path)
    known = available()
    for profile in known:
        if profile.name == text:
            return profile
    names = ", ".join(p.name for p in known)
    raise ProfileError(
        f"there is no profile called {text!r}; the profiles are {names} "
        "(or give the path of a .toml profile file)"
    )


def load_file(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: a profile must be UTF-8 text ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from exc
    return _Parser(path, text, data).profile()


class _Parser:
    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path, self.text, self.data = path, text, data

    def fail(self, key: str, message: str) -> ProfileError:
        return ProfileError(f"{self.path}: {key}: {message}")

    def _str(self, value: object, key: str, *, blank: bool = False) -> str:
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise self.fail(key, f"must be {'text' if blank else 'non-empty text'}, not {value!r}")
        return value

    def _strings(self, value: object, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"must be a list of text, not {value!r}")
        return tuple(self._str(v, key) for v in value)

    def line_of(self, section: str) -> int | None:
        """The line of a `[section]` header, or of `key = ` for its last part."""
        parts = [p.strip('"') for p in section.split(".")]
        pattern = r"\.".join(rf'\s*"?{re.escape(p)}"?\s*' for p in parts)
        for i, line in enumerate(self.text.splitlines(), start=1):
            if re.match(rf"^\s*\[{pattern}\]\s*(#.*)?$", line):
                return i
        head = r"\.".join(rf'\s*"?{re.escape(p)}"?\s*' for p in parts[:-1])
        inside = False
        for i, line in enumerate(self.text.splitlines(), start=1):
            if line.lstrip().startswith("["):
                inside = bool(re.match(rf"^\s*\[{head}\]", line)) if head else False
            elif (inside or not head) and re.match(rf'^\s*"?{re.escape(parts[-1])}"?\s*=', line):
                return i
        return None

    def profile(self) -> Profile:
        d = self.data
        unknown = sorted(set(d) - TOP_KEYS)
        if unknown:
            raise self.fail(
                ", ".join(unknown), f"unknown key; a profile has {', '.join(sorted(TOP_KEYS))}"
            )
        if "name" not in d:
            raise self.fail("name", "missing (every profile has a name)")
        name = self._str(d["name"], "name")
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
            raise self.fail("name", "use letters, digits, _ and - only")
        description = self._str(d.get("description", ""), "description", blank=True)
        tables = self._strings(d.get("tables", []) or [""], "tables")
        for t in tables:
            if t not in TABLE_BY_NAME:
                raise self.fail(
                    "tables", f"{t!r} is not a canonical table ({', '.join(TABLE_BY_NAME)})"
                )
        keep = self.keep(d)
        if name == CANONICAL:
            return Profile(name, description, tables, self.path, canonical=True, keep=keep)
        detect: tuple[tuple[str, ...], ...] = ()
        if "detect" in d:
            section = d["detect"]
            if not isinstance(section, dict) or set(section) - {"headers"}:
                raise self.fail("detect", "must be a table with one key, headers")
            given = section.get("headers")
            # one list of headers, or a list of such lists (another system's spellings)
            nested = isinstance(given, list) and bool(given) and isinstance(given[0], list)
            detect = tuple(
                self._strings(s, "detect.headers") for s in (given if nested else [given])
            )
        dates = self._strings(d.get("dates", ["iso"]), "dates")
        for form in dates:
            if form not in DATE_FORMATS:
                raise self.fail(
                    "dates", f"{form!r} is not a date format ({', '.join(DATE_FORMATS)})"
                )
        merge = d.get("merge", {})
        if not isinstance(merge, dict):
            raise self.fail("merge", "must be a table of table = column")
        for t, col in merge.items():
            if t not in tables:
                raise self.fail(f"merge.{t}", f"{t!r} is not one of this profile's tables")
            if col not in TABLE_BY_NAME[t].column_names:
                raise self.fail(f"merge.{t}", f"{t} has no column {col!r}")
        ignore = self._strings(d["ignore"], "ignore") if "ignore" in d else ()
        columns_section = d.get("columns", {})
        if not isinstance(columns_section, dict) or not columns_section:
            raise self.fail("columns", "missing: a profile maps at least one column")
        rules = tuple(
            self.column(key, spec, tables, dates) for key, spec in columns_section.items()
        )
        self.check_headers(rules)
        both = {header_key(h) for h in ignore} & {header_key(h) for h in keep}
        if both:
            shown = ", ".join(h for h in keep if header_key(h) in both)
            raise self.fail("keep", f"{shown} cannot be both kept and ignored")
        wide = None
        if "wide" in d:
            # imported here: wide.py reads percent.py, which reads this module
            from equitrack.ingest import wide as wide_sheets

            wide = wide_sheets.parse(d["wide"], self.fail, self.path.parent)
        profile = Profile(
            name, description, tables, self.path, False, detect, dates, dict(merge), ignore,
            rules, keep, wide,
        )  # fmt: skip
        self.check_complete(profile)
        return profile

    def check_headers(self, rules: tuple[ColumnRule, ...]) -> None:
        """Two columns may read one source header, written alike; written differently, headers
        that compare as one (`Start Date`, `StartDate`) are a slip that would give both
        columns the same source."""
        seen: dict[str, tuple[str, str]] = {}  # key → (header as written, column)
        for rule in rules:
            for h in rule.headers:
                written, column = seen.setdefault(header_key(h), (h, rule.key))
                if written != h and column != rule.key:
                    raise self.fail(
                        f"[columns.{rule.key}] headers",
                        f"'{h}' is the same header as '{written}' of [columns.{column}] (case, "
                        "spaces, punctuation and CamelCase are ignored): one source column "
                        "cannot be told apart from the other",
                    )

    def keep(self, d: dict[str, Any]) -> tuple[str, ...]:
        """Columns kept aside by name: never one whose header reads like a personal identifier."""
        keep = self._strings(d["keep"], "keep") if "keep" in d else ()
        for header in keep:
            if word := identifying_header(header):
                raise self.fail(
                    "keep", f"'{header}' reads like a personal identifier ('{word}'), and "
                    "equitrack never stores identifying data: take it out of keep"
                )  # fmt: skip
        return keep

    def column(
        self, key: str, spec: object, tables: tuple[str, ...], dates: tuple[str, ...]
    ) -> ColumnRule:
        where = f"[columns.{key}]"
        if not isinstance(spec, dict):
            raise self.fail(where, "must be a table (headers = [...], values = {...}, …)")
        unknown = sorted(set(spec) - COLUMN_KEYS)
        if unknown:
            raise self.fail(
                where,
                f"unknown key {', '.join(unknown)}; allowed: {', '.join(sorted(COLUMN_KEYS))}",
            )
        table_name, _, target = key.rpartition(".")
        owners = [table_name] if table_name else [t for t in tables if _has(t, target)]
        if table_name and table_name not in tables:
            raise self.fail(where, f"{table_name!r} is not one of this profile's tables")
        if not owners or not all(_has(t, target) for t in owners):
            raise self.fail(
                where, f"no table of this profile ({', '.join(tables)}) has a column {target!r}"
            )
        sources = [k for k in ("headers", "constant", "derive_from") if k in spec]
        if len(sources) != 1:
            raise self.fail(where, "give exactly one of headers, constant or derive_from")
        kind = table(owners[0]).column(target).kind
        rule = ColumnRule(
            key,
            target,
            table_name or None,
            headers=self._strings(spec["headers"], f"{where} headers") if "headers" in spec else (),
            required=_bool(self, spec.get("required"), f"{where} required"),
            constant=self._str(spec["constant"], f"{where} constant", blank=True)
            if "constant" in spec
            else None,
            derive_from=self._str(spec["derive_from"], f"{where} derive_from")
            if "derive_from" in spec
            else None,
            otherwise=self._str(spec["otherwise"], f"{where} otherwise", blank=True)
            if "otherwise" in spec
            else None,
            transform=spec.get("transform"),
            line=self.line_of(f"columns.{key}"),
            percent_of=self._str(spec["percent_of"], f"{where} percent_of")
            if "percent_of" in spec
            else None,
            skip=self._strings(spec["skip"], f"{where} skip") if "skip" in spec else (),
        )
        self.check_percent(where, spec, rule, kind)
        if rule.transform is not None and rule.transform not in TRANSFORMS:
            raise self.fail(where, f"transform must be one of {', '.join(TRANSFORMS)}")
        if rule.transform == "year" and kind is not Kind.INT:
            raise self.fail(where, "transform = 'year' makes a whole number; use it for a year")
        if rule.transform == "present" and kind is not Kind.BOOL:
            raise self.fail(where, "transform = 'present' makes true or false; use it for a flag")
        listed = "values" in spec or "vocabulary" in spec
        if rule.transform == "present" and listed:
            raise self.fail(where, "transform = 'present' reads no values; drop the values list")
        if listed:
            values = self.values(where, key, spec, owners, target)
            rule = replace(rule, values=values)
        elif "unmapped" in spec:
            raise self.fail(where, "unmapped is said of a values list or vocabulary; there is none")
        if rule.otherwise is not None and rule.derive_from is None:
            raise self.fail(where, "otherwise is said of derive_from only")
        if rule.constant is not None:
            for owner in owners:
                self.check_value(where, "constant", rule.constant, owner, target)
        if kind is Kind.DATE and not dates:
            raise self.fail("dates", "a profile with date columns declares its date formats")
        return rule

    def check_percent(self, where: str, spec: dict, rule: ColumnRule, kind: Kind) -> None:
        """`percent_of` and `skip` are said of a column read from the file; a percentage
        is read as a number and becomes a count, so it takes no values list or transform."""
        if rule.skip and not rule.headers:
            raise self.fail(
                f"{where} skip", "lists values read from the file: the column needs headers"
            )
        if rule.percent_of is None:
            return
        key = f"{where} percent_of"
        if not rule.headers:
            raise self.fail(
                key, "works out a count from a percentage in the file: give headers, not "
                "constant or derive_from"
            )  # fmt: skip
        for other in ("values", "unmapped", "transform"):
            if other in spec:
                raise self.fail(
                    where, f"{other} cannot be used with percent_of (the percentage is read as "
                    "a number and turned into a count)"
                )  # fmt: skip
        if kind is not Kind.INT:
            raise self.fail(
                key, f"makes a count, so {rule.target} must be a whole-number (int) column, "
                f"not {kind}"
            )  # fmt: skip
        if rule.percent_of == rule.target:
            raise self.fail(key, f"{rule.target} cannot be a percentage of itself")

    def values(self, where: str, key: str, spec: dict, owners: list[str], target: str) -> ValueMap:
        """The column's list: the shared vocabulary's list it names, then its own `values`
        (a spelling listed in both takes the profile's value)."""
        own = spec.get("values", {})
        if "values" in spec and (not isinstance(own, dict) or not own):
            raise self.fail(f"{where} values", 'must be a table of "source value" = "value"')
        unmapped = spec.get("unmapped")
        policy = "refuse" if unmapped is None else unmapped
        if policy not in UNMAPPED:
            raise self.fail(f"{where} unmapped", f"must be one of {', '.join(UNMAPPED)}")
        entries: dict[str, str] = {}
        written: dict[str, str] = {}
        shared: set[str] = set()
        if "vocabulary" in spec:
            name = self._str(spec["vocabulary"], f"{where} vocabulary")
            lists = vocabulary.lists()
            if name not in lists:
                raise self.fail(
                    f"{where} vocabulary",
                    f"{name!r} is not a list of the shared vocabulary ({', '.join(sorted(lists))})",
                )
            place = f"{where} vocabulary {name!r} ({vocabulary.file()})"
            self.listed(place, lists[name], entries, written, shared, owners, target)
            shared = set(entries)
        self.listed(f"{where} values", own, entries, written, shared, owners, target)
        section = f"columns.{key}.values"
        line = self.line_of(section) if "values" in spec else self.line_of(f"columns.{key}")
        return ValueMap(entries, written, policy, section, line, spec.get("vocabulary"))

    def listed(
        self,
        where: str,
        spec: dict,
        entries: dict[str, str],
        written: dict[str, str],
        shared: set[str],
        owners: list[str],
        target: str,
    ) -> None:
        """Adds a list's lines to `entries`; a spelling of `shared` may take another value
        once (the profile's own line replacing the vocabulary's), any other twice is a slip."""
        for source, value in spec.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            value = self._str(value, f"{where}.{source!r}", blank=True).strip()
            k = value_key(source)
            if k in entries and entries[k] != value and k not in shared:
                raise self.fail(
                    where,
                    f"{written[k]!r} and {source!r} are the same value (case, spaces and dashes "
                    f"are ignored) but map to {entries[k]!r} and {value!r}",
                )
            shared.discard(k)
            for owner in owners:
                self.check_value(where, repr(source), value, owner, target)
            entries[k], written[k] = value, source

    def check_value(self, where: str, key: str, value: str, owner: str, target: str) -> None:
        """A value a profile writes must be one the canonical column accepts."""
        if value == "":
            return
        col = table(owner).column(target)
        bad = ""
        if col.kind is Kind.ENUM and value.lower() not in {a.lower() for a in col.allowed}:
            bad = f"one of {', '.join(col.allowed)}"
        elif col.kind is Kind.BOOL and value.lower() not in (*TRUE_WORDS, *FALSE_WORDS):
            bad = "true or false"
        elif col.name == "ethnic_code" and not _ethnic(value):
            bad = "an NHS ethnic code (A to S, with an optional second character), Z or 99"
        if bad:
            raise self.fail(where, f"{key} gives {value!r}, but {owner}.{target} must be {bad}")

    def check_complete(self, profile: Profile) -> None:
        for t in profile.tables:
            given = {r.target for r in profile.rules(t)}
            needed = [c for c in table(t).required if c not in given]
            if needed:
                raise self.fail(
                    "columns", f"no rule for {', '.join(needed)}, which every {t} row needs"
                )
            for r in profile.rules(t):
                if r.derive_from and r.derive_from not in given:
                    raise self.fail(
                        f"[columns.{r.key}] derive_from",
                        f"{r.derive_from!r} is not a column this profile gives {t}",
                    )
                if r.percent_of:
                    self.check_base(profile, t, r)

    def check_base(self, profile: Profile, t: str, rule: ColumnRule) -> None:
        """A percentage is of a count the profile gives the same table."""
        key = f"[columns.{rule.key}] percent_of"
        base = rule.percent_of or ""
        if not _has(t, base):
            raise self.fail(key, f"{t} has no column {base!r}")
        kind = table(t).column(base).kind
        if kind is not Kind.INT:
            raise self.fail(
                key, f"{t}.{base} is a {kind} column; a percentage is of a count (an int column)"
            )
        rules = [r for r in profile.rules(t) if r.target == base]
        if not rules:
            raise self.fail(
                key, f"{base!r} is not a column this profile gives {t} (add [columns.{base}])"
            )
        if any(r.percent_of for r in rules):
            raise self.fail(key, f"{base!r} is itself worked out from a percentage")


def _has(table_name: str, column: str) -> bool:
    return column in TABLE_BY_NAME[table_name].column_names


def _bool(parser: _Parser, value: object, key: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise parser.fail(key, f"must be true or false, not {value!r}")


def _ethnic(value: str) -> bool:
    v = value.upper()
    if v in (codes.NOT_STATED, codes.NOT_KNOWN):
        return True
    return 1 <= len(v) <= 2 and v[0] in codes.CATEGORY_BY_CODE
