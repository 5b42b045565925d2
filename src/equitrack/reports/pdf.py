"""The PDF is the HTML, printed by WeasyPrint: one content, two forms."""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html_text: str, path: Path) -> None:
    import weasyprint

    # WeasyPrint warns about every CSS property it ignores (screen-only rules): not the user's
    # concern, so its log stays quiet unless something fails
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html_text).write_pdf(path)
