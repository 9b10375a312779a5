"""Public pages of the rankings beside the verdict (SPEC §6): the department ranking (部门综合考核排名) by group with
its commended units, yellow cards and the two-years-last flag; the grassroots-station satisfaction ranking with
its sample sizes, Wilson intervals and the lowest two named; a unit's history; and their downloads.

Each page reads the set the public may see (rating.services.rankings.publication: the published set, or the draft
during notice), never a live table, and is answered from the shared cache (rating.cache) until the results change;
the day is part of the key, since a notice ends by the calendar.
"""

from flask import abort, render_template

from rating import cache
from rating.clock import local_today
from rating.labels import UNIT_KIND_LABELS
from rating.labels.rankings import CONDUCT_SOURCE_LABELS, OUTCOME_LABELS
from rating.models.rankings import Ranking, RankingSet
from rating.results import bp
from rating.scoring.method import MethodSettings
from rating.security import public
from rating.services.cycles import find_cycle
from rating.services.rankings import export, publication
from rating.services.verdict.export import FORMATS

#: What the ranking pages show: the ranking sets and their cycles (unit names are frozen in the sets).
RANKINGS = ("results",)


def _public_set(year: int, ranking: Ranking) -> RankingSet:
    cycle = find_cycle(year)
    found = publication.public_set(cycle, ranking) if cycle is not None else None
    if found is None:
        abort(404)
    return found


def _groups(ranking_set: RankingSet) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for row in ranking_set.rows:
        groups.setdefault(row.group, []).append(row)
    return list(groups.items())


@bp.get("/<int:year>/departments")
@public
def departments(year: int):
    return cache.page(("departments", local_today()), lambda: _departments(year), areas=RANKINGS)


def _departments(year: int) -> str:
    ranking_set = _public_set(year, Ranking.DEPARTMENTS)
    rows = ranking_set.rows
    return render_template(
        "results/departments.html",
        cycle=ranking_set.cycle,
        ranking_set=ranking_set,
        method=MethodSettings.from_dict(ranking_set.method),
        groups=_groups(ranking_set),
        kinds=UNIT_KIND_LABELS,
        outcomes=OUTCOME_LABELS,
        sources=CONDUCT_SOURCE_LABELS,
        commended=[r for r in rows if r.commended],
        yellow=[r for r in rows if r.yellow_card],
        resign=[r for r in rows if r.head_to_resign],
    )


@bp.get("/<int:year>/stations")
@public
def stations(year: int):
    return cache.page(("stations", local_today()), lambda: _stations(year), areas=RANKINGS)


def _stations(year: int) -> str:
    ranking_set = _public_set(year, Ranking.STATIONS)
    return render_template(
        "results/stations.html",
        cycle=ranking_set.cycle,
        ranking_set=ranking_set,
        method=MethodSettings.from_dict(ranking_set.method),
        lowest=[r for r in ranking_set.rows if r.named_lowest],
    )


@bp.get("/<int:year>/<any(departments, stations):ranking>.<fmt>")
@public
def ranking_download(year: int, ranking: str, fmt: str):
    """Open data: the ranking shown on its page as CSV, XLSX or JSON."""
    if fmt not in FORMATS:
        abort(404)
    ranking_set = _public_set(year, Ranking(ranking))
    kind = "" if ranking_set.kind == "published" else "-draft"
    filename = f"{ranking}-{year}{kind}-v{ranking_set.version}.{fmt}"
    return (
        export.encode(ranking_set.cycle, ranking_set, fmt),
        {"Content-Type": FORMATS[fmt], "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/units/<code>")
@public
def unit_history(code: str):
    """A unit's lines in the department ranking of every cycle the public may see."""
    return cache.page(("unit-history", local_today()), lambda: _unit_history(code), areas=RANKINGS)


def _unit_history(code: str) -> str:
    history = publication.unit_history(code.upper()[:20])
    if not history:
        abort(404)
    return render_template(
        "results/unit_history.html",
        history=history,
        unit=history[0][2],
        kinds=UNIT_KIND_LABELS,
        outcomes=OUTCOME_LABELS,
        sources=CONDUCT_SOURCE_LABELS,
    )
