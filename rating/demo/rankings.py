"""The demo's rankings beside the verdict (SPEC §6): invented heads for every unit, a year of ratings for the 14
grassroots stations (two clearly lowest, one under the minimum sample), and unit scores for both demo cycles, so
that one municipal unit (M25, 市统计局) is last two years running and its head is named.

Last year's cycle is published by rating.demo.history before this runs, so its unit scores are entered as the
office's late amendment and its department ranking published late, with a reason (its three yellow cards open
entries in the accountability ledger); the current cycle's rankings are drafts until its verdict is published.
Everything goes through the services. Idempotent.
"""

import random
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from rating.demo import files
from rating.demo.ratings import draw
from rating.extensions import db
from rating.imports.units import UnitScoreRow
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Post
from rating.models.rankings import Ranking, RankingSet, UnitScore
from rating.models.ratings import Rating
from rating.models.units import Unit, UnitKind
from rating.services import audit, stations
from rating.services.cycles import find_cycle
from rating.services.officials import Amendment
from rating.services.rankings import lifecycle
from rating.services.rating_batch import record_batch
from rating.services.unit_scores import record_unit_scores

#: The municipal unit last in both demo cycles (连续两年末位).
LAST_TWICE = "M25"
#: Stations clearly least satisfying (mean level), and the one rated too seldom to be ranked.
LOWEST = {"S02": 3.0, "S07": 3.2}
FEW = "S13"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜谢邹喻柏水窦章云苏潘葛范彭郎鲁韦昌马苗"
GIVEN = "建国志强海峰文华明远振宇立新卫东晓光国平春生永红德胜长青玉林思源"
LATE_REASON = "演示:上年度部门综合考核分数于结果公布后补录,部门排名补充公布"


def _invented_head(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)


def load_heads(actor: audit.Actor) -> int:
    """An invented principal leader (主要负责人) for every unit without one; every station's rating desk."""
    rnd = random.Random("heads")  # noqa: S311  (deterministic demo)
    named = 0
    for unit in db.session.scalars(select(Unit).order_by(Unit.code)):
        head = _invented_head(rnd)
        stations.ensure_desk(actor, unit)
        if not unit.head:
            unit.head = head
            audit.record(actor, "unit.update", "unit", unit.id, before={"head": ""}, after={"head": head})
            named += 1
    db.session.flush()
    return named


def load_station_ratings(actor: audit.Actor, cycle: Cycle) -> int:
    """A year of ratings of each station, up to today."""
    desks = dict(db.session.execute(select(Unit.code, Post.id).join(Post).where(Post.rates_unit.is_(True))).all())
    if db.session.scalar(select(func.count(Rating.id)).where(Rating.post_id.in_(desks.values()))):
        return 0
    rnd = random.Random(f"stations-{cycle.year}")  # noqa: S311
    start, end = files.local_span(cycle.starts_on, cycle.ends_on)
    share = min(1.0, max(0.1, (end - start).days / 365))  # a year's worth, in proportion to the days gone
    rows = []
    for code, desk in sorted(desks.items()):
        count = 18 if code == FEW else round(rnd.randint(60, 160) * share) + 30
        mean = LOWEST.get(code, rnd.uniform(4.0, 4.5))
        rows += [draw(rnd, desk, mean, start, end) for _n in range(count)]
    record_batch(actor, cycle, rows, current_app.config["SECRET_KEY"])
    return len(rows)


def _scores(rnd: random.Random, unit: Unit, derived: bool) -> tuple[float, float, float | None]:
    if unit.code == LAST_TWICE:
        return 56.0, 61.0, None if derived else 62.0
    targets = round(rnd.uniform(72, 97), 1)
    if unit.kind in (UnitKind.PROVINCIAL, UnitKind.COUNTY) and rnd.random() < 0.15:
        targets = round(rnd.uniform(50, 59), 1)  # did not meet its targets: a yellow card
    responsibility = round(rnd.uniform(75, 96), 1)
    return targets, responsibility, None if derived else round(rnd.uniform(76, 94), 1)


def load_unit_scores(actor: audit.Actor, cycle: Cycle, derived_for: set[int], amendment=None) -> int:
    """Every unit's scores; conduct left empty (derived from the platform) for the units in ``derived_for``."""
    if db.session.scalar(select(func.count(UnitScore.id)).where(UnitScore.cycle_id == cycle.id)):
        return 0
    rnd = random.Random(f"unit-scores-{cycle.year}d")  # noqa: S311
    rows = []
    for line, unit in enumerate(db.session.scalars(select(Unit).order_by(Unit.code)), start=2):
        targets, responsibility, conduct = _scores(rnd, unit, unit.id in derived_for)
        rows.append(UnitScoreRow(line, unit.code, unit.id, targets, responsibility, conduct, None))
    record_unit_scores(actor, cycle, rows, amendment)
    return len(rows)


def _computed(cycle: Cycle, ranking: Ranking) -> bool:
    return bool(
        db.session.scalar(select(RankingSet.id).where(RankingSet.cycle_id == cycle.id, RankingSet.ranking == ranking))
    )


def _units_with_posts() -> set[int]:
    return set(db.session.scalars(select(Post.unit_id).where(Post.active.is_(True), Post.rates_unit.is_(False))))


def _last_year(actor: audit.Actor, cycle: Cycle) -> list[str]:
    """Last year's scores (conduct derived from its published verdict) and its department ranking, published late."""
    amendment = Amendment(may_amend=True, reason=LATE_REASON)
    scored = load_unit_scores(actor, cycle, _units_with_posts(), amendment)
    if _computed(cycle, Ranking.DEPARTMENTS):
        return [f"rankings {cycle.year}: already computed"]
    lifecycle.compute_departments(actor, cycle)
    published = lifecycle.publish_late(actor, cycle, Ranking.DEPARTMENTS, LATE_REASON)
    return [f"rankings {cycle.year}: {scored} unit scores, departments published (version {published.version})"]


def _this_year(actor: audit.Actor, cycle: Cycle) -> list[str]:
    """The current cycle: station ratings, every unit's scores (stations' conduct from their satisfaction), drafts."""
    rated = load_station_ratings(actor, cycle)
    scored = load_unit_scores(actor, cycle, {u.id for u in db.session.scalars(select(Unit)) if u.kind == "station"})
    if not _computed(cycle, Ranking.STATIONS):
        lifecycle.compute_stations(actor, cycle)
        lifecycle.compute_departments(actor, cycle)
    return [f"rankings {cycle.year}: {rated} station ratings, {scored} unit scores, drafts computed"]


def load_rankings(actor: audit.Actor, today: date) -> list[str]:
    lines = [f"unit heads named: {load_heads(actor)}"]
    last_year = find_cycle(today.year - 1)
    if last_year is not None and last_year.status == CycleStatus.PUBLISHED:
        lines += _last_year(actor, last_year)
    cycle = find_cycle(today.year)
    if cycle is not None and cycle.takes_entries and today >= cycle.starts_on:
        lines += _this_year(actor, cycle)
    return lines
