"""Public result pages (评议结果): the ranking, the title lists, one post's breakdown, the distribution, downloads
and the printable notice.

Every page reads the one set the public may see of a year, as rating.services.verdict.publication decides it, never
a live table. Finding that set is one small query, remembered for a few seconds; the set never changes once
written, so each page is rendered once per set, notice state and language and then answered from the shared cache
(rating.cache) until a change of the results (a publication, a correction, a cycle or a transfer order) gives
them a new generation.
"""

from flask import abort, current_app, make_response, render_template, url_for

from rating import cache
from rating.clock import local_today
from rating.labels import TITLE_LABELS, WITHHELD_TITLE_LABELS, rule_label
from rating.models.cycles import CycleStatus
from rating.models.results import ResultSet
from rating.results import bp
from rating.results.charts import histogram
from rating.results.downloads import readable_table
from rating.scoring import verdict
from rating.scoring.breakdown import explain
from rating.scoring.method import MethodSettings
from rating.security import public
from rating.services import transfers
from rating.services.verdict import export, publication
from rating.services.verdict.publication import Shown

#: What every result page shows: the published (or notice) sets, the cycles, the transfer orders; never live tables.
RESULTS = ("results",)


def _objections_open() -> bool:
    return "results.objections" in current_app.view_functions


def _state(shown: Shown) -> tuple:
    """Everything a result page depends on: the set shown, the notice state, whether objections are taken."""
    return (*shown, shown.notice_open, _objections_open())


def _shown(year: int) -> Shown:
    """The set a year's public pages show (remembered for a few seconds, see rating.cache), or a 404 page
    saying that the year's result is not published yet (before its notice, or a year without a cycle)."""
    shown = cache.remembered(("shown", year), lambda: publication.shown(year), RESULTS)
    if shown is None:
        abort(make_response(render_template("results/not_published.html", year=year), 404))
    return shown


def _transfers(shown: Shown) -> tuple:
    """The completed transfer orders of the cycle (remembered for a few seconds): a warned line says "已调离" once
    its holder has been transferred, so a page changes with them."""
    return cache.remembered(("transfers", shown.cycle_id), lambda: transfers.completion_mark(shown.cycle_id), RESULTS)


def _page(shown: Shown, name: str, render) -> object:
    return cache.page((name, _state(shown), _transfers(shown)), render, areas=RESULTS, final=shown.final)


def _render(template: str, shown: Shown, result_set: ResultSet, **context) -> str:
    method = MethodSettings.from_dict(result_set.method)
    return render_template(
        template,
        shown=shown,
        cycle=result_set.cycle,
        result_set=result_set,
        method=method,
        quotas=verdict.quotas(method, result_set.ranked),
        titles=TITLE_LABELS,
        withheld=WITHHELD_TITLE_LABELS,
        transferred=transfers.completed(result_set.cycle_id),
        objection_url=url_for("results.objections", year=shown.year)
        if shown.notice_open and _objections_open()
        else None,
        **context,
    )


def title_lists(rows) -> dict:
    """The lines of each title, in rank order; the benchmark and excellent lists also hold the withheld lines whose
    ranks fall among theirs, so a reader sees why the list skips from 18 to 20."""
    lists, above = {}, 0
    for title in (verdict.Title.BENCHMARK, verdict.Title.EXCELLENT):
        titled = [row for row in rows if row.title == title]
        last = titled[-1].rank if titled else above
        withheld = [row for row in rows if row.rule in WITHHELD_TITLE_LABELS and above < (row.rank or 0) < last]
        lists[title] = sorted([row for row in rows if row.title == title] + withheld, key=lambda row: row.position)
        above = max(above, last)
    lists[verdict.Title.WARNING] = [row for row in rows if row.title == verdict.Title.WARNING]
    return lists


def _ranking(shown: Shown, result_set: ResultSet) -> str:
    versions = publication.published_versions(result_set.cycle) if shown.final else [result_set]
    return _render("results/ranking.html", shown, result_set, versions=versions, chart=histogram(result_set.rows))


@bp.get("/")
@public
def index():
    rows = cache.remembered("index", publication.public_cycles, RESULTS)
    today, objections = local_today(), _objections_open()
    return cache.page(
        ("index", rows, today, objections),
        lambda: render_template("results/index.html", rows=rows, today=today, objections=objections),
        areas=RESULTS,
        final=all(row.status == CycleStatus.PUBLISHED for row in rows),
    )


@bp.get("/<int:year>")
@public
def ranking(year: int):
    shown = _shown(year)
    return _page(shown, "ranking", lambda: _ranking(shown, publication.result_set(shown.set_id)))


@bp.get("/<int:year>/versions/<int:version>")
@public
def version(year: int, version: int):
    """An earlier (or the current) published version, readable for good: corrections never erase one."""
    shown = _shown(year)
    set_id = publication.published_set_id(shown.cycle_id, version)
    if set_id is None:
        abort(404)
    return _page(shown, f"version-{version}", lambda: _ranking(shown, publication.result_set(set_id)))


def _titles(shown: Shown) -> str:
    result_set = publication.result_set(shown.set_id)
    return _render("results/titles.html", shown, result_set, lists=title_lists(result_set.rows))


@bp.get("/<int:year>/titles")
@public
def titles(year: int):
    shown = _shown(year)
    return _page(shown, "titles", lambda: _titles(shown))


def _breakdown(shown: Shown, code: str) -> str:
    lines = publication.lines(shown.set_id, code)
    if not lines:
        abort(404)
    result_set = lines[0].result_set
    method = MethodSettings.from_dict(result_set.method)
    entries = [
        (line, explain(line, method, result_set.ranked), rule_label(line.rule, method.min_tenure_days))
        for line in lines
    ]
    return _render(
        "results/breakdown.html",
        shown,
        result_set,
        post=lines[0],
        entries=entries,
        history=[entry for entry in publication.published_history(code) if entry.year != shown.year],
    )


@bp.get("/<int:year>/posts/<code>")
@public
def breakdown(year: int, code: str):
    """How one post's composite, rank and title came about, and its lines in other published cycles."""
    shown = _shown(year)
    code = code.upper()[:20]
    return _page(shown, f"post-{code}", lambda: _breakdown(shown, code))


def _download(shown: Shown, fmt: str) -> bytes:
    result_set = publication.result_set(shown.set_id)
    return export.encode(result_set.cycle, result_set, fmt, None if fmt == "json" else readable_table(result_set))


@bp.get("/<int:year>/results.<fmt>")
@public
def download(year: int, fmt: str):
    """Open data: the set shown on the ranking page as CSV or XLSX in the page's language, or JSON (the document
    whose hash is shown, with the open-data field names)."""
    if fmt not in export.FORMATS:
        abort(404)
    shown = _shown(year)
    kind = "" if shown.final else "-draft"
    filename = f"results-{year}{kind}-v{shown.version}.{fmt}"
    return cache.page(
        (f"download-{fmt}", _state(shown)),
        lambda: _download(shown, fmt),
        areas=RESULTS,
        final=shown.final,
        mimetype=export.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<int:year>/print")
@public
def printable(year: int):
    """The official notice (公告, or 公示 during notice) for printing and posting up."""
    shown = _shown(year)
    return _page(shown, "print", lambda: _render("results/print.html", shown, publication.result_set(shown.set_id)))
