"""The scheduler: one runner however many schedulers start (a lease in the database), every run recorded, and the
verdict jobs of SPEC §4 — closing a cycle at its end date, ending a notice period — completing what a dead run left.

The lease and the run log commit on their own connections, so tests that touch them use a really committed database:
``lease_app`` (migrated, no demo data, shared by the module) or, where a job needs the demo data, ``committed_app``.
Tests that only call a job, which commits through the session, use the rolled-back ``app``.
"""

import threading
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import delete, func, select, update

from rating import jobs
from rating.clock import local_today
from rating.extensions import db
from rating.models.assessments import Assessment
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.results import Objection, ResultKind, ResultSet
from rating.models.scheduler import JobRun, RunOutcome, SchedulerLease
from rating.services import audit, scheduling
from rating.services import objections as objection_service
from rating.services.scheduling import Blocked, JobRunner
from rating.services.verdict import lifecycle, publication, snapshot
from tests.conftest import build_database, make_app

ADMIN = audit.Actor("admin")


@pytest.fixture(scope="module")
def lease_database(engine_name, request, tmp_path_factory) -> str:
    """A migrated database without the demo data, committed for real and shared by this module's lease tests
    (building a seeded PostgreSQL database per test would cost half a minute each)."""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('lease') / 'lease.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_database")()
    build_database(url, seed=False)
    return url


@pytest.fixture
def lease_app(lease_database):
    """An app on that database with no lease and no runs yet."""
    app = make_app(lease_database)
    with app.app_context():
        db.session.execute(delete(JobRun))
        db.session.execute(delete(SchedulerLease))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _runs(app, job=None) -> list[JobRun]:
    with app.app_context():
        statement = select(JobRun).order_by(JobRun.id)
        if job:
            statement = statement.where(JobRun.job == job)
        runs = list(db.session.scalars(statement))
        db.session.expunge_all()
    return runs


def _current_cycle(app) -> tuple[str, int]:
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))
        return str(cycle.status), cycle.year


def _end_current_cycle(app) -> int:
    """Move the current (open) cycle's dates into the past, as if its end date had passed."""
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))
        cycle.ends_on = local_today() - timedelta(days=1)
        cycle.starts_on = cycle.ends_on - timedelta(days=300)
        db.session.commit()
        return cycle.year


def _drafts(app, year: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(ResultSet.version)
                .join(Cycle, Cycle.id == ResultSet.cycle_id)
                .where(Cycle.year == year, ResultSet.kind == ResultKind.DRAFT)
            )
        )


# --- the lease ---------------------------------------------------------------------------------------------------


def test_a_second_scheduler_cannot_take_the_lease_while_it_is_held(lease_app):
    first, second = JobRunner(lease_app, holder="host-a:1:aa"), JobRunner(lease_app, holder="host-b:2:bb")
    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True, "the holder renews its own lease"
    with lease_app.app_context():
        assert scheduling.renew(scheduling.LEASE_NAME, "host-b:2:bb", 120) is False
        lease = scheduling.current_lease()
        assert lease.holder == "host-a:1:aa" and lease.expires_at > utcnow() + timedelta(seconds=100)

    first.release()
    assert second.hold() is True, "a released lease is taken at once"
    assert first.hold() is False


def test_an_expired_lease_is_taken_over_and_the_dead_schedulers_runs_are_marked_died(lease_app):
    dead, standby = JobRunner(lease_app, holder="host-a:1:aa"), JobRunner(lease_app, holder="host-b:2:bb")
    assert dead.hold()
    with lease_app.app_context():
        orphan = scheduling.start_run("recompute_provisional", dead.holder)  # its process is killed mid-run
    assert standby.hold() is False

    with lease_app.app_context():  # time passes: the dead scheduler's lease runs out
        db.session.execute(update(SchedulerLease).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert standby.hold() is True
    assert dead.hold() is False, "a scheduler that comes back does not take the lease back"

    (run,) = _runs(lease_app)
    assert run.id == orphan and run.outcome == RunOutcome.DIED and run.ended_at is not None
    assert "host-b:2:bb" in run.error


@pytest.mark.parametrize("expired_lease", [False, True], ids=["new", "expired"])
def test_of_racing_schedulers_exactly_one_gets_the_lease(lease_app, expired_lease):
    if expired_lease:
        with lease_app.app_context():
            db.session.add(SchedulerLease(name="scheduler", holder="gone:1:00", expires_at=utcnow() - timedelta(1)))
            db.session.commit()
    start = threading.Barrier(6)
    won = []

    def contend(number: int):
        with lease_app.app_context():
            start.wait()
            if scheduling.acquire("scheduler", f"host:{number}:00", 120):
                won.append(number)

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1
    with lease_app.app_context():
        assert scheduling.current_lease().holder == f"host:{won[0]}:00"


def test_threads_of_one_scheduler_asking_at_once_all_find_the_lease_theirs(lease_app):
    runner = JobRunner(lease_app, holder="host-a:1:aa")
    start = threading.Barrier(4)
    answers = []

    def ask():
        start.wait()
        answers.append(runner.hold())  # the heartbeat and the jobs due at start ask at the same moment

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [True] * 4


# --- the run log -------------------------------------------------------------------------------------------------


def test_a_job_is_not_run_nor_recorded_by_a_scheduler_without_the_lease(lease_app):
    assert JobRunner(lease_app, holder="host-a:1:aa").hold()
    ran = []
    outcome = JobRunner(lease_app, holder="host-b:2:bb").run("recompute_provisional", lambda: ran.append(1))
    assert outcome is None and ran == []
    assert _runs(lease_app) == []


def test_a_successful_run_is_recorded_with_what_it_did(lease_app):
    runner = JobRunner(lease_app, holder="host-a:1:aa")
    outcome = runner.run("expire_rating_codes", lambda: 3, jobs.JOBS["expire_rating_codes"].summary)
    assert outcome == RunOutcome.OK
    (run,) = _runs(lease_app)
    assert (run.job, run.runner, run.outcome, run.error) == ("expire_rating_codes", "host-a:1:aa", "ok", "")
    assert run.detail == "已清除 3 个过期未用的评价码"
    assert run.ended_at >= run.started_at


def test_a_failing_job_is_recorded_as_an_error_with_the_end_of_its_traceback(lease_app):
    def broken():
        raise LookupError("no such cycle: 1999")

    assert JobRunner(lease_app, holder="host-a:1:aa").run("recompute_provisional", broken) == RunOutcome.ERROR
    (run,) = _runs(lease_app)
    assert run.outcome == RunOutcome.ERROR and run.ended_at is not None
    assert "in broken" in run.error, "the traceback says where it failed"
    assert run.error.splitlines()[-1] == "LookupError: no such cycle: 1999"


def test_a_crash_in_the_middle_of_compute_leaves_nothing_and_the_next_run_completes_it(committed_app, monkeypatch):
    year = _end_current_cycle(committed_app)
    write = snapshot.write

    def write_then_die(*args, **kwargs):
        write(*args, **kwargs)  # the result set and its rows are in the session...
        raise RuntimeError("process killed while writing the result")  # ...when the run dies

    monkeypatch.setattr(snapshot, "write", write_then_die)
    runner = JobRunner(committed_app, holder="host-a:1:aa")
    assert runner.run("close_ended_cycles", partial(jobs.close_ended_cycles, committed_app)) == RunOutcome.ERROR

    (run,) = _runs(committed_app)
    assert run.outcome == RunOutcome.ERROR and run.ended_at is not None
    assert "RuntimeError: process killed while writing the result" in run.error
    assert _drafts(committed_app, year) == []
    assert _current_cycle(committed_app) == ("open", year), "not even the close is kept"

    monkeypatch.undo()
    assert runner.run("close_ended_cycles", partial(jobs.close_ended_cycles, committed_app)) == RunOutcome.OK
    assert _current_cycle(committed_app) == ("computed", year)
    assert _drafts(committed_app, year) == [1]
    assert "待公示" in _runs(committed_app)[-1].detail


def test_a_missing_assessment_blocks_the_run_naming_the_post_and_the_next_run_retries(committed_app):
    year = _end_current_cycle(committed_app)
    with committed_app.app_context():
        missing = db.session.scalar(
            select(Assessment)
            .join(Post, Post.id == Assessment.post_id)
            .join(Cycle, Cycle.id == Assessment.cycle_id)
            .where(Post.code == "DT-007", Cycle.year == year)
        )
        kept = {c: getattr(missing, c) for c in ("cycle_id", "post_id", "holder_id", "grade", "score", "entered_by")}
        db.session.delete(missing)
        db.session.commit()
    runner = JobRunner(committed_app, holder="host-a:1:aa")
    close = partial(jobs.close_ended_cycles, committed_app)

    assert runner.run("close_ended_cycles", close) == RunOutcome.BLOCKED
    (run,) = _runs(committed_app)
    assert run.outcome == RunOutcome.BLOCKED and "DT-007" in run.detail and "年度考核" in run.detail
    assert _current_cycle(committed_app) == ("closed", year), "rating intake stops at the end date anyway"
    assert _drafts(committed_app, year) == []

    assert runner.run("close_ended_cycles", close) == RunOutcome.BLOCKED, "retried, still missing"
    with committed_app.app_context():
        db.session.add(Assessment(**kept))
        db.session.commit()
    assert runner.run("close_ended_cycles", close) == RunOutcome.OK
    assert _current_cycle(committed_app) == ("computed", year)
    assert [r.outcome for r in _runs(committed_app)] == [RunOutcome.BLOCKED, RunOutcome.BLOCKED, RunOutcome.OK]


# --- the verdict jobs --------------------------------------------------------------------------------------------


def test_recompute_provisional_refreshes_the_standings_of_the_open_cycle(app):
    year = local_today().year
    assert jobs.recompute_provisional(app) == f"{year} 年度:100 个岗位已排名,0 个岗位缺少评议数据"
    jobs.recompute_provisional(app)
    with app.app_context():
        provisional = db.session.scalars(
            select(ResultSet)
            .join(Cycle, Cycle.id == ResultSet.cycle_id)
            .where(Cycle.year == year, ResultSet.kind == ResultKind.PROVISIONAL)
        ).all()
        assert len(provisional) == 1, "the previous standings are replaced"
        assert provisional[0].computed_by == "scheduler" and provisional[0].ranked == 100


def test_close_ended_cycles_leaves_a_cycle_that_has_not_ended(app):
    assert jobs.close_ended_cycles(app) == "没有到期需要结束的评议周期。"
    assert _current_cycle(app)[0] == "open"


def test_close_ended_cycles_closes_and_computes_a_cycle_whose_end_date_passed(app):
    year = _end_current_cycle(app)
    assert "已结束评议并计算出结果草案" in jobs.close_ended_cycles(app)
    assert _current_cycle(app) == ("computed", year)
    with app.app_context():
        draft = db.session.scalar(
            select(ResultSet)
            .join(Cycle, Cycle.id == ResultSet.cycle_id)
            .where(Cycle.year == year, ResultSet.kind == ResultKind.DRAFT)
        )
        # Every active key post has its lines (a station's rating desk has none); which holders served long enough
        # depends on the moved dates.
        posts = set(db.session.scalars(select(Post.code).where(Post.active.is_(True), Post.rates_unit.is_(False))))
        assert {row.post_code for row in draft.rows} == posts and draft.computed_by == "scheduler"
        long_enough = sum(row.tenure_days >= draft.method["min_tenure_days"] for row in draft.rows)
        assert draft.ranked == long_enough > 0
        assert [row.rank for row in draft.rows[: draft.ranked]] == list(range(1, draft.ranked + 1))
    assert jobs.close_ended_cycles(app) == "没有到期需要结束的评议周期。", "a computed cycle waits for notice"


def _in_notice_until_yesterday(app, objection: str | None = None) -> int:
    year = _end_current_cycle(app)
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
        lifecycle.compute_final(ADMIN, cycle)
        lifecycle.start_notice(ADMIN, cycle, days=7)
        if objection:
            objection_service.lodge_objection(cycle, objection)
        cycle.notice_starts_on = local_today() - timedelta(days=7)
        cycle.notice_ends_on = local_today() - timedelta(days=1)
        db.session.commit()
    return year


def test_end_notice_periods_publishes_when_the_notice_ended_and_nothing_blocks(app):
    year = _in_notice_until_yesterday(app)
    assert jobs.end_notice_periods(app) == f"{year} 年度结果已正式公布(第 1 版)"
    assert _current_cycle(app) == ("published", year)
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
        assert publication.public_result(cycle).kind == ResultKind.PUBLISHED
    assert jobs.end_notice_periods(app) == "没有公示期已结束的评议周期。"


def test_end_notice_periods_is_blocked_by_an_unanswered_objection_until_it_is_answered(app):
    year = _in_notice_until_yesterday(app, objection="DT-001 的评议票数明显偏少,请核实评价码发放情况。")
    with pytest.raises(Blocked, match="1 件异议或申辩未答复"):
        jobs.end_notice_periods(app)
    assert _current_cycle(app) == ("notice", year)

    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
        objection = db.session.scalar(select(Objection).where(Objection.cycle_id == cycle.id))
        objection_service.answer(ADMIN, objection, "已核实,评价码按规定发放。")
        db.session.commit()
    jobs.end_notice_periods(app)
    assert _current_cycle(app) == ("published", year)


# --- the run log page --------------------------------------------------------------------------------------------


def _record_runs(app):
    with app.app_context():
        now = utcnow()
        db.session.add_all(
            [
                JobRun(
                    job="close_ended_cycles",
                    runner="web-1:4242:0a0b",
                    started_at=now - timedelta(minutes=5),
                    ended_at=now - timedelta(minutes=5) + timedelta(seconds=3),
                    outcome=RunOutcome.BLOCKED,
                    detail="2025 年度已结束评议,但未能计算:1 个岗位缺少评议数据,不能计算:DT-007: 年度考核",
                ),
                JobRun(
                    job="recompute_provisional",
                    runner="web-1:4242:0a0b",
                    started_at=now - timedelta(minutes=1),
                    ended_at=now,
                    outcome=RunOutcome.ERROR,
                    error='Traceback (most recent call last):\nRuntimeError: connection "db" lost',
                ),
            ]
        )
        db.session.add(SchedulerLease(name="scheduler", holder="web-1:4242:0a0b", expires_at=now + timedelta(1)))
        db.session.commit()


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_run_log_shows_every_run_and_the_lease_holder(app, login_as, role):
    _record_runs(app)
    page = login_as(role).get("/admin/runs").get_data(as_text=True)
    assert "结束到期评议周期并计算" in page and "重算临时排名" in page
    assert "受阻" in page and "DT-007: 年度考核" in page
    assert "出错" in page and "RuntimeError: connection &#34;db&#34; lost" in page
    assert "3.0 秒" in page
    assert "当前由 web-1:4242:0a0b 持有" in page
    assert page.index("重算临时排名</td>") < page.index("结束到期评议周期并计算</td>"), "newest first"


def test_the_run_log_filters_by_job_and_outcome(app, login_as):
    _record_runs(app)
    client = login_as("admin")
    page = client.get("/admin/runs?outcome=error").get_data(as_text=True)
    assert "RuntimeError" in page and "DT-007: 年度考核" not in page
    page = client.get("/admin/runs?job=close_ended_cycles").get_data(as_text=True)
    assert "DT-007: 年度考核" in page and "RuntimeError" not in page
    page = client.get("/admin/runs?job=end_notice_periods").get_data(as_text=True)
    assert "没有符合条件的运行记录" in page


def test_the_run_log_says_when_nothing_has_run_and_no_scheduler_holds_the_lease(app, login_as):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
        db.session.execute(delete(SchedulerLease))
        db.session.commit()
    page = login_as("auditor").get("/admin/runs").get_data(as_text=True)
    assert "还没有定时任务运行过" in page and "调度程序尚未启动过" in page


@pytest.mark.parametrize("role", ["unit_staff", "hr_officer", "inspector", "complaint_handler"])
def test_the_run_log_is_refused_to_other_roles(app, login_as, role):
    assert login_as(role).get("/admin/runs").status_code == 403


# --- the scheduler process ---------------------------------------------------------------------------------------


def test_a_scheduler_registers_every_job_and_a_heartbeat_at_a_third_of_the_lease(app, monkeypatch):
    app.config["SCHEDULER_LEASE_SECONDS"] = 90
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    runner = jobs.add_jobs(scheduler, app)
    registered = {job.id: job for job in scheduler.get_jobs()}
    assert set(registered) == {
        jobs.HEARTBEAT,
        "recompute_provisional",
        "close_ended_cycles",
        "end_notice_periods",
        "expire_rating_codes",
        "mark_overdue_complaints",
        "erase_complaint_contacts",
        "seal_audit_log",
        "verify_audit_chain",
        "open_scheduled_cycles",
        "remind_transfer_orders",
        "remind_ledger_entries",
    }
    assert registered[jobs.HEARTBEAT].trigger.interval == timedelta(seconds=30)
    assert runner.seconds == 90 and runner.holder.count(":") == 2
    assert all(job.func == runner.run for name, job in registered.items() if name != jobs.HEARTBEAT)

    # Becoming the runner (at launch, or taking over from a dead scheduler) closes ended cycles at once.
    monkeypatch.setattr(scheduling, "acquire", lambda *args: True)
    assert runner.hold() is True
    due = scheduler.get_job("close_ended_cycles").next_run_time
    assert abs(due - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_blocking_scheduler_runs_the_start_jobs_and_releases_the_lease_on_exit(lease_app, monkeypatch):
    started = []

    class Observed(BlockingScheduler):
        def start(self, *args, **kwargs):
            started.append(self)
            super().start(*args, **kwargs)

    monkeypatch.setattr(jobs, "BlockingScheduler", Observed)
    monkeypatch.setattr(jobs.signal, "signal", lambda *args: None)  # only the main thread may set handlers
    monkeypatch.setattr(jobs.atexit, "register", lambda *args: None)
    process = threading.Thread(target=jobs.run_blocking, args=(lease_app,))
    process.start()
    deadline = utcnow() + timedelta(seconds=20)
    while not [r for r in _runs(lease_app, "close_ended_cycles") if r.ended_at] and utcnow() < deadline:
        threading.Event().wait(0.1)
    started[0].shutdown()
    process.join(20)
    assert not process.is_alive()

    (run,) = _runs(lease_app, "close_ended_cycles")
    assert run.outcome == RunOutcome.OK and run.detail == "没有到期需要结束的评议周期。"
    with lease_app.app_context():
        lease = scheduling.current_lease()
        assert lease.holder == run.runner and lease.expires_at <= utcnow(), "released on exit"
    assert JobRunner(lease_app).hold() is True, "another scheduler takes over at once"
