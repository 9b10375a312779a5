"""The open-data form of a ranking set: the JSON document whose hash the set carries, the table of its CSV and XLSX
downloads, written through the verdict's ``encode_document`` (one set of formats for every download).
"""

from rating.models.cycles import Cycle
from rating.models.rankings import Ranking, RankingSet
from rating.services.verdict.export import canonical_hash, encode_document

#: Fields of a line in the open data, in order, and the row attribute each comes from.
FIELDS = {
    Ranking.DEPARTMENTS: {
        "group": "group",
        "rank": "rank",
        "unit_code": "unit_code",
        "unit": "unit_name",
        "targets": "targets",
        "responsibility": "responsibility",
        "conduct": "conduct",
        "composite": "composite",
        "commended": "commended",
        "yellow_card": "yellow_card",
        "last": "last",
        "head_to_resign": "head_to_resign",
    },
    Ranking.STATIONS: {
        "rank": "rank",
        "unit_code": "unit_code",
        "unit": "unit_name",
        "ratings": "ratings",
        "satisfied": "satisfied",
        "rate": "rate",
        "ranked": "ranked",
        "named_lowest": "named_lowest",
    },
}
#: Scores are published rounded to 2 decimals, the satisfaction rate (a fraction) to 6.
ROUNDING = {"targets": 2, "responsibility": 2, "conduct": 2, "composite": 2, "rate": 6}


def line(ranking: Ranking, row) -> dict:
    """One line of the open data, from a stored row or a dict of its columns (scores rounded as published)."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    out = {}
    for field, attribute in FIELDS[ranking].items():
        value = get(attribute)
        digits = ROUNDING.get(field)
        out[field] = round(value, digits) if digits is not None and value is not None else value
    return out


def content_hash(year: int, ranking: Ranking, kind: str, version: int, method: dict, rows) -> str:
    lines = [line(ranking, row) for row in rows]
    return canonical_hash(year, kind, version, method, lines, ranking=str(ranking))


def document(cycle: Cycle, ranking_set: RankingSet) -> dict:
    """The JSON download, ``export-departments``/``export-stations --format json`` and the API."""
    return {
        "cycle": cycle.year,
        "ranking": str(ranking_set.ranking),
        "status": str(cycle.status),
        "kind": str(ranking_set.kind),
        "version": ranking_set.version,
        "computed_at": ranking_set.computed_at.isoformat(),
        "published_at": ranking_set.published_at.isoformat() if ranking_set.published_at else None,
        "reason": ranking_set.reason,
        "content_hash": ranking_set.content_hash,
        "method": ranking_set.method,
        "results": [line(ranking_set.ranking, row) for row in ranking_set.rows],
    }


def encode(cycle: Cycle, ranking_set: RankingSet, fmt: str) -> bytes:
    header = list(FIELDS[ranking_set.ranking])
    rows = [list(line(ranking_set.ranking, row).values()) for row in ranking_set.rows]
    return encode_document(document(cycle, ranking_set), header, rows, fmt)
