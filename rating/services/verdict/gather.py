"""Gathering the verdict's inputs (评议数据汇总): one grouped query per component, turned into the scoring package's
inputs. Called by rating.services.verdict.lifecycle; nothing here decides a score.

A verdict line is one post and holder pair: every holder whose tenure overlaps the cycle has a line, and every
record counts for the holder it was attributed to (the holder in post on its date, see rating.services.tenures).
Nothing loops over ratings in Python: counted ratings arrive as count, Σlevel and Σlevel² by (post, holder, verified
flag), read from the covering index ix_ratings_tally, and every other component as one row per post and holder.
A line's records are named tuples, immutable like frozen dataclasses but made several times faster: a provincial
computation makes tens of thousands of them.
"""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import String, and_, case, func, or_, select, type_coerce

from rating.extensions import db
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.complaints import Category, Complaint, ComplaintStatus, Finding
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Post, Tenure
from rating.models.ratings import Rating, RatingStatus
from rating.models.units import Unit
from rating.scoring import tenure, verdict
from rating.scoring.method import MethodSettings

#: The components whose absence blocks the final computation (SPEC §3), as named in a refusal.
REQUIRED = ("assessment", "inspection")


class PostIdentity(NamedTuple):
    """Who and what a result line is about, copied into the result so a later rename never changes it."""

    post_id: int
    code: str
    title: str
    unit_code: str
    unit_name: str
    holder_id: int | None
    holder_name: str
    tenure_days: int  #: days of the cycle the holder was in post

    @property
    def key(self) -> tuple[int, int | None]:
        return self.post_id, self.holder_id


class Complaints(NamedTuple):
    """A post's complaints concluded in the cycle: 属实 and 部分属实 counts, and the 违规违纪 veto."""

    substantiated: int = 0
    partly: int = 0
    veto: bool = False
    #: Of those, reopened after an unsatisfied return visit: their findings stand until concluded again (issue 14).
    reopened: int = 0


class Scores(NamedTuple):
    """The sum and count of a post's comprehensive-inspection scores."""

    total: float = 0.0
    rounds: int = 0

    @property
    def mean(self) -> float:
        return self.total / self.rounds if self.rounds else 0.0


NO_RATINGS = verdict.RatingTally()
NO_COMPLAINTS = Complaints()
NO_SCORES = Scores()


class Gathered(NamedTuple):
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
        if self.has_assessment and self.scores.rounds > 0:
            return []  # the usual case, asked of every line more than once: no dict to build
        present = {"assessment": self.has_assessment, "inspection": self.scores.rounds > 0}
        return [name for name in REQUIRED if not present[name]]

    def ranked(self, method: MethodSettings) -> bool:
        return tenure.is_ranked(self.post.tenure_days, method.min_tenure_days)

    def input(self, method: MethodSettings, weighted: verdict.Weighted | None = None) -> verdict.PostInput:
        """The scoring package's input; ``weighted`` is this line's tally as weighed by ``method`` when the caller
        has it already."""
        weighted = weighted or self.tally.weighted(method)
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
            key=f"{self.post.tenure_days:03d}:{self.post.holder_id}",
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

    def missing(self, method: MethodSettings) -> list[tuple[str, list[str]]]:
        """The ranked lines that lack a component, as (post code, what is missing): a holder in post too briefly to
        be ranked blocks nothing."""
        return [(line.post.code, line.missing) for line in self.posts if line.missing and line.ranked(method)]


def gather(cycle: Cycle, post_ids: list[int] | None = None) -> CycleInputs:
    """The four components' inputs for every active post (or for the given posts: a correction ranks the posts
    that were ranked when it was published), one grouped query per component."""
    db.session.flush()  # the queries below run as Core, which does not flush pending changes by itself
    identities = _lines(cycle, post_ids)
    tallies, cycle_tally = _rating_tallies(cycle)
    assessments = _assessments(cycle)
    deductions = _deductions(cycle)
    complaints = _complaints(cycle)
    scores = _scores(cycle)
    posts = []
    for identity in identities:
        key = identity.key
        grade, score = assessments.get(key, (None, None))
        posts.append(
            Gathered(
                post=identity,
                tally=tallies.get(key, NO_RATINGS),
                grade=grade,
                assessment_score=score,
                has_assessment=key in assessments,
                deductions=deductions.get(key, 0.0),
                complaints=complaints.get(key, NO_COMPLAINTS),
                scores=scores.get(key, NO_SCORES),
            )
        )
    return CycleInputs(posts, cycle_tally)


def _read(statement) -> list:
    """Run a select of plain columns as Core and fetch every row at once: no ORM entity is loaded, so the rows skip
    the ORM's per-row step, and one fetch replaces a driver call per row."""
    return db.session.connection().execute(statement).all()


def _lines(cycle: Cycle, post_ids: list[int] | None) -> list[PostIdentity]:
    """Every holder whose tenure overlaps the cycle, on every active post (or the given posts), by post code and
    then by tenure; a post nobody held during the cycle has no line."""
    rows = _read(
        select(
            Post.id,
            Post.code,
            Post.title,
            Unit.code,
            Unit.name,
            Tenure.holder_id,
            Holder.name,
            Tenure.started_on,
            Tenure.ended_on,
        )
        .join(Unit, Unit.id == Post.unit_id)
        .join(Tenure, Tenure.post_id == Post.id)
        .join(Holder, Holder.id == Tenure.holder_id)
        .where(
            Post.active.is_(True) if post_ids is None else Post.id.in_(post_ids),
            or_(Tenure.started_on.is_(None), Tenure.started_on <= cycle.ends_on),
            or_(Tenure.ended_on.is_(None), Tenure.ended_on >= cycle.starts_on),
        )
    )
    lines = []
    for post_id, code, title, unit_code, unit_name, holder_id, holder_name, started_on, ended_on in rows:
        days = tenure.overlap_days(started_on, ended_on, cycle.starts_on, cycle.ends_on)
        started = started_on or date.min
        lines.append(
            (code, started, PostIdentity(post_id, code, title, unit_code, unit_name, holder_id, holder_name, days))
        )
    return [identity for _code, _started, identity in sorted(lines, key=lambda line: line[:2])]


Line = tuple[int, int | None]  #: (post id, holder id)


def _rating_tallies(cycle: Cycle) -> tuple[dict[Line, verdict.RatingTally], verdict.RatingTally]:
    """S: the count, Σlevel and Σlevel² of counted ratings by post, holder and verified flag (two groups a line)."""
    # Ratings of stations' rating desks belong to the station ranking, not to μ of the key posts.
    desks = set(db.session.scalars(select(Post.id).where(Post.rates_unit.is_(True))))
    rows = _read(
        select(
            Rating.post_id,
            Rating.holder_id,
            Rating.verified,
            func.count(),
            func.sum(Rating.level),
            func.sum(Rating.level * Rating.level),
        )
        .where(Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED)
        .group_by(Rating.post_id, Rating.holder_id, Rating.verified)
    )
    return verdict.RatingTally.by_line(
        ((post_id, holder_id), bool(is_verified), count, int(levels), int(squares))
        for post_id, holder_id, is_verified, count, levels, squares in rows
        if post_id not in desks
    )


def _assessments(cycle: Cycle) -> dict[Line, tuple[str | None, float | None]]:
    """A: one assessment per post, holder and cycle, a grade (as its stored code) or a score."""
    rows = _read(
        select(Assessment.post_id, Assessment.holder_id, type_coerce(Assessment.grade, String), Assessment.score).where(
            Assessment.cycle_id == cycle.id
        )
    )
    return {
        (post_id, holder_id): (str(grade) if grade is not None else None, score)
        for post_id, holder_id, grade, score in rows
    }


def _deductions(cycle: Cycle) -> dict[Line, float]:
    """C, first half: deduction points of the cycle's findings on the post (withdrawn findings count for nothing)."""
    rows = _read(
        select(InspectionFinding.post_id, InspectionFinding.holder_id, func.sum(InspectionFinding.deduction))
        .where(
            InspectionFinding.cycle_id == cycle.id,
            InspectionFinding.post_id.is_not(None),
            InspectionFinding.withdrawn.is_(False),
        )
        .group_by(InspectionFinding.post_id, InspectionFinding.holder_id)
    )
    return {(post_id, holder_id): float(total or 0) for post_id, holder_id, total in rows}


def _complaints(cycle: Cycle) -> dict[Line, Complaints]:
    """C, second half: complaints concluded in the cycle, by finding; a substantiated 违规违纪 one vetoes titles. A
    case reopened after an unsatisfied return visit keeps its finding and cycle until a new conclusion replaces
    them, so it still counts here (and is counted as reopened for the breakdown)."""
    substantiated = Complaint.finding == Finding.SUBSTANTIATED
    reopened = and_(Complaint.status != ComplaintStatus.CONCLUDED, Complaint.finding != Finding.UNSUBSTANTIATED)
    rows = _read(
        select(
            Complaint.post_id,
            Complaint.holder_id,
            func.sum(case((substantiated, 1), else_=0)),
            func.sum(case((Complaint.finding == Finding.PARTLY, 1), else_=0)),
            func.sum(case((and_(substantiated, Complaint.category == Category.DISCIPLINE), 1), else_=0)),
            func.sum(case((reopened, 1), else_=0)),
        )
        .where(
            Complaint.cycle_id == cycle.id,
            # concluded, or reopened with its finding standing (issue 14)
            Complaint.finding.is_not(None),
            or_(Complaint.status == ComplaintStatus.CONCLUDED, Complaint.reopened.is_(True)),
            Complaint.post_id.is_not(None),
            Complaint.merged_into_id.is_(None),
        )
        .group_by(Complaint.post_id, Complaint.holder_id)
    )
    return {
        (post_id, holder_id): Complaints(int(n_sub or 0), int(n_partly or 0), bool(n_veto), int(n_reopened or 0))
        for post_id, holder_id, n_sub, n_partly, n_veto, n_reopened in rows
    }


def _scores(cycle: Cycle) -> dict[Line, Scores]:
    """I: the sum and count of the cycle's comprehensive-inspection scores."""
    rows = _read(
        select(InspectionScore.post_id, InspectionScore.holder_id, func.sum(InspectionScore.score), func.count())
        .where(InspectionScore.cycle_id == cycle.id)
        .group_by(InspectionScore.post_id, InspectionScore.holder_id)
    )
    return {(post_id, holder_id): Scores(float(total), int(rounds)) for post_id, holder_id, total, rounds in rows}
