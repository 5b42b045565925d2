"""Work too long for a request (an upload's import), run in the background one job at a time.

The person who started a job follows it on its own page (its address carries an unguessable
id); only they, or an administrator, may see it. Jobs run one after another on one thread, so
a burst of uploads queues rather than taking the server's memory, and each person may have only
a few waiting. Finished jobs are forgotten after `keep` seconds.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from equitrack.progress import Advance
from equitrack.web.access import Permission, Principal

LOG = logging.getLogger(__name__)


class JobState:
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"


class TooManyJobs(Exception):
    """A person already has as many jobs waiting as they may."""


@dataclass
class Job:
    id: str
    owner: str
    title: str
    state: str = JobState.WAITING
    step: str = "Waiting for the upload before it to finish"
    done_units: int = 0
    total_units: int | None = None
    result: Any = None
    failed: bool = False  # the work raised: the job's page says so, the log has why
    finished_at: float | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def percent(self) -> int | None:
        """How far through its current step, where that is known."""
        if not self.total_units:
            return None
        return min(100, round(100 * self.done_units / self.total_units))


@dataclass
class JobProgress:
    """A `equitrack.progress.Progress` that shows on the job's page."""

    job: Job

    def task(self, description: str, total: int | None) -> Advance:
        self.job.step, self.job.done_units, self.job.total_units = description, 0, total

        def advance(n: int) -> None:
            self.job.done_units += n

        return advance


@dataclass
class Jobs:
    keep: float = 60 * 60
    waiting_per_person: int = 3
    _jobs: dict[str, Job] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _runner: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="equitrack-job")
    )

    def submit(self, owner: str, title: str, work: Callable[[Job], Any]) -> Job:
        """Queue `work` (given its job, to report progress on); its return is the result."""
        job = Job(secrets.token_urlsafe(16), owner, title)
        with self._lock:
            self._forget_old()
            waiting = [
                j for j in self._jobs.values() if j.owner == owner and not j.finished.is_set()
            ]
            if len(waiting) >= self.waiting_per_person:
                raise TooManyJobs(
                    f"you have {len(waiting)} uploads still being checked; "
                    "wait for one to finish before sending another"
                )
            self._jobs[job.id] = job
        self._runner.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Job], Any]) -> None:
        job.state, job.step = JobState.RUNNING, "Starting"
        try:
            job.result = work(job)
        except Exception:
            job.failed = True
            LOG.exception("background job %s (%s) failed", job.id, job.title)
        finally:
            job.state, job.finished_at = JobState.DONE, time.monotonic()
            job.finished.set()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    @staticmethod
    def may_see(job: Job, principal: Principal) -> bool:
        """A job is its owner's to see, and administrators'."""
        return job.owner == principal.username or principal.may(Permission.ADMIN)

    def wait_all(self, timeout: float) -> bool:
        """Wait for every job to finish (at shutdown, in tests); False if some have not."""
        end = time.monotonic() + timeout
        with self._lock:
            jobs = list(self._jobs.values())
        return all(j.finished.wait(max(0.0, end - time.monotonic())) for j in jobs)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job_id in [
            j.id
            for j in self._jobs.values()
            if j.finished_at is not None and now - j.finished_at > self.keep
        ]:
            del self._jobs[job_id]
