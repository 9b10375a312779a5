"""Public complaint statistics (投诉统计) for a cycle: cases by channel, status and problem area, and per unit the
hotline's three rates (按期办结率, 办结率, 满意率), as a page with bar charts drawn in SVG and as CSV/XLSX downloads.

Cases are counted by the day they were taken in (within the cycle's dates); duplicates merged into another case are
left out. Nothing here ever names or reaches a complainant. Reports in the 违规违纪 area are counted in the totals and
by channel, status and area, never per unit: the public must not learn whom they are about.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from rating import cache
from rating.clock import LOCAL_TZ, local_today
from rating.complaints import bp
from rating.exports import csv_response, xlsx_response
from rating.extensions import db
from rating.labels.complaints import CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS
from rating.models.complaints import Category, Complaint, ComplaintStatus
from rating.models.cycles import Cycle
from rating.models.units import Unit
from rating.security import public
from rating.services.cycles import current_cycle
from rating.views import cycle_or_404, lenient_int

#: Width in SVG units of the longest bar in a chart.
BAR_WIDTH = 240


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: int  #: SVG units, proportional to the largest count in its chart


@dataclass(frozen=True)
class UnitFigures:
    code: str
    name: str
    cases: int
    concluded: int
    on_time_rate: float | None  #: concluded on time among concluded
    conclusion_rate: float | None  #: concluded among referred or later
    satisfaction_rate: float | None  #: satisfied among answered return visits


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _bars(counts: dict, labels: dict) -> list[Bar]:
    top = max(counts.values(), default=0)
    return [
        Bar(str(label), counts.get(key, 0), round(BAR_WIDTH * counts.get(key, 0) / top) if top else 0)
        for key, label in labels.items()
    ]


def _in_cycle(cycle: Cycle) -> list:
    start = datetime.combine(cycle.starts_on, time.min, LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(cycle.ends_on + timedelta(days=1), time.min, LOCAL_TZ).astimezone(UTC)
    return [Complaint.created_at >= start, Complaint.created_at < end, Complaint.merged_into_id.is_(None)]


def _counts_by(column, cycle: Cycle) -> dict:
    stmt = select(column, func.count(Complaint.id)).where(*_in_cycle(cycle)).group_by(column)
    return dict(db.session.execute(stmt).all())


def _tallies() -> list:
    """Cases, concluded, concluded on time, referred or later, satisfied, answered return visits."""
    concluded = Complaint.status == ComplaintStatus.CONCLUDED

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return [
        func.count(Complaint.id),
        tally(concluded),
        tally(concluded & Complaint.concluded_on_time.is_(True)),
        tally(Complaint.status != ComplaintStatus.RECEIVED),
        tally(Complaint.satisfied.is_(True)),
        tally(Complaint.satisfied.is_not(None)),
    ]


def _figures(code: str, name: str, cases, done, on_time, referred, happy, answered) -> UnitFigures:
    return UnitFigures(code, name, cases, done, _rate(on_time, done), _rate(done, referred), _rate(happy, answered))


def _per_unit(cycle: Cycle) -> list[UnitFigures]:
    rows = db.session.execute(
        select(Unit.code, Unit.name, *_tallies())
        .join(Unit, Unit.id == Complaint.unit_id)
        .where(*_in_cycle(cycle), Complaint.category != Category.DISCIPLINE)
        .group_by(Unit.id, Unit.code, Unit.name)
        .order_by(func.count(Complaint.id).desc(), Unit.code)
    ).all()
    return [_figures(*row) for row in rows]


def _overall(cycle: Cycle) -> UnitFigures:
    return _figures("", _("全市合计"), *db.session.execute(select(*_tallies()).where(*_in_cycle(cycle))).one())


@dataclass(frozen=True)
class Figures:
    cycle: Cycle
    total: UnitFigures
    channels: list[Bar]
    statuses: list[Bar]
    categories: list[Bar]
    units: list[UnitFigures]


def cycle_figures(cycle: Cycle) -> Figures:
    return Figures(
        cycle=cycle,
        total=_overall(cycle),
        channels=_bars(_counts_by(Complaint.channel, cycle), CHANNEL_LABELS),
        statuses=_bars(_counts_by(Complaint.status, cycle), STATUS_LABELS),
        categories=_bars(_counts_by(Complaint.category, cycle), CATEGORY_LABELS),
        units=_per_unit(cycle),
    )


def _cycle_or_404() -> Cycle | None:
    year = request.args.get("cycle", type=lenient_int)
    if year is None:
        return current_cycle()
    return cycle_or_404(year)


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@bp.get("/stats")
@public
def stats():
    """Answered from the shared cache (rating.cache) until a complaint, a unit or a cycle changes."""
    return cache.page(("complaint-stats", local_today()), _stats, areas=("complaints", "directory", "results"))


def _stats() -> str:
    cycle = _cycle_or_404()
    years = db.session.scalars(select(Cycle.year).order_by(Cycle.year.desc())).all()
    figures = cycle_figures(cycle) if cycle else None
    return render_template(
        "complaints/stats.html", cycle=cycle, years=years, figures=figures, percent=percent, bar_width=BAR_WIDTH
    )


@bp.get("/stats.<any(csv, xlsx):fmt>")
@public
def stats_export(fmt: str):
    cycle = _cycle_or_404()
    if cycle is None:
        abort(404)
    figures = cycle_figures(cycle)
    header = [_("分组"), _("单位代码"), _("项目"), _("件数"), _("已办结"), _("按期办结率"), _("办结率"), _("满意率")]
    rows = []
    groups = ((_("渠道"), figures.channels), (_("状态"), figures.statuses), (_("问题类别"), figures.categories))
    for group, bars in groups:
        rows += [[group, "", bar.label, bar.count, "", "", "", ""] for bar in bars]
    rows += [
        [_("单位"), u.code, u.name, u.cases, u.concluded]
        + [percent(r) for r in (u.on_time_rate, u.conclusion_rate, u.satisfaction_rate)]
        for u in [*figures.units, figures.total]
    ]
    filename = f"complaint-stats-{cycle.year}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    notes = [
        _("%(year)d 年度投诉举报统计,按受理日期计入,不含已并入其他案件的重复投诉。", year=cycle.year),
        _("按期办结率 = 按期办结件数 ÷ 已办结件数;办结率 = 已办结件数 ÷ 已转办及以后的件数;"),
        _("满意率 = 回访满意件数 ÷ 已回访件数。"),
        _("违规违纪举报只计入合计和分类件数,不按单位列出。"),
    ]
    return xlsx_response(filename, header, rows, notes, title=_("%(year)d 年度投诉举报统计", year=cycle.year))
