"""Public complaint statistics (投诉统计) for a period (the cycle's dates unless ``?from=`` / ``?to=`` say otherwise):
cases by channel, status and problem area, per complaint centre (市投诉中心 and each county's) the seed's "received /
referred / concluded / in progress", and per centre and unit the hotline's three rates (按期办结率, 办结率, 满意率), as
a page with bar charts drawn in SVG and as CSV/XLSX downloads.

Cases are counted by the day they were taken in (within the period); duplicates merged into another case are left
out. A case counts as referred (已转办) once it stands referred to a unit or concluded: a case a unit sent back and
waiting to be referred again does not (as the seed counts: the city centre's 97 referred are its 88 concluded and 9
in progress). Nothing here ever names or reaches a complainant. Reports in the 违规违纪 area are counted in the
totals, per centre and by channel, status and area, never per unit: the public must not learn whom they are about.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from rating import cache
from rating.clock import LOCAL_TZ, local_today
from rating.complaints import bp
from rating.exports import csv_response, xlsx_response
from rating.extensions import db
from rating.labels.complaints import CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS, county_centre_name
from rating.models.centres import ComplaintCentre
from rating.models.complaints import Category, Complaint, ComplaintStatus
from rating.models.cycles import Cycle
from rating.models.units import Unit
from rating.security import public
from rating.services import complaints
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
    """The figures of a unit, a centre or all cases."""

    code: str
    name: str
    cases: int  #: received (受理)
    concluded: int
    on_time_rate: float | None  #: concluded on time among concluded
    conclusion_rate: float | None  #: concluded among referred or later
    satisfaction_rate: float | None  #: satisfied among answered return visits
    referred: int = 0  #: referred to a unit or concluded (转办), not waiting after a unit sent it back
    in_progress: int = 0  #: with the unit (referred or in progress)


@dataclass(frozen=True)
class Period:
    """The days counted, both included."""

    start: date
    end: date


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _bars(counts: dict, labels: dict) -> list[Bar]:
    top = max(counts.values(), default=0)
    return [
        Bar(str(label), counts.get(key, 0), round(BAR_WIDTH * counts.get(key, 0) / top) if top else 0)
        for key, label in labels.items()
    ]


def _in_period(period: Period) -> list:
    start = datetime.combine(period.start, time.min, LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time.min, LOCAL_TZ).astimezone(UTC)
    return [Complaint.created_at >= start, Complaint.created_at < end, Complaint.merged_into_id.is_(None)]


def _centre_cases(period: Period) -> list:
    """The complaint centres' cases of the period: the discipline commission's confidential reports are only
    counted, on their own line (``Figures.reports``)."""
    return [*_in_period(period), complaints.CENTRE_CASES]


def _counts_by(column, period: Period) -> dict:
    stmt = select(column, func.count(Complaint.id)).where(*_centre_cases(period)).group_by(column)
    return dict(db.session.execute(stmt).all())


def _tallies() -> list:
    """Cases, concluded, concluded on time, referred or later, satisfied, answered return visits, with the unit."""
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
        tally(Complaint.status.in_((ComplaintStatus.REFERRED, ComplaintStatus.IN_PROGRESS))),
    ]


def _figures(code: str, name: str, cases, done, on_time, referred, happy, answered, in_hand) -> UnitFigures:
    return UnitFigures(
        code, name, cases, done, _rate(on_time, done), _rate(done, referred), _rate(happy, answered), referred, in_hand
    )


def _per_unit(period: Period) -> list[UnitFigures]:
    rows = db.session.execute(
        select(Unit.code, Unit.name, *_tallies())
        .join(Unit, Unit.id == Complaint.unit_id)
        .where(*_centre_cases(period), Complaint.category != Category.DISCIPLINE)
        .group_by(Unit.id, Unit.code, Unit.name)
        .order_by(func.count(Complaint.id).desc(), Unit.code)
    ).all()
    return [_figures(*row) for row in rows]


def _per_centre(period: Period) -> list[UnitFigures]:
    """Every centre, the city's first, with its cases of the period (none is a row of noughts)."""
    county = Unit.__table__.alias("county")
    rows = db.session.execute(
        select(ComplaintCentre.code, county.c.name, *_tallies())
        .select_from(ComplaintCentre)
        .outerjoin(county, county.c.id == ComplaintCentre.county_id)
        .outerjoin(Complaint, and_(Complaint.centre_id == ComplaintCentre.id, *_in_period(period)))
        .group_by(ComplaintCentre.id, ComplaintCentre.code, county.c.name)
        .order_by(ComplaintCentre.county_id.is_not(None), ComplaintCentre.code)
    ).all()
    return [_figures(code, county_centre_name(name), *tallies) for code, name, *tallies in rows]


def _overall(period: Period) -> UnitFigures:
    return _figures("", _("全市合计"), *db.session.execute(select(*_tallies()).where(*_centre_cases(period))).one())


def _reports(period: Period) -> int:
    """保密举报 to the discipline commission in the period: a count, nothing more."""
    return db.session.scalar(select(func.count(Complaint.id)).where(*_in_period(period), Complaint.confidential))


@dataclass(frozen=True)
class Figures:
    cycle: Cycle
    period: Period
    total: UnitFigures
    channels: list[Bar]
    statuses: list[Bar]
    categories: list[Bar]
    centres: list[UnitFigures]
    units: list[UnitFigures]
    reports: int  #: confidential reports to the discipline commission, counted only

    @property
    def whole_cycle(self) -> bool:
        return (self.period.start, self.period.end) == (self.cycle.starts_on, self.cycle.ends_on)


def cycle_figures(cycle: Cycle, period: Period | None = None) -> Figures:
    """The figures of ``period`` (by default the cycle's dates)."""
    period = period or Period(cycle.starts_on, cycle.ends_on)
    return Figures(
        cycle=cycle,
        period=period,
        total=_overall(period),
        channels=_bars(_counts_by(Complaint.channel, period), CHANNEL_LABELS),
        statuses=_bars(_counts_by(Complaint.status, period), STATUS_LABELS),
        categories=_bars(_counts_by(Complaint.category, period), CATEGORY_LABELS),
        centres=_per_centre(period),
        units=_per_unit(period),
        reports=_reports(period),
    )


def _cycle_or_404() -> Cycle | None:
    year = request.args.get("cycle", type=lenient_int)
    if year is None:
        return current_cycle()
    return cycle_or_404(year)


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip()[:10])
    except ValueError:
        return None


def requested_period(cycle: Cycle) -> Period:
    """``?from=`` and ``?to=`` (ISO dates), each defaulting to the cycle's; a reversed pair is put the right way."""
    start, end = _day("from") or cycle.starts_on, _day("to") or cycle.ends_on
    return Period(min(start, end), max(start, end))


def _figures_row(group: str, u: UnitFigures) -> list:
    rates = [percent(r) for r in (u.on_time_rate, u.conclusion_rate, u.satisfaction_rate)]
    return [group, u.code, u.name, u.cases, u.concluded, *rates, u.referred, u.in_progress]


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@bp.get("/stats")
@public
def stats():
    """Answered from the shared cache (rating.cache) until a complaint, a unit or a cycle changes."""
    return cache.page(
        ("complaint-stats", local_today()),
        _stats,
        query=("cycle", "from", "to"),
        areas=("complaints", "directory", "results"),
    )


def _stats() -> str:
    cycle = _cycle_or_404()
    years = db.session.scalars(select(Cycle.year).order_by(Cycle.year.desc())).all()
    figures = cycle_figures(cycle, requested_period(cycle)) if cycle else None
    return render_template(
        "complaints/stats.html", cycle=cycle, years=years, figures=figures, percent=percent, bar_width=BAR_WIDTH
    )


@bp.get("/stats.<any(csv, xlsx):fmt>")
@public
def stats_export(fmt: str):
    cycle = _cycle_or_404()
    if cycle is None:
        abort(404)
    figures = cycle_figures(cycle, requested_period(cycle))
    header = [_("分组"), _("单位代码"), _("项目"), _("件数"), _("已办结"), _("按期办结率"), _("办结率"), _("满意率")]
    header += [_("已转办"), _("办理中")]
    rows = []
    groups = ((_("渠道"), figures.channels), (_("状态"), figures.statuses), (_("问题类别"), figures.categories))
    for group, bars in groups:
        rows += [[group, "", bar.label, bar.count, "", "", "", "", "", ""] for bar in bars]
    rows.append([_("纪委保密举报"), "", _("只计件数"), figures.reports, "", "", "", "", "", ""])
    rows += [_figures_row(_("投诉中心"), centre) for centre in figures.centres]
    rows += [_figures_row(_("单位"), u) for u in [*figures.units, figures.total]]
    period = figures.period
    filename = f"complaint-stats-{cycle.year}.{fmt}"
    if not figures.whole_cycle:
        filename = f"complaint-stats-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    notes = [
        _(
            "%(start)s 至 %(end)s 受理的投诉举报,按受理日期计入,不含已并入其他案件的重复投诉。",
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        ),
        _("按期办结率 = 按期办结件数 ÷ 已办结件数;办结率 = 已办结件数 ÷ 已转办及以后的件数;"),
        _("满意率 = 回访满意件数 ÷ 已回访件数。"),
        _("已转办 = 已转交单位办理或已办结的件数(被单位退回、等待重新转办的不计);办理中 = 已转办、尚未办结的件数。"),
        _("违规违纪举报只计入合计、各投诉中心和分类件数,不按单位列出。"),
    ]
    return xlsx_response(filename, header, rows, notes, title=_("%(year)d 年度投诉举报统计", year=cycle.year))
