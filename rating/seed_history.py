"""Last year's verdict for the demo (上一年度评议结果): a cycle that ran from 1 January to 31 December of last year,
with its ratings, assessments, two rounds of inspection scores, inspection findings and concluded complaints, then
computed, put up for public notice (公示), objected to once, answered and published with 20 benchmark, 40 excellent
and 5 warned posts, as SPEC §3 and the 2008 article have it.

Every step goes through the services, so the audit log tells the story in order. Two things cannot happen in the
past: the services date the notice period from today, so it is moved afterwards into the January after the cycle
(the move is audited), and the audit entries and the publication carry the time the seed ran. Everything else is
dated relative to today, so the demo never goes stale.

The per-post profile is seeds/history.csv (``post_code, ratings, mean_level, grade_or_score, score_1, score_2``);
the findings are seeds/history_findings.csv (importer columns, dated ``MM-DD``) and the complaints
seeds/history_complaints.csv (the shape of seeds/complaints.csv, ``days_ago`` counted back from 31 December).
Called by rating.seed.run(); loaded once, when last year's cycle does not exist yet.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from rating.clock import LOCAL_TZ
from rating.extensions import db
from rating.imports import officials as official_rows
from rating.models.cycles import Cycle
from rating.models.posts import Post, Tenure
from rating.models.ratings import Rating
from rating.models.results import Result, ResultSet
from rating.seed import SEEDS, load_assessments, load_inspection_scores, official_table, seed_rows
from rating.seed_complaints import load_complaints
from rating.seed_ratings import rating_row
from rating.services import audit, officials
from rating.services import objections as objection_service
from rating.services.cycles import create_cycle
from rating.services.verdict import lifecycle

#: The notice period after last year's cycle: seven days in January, ending on this day at the latest.
NOTICE_LAST_DAY = (1, 11)
NOTICE_DAYS = 7


def notice_window(today: date) -> tuple[date, date]:
    """Seven days in this January, over before today (in the first days of January they reach back into December)."""
    ends = min(date(today.year, *NOTICE_LAST_DAY), today - timedelta(days=1))
    return ends - timedelta(days=NOTICE_DAYS - 1), ends


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(UTC)


def _holder_on(tenures: list[tuple[date, date | None, int]], day: date) -> int | None:
    """The holder in the post on ``day``, so that each rating records the person who served (SPEC §2)."""
    for started_on, ended_on, holder_id in tenures:
        if started_on <= day and (ended_on is None or day <= ended_on):
            return holder_id
    return None


def load_ratings(actor: audit.Actor, cycle: Cycle, profile: list[dict[str, str]]) -> str:
    """``ratings`` counted ratings per post around ``mean_level``, spread over the cycle, in one bulk insert."""
    rnd = random.Random(cycle.year)  # noqa: S311  (demo data, deterministic on purpose)
    posts = dict(db.session.execute(select(Post.code, Post.id).where(Post.active.is_(True))).all())
    tenures: dict[int, list] = {}
    for post_id, started_on, ended_on, holder_id in db.session.execute(
        select(Tenure.post_id, Tenure.started_on, Tenure.ended_on, Tenure.holder_id).order_by(Tenure.started_on)
    ):
        tenures.setdefault(post_id, []).append((started_on, ended_on, holder_id))
    start = datetime.combine(cycle.starts_on, time.min, LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(cycle.ends_on, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)
    rows = []
    for line in profile:
        post_id = posts.get(line["post_code"])
        if post_id is None:
            continue
        for _n in range(int(line["ratings"])):
            row = rating_row(rnd, cycle, post_id, None, float(line["mean_level"]), start, end)
            row["holder_id"] = _holder_on(tenures.get(post_id, []), row["created_at"].astimezone(LOCAL_TZ).date())
            rows.append(row)
    if rows:
        db.session.execute(insert(Rating), rows)
    verified = sum(row["verified"] for row in rows)
    audit.record(actor, "rating.seed", "cycle", cycle.id, after={"ratings": len(rows), "verified": verified})
    return f"ratings {len(rows)} ({verified} verified)"


def load_findings(actor: audit.Actor, cycle: Cycle, raw: list[dict[str, str]]) -> tuple[int, int]:
    """The year's 明查暗访 through the importer's validation and the inspectors' service; returns (all, notified)."""
    ctx = officials.import_context(cycle)
    for row in raw:
        row["date"] = f"{cycle.year}-{row['date'].strip()}"
    loud = {line for line, row in enumerate(raw, start=2) if row["notified"].strip() == "1"}
    table = official_table(official_rows.FINDING_COLUMNS, raw, ctx.posts.keys() | ctx.units.keys())
    rows = official_rows.validate_findings(table, ctx)
    officials.record_findings(actor, cycle, [row for row in rows if row.line not in loud], notify=False)
    officials.record_findings(actor, cycle, [row for row in rows if row.line in loud], notify=True)
    return len(rows), sum(row.line in loud for row in rows)


def _objection_texts(cycle: Cycle, draft: ResultSet) -> tuple[Result, str, str]:
    """One citizen's question about the post that a veto kept from a title (the demo's teaching case)."""
    line = next(row for row in draft.rows if row.discipline_veto)  # seeds/history_complaints.csv has one
    text = (
        f"{line.post_code}{line.post_title}综合得分排名第 {line.rank} 位,为什么没有评为标兵岗位或优秀岗位?"
        "请公开说明理由。"
    )
    answer = (
        f"经复核,该岗位 {cycle.year} 年度有 1 件违规违纪投诉经核查属实。按评议办法,有属实的违规违纪投诉的岗位"
        "实行一票否决,不授予标兵岗位、优秀岗位称号,其综合得分和排名照常公布。计算无误,维持公示结果。"
    )
    return line, text, answer


def publish_verdict(actor: audit.Actor, cycle: Cycle, today: date) -> ResultSet:
    """Compute, notice, one objection answered, notice moved into January, publish: all through the services."""
    draft = lifecycle.compute_final(actor, cycle)
    lifecycle.start_notice(actor, cycle, NOTICE_DAYS)
    line, text, reply = _objection_texts(cycle, draft)
    objection = objection_service.lodge_objection(
        cycle, text, db.session.get(Post, line.post_id), contact="13800138000"
    )
    objection_service.answer(actor, objection, reply)

    before = {"from": cycle.notice_starts_on.isoformat(), "to": cycle.notice_ends_on.isoformat()}
    cycle.notice_starts_on, cycle.notice_ends_on = notice_window(today)
    objection.created_at = _local(cycle.notice_starts_on + timedelta(days=1), 10)
    objection.answered_at = _local(cycle.notice_starts_on + timedelta(days=3), 15)
    db.session.flush()
    audit.record(
        actor,
        "cycle.notice_dates",
        "cycle",
        cycle.id,
        before=before,
        after={
            "from": cycle.notice_starts_on.isoformat(),
            "to": cycle.notice_ends_on.isoformat(),
            "reason": "演示数据:公示期移至上一年度评议结束后的一月",
        },
    )
    return lifecycle.publish(actor, cycle)


def load_history(actor: audit.Actor, today: date) -> list[str]:
    """Last year's cycle, published; nothing when a cycle for last year exists already."""
    year = today.year - 1
    if db.session.scalar(select(Cycle.id).where(Cycle.year == year)):
        return [f"history: the {year} cycle exists; skipped"]
    cycle = create_cycle(actor, year, date(year, 1, 1), date(year, 12, 31))
    profile = seed_rows("history.csv")
    parts = [load_ratings(actor, cycle, profile)]
    assessments = load_assessments(actor, cycle, profile)
    parts.append(f"assessments {assessments['created']}")
    scores = [{"post_code": r["post_code"], "score": r[f"score_{n}"], "round": str(n)} for r in profile for n in (1, 2)]
    parts.append(f"inspection scores {load_inspection_scores(actor, cycle, scores)['created']}")
    findings, notified = load_findings(actor, cycle, seed_rows("history_findings.csv"))
    parts.append(f"inspection findings {findings} (notified {notified})")
    complaints = load_complaints(actor, cycle, cycle.ends_on, SEEDS / "history_complaints.csv")
    parts.append(complaints.split(";")[0])
    published = publish_verdict(actor, cycle, today)
    titles = {"benchmark": 0, "excellent": 0, "warning": 0}
    for row in published.rows:
        if row.title:
            titles[row.title] += 1
    summary = ", ".join(f"{title} {n}" for title, n in titles.items())
    return [
        f"history {year}: " + "; ".join(parts),
        f"history {year}: published version {published.version} ({summary}), content hash {published.content_hash}",
    ]
