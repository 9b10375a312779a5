"""Demo ratings for the open cycle, generated deterministically from the per-post profile in seeds/ratings.csv
(``post_code, count, mean_level``): realistic spreads, a few posts with very few ratings, some held and excluded
ratings, and bad reviews at every follow-up stage. Called by rating.seed.run(); loaded once per cycle."""

import random
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post, Tenure
from rating.models.ratings import Channel, FollowUp, FollowUpStatus, Rating, RatingStatus
from rating.services import audit
from rating.services.ratings import RECEIPT_ALPHABET
from rating.workdays import add_working_days

COMMENTS_GOOD = ["办事很快,态度热情", "一次就办好了,点赞", "工作人员耐心解答", "材料一次告知清楚", "比以前方便多了"]
COMMENTS_BAD = [
    "排队两个小时,窗口只开一个",
    "让我跑了三趟还没办成",
    "态度生硬,不耐烦",
    "说好五天办结,拖了两周",
    "要求提供不必要的证明",
]
SEED_MARK = "seed"


def _level(rnd: random.Random, mean: float) -> int:
    return max(1, min(5, round(rnd.gauss(mean, 0.9))))


def _when(rnd: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rnd.random()


def rating_row(rnd: random.Random, cycle: Cycle, post_id: int, holder_id, mean: float, start, end) -> dict:
    """One counted demo rating around ``mean``, dated between ``start`` and ``end``: window and paper ratings came
    with a one-time code (verified), web and hotline ones did not. Shared with rating.seed_history."""
    level = _level(rnd, mean)
    channel = rnd.choices([Channel.WEB, Channel.WINDOW, Channel.HOTLINE, Channel.PAPER], [60, 25, 10, 5])[0]
    comment = ""
    if rnd.random() < 0.25:
        comment = rnd.choice(COMMENTS_GOOD if level >= 4 else COMMENTS_BAD)
    return {
        "receipt": "S" + "".join(rnd.choice(RECEIPT_ALPHABET) for _i in range(12)),
        "cycle_id": cycle.id,
        "post_id": post_id,
        "holder_id": holder_id,
        "level": level,
        "comment": comment,
        "channel": channel,
        "verified": channel in (Channel.WINDOW, Channel.PAPER),
        "status": RatingStatus.COUNTED,
        "status_reason": "",
        "rater_hash": secrets.token_hex(32) if channel == Channel.WEB else None,
        "network_hash": secrets.token_hex(32) if channel == Channel.WEB else None,
        "entered_by": SEED_MARK,
        "created_at": _when(rnd, start, end),
    }


def load_ratings(actor: audit.Actor, cycle: Cycle, today, profile: list[dict[str, str]]) -> str:
    if db.session.scalar(
        select(func.count(Rating.id)).where(Rating.cycle_id == cycle.id, Rating.entered_by == SEED_MARK)
    ):
        return "ratings: already loaded"
    rnd = random.Random(cycle.year)  # noqa: S311  (demo data, deterministic on purpose)
    posts = {p.code: p for p in db.session.scalars(select(Post).where(Post.active.is_(True)))}
    holders = dict(db.session.execute(select(Tenure.post_id, Tenure.holder_id).where(Tenure.ended_on.is_(None))).all())
    start = datetime.combine(cycle.starts_on, datetime.min.time(), UTC)
    end = min(utcnow(), datetime.combine(cycle.ends_on, datetime.max.time(), UTC))
    rows = []
    for line in profile:
        post = posts.get(line["post_code"])
        if post is None:
            continue
        for _n in range(int(line["count"])):
            rows.append(rating_row(rnd, cycle, post.id, holders.get(post.id), float(line["mean_level"]), start, end))
    # Moderation: a few web ratings held by the burst rule, a few excluded by an administrator, with reasons.
    web = [row for row in rows if row["channel"] == Channel.WEB]
    for row in rnd.sample(web, min(14, len(web))):
        row["status"], row["status_reason"] = RatingStatus.HELD, "burst: same network, same post, within minutes"
    for row in rnd.sample([r for r in web if r["status"] == RatingStatus.COUNTED], min(8, len(web))):
        row.update(status=RatingStatus.EXCLUDED, status_reason="同一设备短时集中评价,经核实不计入", decided_by="admin")
    db.session.execute(insert(Rating), rows)
    follow_ups = _follow_ups(rnd, cycle, today)
    audit.record(actor, "rating.seed", "cycle", cycle.id, after={"ratings": len(rows), "follow_ups": follow_ups})
    held = sum(r["status"] == RatingStatus.HELD for r in rows)
    excluded = sum(r["status"] == RatingStatus.EXCLUDED for r in rows)
    return f"ratings: {len(rows)} (held {held}, excluded {excluded}); follow-ups: {follow_ups}"


def _follow_ups(rnd: random.Random, cycle: Cycle, today) -> int:
    """Bad reviews at every stage of 差评整改: open (one overdue), rectified, rated by the citizen, appealed, upheld."""
    bad = db.session.scalars(
        select(Rating)
        .where(Rating.cycle_id == cycle.id, Rating.level <= 2, Rating.status == RatingStatus.COUNTED)
        .order_by(Rating.id)
        .limit(40)
    ).all()
    stages = ["open", "overdue", "open", "rectified", "rectified", "closed", "closed", "appealed", "upheld", "rejected"]
    units = dict(db.session.execute(select(Post.id, Post.unit_id)).all())
    for rating, stage in zip(rnd.sample(bad, min(len(bad), len(stages))), stages, strict=False):
        opened = today - timedelta(days=12 if stage == "overdue" else rnd.randint(0, 3))
        follow_up = FollowUp(
            rating_id=rating.id,
            post_id=rating.post_id,
            unit_id=units[rating.post_id],
            contact=f"139{rnd.randint(10000000, 99999999)}",
            citizen_token=secrets.token_urlsafe(24),
            deadline=add_working_days(opened, cycle.settings.followup_working_days),
            status=FollowUpStatus.OPEN,
        )
        if stage in ("rectified", "closed", "upheld", "rejected"):
            follow_up.action_taken = "已电话联系群众致歉,窗口增开一个受理通道,并对责任人进行了批评教育。"
            follow_up.rectified_at, follow_up.rectified_by = utcnow(), "staff-police"
            follow_up.status = FollowUpStatus.RECTIFIED
        if stage == "closed":
            follow_up.citizen_level, follow_up.status = rnd.choice([3, 4, 5]), FollowUpStatus.CLOSED
        if stage in ("appealed", "upheld", "rejected"):
            follow_up.appeal_kind = "mistaken" if stage != "upheld" else "malicious"
            follow_up.appeal_text = "经调取监控核实,该群众当日未到本窗口办理业务。"
            follow_up.status = FollowUpStatus.APPEALED
        if stage in ("upheld", "rejected"):
            follow_up.appeal_decision, follow_up.appeal_decided_by = (
                ("upheld" if stage == "upheld" else "rejected"),
                "admin",
            )
            follow_up.status = FollowUpStatus.CLOSED if stage == "upheld" else FollowUpStatus.RECTIFIED
            if stage == "upheld":
                rating.status, rating.status_reason, rating.decided_by = (
                    RatingStatus.EXCLUDED,
                    "申诉复核成立:恶意评价",
                    "admin",
                )
        db.session.add(follow_up)
    db.session.flush()
    return min(len(bad), len(stages))
