"""Last year's verdict for the demo (上一年度评议结果): a cycle that ran from 1 January to 31 December of last year,
with its ratings, assessments, two rounds of inspection scores, inspection findings and concluded complaints, then
computed, put up for public notice (公示), objected to once, answered and published with 20 benchmark, 40 excellent
and 5 warned posts, as SPEC §3 and the 2008 article have it.

Every step goes through the services, so the audit log tells the story in order; the records are dated inside last
year. The verdict's lifecycle starts a notice period today, so the period is then moved into the January after the
cycle (services.cycles.move_notice, audited); the objection service takes no time, so the objection's two dates are
set to lie in that period. Audit entries and the publication carry the time the seed ran.

The per-post profile is seeds/history.csv (``post_code, ratings, mean_level, grade_or_score, score_1, score_2``);
the findings are seeds/history_findings.csv (importer columns, dated ``MM-DD``) and the complaints
seeds/history_complaints.csv (the shape of seeds/complaints.csv, ``days_ago`` counted back from 31 December).
Called by rating.demo.run(); loaded once, when last year's cycle does not exist yet.
"""

from collections import Counter
from datetime import date, timedelta

from rating.demo import files
from rating.demo.complaints import load_complaints
from rating.demo.officials import load_assessments, load_inspection_scores, record_findings
from rating.demo.ratings import load_year
from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.results import Result, ResultSet
from rating.services import audit
from rating.services import objections as objection_service
from rating.services.cycles import create_cycle, find_cycle, move_notice
from rating.services.verdict import lifecycle

#: The notice period after last year's cycle: seven days in January, ending on this day at the latest.
NOTICE_LAST_DAY = (1, 11)
NOTICE_DAYS = 7


def notice_window(today: date) -> tuple[date, date]:
    """Seven days in this January, over before today (in the first days of January they reach back into December)."""
    ends = min(date(today.year, *NOTICE_LAST_DAY), today - timedelta(days=1))
    return ends - timedelta(days=NOTICE_DAYS - 1), ends


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
    starts_on, ends_on = notice_window(today)
    move_notice(actor, cycle, starts_on, "演示数据:公示期移至上一年度评议结束后的一月")
    objection.created_at = files.office_time(starts_on + timedelta(days=1), 60)
    objection.answered_at = files.office_time(starts_on + timedelta(days=3), 360)
    db.session.flush()
    # Published the morning after the notice ended (never later than today), so the transfer orders run from then.
    return lifecycle.publish(actor, cycle, at=files.office_time(min(ends_on + timedelta(days=1), today), 60))


def _load_records(actor: audit.Actor, cycle: Cycle) -> list[str]:
    profile = files.rows("history.csv")
    parts = [load_year(actor, cycle, profile)]
    parts.append(f"assessments {load_assessments(actor, cycle, profile)['created']}")
    scores = [{"post_code": r["post_code"], "score": r[f"score_{n}"], "round": str(n)} for r in profile for n in (1, 2)]
    parts.append(f"inspection scores {load_inspection_scores(actor, cycle, scores)['created']}")
    raw = files.rows("history_findings.csv")
    for row in raw:
        row["date"] = f"{cycle.year}-{row['date'].strip()}"
    findings, notified = record_findings(actor, cycle, raw)
    parts.append(f"inspection findings {findings} (notified {notified})")
    parts.append(load_complaints(actor, cycle, cycle.ends_on, "history_complaints.csv").split(";")[0])
    return parts


def load_history(actor: audit.Actor, today: date) -> list[str]:
    """Last year's cycle, published; nothing when a cycle for last year exists already."""
    year = today.year - 1
    if find_cycle(year) is not None:
        return [f"history: the {year} cycle exists; skipped"]
    cycle = create_cycle(actor, year, date(year, 1, 1), date(year, 12, 31))
    parts = _load_records(actor, cycle)
    published = publish_verdict(actor, cycle, today)
    titles = Counter(row.title for row in published.rows if row.title)
    summary = ", ".join(f"{title} {titles[title]}" for title in ("benchmark", "excellent", "warning"))
    return [
        f"history {year}: " + "; ".join(parts),
        f"history {year}: published version {published.version} ({summary}), content hash {published.content_hash}",
    ]
