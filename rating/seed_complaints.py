"""Demo complaints for the current cycle, reproducing the figures of the 2008 article (section 三(二)): 196 cases,
126 by phone, 41 visits, 29 letters; of the 145 taken in at the municipal centre (cases against municipal,
provincial and window units) 97 referred to the departments, 88 concluded and 9 still being handled. The other 51
were taken in by the county centres (county and station units).

The per-case shape lives in seeds/complaints.csv (``n, channel, code, category, days_ago, stage, finding, on_time,
satisfied``). The services stamp every step with the current time, so the cases are inserted directly with their
steps backdated relative to ``today``, and one audit record says so. Loaded once per cycle."""

import csv
import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from rating.clock import LOCAL_TZ
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.complaints import Category, Complaint, ComplaintChannel, ComplaintEvent, ComplaintStatus, Finding
from rating.models.cycles import Cycle
from rating.models.posts import Post, Tenure
from rating.models.units import Unit
from rating.services import audit
from rating.services.complaints import DEFAULT_WORKING_DAYS, QUERY_ALPHABET, hash_query_code
from rating.workdays import add_working_days

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "complaints.csv"
SEED_MARK = "seed"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TEXTS = {
    Category.ACCESS: [
        "到窗口办理业务,工作人员一直在聊天,等了四十分钟才有人理。",
        "咨询办事流程,工作人员说话很冲,让我自己去看墙上的告示。",
        "材料一次没有说清楚,前后跑了三趟还没有办成。",
    ],
    Category.ARBITRARY: [
        "办理证照时被要求另外交一笔“资料费”,没有开具任何票据。",
        "一个月内被不同科室检查了四次,每次都说要罚款。",
        "被要求参加收费培训才能办理年检,不参加就不给办。",
    ],
    Category.INACTION: [
        "申请材料齐全,但迟迟不给办理,暗示要“表示一下”。",
        "反映的问题已经两个月了,一直说在研究,没有任何答复。",
        "找了熟人的人当天就办好了,我们排队的却被告知系统故障。",
    ],
    Category.CONDUCT: [
        "上班时间窗口无人,打电话说人去开会了,一下午都没回来。",
        "几个科室互相推诿,说不归自己管,让我去找别的部门。",
        "承诺五个工作日办结,已经过去三周还没有结果。",
    ],
    Category.DISCIPLINE: [
        "执法检查时不出示证件,罚款不开正式票据。",
        "执法人员对同样的问题处理标准不一,怀疑收受好处。",
    ],
}
REPLIES = {
    Finding.SUBSTANTIATED: "经核查,反映问题属实。已责成所在单位对责任人进行批评教育并限期整改,整改情况已向您反馈。",
    Finding.PARTLY: "经核查,反映问题部分属实。已要求所在单位改进服务、规范流程,并向您说明了有关政策。",
    Finding.UNSUBSTANTIATED: "经调阅记录、询问当事人核查,反映问题不属实。已向您解释有关规定和办理流程。",
}
STAGES = ("received", "referred", "in_progress", "concluded")


def _at(day: date, minutes: int) -> datetime:
    """A time on ``day`` in office hours, Asia/Shanghai, as UTC; never in the future."""
    return min(utcnow(), datetime.combine(day, time(9), LOCAL_TZ).astimezone(UTC) + timedelta(minutes=minutes % 420))


def _already_loaded(cycle: Cycle) -> bool:
    start = datetime.combine(cycle.starts_on, time.min, LOCAL_TZ)
    end = datetime.combine(cycle.ends_on + timedelta(days=1), time.min, LOCAL_TZ)
    return bool(
        db.session.scalar(
            select(func.count(ComplaintEvent.id))
            .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
            .where(ComplaintEvent.actor == SEED_MARK, Complaint.created_at >= start, Complaint.created_at < end)
        )
    )


def _rows(path: Path = SEED_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_complaints(actor: audit.Actor, cycle: Cycle, today: date, path: Path = SEED_FILE) -> str:
    """The cases of ``path`` (seeds/complaints.csv by default), taken in ``days_ago`` days before ``today``. Last
    year's cases (rating.seed_history) pass the end of that cycle as ``today``."""
    if today < cycle.starts_on:
        return "complaints: the cycle has not started; skipped"
    if _already_loaded(cycle):
        return "complaints: already loaded"
    rnd = random.Random(cycle.year)  # noqa: S311  (demo data, deterministic on purpose)
    posts = {p.code: p for p in db.session.scalars(select(Post))}
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    holders = dict(db.session.execute(select(Tenure.post_id, Tenure.holder_id).where(Tenure.ended_on.is_(None))).all())
    working_days = cycle.settings.complaint_working_days or DEFAULT_WORKING_DAYS
    made, skipped, demo = 0, 0, ""
    for row in _rows(path):
        post = posts.get(row["code"])
        unit = post.unit if post else units.get(row["code"])
        if unit is None:
            skipped += 1
            continue
        query_code = "".join(secrets.choice(QUERY_ALPHABET) for _i in range(8))
        complaint = _complaint(rnd, row, post, unit, holders, cycle, today, working_days, query_code)
        made += 1
        if not demo and complaint.status == ComplaintStatus.CONCLUDED:
            demo = f"{complaint.case_number} / {query_code}"
    audit.record(actor, "complaint.seed", "cycle", cycle.id, after={"complaints": made})
    note = f", {skipped} skipped (unknown post or unit)" if skipped else ""
    return f"complaints: {made}{note}; track a concluded case with {demo}"


def _complaint(rnd, row, post, unit, holders, cycle, today, working_days, query_code) -> Complaint:
    n, stage = int(row["n"]), row["stage"]
    category = Category(row["category"])
    created_day = max(cycle.starts_on, today - timedelta(days=int(row["days_ago"])))
    created = _at(created_day, n * 37)
    complaint = Complaint(
        case_number=secrets.token_hex(8),  # replaced below once the id is known
        query_code_hash=hash_query_code(query_code),
        channel=ComplaintChannel(row["channel"]),
        post_id=post.id if post else None,
        unit_id=unit.id,
        holder_id=holders.get(post.id) if post else None,
        category=category,
        text=rnd.choice(TEXTS[category]),
        complainant_name=rnd.choice(SURNAMES) + rnd.choice(("先生", "女士")),
        complainant_phone=f"139{rnd.randint(10000000, 99999999)}",
        status=ComplaintStatus(stage),
        created_at=created,
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.case_number = f"TS{created_day.year}-{complaint.id:05d}"
    events = [(created, "received", "", True)]
    if stage != "received":
        referred_day = min(today, created_day + timedelta(days=1))
        complaint.deadline = add_working_days(referred_day, working_days)
        events.append((_at(referred_day, n * 53), "referred", "", True))
        if stage in ("in_progress", "concluded"):
            progress_day = min(today, referred_day + timedelta(days=2))
            events.append((_at(progress_day, n * 61), "progress", "已联系投诉人并调取有关记录,正在核查。", False))
    if stage == "concluded":
        events += _conclude(complaint, row, referred_day, cycle, today, n)
    elif stage != "received" and complaint.deadline < today:
        # As the hourly job would have left it: listed for supervision (督办) once.
        complaint.overdue = True
        events.append((_at(complaint.deadline + timedelta(days=1), 0), "overdue", "已超过办理期限,列入督办。", False))
    for at, kind, note, public in events:
        db.session.add(ComplaintEvent(complaint=complaint, at=at, actor=SEED_MARK, kind=kind, note=note, public=public))
    db.session.flush()
    return complaint


def _conclude(complaint: Complaint, row, referred_day: date, cycle: Cycle, today: date, n: int) -> list[tuple]:
    """The conclusion, on time or a few days late, and the return visit. An unsatisfied answer reopens a case once,
    so a case left unsatisfied was reopened, concluded again and still not satisfied."""
    if row["on_time"] == "1":
        day = min(today, complaint.deadline, referred_day + timedelta(days=3 + n % 12))
    else:
        day = min(today, add_working_days(complaint.deadline, 3))
    finding = Finding(row["finding"])
    complaint.finding, complaint.reply = finding, REPLIES[finding]
    complaint.concluded_at = _at(day, n * 71)
    complaint.concluded_on_time = day <= complaint.deadline
    complaint.cycle_id = cycle.id
    events = []
    if row["satisfied"] == "0":
        complaint.reopened = True
        events += [
            (complaint.concluded_at - timedelta(days=5), "concluded", complaint.reply, True),
            (complaint.concluded_at - timedelta(days=4), "satisfaction", "不满意", True),
            (complaint.concluded_at - timedelta(days=4), "reopened", "投诉人对答复不满意,案件重新办理。", True),
        ]
    events.append((complaint.concluded_at, "concluded", complaint.reply, True))
    if row["satisfied"] in ("0", "1"):
        complaint.satisfied = row["satisfied"] == "1"
        visit = min(complaint.concluded_at + timedelta(days=2), utcnow())
        events.append((visit, "satisfaction", "满意" if complaint.satisfied else "不满意", True))
    return events
