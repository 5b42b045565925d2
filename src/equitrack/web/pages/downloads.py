"""Downloads: the reports the user may have, built on request and sent from memory, each
download audited."""

from __future__ import annotations

import mimetypes
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from equitrack.disclosure import Audience, policy_for
from equitrack.web.access import Permission
from equitrack.web.audit import Event
from equitrack.web.guard import Forbidden, Name, OrgCode, allow, principal_of
from equitrack.web.pages.shared import web_of
from equitrack.web.render import page

router = APIRouter()


@router.get("/downloads", name=allow("downloads", Permission.VIEW))
def downloads(request: Request) -> Response:
    web, principal = web_of(request), principal_of(request)
    links = []
    if principal.whole_system:
        for fmt in ("html", "pdf", "xlsx"):
            links.append(
                (
                    f"/downloads/scrutiny.{fmt}",
                    f"The scrutiny update on the ten recommendations ({fmt.upper()})",
                )
            )
            links.append((f"/downloads/system.{fmt}", f"The system view ({fmt.upper()})"))
    for o in web.visible(principal):
        for fmt in ("html", "pdf", "xlsx"):
            links.append(
                (f"/downloads/{o.code}/wres.{fmt}", f"WRES report for {o.name} ({fmt.upper()})")
            )
    return page(request, "downloads.html", "Downloads", links=links)


def _report(request: Request, kind: str, org: str | None, fmt: str) -> Response:
    from equitrack.reports.write import FORMATS, ReportKind, build, write

    web, principal = web_of(request), principal_of(request)
    if fmt not in FORMATS or kind not in {k.value for k in ReportKind}:
        raise Forbidden("there is no such report")
    exact = org is not None and principal.may(Permission.EXACT)
    audience = Audience.ANALYST if exact else Audience.BOARD
    policy = policy_for(audience)
    year = web.latest_year()
    made = web.apart_do(  # a long report holds no page back
        lambda s: build(ReportKind(kind), s, year, org=org, policy=policy, audience=audience.value)
    )
    # written to a folder that goes as soon as the file is read: no report stays on disk
    with tempfile.TemporaryDirectory(prefix="equitrack-report-") as folder:
        (path,) = write(made, Path(folder), f"{kind}-{org or 'system'}-{year}", [fmt], web.names())
        content, name = path.read_bytes(), path.name
    web.audit(principal.username, Event.EXPORT, f"{name} ({audience})", request)
    return _attachment(content, name)


def _attachment(content: bytes, name: str) -> Response:
    """A file to save, sent from memory."""
    quoted = quote(name)
    disposition = (
        f'attachment; filename="{name}"'
        if quoted == name
        else f"attachment; filename*=utf-8''{quoted}"
    )
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/downloads/{kind}.{fmt}", name=allow("download_system", Permission.VIEW))
def download_system(request: Request, kind: Name, fmt: Name) -> Response:
    if not principal_of(request).whole_system or kind == "wres":
        raise Forbidden("system reports are for users with access to the whole system")
    return _report(request, kind, None, fmt)


@router.get("/downloads/{org}/wres.{fmt}", name=allow("download_wres", Permission.VIEW))
def download_wres(request: Request, org: OrgCode, fmt: Name) -> Response:
    return _report(request, "wres", org, fmt)
