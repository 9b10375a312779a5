"""How complete a cycle's officials' entries are: which units have entered their assessments, and which posts
still lack a grade or an inspection score (the final computation refuses to run until nothing is missing)."""

from dataclasses import dataclass

from sqlalchemy import and_, func, select

from rating.extensions import db
from rating.models.assessments import Assessment, InspectionScore
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Post, Tenure
from rating.models.units import Unit


@dataclass(frozen=True)
class PostProgress:
    code: str
    title: str
    holder: str | None
    unit_code: str
    unit_name: str
    assessed: bool
    score_rounds: int


@dataclass(frozen=True)
class UnitProgress:
    code: str
    name: str
    posts: int
    assessed: int
    scored: int

    @property
    def complete(self) -> bool:
        return self.assessed == self.posts and self.scored == self.posts


def post_progress(cycle: Cycle) -> list[PostProgress]:
    """Every active post once, named by its current holder, with whether it has an assessment and how many rounds
    were scored in the cycle (a post that changed hands has records for each holder): one query."""
    assessed = select(Assessment.id).where(Assessment.post_id == Post.id, Assessment.cycle_id == cycle.id).exists()
    rounds = (
        select(InspectionScore.post_id, func.count(func.distinct(InspectionScore.round)).label("n"))
        .where(InspectionScore.cycle_id == cycle.id)
        .group_by(InspectionScore.post_id)
        .subquery()
    )
    stmt = (
        select(Post.code, Post.title, Holder.name, Unit.code, Unit.name, assessed, func.coalesce(rounds.c.n, 0))
        .join(Unit, Unit.id == Post.unit_id)
        .outerjoin(Tenure, and_(Tenure.post_id == Post.id, Tenure.ended_on.is_(None)))
        .outerjoin(Holder, Holder.id == Tenure.holder_id)
        .outerjoin(rounds, rounds.c.post_id == Post.id)
        .where(Post.active.is_(True), Post.rates_unit.is_(False))
        .order_by(Unit.code, Post.code)
    )
    return [PostProgress(*row) for row in db.session.execute(stmt)]


def unit_progress(posts: list[PostProgress]) -> list[UnitProgress]:
    units: dict[str, list[PostProgress]] = {}
    for post in posts:
        units.setdefault(post.unit_code, []).append(post)
    return [
        UnitProgress(
            code, items[0].unit_name, len(items), sum(p.assessed for p in items), sum(p.score_rounds > 0 for p in items)
        )
        for code, items in units.items()
    ]


def missing(posts: list[PostProgress]) -> list[PostProgress]:
    return [p for p in posts if not p.assessed or p.score_rounds == 0]
