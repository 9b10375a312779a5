"""Key posts rotate (轮岗): in the demo's current cycle two posts change hands, so that each has a line per holder;
of each post's two holders, the one in post for under ``min_tenure_days`` (half a year) is listed unranked with
their own figures (SPEC §6). Loaded before the officials' records, so that assessments and scores go to the holder
in post at the cycle's end, as an import without a ``holder`` column does; the earlier holders are then assessed
too. Called by rating.demo.run().
"""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rating.extensions import db
from rating.imports.officials import AssessmentRow, ScoreRow
from rating.models.assessments import Assessment, InspectionScore
from rating.models.cycles import Cycle
from rating.models.posts import Post, Tenure
from rating.services import audit, officials
from rating.services.posts import change_holder
from rating.services.tenures import holders_in_cycle
from rating.workdays import is_working_day

#: (post code, the new holder, the share of the cycle's elapsed days at which the post changed hands)
ROTATIONS = (("DT-033", "沈若岚", 0.5), ("DT-077", "顾承远", 0.8))


def load_rotations(actor: audit.Actor, cycle: Cycle, today: date) -> str:
    """Two transfers on days relative to today, each with its reason; skipped once they are there."""
    elapsed = max((min(today, cycle.ends_on) - cycle.starts_on).days, 1)
    done = []
    for code, name, share in ROTATIONS:
        post = db.session.scalar(select(Post).where(Post.code == code).options(selectinload(Post.tenures)))
        if post is None or any(t.holder.name == name for t in post.tenures):
            continue
        on = _working_day(cycle.starts_on + timedelta(days=max(1, round(elapsed * share))), today)
        change_holder(actor, post, name, on, "轮岗交流(演示数据)")
        done.append(f"{code} → {name} {on.isoformat()}")
    return f"rotations: {'; '.join(done) or 'none'}"


def _working_day(day: date, today: date) -> date:
    """The first working day from ``day`` on (posts change hands on working days), never after today."""
    while day < today and not is_working_day(day):
        day += timedelta(days=1)
    return day


def assess_earlier_holders(actor: audit.Actor, cycle: Cycle) -> str:
    """The HR office assesses each post's earlier holder in the cycle too (the seeds' rows went to the holder at
    the cycle's end), with the post's scores for the rounds: every holder has their own figures."""
    changed = select(Tenure.post_id).where(Tenure.started_on > cycle.starts_on, Tenure.started_on <= cycle.ends_on)
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(changed)))}
    assessments, scores = [], []
    for post_id, named in holders_in_cycle(posts, cycle).items():
        for holder_id in named.values():
            if _assessed(cycle, post_id, holder_id):
                continue
            code = posts[post_id].code
            assessments.append(AssessmentRow(0, code, post_id, "competent", None, holder_id))
            rounds = db.session.scalars(
                select(InspectionScore).where(InspectionScore.cycle_id == cycle.id, InspectionScore.post_id == post_id)
            ).all()
            scores += [ScoreRow(0, code, post_id, s.score, s.round, holder_id) for s in rounds]
    officials.record_assessments(actor, cycle, assessments)
    officials.record_scores(actor, cycle, scores)
    return f"earlier holders assessed: {len(assessments)}"


def _assessed(cycle: Cycle, post_id: int, holder_id: int) -> bool:
    return (
        db.session.scalar(
            select(Assessment.id).where(
                Assessment.cycle_id == cycle.id, Assessment.post_id == post_id, Assessment.holder_id == holder_id
            )
        )
        is not None
    )
