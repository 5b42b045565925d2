"""The documentation's examples are true, as datasette tests its documentation: every
`equitrack …` command line in a code block of README.md and docs/*.md names a real command and
only options (and values) that command takes; the read-only ones run against the generated mini
store and print what the docs say they print; and every address the dashboard answers is in the
route table of docs/deploy.md, with the permission its rule asks for.

A wrong example fails here with its file and line, so the docs are mended, not the reader.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from equitrack import config
from equitrack.cli import app
from equitrack.measures.registry import JOURNEYS, MEASURES
from equitrack.store import Store

pytestmark = pytest.mark.heavy  # a minute or more: make test starts it first

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
FENCE = re.compile(r"^(\s*)(```|~~~)\s*([\w-]*)")
#: Code blocks whose every line is a command (a `text` block's commands are its `$ ` lines).
SHELL = frozenset({"sh", "bash", "shell", "console", ""})
#: Between two commands on one line.
#: A command named in a sentence: `equitrack import`, `equitrack serve --log-level WARNING`.
INLINE = re.compile(r"`equitrack\s([^`]*)`")
SEPARATORS = frozenset({";", "&&", "||", "|", "&"})
HELP = frozenset({"--help"})
CLI = typer.main.get_command(app)
runner = CliRunner()


@dataclass(frozen=True)
class Example:
    """One documented command line: where it is, its words after `equitrack`, its comment,
    and the output the docs show under it (a `$ ` line of a text block), if any."""

    file: str
    line: int
    args: tuple[str, ...]
    comment: str = ""
    shown: tuple[str, ...] = ()
    inline: bool = False  # `equitrack serve --log-level WARNING` in a sentence: a mention

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: `equitrack {shlex.join(self.args)}`"


def _words(line: str) -> tuple[list[list[str]], str]:
    """The commands on a shell line, as words, and the line's comment."""
    code, _, comment = line.partition(" #") if not line.lstrip().startswith("#") else ("", "", "")
    lexer = shlex.shlex(code, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for word in lexer:
        if word in SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return commands, comment.strip()


def _synopsis_word(word: str) -> str:
    """`[--profile` and `NAME]` of a usage line, read as `--profile` and `NAME`."""
    if word.startswith("["):
        word = word[1:]
    if word.endswith("]") and "[" not in word:
        word = word[:-1]
    return word


def examples_in(text: str, file: str) -> list[Example]:
    """Every `equitrack` command line in the Markdown `text`: in its code blocks, and in its
    sentences' code spans."""
    found: list[Example] = []
    lines = text.splitlines()
    prose = list(lines)  # the text with its code blocks blanked, line numbers kept
    i = 0
    while i < len(lines):
        opened = FENCE.match(lines[i])
        i += 1
        if not opened:
            continue
        indent, lang = len(opened.group(1)), opened.group(3).lower()
        block: list[tuple[int, str]] = []
        while i < len(lines) and not FENCE.match(lines[i]):
            block.append((i + 1, lines[i][indent:]))
            i += 1
        prose[i - len(block) - 1 : i + 1] = [""] * (len(block) + 2)
        i += 1  # the closing fence
        found += _block_examples(block, lang, file)
    joined = "\n".join(prose)
    for span in INLINE.finditer(joined):
        line = joined.count("\n", 0, span.start()) + 1
        args = tuple(shlex.split(span.group(1).replace("…", "")))
        found.append(Example(file, line, args, inline=True))
    return found


def _block_examples(block: list[tuple[int, str]], lang: str, file: str) -> list[Example]:
    """A code block's command lines (numbered lines), each with the output shown under it."""
    found: list[Example] = []
    j = 0
    while j < len(block):
        number, line = block[j]
        j += 1
        prompt = line.startswith("$ ")
        if lang not in SHELL and not prompt:
            continue
        line = line.removeprefix("$ ")
        while line.endswith("\\") and j < len(block):  # a command continued on the next line
            line = line[:-1] + " " + block[j][1].strip()
            j += 1
        shown: list[str] = []
        while prompt and j < len(block) and not block[j][1].startswith("$ "):
            shown.append(block[j][1])
            j += 1
        while shown and not shown[-1].strip():
            shown.pop()
        commands, comment = _words(line)
        for words in commands:
            at = _start(words)
            if at is not None:
                args = tuple(_synopsis_word(w) for w in words[at + 1 :])
                found.append(Example(file, number, args, comment, tuple(shown)))
    return found


def _start(words: list[str]) -> int | None:
    """Where `equitrack` is the command: the first word, or (in `docker run … --name equitrack
    equitrack:latest equitrack serve`) the last `equitrack`."""
    named = [k for k, w in enumerate(words) if w.split("/")[-1] == "equitrack"]
    if not named:
        return None
    return 0 if named[0] == 0 else named[-1]


def documented() -> list[Example]:
    return [
        example
        for doc in DOCS
        for example in examples_in(
            doc.read_text(encoding="utf-8"), doc.relative_to(ROOT).as_posix()
        )
    ]


def command_of(args: tuple[str, ...]) -> tuple[str, Any, list[str]]:
    """The command the words name (its path, the command, the words left for it)."""
    command, path, words = CLI, [], list(args)
    while words and words[0] in getattr(command, "commands", {}):
        path.append(words[0])
        command = command.commands[words.pop(0)]
    return " ".join(path), command, words


def _nearest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _choices(param: Any) -> list[str] | None:
    described = getattr(param, "type_descriptor", None)
    choices = described.choices if described is not None else None
    return None if choices is None else [str(getattr(c, "value", c)) for c in choices]


def problems_of(example: Example) -> list[str]:
    """What is wrong with a documented command line: an unknown command, an option its command
    does not have, a value outside an option's choices, too few or too many arguments."""
    path, command, words = command_of(example.args)
    if hasattr(command, "commands"):  # a group: the next word should have been a command
        if words and not words[0].startswith("-"):
            names = sorted(command.commands)
            return [f"{example}: no command {words[0]!r}{_nearest(words[0], names)}"]
        if not example.inline and (not words or words[0] not in HELP | {"--version"}):
            return [f"{example}: names no command"]
        return []
    options = {
        name: p
        for p in command.params
        if p.param_type_name == "option"
        for name in (*p.opts, *p.secondary_opts)
    }
    problems, positional, k = [], 0, 0
    while k < len(words):
        word = words[k]
        k += 1
        if not word.startswith("--"):
            positional += 1
            continue
        name, given, value = word.partition("=")
        if name in HELP:
            continue
        param = options.get(name)
        if param is None:
            said = f"`equitrack {path}` has no option {name}{_nearest(name, sorted(options))}"
            problems.append(f"{example}: {said}")
            continue
        if param.is_flag or param.count:
            continue
        if not given:
            if k == len(words):  # a sentence may name an option without its value
                problems += [] if example.inline else [f"{example}: {name} needs a value"]
                break
            value, k = words[k], k + 1
        choices = _choices(param)
        if choices is not None and value not in choices:
            problems.append(f"{example}: {name} takes {', '.join(choices)}, not {value!r}")
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    most = float("inf") if any(p.nargs < 0 for p in arguments) else sum(p.nargs for p in arguments)
    least = sum(p.nargs for p in arguments if p.required and p.nargs > 0)
    if not least <= positional <= most and not example.inline:
        names = " ".join(p.name.upper() for p in arguments) or "no arguments"
        problems.append(f"{example}: `equitrack {path}` takes {names}, given {positional}")
    return problems


# --- the command lines name what exists ----------------------------------------------------


def test_the_documented_command_lines_are_all_found() -> None:
    found = documented()
    assert len(found) > 60
    files = {e.file for e in found}
    assert {"README.md", "docs/deploy.md", "docs/profiles.md", "docs/snapshots.md"} <= files
    # the second command of a line, a command continued over lines, a usage line, a `$ ` line
    assert ("bank-wres", "--year", "2026") in {e.args for e in found}
    assert any(e.args[:2] == ("serve", "--db") and "--max-upload-mb" in e.args for e in found)
    assert ("profile", "check", "FILE", "--profile", "NAME_OR_PATH") in {e.args for e in found}
    assert any(e.args == ("profiles",) and e.shown for e in found)


def test_every_documented_command_line_names_a_real_command_and_its_options() -> None:
    problems = [problem for example in documented() for problem in problems_of(example)]
    assert problems == []


def test_a_wrong_example_is_named_with_its_file_and_line() -> None:
    """The checker itself: each kind of mistake is caught, and said where it is."""
    text = (
        "Intro\n\n```sh\n"
        "equitrack wres --year 2026 --sytem   # a misspelt flag\n"
        "equitrack wres --year 2026 --by ethnicity\n"
        "equitrack action status 46\n"
        "equitrack reprot --kind wres\n"
        "```\n\n```text\n$ equitrack status --db my.duckdb\nDatabase my.duckdb (duckdb)\n```\n"
    )
    found = examples_in(text, "docs/x.md")
    assert [e.line for e in found] == [4, 5, 6, 7, 11]
    assert found[-1].shown == ("Database my.duckdb (duckdb)",)
    problems = [p for e in found for p in problems_of(e)]
    assert problems == [
        "docs/x.md:4: `equitrack wres --year 2026 --sytem`: `equitrack wres` has no option "
        "--sytem (did you mean --system?)",
        "docs/x.md:5: `equitrack wres --year 2026 --by ethnicity`: --by takes wres, broad, "
        "detailed, not 'ethnicity'",
        "docs/x.md:6: `equitrack action status 46`: `equitrack action status` takes ACTION_ID "
        "STATUS, given 1",
        "docs/x.md:7: `equitrack reprot --kind wres`: no command 'reprot' (did you mean report?)",
    ]


# --- the read-only examples run ------------------------------------------------------------

#: The commands that only read, run here as documented.
READ_ONLY = frozenset(
    {
        "status",
        "measures",
        "measure",
        "wres",
        "wdes",
        "bank-wres",
        "journeys",
        "pay-gap",
        "recommendations",
        "action list",
        "commentary show",
        "users list",
        "profiles",
    }
)


@dataclass(frozen=True)
class DocStore:
    """The store the examples run on, and what fills their placeholders."""

    path: Path
    orgs: tuple[str, ...]  # every organisation loaded
    trust: str  # the one the examples' organisation stands for


MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
#: What an example's comment says it prints, checked on what it printed.
PROMISES: dict[str, Callable[[str, DocStore], bool]] = {
    "every organisation": lambda out, s: all(org in out for org in s.orgs),
    "Black, Asian, Mixed, Other": lambda out, s: all(
        g in out for g in ("Black", "Asian", "Mixed", "Other")
    ),
    "the whole system": lambda out, s: "system:" in out,
    "submission layout": lambda out, s: Path("wres.xlsx").read_bytes()[:2] == b"PK",
    "every measure: its family, title, definition and options": lambda out, s: all(
        re.search(rf"^│ {m} +│", out, re.M) for m in (*MEASURES, *JOURNEYS)
    ),
    "a monthly series": lambda out, s: (
        len(set(re.findall(rf"^│ ({MONTHS}) 20\d\d ", out, re.M))) >= 12
    ),
    "headline, level, change since 2021/22": lambda out, s: "2021/22" in out,
    "the profiles, and how each is recognised": lambda out, s: "recognised by" in out,
}


@pytest.fixture(scope="module")
def doc_store(
    loaded_system: Callable[..., Store], tmp_path_factory: pytest.TempPathFactory
) -> DocStore:
    """A copy of the generated mini system (the examples are read-only; a copy all the same)."""
    source = loaded_system("mini")
    source.con.raw_sql("CHECKPOINT")
    path = tmp_path_factory.mktemp("docs") / "mini.duckdb"
    shutil.copy(source.url, path)
    orgs = source.con.table("organisations").execute()
    trust = sorted(orgs.loc[orgs["org_type"] == "trust", "org_code"])[0]
    return DocStore(path, tuple(sorted(orgs["org_code"])), trust)


def runnable(example: Example, store: DocStore) -> list[str]:
    """The example's words with its placeholders filled from the store: its database and its
    organisation (an organisation the docs name stands for one the store has)."""
    words = list(example.args)
    for k, word in enumerate(words[:-1]):
        if word == "--db":
            words[k + 1] = str(store.path)
        elif word in ("--org", "--owner") and words[k + 1] != "*":
            words[k + 1] = store.trust
    return words


def _runs() -> list[Example]:
    """The read-only examples run here: each command's first, and every one whose comment or
    shown output says what it prints (each once; none on another engine's store). The
    profiles tutorial's, which need its files, run in its own test below."""
    chosen: dict[tuple[str, ...], Example] = {}
    for e in documented():
        path = command_of(e.args)[0]
        if e.inline or path not in READ_ONLY or _elsewhere(e) or e.args in chosen:
            continue
        first = all(command_of(c.args)[0] != path for c in chosen.values())
        if first or e.comment in PROMISES or e.shown:
            chosen[e.args] = e
    return list(chosen.values())


def _elsewhere(example: Example) -> bool:
    """A PostgreSQL or Spark store (their own tests cover those engines)."""
    args = example.args
    return any(w == "--db" and ":" in v for w, v in itertools.pairwise(args))


@pytest.fixture
def as_documented(doc_store: DocStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store as the default (`EQUITRACK_DB`), as for the examples without `--db`."""
    monkeypatch.setenv(config.DB_ENV, str(doc_store.path))
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: rich tables keep whole words


def test_the_read_only_examples_are_found() -> None:
    ran = {command_of(e.args)[0] for e in _runs()}
    assert ran == READ_ONLY
    # every promise is a comment the docs still make
    comments = {e.comment for e in _runs()}
    assert set(PROMISES) <= comments, set(PROMISES) - comments


@pytest.mark.parametrize("example", _runs(), ids=str)
def test_a_read_only_example_runs_and_prints_what_the_docs_say(
    example: Example, doc_store: DocStore, as_documented: None
) -> None:
    result = runner.invoke(app, runnable(example, doc_store), terminal_width=200)
    assert result.exit_code == 0, f"{example}\n{result.output}"
    out = result.stdout
    if "--format" in example.args and example.args[example.args.index("--format") + 1] == "json":
        json.loads(out)
    if example.comment in PROMISES:
        assert PROMISES[example.comment](out, doc_store), f"{example}: not {example.comment!r}"
    assert unshown(example.shown, out) is None, f"{example}: does not print what the docs show"


def unshown(shown: tuple[str, ...], out: str) -> str | None:
    """The first part of the output the docs show that `out` lacks, read as a reader would:
    `…` stands for anything left out, line breaks and indents are the page's, and numbers
    and paths are the docs' own (another file's)."""
    printed = " ".join(out.split())
    at = 0
    for part in "\n".join(shown).split("…"):
        words = part.split()
        if not words:
            continue
        pattern = r"\s+".join(_reading(w) for w in words)
        found = re.compile(pattern).search(printed, at)
        if found is None:
            return part.strip()
        at = found.end()
    return None


def _reading(word: str) -> str:
    """A shown word as a pattern: its numbers any number, a path any path."""
    if word.startswith("/"):
        return r"\S+"
    return r"[\d,]+".join(re.escape(piece) for piece in re.split(r"\d[\d,]*", word))


def test_shown_output_is_matched_as_a_reader_reads_it() -> None:
    out = (
        "staff.csv: the esr_workforce profile (its header has Employee Number,\n"
        "  Assignment Number), 3,362 rows\nin /tmp/x/esr.toml (line 9)\nNothing was loaded."
    )
    shown = (
        "staff.csv: the esr_workforce profile (its header has Employee Number, Assignment",
        "Number), 71,063 rows",
        "…",
        "in /home/me/esr.toml (line 112)",
        "Nothing was loaded.",
    )
    assert unshown(shown, out) is None
    assert unshown(("Nothing was loaded.", "…", "staff.csv"), out) == "staff.csv"  # in order
    assert unshown(("Number), rows",), out) == "Number), rows"


# --- the dashboard's addresses --------------------------------------------------------------

ROUTE_ROW = re.compile(r"^\|\s*(GET|POST)\s*\|\s*`([^`]+)`\s*\|\s*`(\w+)`\s*\|\s*([\w ,]+?)\s*\|")


def _route_table() -> set[tuple[str, str, str, str]]:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text.split("\n## Pages and API\n", 1)[1].split("\n## ", 1)[0]
    return {m.groups() for line in section.splitlines() if (m := ROUTE_ROW.match(line))}


def _needs(rule: Any) -> str:
    said = rule.permission.value if rule.permission else "anyone"
    return f"{said}, audited" if rule.restricted else said


def test_every_address_of_the_dashboard_is_in_the_route_table_with_its_rule() -> None:
    from equitrack.web.app import create_app
    from equitrack.web.guard import RULES
    from tests.web.conftest import routes_of

    dashboard = create_app(None, secure_cookies=False)  # type: ignore[arg-type]
    answered = {
        (method, route.path, route.name, _needs(RULES[route.name]))
        for route in routes_of(dashboard)
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }
    assert len(answered) > 25
    assert _route_table() == answered


# --- the profiles tutorial ------------------------------------------------------------------

TUTORIAL = "## 4. Writing your own"
#: How the tutorial's report differs from the standard export (docs/profiles.md, section 4).
BAND_8A = ("Band 8A", "Agenda for Change Band 8a", "Band 8a")


def _tutorial() -> tuple[list[Example], list[str]]:
    """The tutorial's `$ ` commands, in order, and its TOML blocks (the edits it makes)."""
    text = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    start = text.index(f"\n{TUTORIAL}\n")
    section = text[start : text.index("\n## ", start + 1)]
    first = text.count("\n", 0, start) + 1
    steps = [
        e
        for e in documented()
        if e.file == "docs/profiles.md"
        and e.shown
        and first <= e.line <= first + section.count("\n")
    ]
    edits = re.findall(r"```toml\n(.*?)```", section, re.S)
    return steps, edits


def _trusts_report(data: Path, out: Path) -> None:
    """A trust's staff-in-post report as the tutorial has it: the standard ESR export with
    its band column headed `Pay Scale` and Band 8a written `AfC Band 8a`; and the
    organisations file imported with it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from equitrack.synth.esr import esr_export

    tables = {
        t: pq.read_table(data / f"{t}.parquet") for t in ("organisations", "people", "assignments")
    }
    report = esr_export(tables)
    band = report["Pay Band"]
    band = pc.if_else(pc.is_in(band, pa.array(BAND_8A)), pa.scalar("AfC Band 8a"), band)
    report = report.set_column(report.column_names.index("Pay Band"), "Pay Scale", band)
    pa_csv.write_csv(report, out / "staff_in_post.csv")
    pa_csv.write_csv(tables["organisations"], out / "organisations.csv")


def test_the_profiles_tutorial_runs_as_written(
    loaded_system: Callable[..., Store], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Section 4 of docs/profiles.md, step by step on a report made as it describes: each
    `profile check` prints what the tutorial shows, after its own edits to a local copy."""
    steps, (alias, value) = _tutorial()
    assert [e.args[:2] for e in steps] == [
        ("profile", "check"),
        ("profile", "check"),
        ("profiles",),
        ("profile", "check"),
        ("import", "organisations.csv"),
    ]
    _trusts_report(Path(loaded_system("mini").url).parent / "data", tmp_path)
    local = tmp_path / "profiles"
    monkeypatch.setenv(config.PROFILES_ENV, str(local))
    monkeypatch.setenv(config.DB_ENV, str(tmp_path / "new.duckdb"))
    monkeypatch.setenv("COLUMNS", "200")
    copy = local / "esr_workforce.toml"
    for number, step in enumerate(steps):
        if number == 1:  # steps 2 and 3: the local copy, with the header alias
            local.mkdir()
            shipped = (ROOT / "src/equitrack/ingest/profiles/esr_workforce.toml").read_text()
            (headers,) = re.findall(r"^headers = .*$", alias, re.M)
            said = re.sub(r'^headers = \["Pay Band".*$', headers, shipped, count=1, flags=re.M)
            assert said != shipped, "the tutorial's alias replaces the pay band's headers"
            copy.write_text(said)
        if number == 2:  # step 5: the value
            copy.write_text(copy.read_text() + "\n" + value)
        result = runner.invoke(app, list(step.args), terminal_width=200)
        # a check that finds the file would not load says so, and exits 1
        stops = step.args[0] == "profile" and "can be imported" not in "".join(step.shown)
        assert result.exit_code == (1 if stops else 0), f"{step}\n{result.output}"
        missing = unshown(step.shown, result.stdout)
        assert missing is None, f"{step}: does not print {missing!r}\n{result.stdout}"
