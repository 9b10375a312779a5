"""Factories as fixtures that return callables (flaskr/Indico style): a test says only what matters to it, e.g.
``make_post(holder="虚构甲")``, ``make_rating(post, level=1)``, ``make_complaint(post, status="concluded")``.

Each builds its record through the service a user's action would go through (units.upsert_unit, posts.import_posts,
cycles.create_cycle, users.create_user, ratings.import_ratings / submit_rating, officials.record_*, codes.issue_codes,
complaints.file_complaint / refer / record_progress / conclude), so audit entries, holders and deadlines are the real
ones; and commits.

Inside an app context a factory works in that context's session and returns attached objects. Outside one, it opens
its own and returns the object detached, with its columns and the relationships a test usually reads (a post's
``unit`` and ``holder_name``, a user's ``unit``…) already loaded; pass it back to any factory, which looks it up
again by id. Records needing a cycle use this year's, made on first use. Every name is invented.
"""

import functools
import itertools
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from flask import has_app_context
from sqlalchemy.orm import selectinload

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.imports.officials import AssessmentRow, FindingRow, RatingRow, ScoreRow
from rating.imports.posts import PostRow
from rating.models import Complaint, Cycle, CycleStatus, InspectionFinding, Post, Rating, RatingStatus, Unit, User
from rating.models.base import utcnow
from rating.security import hash_password
from rating.services import audit, second_factor
from rating.services import complaints as complaint_service
from rating.services import officials as official_service
from rating.services import users as user_service
from rating.services.codes import issue_codes
from rating.services.cycles import create_cycle, find_cycle
from rating.services.posts import import_posts
from rating.services.ratings import Rater, Submission, import_ratings, moderate, submit_rating
from rating.services.units import upsert_unit

#: The password of every user made by ``make_user``.
PASSWORD = "factory-pass-2026"
#: The second-factor secret of every factory user whose role needs one (``login_as`` computes its codes).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ACTOR = audit.Actor("factory")
UNIT_NAMES = {
    "municipal": "市虚构{n}局",
    "provincial": "省虚构{n}局驻市机构",
    "window": "虚构{n}号服务窗口",
    "station": "虚构{n}站",
    "county": "虚构{n}县",
}
COMPLAINT_TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
COMPLAINT_STEPS = ("received", "referred", "in_progress", "concluded")


@functools.cache
def _password_hash(password: str) -> str:
    """One real argon2 hash per password for the whole session: hashing takes a quarter of a second each time."""
    return hash_password(password)


def _id(record) -> int:
    return record if isinstance(record, int) else record.id


@contextmanager
def _context(request):
    """The test's app context if one is pushed (then objects stay attached), else a new one on the ``app`` fixture."""
    if has_app_context():
        yield
        return
    with request.getfixturevalue("app").app_context():
        yield


def _committed(record, *paths: str):
    """Commit, then reload the record with the given dotted relationship paths, so that it still reads once the
    factory's own app context is gone."""
    db.session.commit()
    db.session.refresh(record)
    for path in paths:
        target = record
        for name in path.split("."):
            target = getattr(target, name) if target is not None else None
    return record


def _get(model, record):
    return db.session.get(model, _id(record))


def _free_numbers(sequence, count: int) -> list[int]:
    """The next ``count`` numbers whose post codes TP-nnn are not taken (a test may name its own TP codes)."""
    taken = set(db.session.scalars(db.select(Post.code).where(Post.code.startswith("TP-"))))
    numbers = []
    while len(numbers) < count:
        n = next(sequence)
        if f"TP-{n:03d}" not in taken:
            numbers.append(n)
    return numbers


@pytest.fixture
def user_password() -> str:
    return PASSWORD


@pytest.fixture
def sequence():
    """Numbers for invented names and codes, unique within a test."""
    return itertools.count(1)


@pytest.fixture
def make_cycle(request):
    def make(year: int | None = None, *, status="open", starts_on=None, ends_on=None, method=None) -> Cycle:
        """This year's cycle by default, running from 1 January until at least 30 days from now (like the demo's),
        so today is always inside it. ``status`` other than open is set on the model: closing, computing and
        publishing belong to the verdict service and its own tests."""
        today = local_today()
        year = year or today.year
        if ends_on is None and year == today.year:
            ends_on = max(date(year, 12, 31), today + timedelta(days=30))
        with _context(request):
            cycle = create_cycle(ACTOR, year, starts_on, ends_on, method)
            cycle.status = CycleStatus(status)
            return _committed(cycle)

    return make


def _cycle_of(request, cycle) -> Cycle:
    """The given cycle, or this year's (made on first use)."""
    if cycle is not None:
        return _get(Cycle, cycle)
    existing = find_cycle(local_today().year)
    if existing is not None:
        return existing
    return _get(Cycle, request.getfixturevalue("make_cycle")())


@pytest.fixture
def make_unit(request, sequence):
    def make(kind: str = "municipal", *, name: str | None = None, code: str | None = None, parent=None) -> Unit:
        """A unit of ``kind`` with an invented name; the code is the next free one of its kind (M01, W01…)."""
        with _context(request):
            unit, _changed = upsert_unit(
                ACTOR,
                name=name or UNIT_NAMES[kind].format(n=next(sequence)),
                kind=kind,
                code=code,
                parent=_get(Unit, parent) if parent is not None else None,
            )
            return _committed(unit, "parent")

    return make


@pytest.fixture
def make_post(request, sequence, make_unit):
    def make(
        code: str | None = None,
        *,
        unit=None,
        holder: str | None = None,
        title: str | None = None,
        responsibilities=("受理申请", "审核材料"),
        commitments=("材料齐全的当场办结",),
        since: date | None = None,
    ) -> Post:
        """An active post through the posts import (code TP-nnn unless given), in a new municipal unit unless ``unit``
        is given, with a holder in office since 1 January two years ago (so last year's cycle has them too)."""
        unit = unit if unit is not None else make_unit()
        with _context(request):
            [n] = _free_numbers(sequence, 1)
            row = PostRow(
                line=2,
                code=code or f"TP-{n:03d}",
                unit=unit.name,
                unit_kind=str(unit.kind),
                title=title or f"虚构业务{n}审批岗",
                holder=holder or f"虚构责任人{n}",
                responsibilities=tuple(responsibilities),
                commitments=tuple(commitments),
            )
            import_posts(ACTOR, [row], started_on=since or date(local_today().year - 2, 1, 1))
            post = db.session.scalar(db.select(Post).where(Post.code == row.code))
            return _committed(post, "unit", "current_tenure.holder")

    return make


@pytest.fixture
def make_posts(request, sequence, make_unit):
    def make(count: int | None = None, *, codes=None, unit=None) -> list[Post]:
        """``count`` posts (or one per code of ``codes``) of one unit, a new one unless given, in a single posts
        import: quicker than as many ``make_post`` calls when a test needs a long list (paging, say)."""
        unit = unit if unit is not None else make_unit()
        with _context(request):
            numbers = _free_numbers(sequence, len(codes) if codes else count)
            codes = codes or [f"TP-{n:03d}" for n in numbers]
            rows = [
                PostRow(
                    2 + i,
                    code,
                    unit.name,
                    str(unit.kind),
                    f"虚构业务{n}审批岗",
                    f"虚构责任人{n}",
                    ("受理申请",),
                    (),
                )
                for i, (n, code) in enumerate(zip(numbers, codes, strict=True))
            ]
            import_posts(ACTOR, rows, started_on=date(local_today().year - 2, 1, 1))
            db.session.commit()
            query = db.select(Post).where(Post.code.in_([row.code for row in rows])).order_by(Post.id)
            posts = db.session.scalars(query.options(selectinload(Post.unit))).all()
            return posts  # loaded after the commit: they read once detached

    return make


@pytest.fixture
def make_user(request, sequence, make_unit):
    def make(
        role: str,
        *,
        unit=None,
        username: str | None = None,
        email: str | None = None,
        display_name: str = "",
        password: str = PASSWORD,
        centre: str | None = None,
    ) -> User:
        """A back-office user of ``role`` (password ``PASSWORD``); a unit-bound role without ``unit`` gets a new
        municipal unit of its own; a complaint handler belongs to the city's centre unless ``centre`` names another
        (a county's unit code)."""
        if unit is None and role in ("unit_staff", "hr_officer"):
            unit = make_unit()
        name = username or f"{role.replace('_', '-')}-{next(sequence)}"
        with _context(request), mock.patch.object(user_service, "hash_password", _password_hash):
            user = user_service.create_user(
                ACTOR,
                username=name,
                password=password,
                role=role,
                unit_code=unit.code if unit is not None else None,
                display_name=display_name,
                email=email,
                centre_code=centre,
            )
            if second_factor.required(user):  # enrolled already, as if at an earlier sign-in (login_as completes it)
                user.totp_secret = TOTP_SECRET
            return _committed(user, "unit", "centre")

    return make


@pytest.fixture
def make_rating(request):
    def make(
        post,
        level: int = 5,
        *,
        verified: bool = True,
        channel: str = "hotline",
        when: datetime | None = None,
        status: str = "counted",
        cycle=None,
    ) -> Rating:
        """A rating keyed in by staff (hotline or paper: counted as given) through the ratings import, at ``when``
        (now by default) in ``cycle`` (this year's by default). ``status`` held or excluded is then decided through
        moderation. Web ratings, with their device and burst rules, go through ``make_web_rating``."""
        with _context(request):
            cycle = _cycle_of(request, cycle)
            post = _get(Post, post)
            row = RatingRow(2, post.code, post.id, level, verified, channel, when or utcnow())
            import_ratings(ACTOR, cycle, [row])
            rating = db.session.scalar(db.select(Rating).where(Rating.post_id == post.id).order_by(Rating.id.desc()))
            if status == "excluded":
                moderate(ACTOR, rating, "excluded", "虚构的审核理由")
            elif status == "held":  # only the burst rule holds a rating: no service does it on request
                rating.status, rating.status_reason = (
                    RatingStatus.HELD,
                    "burst: same network, same post, within minutes",
                )
            return _committed(rating, "post")

    return make


@pytest.fixture
def make_web_rating(request, sequence):
    def make(post, level: int = 5, *, comment: str = "", contact: str = "", code: str = "", device=None) -> Rating:
        """A citizen's web rating through ``submit_rating`` (this year's cycle must be open: it is made if missing);
        a level 1–2 rating with a ``contact`` opens a follow-up."""
        with _context(request):
            _cycle_of(request, None)
            post = _get(Post, post)
            rater = Rater(network="192.0.2.1", device=device or f"factory-device-{next(sequence)}")
            submitted = submit_rating(
                post, Submission(level=level, comment=comment, code=code, contact=contact), rater, "factory-salt"
            )
            return _committed(db.session.scalar(db.select(Rating).where(Rating.receipt == submitted.receipt)), "post")

    return make


@pytest.fixture
def make_codes(request):
    def make(post, count: int = 1, *, valid_days: int = 30) -> list[str]:
        """One-time rating codes for a post, as unit staff print them; returns the codes."""
        from rating.services.codes import batch_codes

        with _context(request):
            batch = issue_codes(ACTOR, _get(Post, post), count, valid_days)
            db.session.commit()
            return [code.code for code in batch_codes(batch)]

    return make


@pytest.fixture
def make_assessment(request):
    def make(post, grade: str | None = "competent", *, score: float | None = None, cycle=None):
        """The post's annual assessment: a grade, or a ``score`` 0–100 instead."""
        from rating.models import Assessment

        grade = None if score is not None else grade
        with _context(request):
            cycle = _cycle_of(request, cycle)
            post = _get(Post, post)
            official_service.record_assessments(ACTOR, cycle, [AssessmentRow(2, post.code, post.id, grade, score)])
            found = db.session.scalar(
                db.select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.post_id == post.id)
            )
            return _committed(found)

    return make


@pytest.fixture
def make_score(request):
    def make(post, score: float = 80, *, round: int = 1, cycle=None):  # noqa: A002 - the model's own name
        """A comprehensive-inspection score of one round."""
        from rating.models import InspectionScore

        with _context(request):
            cycle = _cycle_of(request, cycle)
            post = _get(Post, post)
            official_service.record_scores(ACTOR, cycle, [ScoreRow(2, post.code, post.id, score, round)])
            found = db.session.scalar(
                db.select(InspectionScore).where(
                    InspectionScore.cycle_id == cycle.id,
                    InspectionScore.post_id == post.id,
                    InspectionScore.round == round,
                )
            )
            return _committed(found)

    return make


@pytest.fixture
def make_finding(request):
    def make(
        post=None,
        deduction: float = 5,
        *,
        unit=None,
        kind: str = "open",
        description: str = "上班时间脱岗二十分钟",
        found_on: date | None = None,
        deduction_code: str | None = None,
        notified: bool = False,
        cycle=None,
    ) -> InspectionFinding:
        """An inspection finding about a post (or, with ``unit`` and no post, a whole unit), found today."""
        assert post is not None or unit is not None, "a finding is about a post or a unit"
        with _context(request):
            cycle = _cycle_of(request, cycle)
            post = _get(Post, post) if post is not None else None
            unit = _get(Unit, unit) if unit is not None else post.unit
            row = FindingRow(
                line=2,
                code=post.code if post else unit.code,
                post_id=post.id if post else None,
                unit_id=unit.id,
                found_on=found_on or local_today(),
                kind=kind,
                description=description,
                deduction=deduction,
                deduction_code=deduction_code,
            )
            official_service.record_findings(ACTOR, cycle, [row], notify=notified)
            found = db.session.scalar(db.select(InspectionFinding).order_by(InspectionFinding.id.desc()))
            return _committed(found, "unit")

    return make


@pytest.fixture
def make_complaint(request):
    def make(
        post=None,
        *,
        unit=None,
        status: str = "received",
        finding: str = "substantiated",
        category: str = "access",
        channel: str = "phone",
        text: str = COMPLAINT_TEXT,
        name: str = "",
        phone: str = "",
        reply: str = "经核实已处理,并向您说明情况。",
    ) -> Complaint:
        """A complaint about a post (or a unit) taken in by the complaint centre and walked through the closed loop
        up to ``status`` (received, referred, in_progress or concluded with ``finding``). The private query code
        shown once to the complainant is on the returned object as ``query_code`` (it is never stored)."""
        assert post is not None or unit is not None, "a complaint is about a post or a unit"
        steps = COMPLAINT_STEPS[: COMPLAINT_STEPS.index(status) + 1]
        with _context(request):
            _cycle_of(request, None)  # concluded cases count in the cycle of the day
            intake = complaint_service.Intake(
                channel=channel,
                category=category,
                text=text,
                post_code=_get(Post, post).code if post is not None else "",
                unit_code=_get(Unit, unit).code if unit is not None else "",
                name=name,
                phone=phone,
            )
            complaint, query_code = complaint_service.file_complaint(ACTOR, intake)
            if "referred" in steps:
                complaint_service.refer(ACTOR, complaint)
            if "in_progress" in steps:
                complaint_service.record_progress(ACTOR, complaint, "已约谈当事人,正在核实")
            if "concluded" in steps:
                complaint_service.conclude(ACTOR, complaint, finding, reply)
            complaint = _committed(complaint, "post", "unit")
        complaint.query_code = query_code
        return complaint

    return make


def local_datetime(day: date, hour: int = 10) -> datetime:
    """A local (Asia/Shanghai) time on ``day``, for ``make_rating(when=...)``."""
    return datetime.combine(day, datetime.min.time(), LOCAL_TZ).replace(hour=hour)


__all__ = [
    "PASSWORD",
    "local_datetime",
    "make_assessment",
    "make_codes",
    "make_complaint",
    "make_cycle",
    "make_finding",
    "make_post",
    "make_posts",
    "make_rating",
    "make_score",
    "make_unit",
    "make_user",
    "make_web_rating",
    "sequence",
    "user_password",
]
