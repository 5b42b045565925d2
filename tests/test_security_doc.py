"""docs/security.md points at the tests that check each control: every one it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
#: `tests/some/file.py`, `tests/folder/` or `tests/some/file.py::test_name`
NAMED = re.compile(r"\b(tests/[\w/]+(?:\.py)?/?)(?:::(\w+))?")


def named_tests() -> list[tuple[str, str | None]]:
    return NAMED.findall(DOC.read_text(encoding="utf-8"))


def test_every_test_the_security_doc_names_exists() -> None:
    named = named_tests()
    assert len(named) >= 20, "the document points at the tests of its controls"
    missing = []
    for path, function in named:
        target = ROOT / path
        if not target.exists():
            missing.append(path)
        elif function and not re.search(
            rf"^(async )?def {function}\(", target.read_text(encoding="utf-8"), re.MULTILINE
        ):
            missing.append(f"{path}::{function}")
    assert missing == []


def test_the_readme_links_the_security_doc() -> None:
    assert "docs/security.md" in (ROOT / "README.md").read_text(encoding="utf-8")
