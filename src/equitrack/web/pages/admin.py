"""Administration: the audit log, for administrators (each view of it is itself audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from equitrack.web.access import Permission
from equitrack.web.guard import allow, principal_of
from equitrack.web.pages.shared import web_of
from equitrack.web.render import page

router = APIRouter()


@router.get("/audit", name=allow("audit", Permission.ADMIN, restricted=True))
def audit(request: Request) -> Response:
    found = web_of(request).audit_entries(principal_of(request))
    return page(request, "audit.html", "Audit log", entries=found)
