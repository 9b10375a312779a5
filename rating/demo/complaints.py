"""Demo complaints, reproducing the figures of the 2008 article (section 三(二)): 196 cases, 126 by phone, 41 visits,
29 letters; of the 145 taken in at the municipal centre (cases against municipal, provincial and window units) 97
referred to the departments, 88 concluded and 9 still being handled. The other 51 were taken in by the county
centres (county and station units).

The per-case shape lives in seeds/complaints.csv (last year's in seeds/history_complaints.csv): ``n, channel,
code, category, days_ago, stage, finding, on_time, satisfied``. Each case is replayed through services.complaints,
step by step (intake, referral, the unit's signing, handling, extension requests, conclusion, the return call, the
review of the text for the public), each step dated ``days_ago`` before ``today`` in office hours; then the hourly
overdue job runs once.

The clocks are those of 12345 practice (rating.scoring.case_clocks): the cases not yet referred were taken in today
or yesterday, within the one working day to refer, except two left past it (listed for supervision) and a few the
unit sent back as not its own (stage ``sent_back``), waiting for the centre to refer them again; units sign the
day of the referral or the next; some ask for more time, once, and the centre grants or refuses it. Loaded once per
cycle, by rating.demo.run() and rating.demo.history."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from rating.clock import LOCAL_TZ
from rating.demo import files
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.complaints import (
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    Finding,
    Satisfaction,
)
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.units import Unit
from rating.services import audit
from rating.services import complaints as service
from rating.workdays import add_working_days

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
PROGRESS_NOTE = "已联系投诉人并调取有关记录,正在核查。"
INVESTIGATION_NOTE = "已调取该岗位近三个月的执法记录和收费票据,约谈当事人。"
SENT_BACK_REASON = "经核实,所反映事项不属本单位职责范围,请中心改派有关部门办理。"
EXTENSION_REASON = "需调取多个部门的记录并约谈当事人,核查工作量较大。"
REFUSAL_NOTE = "事实清楚、核查难度不大,请按原期限办结。"
CALL_NOTES = {
    Satisfaction.SATISFIED: "投诉人表示问题已解决。",
    Satisfaction.BASICALLY: "投诉人表示基本解决,希望今后改进。",
    Satisfaction.DISSATISFIED: "投诉人认为答复没有解决问题。",
}


def _already_loaded(actor: audit.Actor, cycle: Cycle) -> bool:
    start = datetime.combine(cycle.starts_on, datetime.min.time(), LOCAL_TZ)
    end = datetime.combine(cycle.ends_on + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    return bool(
        db.session.scalar(
            select(func.count(ComplaintEvent.id))
            .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
            .where(ComplaintEvent.actor == actor.name, Complaint.created_at >= start, Complaint.created_at < end)
        )
    )


def load_complaints(actor: audit.Actor, cycle: Cycle, today: date, name: str = "complaints.csv") -> str:
    """The cases of seeds/``name``, taken in ``days_ago`` days before ``today``. Last year's cases
    (rating.demo.history) pass the end of that cycle as ``today``."""
    if today < cycle.starts_on:
        return "complaints: the cycle has not started; skipped"
    if _already_loaded(actor, cycle):
        return "complaints: already loaded"
    rnd = random.Random(cycle.year)  # noqa: S311  (demo data, deterministic on purpose)
    posts = set(db.session.scalars(select(Post.code)))
    units = set(db.session.scalars(select(Unit.code)))
    made, skipped, demo = 0, 0, ""
    for row in files.rows(name):
        if row["code"] not in posts and row["code"] not in units:
            skipped += 1
            continue
        complaint, query_code = _replay(actor, rnd, row, row["code"] in posts, cycle, today)
        made += 1
        if not demo and complaint.status == ComplaintStatus.CONCLUDED:
            demo = f"{complaint.case_number} / {query_code}"
    overdue = len(service.mark_overdue(today))  # as the hourly job would have left them
    note = f", {skipped} skipped (unknown post or unit)" if skipped else ""
    reports = _reports(actor, rnd, sorted(posts), today) if name == "complaints.csv" else 0
    return f"complaints: {made}{note}; overdue {overdue}; {reports} reports; track a concluded case with {demo}"


def _reports(actor, rnd, posts: list[str], today: date) -> int:
    """Two confidential reports to the discipline commission this year, outside the article's 196: one just in, one
    the commission is looking into (none concluded, so the verdict is the article's)."""
    if not posts:
        return 0
    for n, days_ago in enumerate((1, 6)):
        intake = service.Intake(
            channel="web", category="discipline", text=TEXTS[Category.DISCIPLINE][n], post_code=rnd.choice(posts)
        )
        at = files.office_time(max(today - timedelta(days=days_ago), date(today.year, 1, 1)), 11 + n)
        complaint, _code = service.file_report(actor, intake, at=at)
        if n:
            service.investigate(audit.Actor("auditor"), complaint, INVESTIGATION_NOTE, at=at + timedelta(hours=2))
    return 2


def _replay(actor, rnd, row, on_post: bool, cycle: Cycle, today: date) -> tuple[Complaint, str]:
    """One case up to its ``stage``; each step on its day, never before the step it follows."""
    n, stage, category = int(row["n"]), row["stage"], Category(row["category"])
    intake = service.Intake(
        channel=row["channel"],
        category=category,
        text=rnd.choice(TEXTS[category]),
        post_code=row["code"] if on_post else "",
        unit_code="" if on_post else row["code"],
        name=rnd.choice(SURNAMES) + rnd.choice(("先生", "女士")),
        phone=f"139{rnd.randint(10000000, 99999999)}",
    )
    created_on = max(cycle.starts_on, today - timedelta(days=int(row["days_ago"])))
    at = files.office_time(created_on, n * 37)
    complaint, query_code = service.file_complaint(actor, intake, at=at)
    if stage == ComplaintStatus.RECEIVED:
        return complaint, query_code
    referred_on = min(today, created_on + timedelta(days=1))
    # Two steps may fall on one day: a step is never dated before the one it follows.
    at = max(at, files.office_time(referred_on, n * 53))
    service.refer(actor, complaint, at=at)
    if stage == "sent_back":  # sent back yesterday (or today if referred today): the centre is still in time
        at = max(at, files.office_time(max(referred_on, today - timedelta(days=1)), n * 67))
        service.send_back(actor, complaint, SENT_BACK_REASON, at=at)
        return complaint, query_code
    at = max(at, files.office_time(min(today, referred_on + timedelta(days=n % 2)), n * 59))
    service.sign(actor, complaint, at=at)
    at = max(at, files.office_time(min(today, referred_on + timedelta(days=2)), n * 61))
    service.record_progress(actor, complaint, PROGRESS_NOTE, at=at)
    at = _extension(actor, complaint, row, at, today, n)
    if stage == ComplaintStatus.CONCLUDED:
        _conclude(actor, complaint, row, (referred_on, at), today, n)
        _review_text(actor, complaint, n)
    return complaint, query_code


def _review_text(actor, complaint: Complaint, n: int) -> None:
    """The handler's 公开审核 once the case is concluded: most texts published masked, one in six withheld; never a
    违规违纪 report's, and nothing when the office publishes no texts."""
    if service.is_confidential(complaint) or not service.texts_published():
        return
    last = max(event.at for event in complaint.events)  # after the return call: the trail stays in order
    at = max(last, min(last + timedelta(hours=1), utcnow()))
    if n % 6 == 0:
        service.withhold_text(actor, complaint, at=at)
    else:
        service.publish_text(actor, complaint, service.proposed_text(complaint), at=at)


def _extension(actor, complaint: Complaint, row, at: datetime, today: date, n: int) -> datetime:
    """Some units ask for five more working days: a third of the cases still in hand (granted for half of them, the
    rest waiting), a few concluded on time after a granted extension, and half of the late ones, refused. Returns
    the time of the last step."""
    on_time, stage = row["on_time"], row["stage"]
    asked = (stage == ComplaintStatus.IN_PROGRESS and n % 3 == 0) or (
        stage == ComplaintStatus.CONCLUDED and (on_time == "0" and n % 2 == 0 or on_time == "1" and n % 9 == 0)
    )
    if not asked:
        return at
    at = max(at, min(utcnow(), at + timedelta(minutes=30)))
    service.request_extension(actor, complaint, 5, EXTENSION_REASON, at=at)
    if stage == ComplaintStatus.IN_PROGRESS and n % 2:
        return at  # still waiting for the centre
    at = max(at, files.office_time(min(today, at.astimezone(LOCAL_TZ).date() + timedelta(days=1)), n * 13))
    approve = on_time == "1"
    service.decide_extension(actor, complaint, approve, "" if approve else REFUSAL_NOTE, at=at)
    return at


def _conclude(actor, complaint: Complaint, row, referred: tuple[date, datetime], today: date, n: int) -> None:
    """The conclusion, on time or a few days late, and the return call; ``referred`` is the day of the referral
    and the time of the last step. An unsatisfied answer reopens a case once, so a case left unsatisfied was
    concluded, reopened, concluded again and still not satisfied."""
    referred_on, last = referred
    if row["on_time"] == "1":
        day = min(today, complaint.deadline, referred_on + timedelta(days=3 + n % 12))
    else:
        day = min(today, add_working_days(complaint.deadline, 3))
    finding = Finding(row["finding"])
    at = max(last, files.office_time(day, n * 71))
    if row["satisfied"] == "0":
        first = max(at - timedelta(days=5), last)
        service.conclude(actor, complaint, finding, REPLIES[finding], at=first)
        _return_call(actor, complaint, Satisfaction.DISSATISFIED, first + (at - first) / 5, n)
    service.conclude(actor, complaint, finding, REPLIES[finding], at=at)
    if row["satisfied"] in ("0", "1"):
        grade = Satisfaction.DISSATISFIED if row["satisfied"] == "0" else SATISFIED_GRADES[n % 4 == 0]
        _return_call(actor, complaint, grade, min(at + timedelta(days=2), utcnow()), n)


#: Most satisfied answers are 满意, one in four 基本满意 (both count as satisfied).
SATISFIED_GRADES = {False: Satisfaction.SATISFIED, True: Satisfaction.BASICALLY}


def _return_call(actor, complaint: Complaint, grade: Satisfaction, at: datetime, n: int) -> None:
    """The complainant's answer: on the tracking page for online cases, else by the handler's return call, one in
    five reached only at the second try."""
    if complaint.channel == ComplaintChannel.ONLINE:
        service.return_visit(complaint, grade != Satisfaction.DISSATISFIED, at=at)
        return
    if n % 5 == 0:
        service.record_return_call(actor, complaint, False, at=at)
    service.record_return_call(actor, complaint, True, grade, CALL_NOTES[grade], at=at)
