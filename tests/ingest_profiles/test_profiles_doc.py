"""docs/profiles.md cannot fall behind the shipped profiles or the sample exports.

Every shipped profile has a section (a heading naming it as `name`) whose column tables list
every canonical column the profile gives, and every `synth --format` export is named: in the
section of the profile that reads it back, and in the document.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from equitrack.ingest import profile as profiles
from equitrack.synth.write import ALL_EXPORTS, EXPORTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "profiles.md"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
SHIPPED = profiles.shipped()


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def section(text: str, name: str) -> str:
    """The text under the heading that names `name` (as `name`), up to the next heading of the
    same or a higher level; fails when no heading names it."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        heading = HEADING.match(line)
        if heading and f"`{name}`" in heading.group(2):
            level = len(heading.group(1))
            end = next(
                (
                    j
                    for j in range(i + 1, len(lines))
                    if (h := HEADING.match(lines[j])) and len(h.group(1)) <= level
                ),
                len(lines),
            )
            return "\n".join(lines[i:end])
    pytest.fail(f"docs/profiles.md has no heading naming the profile `{name}`")


def table_columns(text: str) -> set[str]:
    """The `column`s that begin a row of a markdown table."""
    return set(re.findall(r"^\|\s*`([^`]+)`\s*\|", text, flags=re.MULTILINE))


def test_the_doc_exists_where_the_readme_links_it() -> None:
    assert DOC.is_file(), f"{DOC} is missing"


@pytest.mark.parametrize("profile", SHIPPED, ids=[p.name for p in SHIPPED])
def test_each_shipped_profile_has_a_section_listing_every_column_it_gives(
    profile: profiles.Profile,
) -> None:
    text = section(doc_text(), profile.name)
    listed = table_columns(text)
    given = sorted({rule.target for rule in profile.columns})
    missing = [c for c in given if c not in listed]
    assert not missing, (
        f"the `{profile.name}` section of docs/profiles.md has no table row for "
        f"{', '.join(f'`{c}`' for c in missing)} (the profile gives them)"
    )


def test_every_synth_export_is_named() -> None:
    text = doc_text()
    for name in (*EXPORTS, ALL_EXPORTS):
        assert f"--format {name}" in text, f"docs/profiles.md never says `--format {name}`"


@pytest.mark.parametrize("name", list(EXPORTS))
def test_each_export_is_named_in_the_section_of_the_profile_that_reads_it(name: str) -> None:
    readers = [p for p in SHIPPED if not p.canonical and set(p.tables) == set(EXPORTS[name].tables)]
    for profile in readers:
        assert f"--format {name}" in section(doc_text(), profile.name), (
            f"the `{profile.name}` section does not give its sample, `synth --format {name}`"
        )
