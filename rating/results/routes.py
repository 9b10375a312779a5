"""Public result pages (评议结果): the ranking, the title lists, one post's breakdown, the distribution, downloads
and the printable notice.

Every page reads one result set the public may see, never a live table: the newest published version, or during
public notice (公示) the newest draft (the rule of services.results.public_result). Finding that set is one small
query, remembered for a few seconds; the set never changes once written, so each page is rendered once per set,
notice state and language and then answered from memory (rating.results.cache).
"""

from datetime import date
from typing import NamedTuple

from flask import abort, current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from rating.clock import local_today
from rating.exports import XLSX_TYPE, csv_text, xlsx_bytes
from rating.extensions import db
from rating.i18n import TITLE_LABELS
from rating.models.cycles import Cycle, CycleStatus
from rating.models.results import Result, ResultKind, ResultSet
from rating.results import bp, cache
from rating.results.charts import histogram
from rating.scoring import verdict
from rating.scoring.method import MethodSettings
from rating.security import public
from rating.services import results

#: Which kind of set the public sees in which cycle state (services.results.public_result, as one query).
PUBLIC_KIND = {CycleStatus.PUBLISHED: ResultKind.PUBLISHED, CycleStatus.NOTICE: ResultKind.DRAFT}
_public_kind = or_(*(and_(Cycle.status == status, ResultSet.kind == kind) for status, kind in PUBLIC_KIND.items()))

RULE_LABELS = {
    "benchmark": _l("考核等次符合评选条件,排名在标兵岗位名额之内,评为标兵岗位。"),
    "excellent": _l("考核等次符合评选条件,标兵岗位名额已满,排名在优秀岗位名额之内,评为优秀岗位。"),
    "warning": _l("综合得分排在末位,在行政告诫名额之内,给予行政告诫。"),
    "ineligible_grade": _l("年度考核为基本称职或不称职,不参加标兵、优秀岗位评选。"),
    "discipline_veto": _l("评议期内有查证属实的违规违纪投诉,一票否决,不参加标兵、优秀岗位评选。"),
    "quota_full": _l("标兵、优秀岗位名额已满,未获称号。"),
}
DOWNLOADS = {"csv": "text/csv", "xlsx": XLSX_TYPE, "json": "application/json"}


class Shown(NamedTuple):
    """The set a cycle's public pages show, and everything else those pages depend on."""

    cycle_id: int
    year: int
    status: CycleStatus
    notice_starts_on: date | None
    notice_ends_on: date | None
    set_id: int
    version: int
    content_hash: str
    #: The newest published set of any cycle: a post's history on other cycles' pages changes with it.
    newest_published: int

    @property
    def notice_open(self) -> bool:
        return (
            self.status == CycleStatus.NOTICE
            and self.notice_ends_on is not None
            and local_today() <= self.notice_ends_on
        )

    @property
    def state(self) -> tuple:
        return (*self, self.notice_open, _objections_open())


def _objections_open() -> bool:
    return "results.objections" in current_app.view_functions


def _newest_published():
    return select(func.max(ResultSet.id)).where(ResultSet.kind == ResultKind.PUBLISHED).scalar_subquery()


def _lookup(year: int) -> Shown | None:
    row = db.session.execute(
        select(
            Cycle.id,
            Cycle.year,
            Cycle.status,
            Cycle.notice_starts_on,
            Cycle.notice_ends_on,
            ResultSet.id,
            ResultSet.version,
            ResultSet.content_hash,
            _newest_published(),
        )
        .join(ResultSet, ResultSet.cycle_id == Cycle.id)
        .where(Cycle.year == year, _public_kind)
        .order_by(ResultSet.version.desc())
        .limit(1)
    ).first()
    return Shown(*row) if row is not None else None


def _shown(year: int) -> Shown:
    """The set a year's public pages show (remembered for a few seconds, see rating.results.cache), or 404."""
    shown = cache.remembered(("shown", year), lambda: _lookup(year))
    if shown is None:
        abort(404)
    return shown


def _set(set_id: int) -> ResultSet:
    return db.session.scalar(
        select(ResultSet)
        .where(ResultSet.id == set_id)
        .options(selectinload(ResultSet.rows), selectinload(ResultSet.cycle))
    )


def published_history(post_code: str) -> list:
    """A post's lines in every published cycle (the newest version of each), newest year first: one query."""
    newest = (
        select(ResultSet.cycle_id, func.max(ResultSet.version).label("version"))
        .where(ResultSet.kind == ResultKind.PUBLISHED)
        .group_by(ResultSet.cycle_id)
        .subquery()
    )
    return db.session.execute(
        select(Cycle.year, ResultSet.version, ResultSet.ranked, Result)
        .join(ResultSet, ResultSet.id == Result.result_set_id)
        .join(newest, and_(newest.c.cycle_id == ResultSet.cycle_id, newest.c.version == ResultSet.version))
        .join(Cycle, Cycle.id == ResultSet.cycle_id)
        .where(
            Result.post_code == post_code,
            ResultSet.kind == ResultKind.PUBLISHED,
            Cycle.status == CycleStatus.PUBLISHED,
        )
        .order_by(Cycle.year.desc())
    ).all()


def method_of(result_set: ResultSet) -> MethodSettings:
    return MethodSettings.from_dict(result_set.method)


def quotas(method: MethodSettings, ranked: int) -> dict[str, int]:
    """How many posts each title went to in a set of ``ranked`` posts."""
    return {
        "benchmark": method.benchmark_quota.posts(ranked),
        "excellent": method.excellent_quota.posts(ranked),
        "warning": min(method.warning_quota.posts(ranked), ranked),
    }


def explain(line: Result, result_set: ResultSet) -> dict:
    """The figures that show how a line's S, C and T came about, from what the line and its set recorded."""
    method = method_of(result_set)
    per = method.complaint_deductions
    complaint_points = (line.complaints_substantiated * per["substantiated"], line.complaints_partly * per["partly"])
    values = {
        "service": line.service,
        "assessment": line.assessment,
        "conduct": line.conduct,
        "inspection": line.inspection,
    }
    return {
        "unverified": line.ratings - line.verified_ratings,
        "band": verdict.service_band(line.service, line.rating_spread, line.rating_weight, method.prior_weight),
        "complaint_points": complaint_points,
        "deductions": line.inspection_deductions + sum(complaint_points),
        "terms": [(key, method.weights[key], values[key], method.weights[key] * values[key]) for key in values],
        "quotas": quotas(method, result_set.ranked),
    }


def _page(shown: Shown, name: str, render) -> object:
    return cache.page((name, shown.state), render, final=shown.status == CycleStatus.PUBLISHED)


def _render(template: str, shown: Shown, result_set: ResultSet, **context) -> str:
    method = method_of(result_set)
    return render_template(
        template,
        shown=shown,
        cycle=result_set.cycle,
        result_set=result_set,
        method=method,
        quotas=quotas(method, result_set.ranked),
        titles=TITLE_LABELS,
        objection_url=url_for("results.objections", year=shown.year)
        if shown.notice_open and _objections_open()
        else None,
        **context,
    )


def _ranking(shown: Shown, result_set: ResultSet) -> str:
    versions = results.published_versions(result_set.cycle) if shown.status == CycleStatus.PUBLISHED else [result_set]
    return _render("results/ranking.html", shown, result_set, versions=versions, chart=histogram(result_set.rows))


def _public_cycles() -> tuple:
    """Every cycle the public may see a result of, newest year first, with the set it shows: one query."""
    listed = db.session.execute(
        select(
            Cycle.year,
            Cycle.status,
            Cycle.notice_starts_on,
            Cycle.notice_ends_on,
            ResultSet.id,
            ResultSet.version,
            ResultSet.content_hash,
            ResultSet.published_at,
            ResultSet.ranked,
        )
        .join(ResultSet, ResultSet.cycle_id == Cycle.id)
        .where(_public_kind)
        .order_by(Cycle.year.desc(), ResultSet.version.desc())
    ).all()
    newest = {}
    for row in listed:  # the newest public set of each cycle (sets arrive newest first)
        newest.setdefault(row.year, row)
    return tuple(newest.values())


@bp.get("/")
@public
def index():
    rows = cache.remembered("index", _public_cycles)
    today, objections = local_today(), _objections_open()
    return cache.page(
        ("index", rows, today, objections),
        lambda: render_template("results/index.html", rows=rows, today=today, objections=objections),
        final=all(row.status == CycleStatus.PUBLISHED for row in rows),
    )


@bp.get("/<int:year>")
@public
def ranking(year: int):
    shown = _shown(year)
    return _page(shown, "ranking", lambda: _ranking(shown, _set(shown.set_id)))


@bp.get("/<int:year>/versions/<int:version>")
@public
def version(year: int, version: int):
    """An earlier (or the current) published version, readable for good: corrections never erase one."""
    shown = _shown(year)
    set_id = db.session.scalar(
        select(ResultSet.id).where(
            ResultSet.cycle_id == shown.cycle_id, ResultSet.kind == ResultKind.PUBLISHED, ResultSet.version == version
        )
    )
    if set_id is None:
        abort(404)
    return _page(shown, f"version-{version}", lambda: _ranking(shown, _set(set_id)))


@bp.get("/<int:year>/titles")
@public
def titles(year: int):
    shown = _shown(year)
    return _page(shown, "titles", lambda: _render("results/titles.html", shown, _set(shown.set_id)))


def _breakdown(shown: Shown, code: str) -> str:
    line = db.session.scalar(
        select(Result)
        .where(Result.result_set_id == shown.set_id, Result.post_code == code)
        .options(selectinload(Result.result_set).selectinload(ResultSet.cycle))
    )
    if line is None:
        abort(404)
    history = [entry for entry in published_history(code) if entry.year != shown.year]
    return _render(
        "results/breakdown.html",
        shown,
        line.result_set,
        line=line,
        figures=explain(line, line.result_set),
        rule=RULE_LABELS.get(line.rule, line.rule),
        history=history,
    )


@bp.get("/<int:year>/posts/<code>")
@public
def breakdown(year: int, code: str):
    """How one post's composite, rank and title came about, and its lines in other published cycles."""
    shown = _shown(year)
    code = code.upper()[:20]
    return _page(shown, f"post-{code}", lambda: _breakdown(shown, code))


def _download(shown: Shown, fmt: str) -> bytes:
    result_set = _set(shown.set_id)
    if fmt == "json":
        return current_app.json.dumps(results.export_document(result_set.cycle, result_set)).encode("utf-8")
    rows = results.table_rows(result_set)
    if fmt == "csv":
        return csv_text(results.TABLE_HEADER, rows).encode("utf-8")
    return xlsx_bytes(results.TABLE_HEADER, rows)


@bp.get("/<int:year>/results.<fmt>")
@public
def download(year: int, fmt: str):
    """Open data: the set shown on the ranking page as CSV, XLSX or JSON (the document whose hash is shown)."""
    if fmt not in DOWNLOADS:
        abort(404)
    shown = _shown(year)
    kind = "" if shown.status == CycleStatus.PUBLISHED else "-draft"
    filename = f"results-{year}{kind}-v{shown.version}.{fmt}"
    return cache.page(
        (f"download-{fmt}", shown.state),
        lambda: _download(shown, fmt),
        final=shown.status == CycleStatus.PUBLISHED,
        mimetype=DOWNLOADS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<int:year>/print")
@public
def printable(year: int):
    """The official notice (公告, or 公示 during notice) for printing and posting up."""
    shown = _shown(year)
    return _page(shown, "print", lambda: _render("results/print.html", shown, _set(shown.set_id)))
