"""The scheduler's lease (调度租约) and run log (定时任务记录): one runner however many processes start a scheduler.

Every web worker started with SCHEDULER_IN_PROCESS=1, and every ``flask --app rating scheduler`` process on any
machine, runs a scheduler; only the holder of the database lease runs jobs. The holder renews it on a heartbeat;
when it stops (exit, crash, lost machine) the lease expires and another scheduler takes it over.

Unlike the other services this module commits: the lease and the run records live in their own short transactions
on ``db.engine``, apart from the request or job session, so that a job that fails and is rolled back still leaves
its run record, and a lease check never waits for a long computation. Called by ``rating.jobs`` and read by the run
log page (``rating.admin.runs``).

The lease compares expiry times written by different hosts: keep their clocks synchronised (NTP); the lease's
length (SCHEDULER_LEASE_SECONDS, 120 s by default) absorbs small drift.
"""

import logging
import os
import secrets
import socket
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.scheduler import JobRun, RunOutcome, SchedulerLease

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
DEFAULT_LEASE_SECONDS = 120
#: How much of a failed job's traceback the run log keeps: the last lines say where and why.
TRACEBACK_LINES = 12
ERROR_CHARS = 4000


class Blocked(Exception):
    """Raised by a job that ran but could not finish its work (a component missing, an objection unanswered);
    ``str()`` says why, in words for administrators. The run is recorded as blocked and the next run retries."""


def new_holder() -> str:
    """A scheduler's identity: host and process for the operator, a random part so that a reused pid differs."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _extend(conn, name: str, holder: str, until: datetime, condition, **values) -> bool:
    """Set the lease to ``holder`` until ``until`` where ``condition`` holds; True if the row was changed. One
    UPDATE is atomic on both engines, so of two schedulers racing for an expired lease exactly one gets rowcount 1."""
    changed = conn.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, condition)
        .values(holder=holder, expires_at=until, **values)
    )
    return changed.rowcount == 1


def renew(name: str, holder: str, seconds: int) -> bool:
    """Extend a lease this holder has; False if another scheduler has taken it (or it was never ours)."""
    until = utcnow() + timedelta(seconds=seconds)
    with db.engine.begin() as conn:
        return _extend(conn, name, holder, until, SchedulerLease.holder == holder)


def acquire(name: str, holder: str, seconds: int) -> bool:
    """Hold the lease for ``seconds`` more: renew it if ours, take it if free or expired; False while another
    scheduler holds it. Taking it over marks the runs the previous holders left running as died."""
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    with db.engine.begin() as conn:
        if _extend(conn, name, holder, until, SchedulerLease.holder == holder):
            return True
        if _extend(conn, name, holder, until, SchedulerLease.expires_at < now, acquired_at=now):
            _mark_died(conn, holder, now)
            return True
        current = conn.scalar(select(SchedulerLease.holder).where(SchedulerLease.name == name))
        if current is not None:
            # Ours only if another thread of this scheduler took it over between our two updates.
            return current == holder
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(SchedulerLease).values(name=name, holder=holder, acquired_at=now, expires_at=until))
            _mark_died(conn, holder, now)
    except IntegrityError:
        # Someone created the row between our look and our insert: another scheduler, which now holds the lease,
        # or another thread of this one (the heartbeat and a job asking at the same moment), for which we do.
        return renew(name, holder, seconds)
    return True


def release(name: str, holder: str) -> bool:
    """Give the lease up now (on exit) so that another scheduler need not wait for it to expire. The row stays, so
    the run log can say who held it last."""
    with db.engine.begin() as conn:
        changed = conn.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
            .values(expires_at=utcnow())
        )
    return changed.rowcount == 1


def current_lease(name: str = LEASE_NAME) -> SchedulerLease | None:
    """The lease row (held or lapsed) for the run log page, through the request session."""
    return db.session.get(SchedulerLease, name)


def _mark_died(conn, holder: str, now: datetime) -> None:
    """Runs still "running" under another holder cannot finish: that scheduler lost the lease, so its process
    ended (or stalled past the lease) while they ran. Their work was rolled back with the process."""
    conn.execute(
        update(JobRun)
        .where(JobRun.outcome == RunOutcome.RUNNING, JobRun.runner != holder)
        .values(
            outcome=RunOutcome.DIED,
            ended_at=now,
            error=_(
                "调度程序在任务运行中停止(租约到期后由 %(holder)s 接管);未完成的改动已回滚,下次运行会补做。",
                holder=holder,
            ),
        )
    )


def start_run(job: str, runner: str) -> int:
    """Record a run as started, committed at once, so that a run that dies is still on the log."""
    with db.engine.begin() as conn:
        inserted = conn.execute(
            insert(JobRun).values(
                job=job, runner=runner, started_at=utcnow(), outcome=RunOutcome.RUNNING, detail="", error=""
            )
        )
    return inserted.inserted_primary_key[0]


def finish_run(run_id: int, outcome: RunOutcome, detail: str = "", error: str = "") -> None:
    # Written whatever the outcome was marked meanwhile: a run another scheduler wrongly took for dead (its
    # scheduler stalled past the lease) did finish, and the log should say how.
    with db.engine.begin() as conn:
        conn.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(ended_at=utcnow(), outcome=outcome, detail=detail, error=error[-ERROR_CHARS:])
        )


def _traceback_tail() -> str:
    lines = traceback.format_exc().rstrip().splitlines()
    return "\n".join(lines[-TRACEBACK_LINES:])


class JobRunner:
    """One scheduler's identity and lease; every job runs through ``run``. Its methods are called from the
    scheduler's threads, so each pushes its own app context."""

    def __init__(self, app: Flask, holder: str | None = None, name: str = LEASE_NAME, seconds: int | None = None):
        self.app = app
        self.holder = holder or new_holder()
        self.name = name
        self.seconds = int(seconds or app.config.get("SCHEDULER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
        self.held = False
        #: Called when this scheduler takes the lease (it becomes the runner); set by ``rating.jobs.add_jobs``.
        self.on_acquire: Callable[[], None] | None = None

    def hold(self) -> bool:
        """Acquire or renew the lease (the heartbeat, and the check before every job)."""
        try:
            with self.app.app_context():
                held = acquire(self.name, self.holder, self.seconds)
        except Exception:
            # The database is unreachable: we cannot know, so we do not run; the lease lapses if it stays down.
            log.exception("scheduler %s could not reach the lease", self.holder)
            held = False
        was_held, self.held = self.held, held
        if held and not was_held:
            log.info("scheduler %s holds the lease: it runs the jobs", self.holder)
            if self.on_acquire is not None:
                self.on_acquire()
        elif was_held and not held:
            log.warning("scheduler %s lost the lease: another scheduler runs the jobs", self.holder)
        return held

    def release(self) -> None:
        if not self.held:
            return
        try:
            with self.app.app_context():
                release(self.name, self.holder)
            log.info("scheduler %s released the lease", self.holder)
        except Exception:
            log.exception("scheduler %s could not release the lease; it expires by itself", self.holder)
        self.held = False

    def run(self, job: str, work: Callable[[], object], summary: Callable[[object], str] = str) -> RunOutcome | None:
        """Run ``work`` if this scheduler holds the lease, recording the run; None (and no record) if it does not.

        ``work`` commits its own changes in its own app context; when it raises, its uncommitted work is rolled
        back with that context, and only the run record, written on its own connection, says what happened.
        ``summary`` turns what ``work`` returned into the run's detail.
        """
        if not self.hold():
            log.debug("scheduler %s skips %s: another scheduler holds the lease", self.holder, job)
            return None
        with self.app.app_context():  # for the run record and the summary's words; the job pushes its own
            run_id = start_run(job, self.holder)
            detail = error = ""
            try:
                detail = summary(work())
                outcome = RunOutcome.OK
            except Blocked as blocked:
                outcome, detail = RunOutcome.BLOCKED, str(blocked)
                log.warning("job %s blocked: %s", job, detail)
            except Exception:
                outcome, error = RunOutcome.ERROR, _traceback_tail()
                log.exception("job %s failed", job)
            finish_run(run_id, outcome, detail, error)
        return outcome
