"""The open-data form of a ranking set: the JSON document whose hash the set carries, the table of its CSV and XLSX
downloads, written through the verdict's ``encode_document`` (one set of formats for every download).
"""

from operator import attrgetter, itemgetter

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


class _Shape:
    """How a ranking's line is read: every field at once (one C call for a row or a dict of its columns), then only
    the scores rounded; a department draft has ten thousand lines, so nothing here is done per field in Python."""

    def __init__(self, fields: dict[str, str]):
        self.fields = tuple(fields)
        self.of_row = attrgetter(*fields.values())
        self.of_dict = itemgetter(*fields.values())
        self.rounded = tuple((field, ROUNDING[field]) for field in fields if field in ROUNDING)


SHAPES = {ranking: _Shape(fields) for ranking, fields in FIELDS.items()}


def line(ranking: Ranking, row) -> dict:
    """One line of the open data, from a stored row or a dict of its columns (scores rounded as published)."""
    shape = SHAPES[ranking]
    out = dict(zip(shape.fields, (shape.of_dict if isinstance(row, dict) else shape.of_row)(row), strict=True))
    for field, digits in shape.rounded:
        if out[field] is not None:
            out[field] = round(out[field], digits)
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
