"""The vocabulary of spellings every profile shares (`profiles/shared/vocabulary.toml`).

ESR, TRAC, NHS Jobs and local forms write one value many ways ("D Mixed - White & Black
Caribbean", "Staff Grade"). Were each profile to list its own spellings, an export read by one
profile would load and the same words read by another would be refused. A profile's column
names a list here instead (`vocabulary = "ethnic_code"`), and adds its own lines to it.

ESR's extended ethnic codes are listed once, as codes and descriptions, and each becomes the
three spellings ESR writes: "LH British Asian", "CA White English", "CA White - English".
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from equitrack.ingest.readers import ReadError
from equitrack.model import codes

#: The table of extended codes, made into spellings of the `ethnic_code` list.
EXTENDED = "extended_ethnic_codes"


def path() -> Path:
    return Path(str(resources.files("equitrack.ingest").joinpath("profiles", "shared")))


def file() -> Path:
    return path() / "vocabulary.toml"


@cache
def lists() -> dict[str, dict[str, str]]:
    """Each list's spellings → canonical values, as written in the file (checked by the
    profiles that read them, against the canonical column each fills)."""
    where = file()
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReadError(f"{where}: the shared vocabulary cannot be read ({exc})") from exc
    out: dict[str, dict[str, str]] = {}
    for name, table in data.items():
        if name == EXTENDED:
            continue
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ReadError(f'{where}: [{name}] must be a table of "spelling" = "value"')
        out[name] = dict(table)
    extended = spelled(data.get(EXTENDED, {}), where)
    out["ethnic_code"] = {**extended, **out.get("ethnic_code", {})}
    return out


def spelled(extended: object, where: Path) -> dict[str, str]:
    """ESR's spellings of each extended ethnic code: code and description, with the national
    category's word, and with the word and a dash."""
    if not isinstance(extended, dict):
        raise ReadError(f"{where}: [{EXTENDED}] must be a table of code = [descriptions]")
    out: dict[str, str] = {}
    for code, descriptions in extended.items():
        national = codes.CATEGORY_BY_CODE.get(code[:1])
        if len(code) != 2 or national is None or not isinstance(descriptions, list):
            raise ReadError(
                f"{where}: [{EXTENDED}] {code}: an extended code is a national category's "
                "letter and one more character, given a list of descriptions"
            )
        word = national.broad_group
        for d in descriptions:
            for spelling in (f"{code} {d}", f"{code} {word} {d}", f"{code} {word} - {d}"):
                out[spelling] = code
    return out


def names() -> list[str]:
    return sorted(lists())
