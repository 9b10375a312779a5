"""Bad reviews at every stage of 差评整改 for the demo's open cycle: open (one overdue), rectified, rated by the
citizen, appealed, appeal upheld, appeal rejected; each step through services.followups, dated in the last days.
Called by rating.demo.ratings once the ratings are in."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from rating.demo import files
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.ratings import Rating, RatingStatus
from rating.services import audit
from rating.services.followups import (
    appeal,
    citizen_rates_rectification,
    decide_appeal,
    open_follow_up,
    record_rectification,
)

STAGES = ["open", "overdue", "open", "rectified", "rectified", "closed", "closed", "appealed", "upheld", "rejected"]
RECTIFIED = ("rectified", "closed", "upheld", "rejected")
APPEALED = ("appealed", "upheld", "rejected")
ACTION_TAKEN = "已电话联系群众致歉,窗口增开一个受理通道,并对责任人进行了批评教育。"
APPEAL_TEXT = "经调取监控核实,该群众当日未到本窗口办理业务。"
DECISIONS = {"upheld": "恶意评价", "rejected": "申诉理由不成立,维持原评价。"}


def load_follow_ups(actor: audit.Actor, rnd: random.Random, cycle: Cycle, today: date) -> int:
    """One follow-up per stage on bad reviews (levels 1–2) of ``cycle``; returns how many were opened."""
    bad = db.session.scalars(
        select(Rating)
        .where(Rating.cycle_id == cycle.id, Rating.level <= 2, Rating.status == RatingStatus.COUNTED)
        .order_by(Rating.id)
        .limit(40)
    ).all()
    chosen = rnd.sample(bad, min(len(bad), len(STAGES)))
    for rating, stage in zip(chosen, STAGES, strict=False):
        _follow_up(actor, rnd, cycle, today, rating, stage)
    return len(chosen)


def _follow_up(actor: audit.Actor, rnd: random.Random, cycle: Cycle, today: date, rating: Rating, stage: str):
    opened_on = today - timedelta(days=12 if stage == "overdue" else rnd.randint(0, 3))
    opened = files.office_time(opened_on, 60)
    contact = f"139{rnd.randint(10000000, 99999999)}"
    follow_up = open_follow_up(rating, rating.post, contact, cycle, at=opened)
    if stage in RECTIFIED:
        record_rectification(actor, follow_up, ACTION_TAKEN, at=min(utcnow(), opened + timedelta(days=1)))
    if stage == "closed":
        citizen_rates_rectification(follow_up, rnd.choice([3, 4, 5]))
    if stage in APPEALED:
        appeal(actor, follow_up, "malicious" if stage == "upheld" else "mistaken", APPEAL_TEXT)
    if stage in DECISIONS:
        decide_appeal(actor, follow_up, stage == "upheld", DECISIONS[stage])
    return follow_up
