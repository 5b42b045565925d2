"""Reports made for a download leave nothing behind on the server's disk."""

from __future__ import annotations

import re
import tempfile

from equitrack.reports.write import FORMATS
from tests.web.conftest import routes_of

#: A download of each route, and each format once (a report takes seconds to make, so not
#: every kind in every format): route name -> paths.
DOWNLOADS = {
    "download_system": ["/downloads/system.html"],
    "download_wres": ["/downloads/RXA/wres.pdf", "/downloads/RXA/wres.xlsx"],
}


def test_every_download_route_and_format_is_tried(as_user) -> None:
    client = as_user("admin")
    names = {getattr(r, "name", "") for r in routes_of(client.app)}
    assert {n for n in names if n.startswith("download_")} == set(DOWNLOADS)
    tried = [p for paths in DOWNLOADS.values() for p in paths]
    assert {p.rsplit(".", 1)[1] for p in tried} == set(FORMATS)
    offered = set(re.findall(r'href="(/downloads/[^"]+)"', client.get("/downloads").text))
    assert set(tried) <= offered


def test_downloads_leave_no_file_in_the_temporary_folder(as_user, tmp_path, monkeypatch) -> None:
    """Each report is sent whole, and the temporary folder is as empty afterwards as before
    (the folder is the test's own, so nothing else writes there)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client = as_user("admin")
    for path in (p for paths in DOWNLOADS.values() for p in paths):
        response = client.get(path)
        assert response.status_code == 200, path
        fmt = path.rsplit(".", 1)[1]
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(rf'attachment; filename="[\w-]+\.{fmt}"', disposition), disposition
        assert len(response.content) > 1000, path
        assert list(tmp_path.iterdir()) == [], f"{path} left {list(tmp_path.iterdir())}"
