"""Validating the officials' files (SPEC §7): assessments (``post_code, grade_or_score``), inspection findings
(``post_code, date, kind, finding, deduction``) and comprehensive-inspection scores (``post_code, score, round``).

Checks that need the database (does the post exist, is it the HR officer's unit, is the date inside the cycle) are
made here too, against lookups passed in, so that one pass reports every bad row before anything is written.
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from flask_babel import gettext as _

from rating.clock import LOCAL_TZ
from rating.imports.reader import ImportFailed, RowError, Table
from rating.imports.vocab import CATEGORIES, CHANNELS, FINDINGS, GRADES, INSPECTION_KINDS, to_code

ASSESSMENT_COLUMNS = ["post_code", "grade_or_score"]
#: Optional columns of assessments and scores: ``holder`` names the person (a post that changed hands during the
#: cycle has one row per holder); title and unit are in our templates for the reader's sake and ignored.
ASSESSMENT_INFO_COLUMNS = ("title", "holder", "unit")
FINDING_COLUMNS = ["post_code", "date", "kind", "finding", "deduction"]
SCORE_COLUMNS = ["post_code", "score", "round"]
RATING_COLUMNS = ["post_code", "level", "verified", "channel", "created_at"]
COMPLAINT_COLUMNS = ["post_code", "channel", "category", "finding", "concluded_at"]


@dataclass(frozen=True)
class Target:
    """What a code in a file names: a post (with its unit) or, for findings only, a whole unit."""

    post_id: int | None
    unit_id: int
    #: The post's code and title ("DT-001 婚姻登记窗口岗"), which errors about its rows name.
    name: str = ""


@dataclass(frozen=True)
class Context:
    cycle_starts_on: date
    cycle_ends_on: date
    posts: dict[str, Target]  #: post code → target
    units: dict[str, Target]  #: unit code → target (findings about a whole unit)
    only_unit_id: int | None = None  #: an HR officer may only touch their own unit
    standard_deductions: dict[str, float] | None = None
    #: post id → {holder name → holder id} of the holders whose tenure overlaps the cycle
    holders: dict[int, dict[str, int]] | None = None


@dataclass(frozen=True)
class AssessmentRow:
    line: int
    code: str
    post_id: int
    grade: str | None
    score: float | None
    holder_id: int | None = None  #: None: the holder at the cycle's end (today's while it runs)


@dataclass(frozen=True)
class FindingRow:
    line: int
    code: str
    post_id: int | None
    unit_id: int
    found_on: date
    kind: str
    description: str
    deduction: float
    deduction_code: str | None


@dataclass(frozen=True)
class ScoreRow:
    line: int
    code: str
    post_id: int
    score: float
    round: int
    holder_id: int | None = None  #: None: the holder at the cycle's end (today's while it runs)


def parse_score(text: str) -> float | None:
    """A number 0–100 with at most two decimals, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not 0 <= value <= 100 or round(value, 2) != value:
        return None
    return value


def parse_grade_or_score(text: str) -> tuple[str | None, float | None] | None:
    """优秀/称职/基本称职/不称職 or their codes, or a score 0–100; None when it is neither."""
    grade = to_code(text, GRADES)
    if grade:
        return grade, None
    score = parse_score(text.strip())
    return (None, score) if score is not None else None


def _post(ctx: Context, code: str, line: int, errors: list[RowError]) -> Target | None:
    target = ctx.posts.get(code.strip().upper())
    if target is None:
        errors.append(RowError(line, _("岗位编号“%(code)s”不存在", code=code)))
        return None
    if ctx.only_unit_id is not None and target.unit_id != ctx.only_unit_id:
        errors.append(RowError(line, _("岗位 %(code)s 不属于本单位", code=code), target.name))
        return None
    return target


def _about(errors: list[RowError], since: int, target: Target | None) -> None:
    """Name the post in the errors of its row found since ``since`` (the row number alone sends people counting)."""
    if target is not None and target.name:
        errors[since:] = [error if error.subject else replace(error, subject=target.name) for error in errors[since:]]


def _holder(ctx: Context, target: Target | None, row: dict, line: int, errors: list[RowError]) -> int | None:
    """The holder a row names in its optional ``holder`` column, among the post's holders in the cycle."""
    name = (row.get("holder") or "").strip()
    if not name or target is None:
        return None
    holder_id = (ctx.holders or {}).get(target.post_id, {}).get(name)
    if holder_id is None:
        errors.append(
            RowError(line, _("“%(name)s”在本评议周期内没有担任岗位 %(code)s", name=name, code=row["post_code"]))
        )
    return holder_id


def _finish(errors: list[RowError], rows: list):
    if errors:
        raise ImportFailed(errors)
    return rows


def validate_assessments(table: Table, ctx: Context) -> list[AssessmentRow]:
    errors: list[RowError] = []
    rows, seen = [], {}
    for line, row in table.rows:
        before = len(errors)
        target = _post(ctx, row["post_code"], line, errors)
        value = parse_grade_or_score(row["grade_or_score"])
        if not row["grade_or_score"]:
            errors.append(RowError(line, _("考核结果不能为空")))
        elif value is None:
            errors.append(
                RowError(
                    line,
                    _("考核结果“%(v)s”无效:应为优秀、称职、基本称职、不称职或 0–100 的分数", v=row["grade_or_score"]),
                )
            )
        code = row["post_code"].strip().upper()
        holder_id = _holder(ctx, target, row, line, errors)
        if target and (code, holder_id) in seen:
            other = seen[(code, holder_id)]
            errors.append(RowError(line, _("岗位 %(code)s 与第 %(other)d 行重复", code=code, other=other)))
        seen.setdefault((code, holder_id), line)
        _about(errors, before, target)
        if len(errors) == before:
            rows.append(AssessmentRow(line, code, target.post_id, *value, holder_id=holder_id))
    return _finish(errors, rows)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10].replace("/", "-"))
    except ValueError:
        return None


def validate_findings(table: Table, ctx: Context) -> list[FindingRow]:
    errors: list[RowError] = []
    rows, seen = [], {}
    standard = ctx.standard_deductions or {}
    for line, row in table.rows:
        before = len(errors)
        code = row["post_code"].strip().upper()
        target = ctx.posts.get(code) or ctx.units.get(code)
        if target is None:
            errors.append(RowError(line, _("岗位或单位编号“%(code)s”不存在", code=row["post_code"])))
        found_on = _parse_date(row["date"])
        if found_on is None:
            errors.append(RowError(line, _("日期“%(d)s”无效,应为 YYYY-MM-DD", d=row["date"])))
        elif not ctx.cycle_starts_on <= found_on <= ctx.cycle_ends_on:
            errors.append(RowError(line, _("日期 %(d)s 不在本评议周期内", d=found_on.isoformat())))
        kind = to_code(row["kind"], INSPECTION_KINDS)
        if kind is None:
            errors.append(RowError(line, _("检查方式“%(k)s”无效,应为明查或暗访", k=row["kind"])))
        description = row["finding"].strip()
        if not description:
            errors.append(RowError(line, _("发现的问题不能为空")))
        elif len(description) > 2000:
            errors.append(RowError(line, _("发现的问题超过 2000 个字符")))
        deduction_code = row["deduction"].strip() if row["deduction"].strip() in standard else None
        deduction = standard[deduction_code] if deduction_code else parse_score(row["deduction"].strip() or "0")
        if deduction is None:
            errors.append(RowError(line, _("扣分“%(d)s”无效,应为 0–100 的数字或标准扣分项", d=row["deduction"])))
        key = (code, row["date"], kind, description)
        if key in seen:
            errors.append(RowError(line, _("与第 %(other)d 行重复", other=seen[key])))
        seen.setdefault(key, line)
        if len(errors) == before:
            rows.append(
                FindingRow(
                    line, code, target.post_id, target.unit_id, found_on, kind, description, deduction, deduction_code
                )
            )
    return _finish(errors, rows)


def validate_scores(table: Table, ctx: Context) -> list[ScoreRow]:
    errors: list[RowError] = []
    rows, seen = [], {}
    for line, row in table.rows:
        before = len(errors)
        target = _post(ctx, row["post_code"], line, errors)
        score = parse_score(row["score"].strip())
        if score is None:
            errors.append(RowError(line, _("分数“%(s)s”无效,应为 0–100 的数字(最多两位小数)", s=row["score"])))
        try:
            round_ = int(row["round"].strip())
        except ValueError:
            round_ = 0
        if not 1 <= round_ <= 99:
            errors.append(RowError(line, _("轮次“%(r)s”无效,应为 1–99 的整数", r=row["round"])))
        code = row["post_code"].strip().upper()
        holder_id = _holder(ctx, target, row, line, errors)
        if (code, holder_id, round_) in seen:
            errors.append(
                RowError(
                    line,
                    _(
                        "岗位 %(code)s 第 %(r)d 轮与第 %(other)d 行重复",
                        code=code,
                        r=round_,
                        other=seen[(code, holder_id, round_)],
                    ),
                )
            )
        seen.setdefault((code, holder_id, round_), line)
        _about(errors, before, target)
        if len(errors) == before:
            rows.append(ScoreRow(line, code, target.post_id, score, round_, holder_id))
    return _finish(errors, rows)


@dataclass(frozen=True)
class RatingRow:
    line: int
    code: str
    post_id: int
    level: int
    verified: bool
    channel: str
    created_at: datetime


def _parse_when(text: str) -> datetime | None:
    """A local (Asia/Shanghai) date or date-time, as UTC-aware; None when unreadable."""
    text = text.strip().replace("/", "-").replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        except ValueError:
            continue
    return None


def validate_ratings(table: Table, ctx: Context) -> list[RatingRow]:
    """Hotline and paper ratings keyed in by staff (SPEC §7): they count as given, so no device or burst rules."""
    errors: list[RowError] = []
    rows = []
    for line, row in table.rows:
        before = len(errors)
        target = _post(ctx, row["post_code"], line, errors)
        level = row["level"].strip()
        if level not in ("1", "2", "3", "4", "5"):
            errors.append(RowError(line, _("评价等级“%(v)s”无效,应为 1–5", v=row["level"])))
        verified = row["verified"].strip()
        if verified not in ("0", "1"):
            errors.append(RowError(line, _("verified 应为 1 或 0,而不是“%(v)s”", v=row["verified"])))
        channel = to_code(row["channel"], CHANNELS)
        if channel not in ("hotline", "paper"):
            errors.append(RowError(line, _("渠道“%(v)s”无效:导入的评议只能是热线或问卷", v=row["channel"])))
        when = _parse_when(row["created_at"])
        if when is None:
            errors.append(RowError(line, _("时间“%(v)s”无效,应为 YYYY-MM-DD HH:MM", v=row["created_at"])))
        elif not ctx.cycle_starts_on <= when.astimezone(LOCAL_TZ).date() <= ctx.cycle_ends_on:
            errors.append(RowError(line, _("时间 %(v)s 不在本评议周期内", v=row["created_at"])))
        if len(errors) == before:
            rows.append(
                RatingRow(
                    line, row["post_code"].strip().upper(), target.post_id, int(level), verified == "1", channel, when
                )
            )
    return _finish(errors, rows)


@dataclass(frozen=True)
class ComplaintRow:
    line: int
    code: str
    post_id: int
    unit_id: int
    channel: str
    category: str
    finding: str
    concluded_at: datetime


def validate_complaints(table: Table, ctx: Context) -> list[ComplaintRow]:
    """Concluded complaints from other systems (SPEC §7); each must be concluded inside the cycle."""
    errors: list[RowError] = []
    rows = []
    for line, row in table.rows:
        before = len(errors)
        target = _post(ctx, row["post_code"], line, errors)
        channel = to_code(row["channel"], CHANNELS)
        if channel not in ("phone", "visit", "letter", "web"):
            errors.append(RowError(line, _("渠道“%(v)s”无效,应为电话、来访、来信或网上", v=row["channel"])))
        category = to_code(row["category"], CATEGORIES)
        if category is None:
            errors.append(RowError(line, _("问题类别“%(v)s”无效", v=row["category"])))
        finding = to_code(row["finding"], FINDINGS)
        if finding is None:
            errors.append(RowError(line, _("核查结论“%(v)s”无效,应为属实、部分属实或不属实", v=row["finding"])))
        when = _parse_when(row["concluded_at"])
        if when is None:
            errors.append(RowError(line, _("时间“%(v)s”无效,应为 YYYY-MM-DD HH:MM", v=row["concluded_at"])))
        elif not ctx.cycle_starts_on <= when.astimezone(LOCAL_TZ).date() <= ctx.cycle_ends_on:
            errors.append(RowError(line, _("时间 %(v)s 不在本评议周期内", v=row["concluded_at"])))
        if len(errors) == before:
            rows.append(
                ComplaintRow(
                    line,
                    row["post_code"].strip().upper(),
                    target.post_id,
                    target.unit_id,
                    channel,
                    category,
                    finding,
                    when,
                )
            )
    return _finish(errors, rows)
