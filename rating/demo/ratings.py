"""Demo ratings (服务对象评议), drawn deterministically from a per-post profile: seeds/ratings.csv (``post_code,
count, mean_level``) for the open cycle, seeds/history.csv (``ratings, mean_level``) for last year's. Realistic
spreads, a few posts with very few ratings; in the open cycle also some held and excluded ratings and bad reviews at
every follow-up stage (rating.demo.followups). Written through services.rating_batch.record_batch (ten thousand ratings,
one statement), then held and moderated through the services. Called by rating.demo.run() and rating.demo.history.
"""

import random
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from rating.demo import files
from rating.demo.followups import load_follow_ups
from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.ratings import Channel, Rating, RatingStatus
from rating.services import audit
from rating.services.rating_batch import DatedRating, record_batch
from rating.services.ratings import RECEIPT_ALPHABET, Rater, hold, moderate

COMMENTS_GOOD = ["办事很快,态度热情", "一次就办好了,点赞", "工作人员耐心解答", "材料一次告知清楚", "比以前方便多了"]
COMMENTS_BAD = [
    "排队两个小时,窗口只开一个",
    "让我跑了三趟还没办成",
    "态度生硬,不耐烦",
    "说好五天办结,拖了两周",
    "要求提供不必要的证明",
]
HELD, EXCLUDED = 14, 8
HELD_REASON = "burst: same network, same post, within minutes"
EXCLUDED_REASON = "同一设备短时集中评价,经核实不计入"


def draw(rnd: random.Random, post_id: int, mean: float, start: datetime, end: datetime) -> DatedRating:
    """One demo rating around ``mean``, dated between ``start`` and ``end``: window and paper ratings came with a
    one-time code (verified), web and hotline ones did not; a web rating carries a device."""
    level = max(1, min(5, round(rnd.gauss(mean, 0.9))))
    channel = rnd.choices([Channel.WEB, Channel.WINDOW, Channel.HOTLINE, Channel.PAPER], [60, 25, 10, 5])[0]
    comment = ""
    if rnd.random() < 0.25:
        comment = rnd.choice(COMMENTS_GOOD if level >= 4 else COMMENTS_BAD)
    # Drawn for every rating (the demo's own receipt numbers once took these draws), so the draw, and with it last
    # year's published figures and content hash, stays as it was.
    device = "".join(rnd.choice(RECEIPT_ALPHABET) for _i in range(12))
    return DatedRating(
        post_id=post_id,
        level=level,
        channel=channel,
        verified=channel in (Channel.WINDOW, Channel.PAPER),
        created_at=start + (end - start) * rnd.random(),
        comment=comment,
        rater=Rater(network=secrets.token_hex(8), device=device) if channel == Channel.WEB else None,
    )


def draw_profile(rnd: random.Random, cycle: Cycle, profile: list[dict[str, str]], count: str) -> list[DatedRating]:
    """``profile[count]`` ratings for every active post in the profile, spread over the cycle up to now."""
    posts = dict(db.session.execute(select(Post.code, Post.id).where(Post.active.is_(True))).all())
    start, end = files.local_span(cycle.starts_on, cycle.ends_on)
    return [
        draw(rnd, posts[line["post_code"]], float(line["mean_level"]), start, end)
        for line in profile
        if line["post_code"] in posts
        for _n in range(int(line[count]))
    ]


def load_year(actor: audit.Actor, cycle: Cycle, profile: list[dict[str, str]]) -> str:
    """Last year's ratings (seeds/history.csv), all counted."""
    rows = draw_profile(random.Random(cycle.year), cycle, profile, "ratings")  # noqa: S311  (deterministic demo)
    record_batch(actor, cycle, rows, current_app.config["SECRET_KEY"])
    return f"ratings {len(rows)} ({sum(row.verified for row in rows)} verified)"


def load_ratings(actor: audit.Actor, cycle: Cycle, today: date) -> str:
    """The open cycle's ratings (seeds/ratings.csv), once: some held by the burst rule's hold, some excluded by
    moderation, then the follow-ups of bad reviews."""
    if db.session.scalar(
        select(func.count(Rating.id)).where(Rating.cycle_id == cycle.id, Rating.entered_by == actor.name)
    ):
        return "ratings: already loaded"
    rnd = random.Random(cycle.year)  # noqa: S311  (demo data, deterministic on purpose)
    rows = draw_profile(rnd, cycle, files.rows("ratings.csv"), "count")
    web = [n for n, row in enumerate(rows) if row.channel == Channel.WEB]
    held = rnd.sample(web, min(HELD, len(web)))
    excluded = rnd.sample([n for n in web if n not in set(held)], min(EXCLUDED, len(web)))
    ids = record_batch(actor, cycle, rows, current_app.config["SECRET_KEY"])
    for n in held:
        hold(actor, db.session.get(Rating, ids[n]), HELD_REASON)
    for n in excluded:
        moderate(actor, db.session.get(Rating, ids[n]), RatingStatus.EXCLUDED, EXCLUDED_REASON)
    follow_ups = load_follow_ups(actor, rnd, cycle, today)
    return f"ratings: {len(rows)} (held {len(held)}, excluded {len(excluded)}); follow-ups: {follow_ups}"
