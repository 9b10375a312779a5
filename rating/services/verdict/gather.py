"""Gathering the verdict's inputs (评议数据汇总): one grouped query per component, turned into the scoring package's
inputs. Called by rating.services.verdict.lifecycle; nothing here decides a score.

Nothing loops over ratings in Python: counted ratings arrive as counts by (post, verified flag, level), read from the
covering index ix_ratings_tally, and every other component as one row per post.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, case, func, or_, select, type_coerce

from rating.clock import local_today
from rating.extensions import db
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.complaints import Category, Complaint, ComplaintStatus, Finding
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Post, Tenure
from rating.models.ratings import Rating, RatingStatus
from rating.models.units import Unit
from rating.scoring import verdict
from rating.scoring.method import MethodSettings

#: The components whose absence blocks the final computation (SPEC §3), as named in a refusal.
REQUIRED = ("assessment", "inspection")


@dataclass(frozen=True)
class PostIdentity:
    """Who and what a result line is about, copied into the result so a later rename never changes it."""

    post_id: int
    code: str
    title: str
    unit_code: str
    unit_name: str
    holder_id: int | None
    holder_name: str


@dataclass(frozen=True)
class Complaints:
    """A post's complaints concluded in the cycle: 属实 and 部分属实 counts, and the 违规违纪 veto."""

    substantiated: int = 0
    partly: int = 0
    veto: bool = False


@dataclass(frozen=True)
class Scores:
    """The sum and count of a post's comprehensive-inspection scores."""

    total: float = 0.0
    rounds: int = 0

    @property
    def mean(self) -> float:
        return self.total / self.rounds if self.rounds else 0.0


@dataclass(frozen=True)
class Gathered:
    """One post's inputs, as the records of the cycle have them."""

    post: PostIdentity
    tally: verdict.RatingTally
    grade: str | None
    assessment_score: float | None
    has_assessment: bool
    deductions: float
    complaints: Complaints
    scores: Scores

    @property
    def missing(self) -> list[str]:
        present = {"assessment": self.has_assessment, "inspection": self.scores.rounds > 0}
        return [name for name in REQUIRED if not present[name]]

    def input(self, method: MethodSettings) -> verdict.PostInput:
        weighted = self.tally.weighted(method)
        return verdict.PostInput(
            code=self.post.code,
            rating_weighted_sum=weighted.value_sum,
            rating_weight=weighted.weight,
            rating_count=weighted.count,
            grade=self.grade,
            assessment_score=self.assessment_score,
            inspection_deductions=self.deductions,
            complaints_substantiated=self.complaints.substantiated,
            complaints_partly=self.complaints.partly,
            discipline_veto=self.complaints.veto,
            inspection_mean=self.scores.mean,
        )


@dataclass(frozen=True)
class CycleInputs:
    posts: list[Gathered]  #: by post code
    cycle_tally: verdict.RatingTally  #: every counted rating of the cycle, ranked post or not

    def mu(self, method: MethodSettings) -> float:
        """μ over all counted ratings of all posts in the cycle (SPEC §3)."""
        return verdict.weighted_mean(self.cycle_tally.weighted(method), method)

    def spread(self, method: MethodSettings) -> float:
        """σ of v over the whole cycle, for the band of posts with fewer than two ratings."""
        weighted = self.cycle_tally.weighted(method)
        return verdict.weighted_spread(weighted.weight, weighted.value_sum, weighted.squares)

    @property
    def missing(self) -> list[tuple[str, list[str]]]:
        return [(line.post.code, line.missing) for line in self.posts if line.missing]


def reference_day(cycle: Cycle) -> date:
    """The day whose holder a line names: today, or the cycle's last day once it has ended."""
    return min(local_today(), cycle.ends_on)


def gather(cycle: Cycle, post_ids: list[int] | None = None) -> CycleInputs:
    """The four components' inputs for every active post (or for the given posts: a correction ranks the posts
    that were ranked when it was published), one grouped query per component."""
    identities = _identities(cycle, post_ids)
    tallies, cycle_tally = _rating_tallies(cycle)
    assessments = _assessments(cycle)
    deductions = _deductions(cycle)
    complaints = _complaints(cycle)
    scores = _scores(cycle)
    posts = []
    for identity in identities:
        grade, score = assessments.get(identity.post_id, (None, None))
        posts.append(
            Gathered(
                post=identity,
                tally=tallies.get(identity.post_id, verdict.RatingTally()),
                grade=grade,
                assessment_score=score,
                has_assessment=identity.post_id in assessments,
                deductions=deductions.get(identity.post_id, 0.0),
                complaints=complaints.get(identity.post_id, Complaints()),
                scores=scores.get(identity.post_id, Scores()),
            )
        )
    return CycleInputs(posts, cycle_tally)


def _identities(cycle: Cycle, post_ids: list[int] | None) -> list[PostIdentity]:
    """The posts with the holder in post on the reference day (else the current holder), by code."""
    day = reference_day(cycle)
    holder_at = (
        select(Tenure.post_id, Tenure.holder_id, Holder.name)
        .join(Holder, Holder.id == Tenure.holder_id)
        .where(Tenure.started_on <= day, or_(Tenure.ended_on.is_(None), Tenure.ended_on >= day))
        .subquery()
    )
    current = (
        select(Tenure.post_id, Tenure.holder_id, Holder.name)
        .join(Holder, Holder.id == Tenure.holder_id)
        .where(Tenure.ended_on.is_(None))
        .subquery()
    )
    rows = db.session.execute(
        select(
            Post.id,
            Post.code,
            Post.title,
            Unit.code,
            Unit.name,
            func.coalesce(holder_at.c.holder_id, current.c.holder_id),
            func.coalesce(holder_at.c.name, current.c.name, ""),
        )
        .join(Unit, Unit.id == Post.unit_id)
        .outerjoin(holder_at, holder_at.c.post_id == Post.id)
        .outerjoin(current, current.c.post_id == Post.id)
        .where(Post.active.is_(True) if post_ids is None else Post.id.in_(post_ids))
        .order_by(Post.code)
    ).all()
    seen: dict[int, PostIdentity] = {}
    for post_id, code, title, unit_code, unit_name, holder_id, holder_name in rows:
        seen.setdefault(post_id, PostIdentity(post_id, code, title, unit_code, unit_name, holder_id, holder_name or ""))
    return sorted(seen.values(), key=lambda identity: identity.code)


def _rating_tallies(cycle: Cycle) -> tuple[dict[int, verdict.RatingTally], verdict.RatingTally]:
    """S: counts of counted ratings by post, verified flag and level (at most ten groups a post)."""
    groups: dict[int, list[tuple[bool, int, int]]] = {}
    for post_id, is_verified, level, count in db.session.execute(
        select(Rating.post_id, Rating.verified, Rating.level, func.count())
        .where(Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED)
        .group_by(Rating.post_id, Rating.verified, Rating.level)
    ):
        groups.setdefault(post_id, []).append((bool(is_verified), level, count))
    tallies = {post_id: verdict.RatingTally.of(rows) for post_id, rows in groups.items()}
    return tallies, verdict.RatingTally.of(row for rows in groups.values() for row in rows)


def _assessments(cycle: Cycle) -> dict[int, tuple[str | None, float | None]]:
    """A: one assessment per post and cycle, a grade (as its stored code) or a score."""
    rows = db.session.execute(
        select(Assessment.post_id, type_coerce(Assessment.grade, String), Assessment.score).where(
            Assessment.cycle_id == cycle.id
        )
    )
    return {post_id: (str(grade) if grade is not None else None, score) for post_id, grade, score in rows}


def _deductions(cycle: Cycle) -> dict[int, float]:
    """C, first half: deduction points of the cycle's findings on the post (withdrawn findings count for nothing)."""
    rows = db.session.execute(
        select(InspectionFinding.post_id, func.sum(InspectionFinding.deduction))
        .where(
            InspectionFinding.cycle_id == cycle.id,
            InspectionFinding.post_id.is_not(None),
            InspectionFinding.withdrawn.is_(False),
        )
        .group_by(InspectionFinding.post_id)
    )
    return {post_id: float(total or 0) for post_id, total in rows}


def _complaints(cycle: Cycle) -> dict[int, Complaints]:
    """C, second half: complaints concluded in the cycle, by finding; a substantiated 违规违纪 one vetoes titles."""
    substantiated = Complaint.finding == Finding.SUBSTANTIATED
    rows = db.session.execute(
        select(
            Complaint.post_id,
            func.sum(case((substantiated, 1), else_=0)),
            func.sum(case((Complaint.finding == Finding.PARTLY, 1), else_=0)),
            func.sum(case((and_(substantiated, Complaint.category == Category.DISCIPLINE), 1), else_=0)),
        )
        .where(
            Complaint.cycle_id == cycle.id,
            Complaint.status == ComplaintStatus.CONCLUDED,
            Complaint.post_id.is_not(None),
            Complaint.merged_into_id.is_(None),
        )
        .group_by(Complaint.post_id)
    )
    return {
        post_id: Complaints(int(n_sub or 0), int(n_partly or 0), bool(n_veto))
        for post_id, n_sub, n_partly, n_veto in rows
    }


def _scores(cycle: Cycle) -> dict[int, Scores]:
    """I: the sum and count of the cycle's comprehensive-inspection scores."""
    rows = db.session.execute(
        select(InspectionScore.post_id, func.sum(InspectionScore.score), func.count())
        .where(InspectionScore.cycle_id == cycle.id)
        .group_by(InspectionScore.post_id)
    )
    return {post_id: Scores(float(total), int(rounds)) for post_id, total, rounds in rows}
