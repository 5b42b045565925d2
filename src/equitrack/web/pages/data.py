"""The data page and uploads: a file taken, checked and loaded in the background, its own page
showing progress and then what became of it; a refusal said on the data page and audited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from equitrack.store import Store
from equitrack.web import uploads
from equitrack.web.access import Permission
from equitrack.web.audit import Event
from equitrack.web.guard import Forbidden, NotFound, allow, principal_of
from equitrack.web.jobs import Job, JobProgress, Jobs, TooManyJobs
from equitrack.web.pages.shared import web_of
from equitrack.web.render import page
from equitrack.web.sessions import COOKIE

if TYPE_CHECKING:
    from equitrack.ingest import ImportResult

router = APIRouter()
LOG = logging.getLogger(__name__)


def _data_page(request: Request, **context: object) -> Response:
    web, principal = web_of(request), principal_of(request)
    summary = web.quality(principal)
    shown = {"problems": [], "message": "", "upload_name": "", **context}
    return page(
        request, "data.html", "Data", quality=summary.sentences(), batches=summary.batches,
        can_upload=principal.may(Permission.UPLOAD), **shown,
    )  # fmt: skip


@router.get("/data", name=allow("data", Permission.VIEW))
def data(request: Request) -> Response:
    return _data_page(request)


@router.post("/data/upload", name=allow("upload", Permission.UPLOAD))
def upload(request: Request, file: UploadFile) -> Response:
    """Take a file and check and load it in the background (`_check_and_load`): the uploader
    is sent to the upload's own page, which shows its progress and then what became of it."""
    web, principal = web_of(request), principal_of(request)
    try:
        name = uploads.safe_name(file.filename)
    except uploads.UploadProblem as exc:
        return _rejected(request, uploads.refused(file.filename or "The file", str(exc)))
    path = uploads.keep_privately(file.file, name)

    def import_file(store: Store, job: Job) -> ImportResult:
        from equitrack.ingest import import_paths

        return import_paths(
            [path],
            store,
            rejects_dir=path.parent / "rejects",
            allowed_orgs=web.upload_scope(principal),
            progress=JobProgress(job),
        )

    try:
        job = _jobs(request).submit(
            principal.username, name, lambda job: _check_and_load(request, job, path, import_file)
        )
    except TooManyJobs as exc:
        uploads.discard(path)
        response = _rejected(request, uploads.refused(name, str(exc)))
        response.status_code = 429
        return response
    return RedirectResponse(f"/data/uploads/{job.id}", status_code=303)


def _check_and_load(
    request: Request, job: Job, path: Path, import_file: Callable[[Store, Job], ImportResult]
) -> uploads.Outcome:
    """The upload's job: the import on a connection of its own (no lock of the app's held),
    audited; the file and anything written beside it removed whatever happens."""
    from equitrack.ingest import ReadError
    from equitrack.ingest.pseudonymise import KeyProblem
    from equitrack.store import StoreError

    web, principal, name = web_of(request), principal_of(request), path.name
    try:
        outcome = uploads.outcome_of(name, web.apart_do(lambda s: import_file(s, job)))
    except (StoreError, ReadError, KeyProblem) as exc:
        outcome = uploads.refused(name, str(exc))
    except Exception:  # a fault of equitrack's, not the file's: logged, and refused in words
        LOG.exception("checking the upload %s failed", name)
        outcome = uploads.refused(name, uploads.OUR_FAULT)
    finally:
        uploads.discard(path)
    if outcome.ok:
        web.changed()  # first: the audit entry's check of the data would count it otherwise
        web.audit(principal.username, Event.IMPORT, outcome.detail, request)
    else:
        _audit_rejection(request, outcome)
    return outcome


#: How long an upload's page waits for the job before showing its progress instead: a small
#: file's answer comes straight back.
ANSWER_WAIT = 5.0


@router.get("/data/uploads/{upload_id}", name=allow("upload_job", Permission.VIEW))
def upload_job(request: Request, upload_id: str) -> Response:
    """An upload's progress (the page asks for itself again, `static/equitrack/again.js`, and
    says when the outcome is ready) and then its outcome; only for the person who uploaded it,
    or an administrator (no such upload is 404, another's 403)."""
    web, principal = web_of(request), principal_of(request)
    job = _jobs(request).get(upload_id)
    if job is None:
        raise NotFound("there is no such upload (an upload's page is kept for an hour)")
    if not Jobs.may_see(job, principal):
        web.audit(principal.username, Event.DENIED, f"GET {request.url.path}", request)
        raise Forbidden("this upload is someone else's")
    if not job.finished.wait(ANSWER_WAIT):
        return page(request, "upload_job.html", f"Checking {job.title}", job=job)
    outcome: uploads.Outcome | None = job.result
    if job.failed or outcome is None:
        failure = uploads.refused(job.title, uploads.OUR_FAULT)
        response = _data_page(request, problems=failure.problems, upload_name=job.title)
        response.status_code = 500
        return response
    if outcome.ok:
        return _data_page(
            request, message=f"{outcome.name}: {outcome.loaded:,} rows checked and loaded."
        )
    response = _data_page(request, problems=outcome.problems, upload_name=outcome.name)
    response.status_code = 422
    return response


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def _audit_rejection(request: Request, outcome: uploads.Outcome) -> None:
    """A refused upload in the audit log, with the first of its problems (a file outside the
    uploader's scope: the organisation and line)."""
    said = "; ".join(
        (f"line {p.line}{f', {p.column}' if p.column else ''}: " if p.line else "") + p.message
        for p in outcome.problems[:3]
    )
    detail = outcome.detail
    detail = f"{detail}: {said}"[:1000] if said and said not in detail else detail
    web_of(request).audit(principal_of(request).username, Event.IMPORT_REJECTED, detail, request)


def _rejected(request: Request, outcome: uploads.Outcome) -> Response:
    """The data page with a file refused before it was read (422), the refusal audited."""
    _audit_rejection(request, outcome)
    response = _data_page(request, problems=outcome.problems, upload_name=outcome.name)
    response.status_code = 422
    return response


async def too_large(request: Request, limit: int) -> Response:
    """The answer to a body over its limit (413): for an upload, the data page saying so,
    audited; for anything else, a line."""
    from equitrack.web.body_limit import megabytes

    if request.url.path != "/data/upload":
        return PlainTextResponse(f"The request is larger than {megabytes(limit)}.", 413)
    web = web_of(request)
    session = web.sessions.get(request.cookies.get(COOKIE))
    why = (
        f"the file is larger than the upload limit of {megabytes(limit)}: split it (by year, "
        "for example) or ask whoever runs the dashboard to raise the limit "
        "(equitrack serve --max-upload-mb)"
    )
    if session is None or not session.principal.may(Permission.UPLOAD):
        return PlainTextResponse(f"Not loaded: {why}.", status_code=413)
    request.state.session, request.state.principal = session, session.principal
    outcome = uploads.refused("The file", why)
    response = await run_in_threadpool(_rejected, request, outcome)
    response.status_code = 413
    return response
