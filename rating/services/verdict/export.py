"""The open-data form of a result set (评议结果开放数据): the JSON document whose hash a result carries, the table of
the CSV and XLSX downloads, and their bytes. One format, shared by ``flask export-results``, the public download
routes and the API.
"""

import hashlib
import json
from dataclasses import dataclass
from operator import attrgetter, itemgetter

from rating.exports import XLSX_TYPE, csv_text, xlsx_bytes
from rating.models.cycles import Cycle
from rating.models.results import ResultSet

#: Fields of a result line in the open data, in order, and the result attribute each comes from.
FIELDS = {
    "rank": "rank",
    "post_code": "post_code",
    "post_title": "post_title",
    "unit": "unit_name",
    "holder": "holder_name",
    "service": "service",
    "assessment": "assessment",
    "conduct": "conduct",
    "inspection": "inspection",
    "composite": "composite",
    "ratings": "ratings",
    "title": "title",
}
#: Since verdict lines are tenures (sets whose method has ``min_tenure_days``), each line also says whether it was
#: ranked. Sets computed before keep the fields they were hashed with, so every published hash still verifies.
TENURE_FIELDS = {**FIELDS, "ranked": "ranked"}
#: Scores are published rounded to 2 decimals.
SCORES = frozenset({"service", "assessment", "conduct", "inspection", "composite"})
#: Columns of the CSV and XLSX downloads of a set computed before tenures (see ``fields``).
TABLE_HEADER = list(FIELDS)


def fields(method: dict | None) -> dict[str, str]:
    """The open-data fields of a set computed with ``method`` (its frozen settings), in order."""
    return TENURE_FIELDS if method and "min_tenure_days" in method else FIELDS


FORMATS = {"csv": "text/csv", "xlsx": XLSX_TYPE, "json": "application/json"}


def result_line(row, method: dict | None = None) -> dict:
    """One line of the open-data document of a set computed with ``method``, from a result row or a dict of its
    columns: scores rounded to 2 decimals, the title as its code."""
    names = fields(method)
    read = itemgetter if isinstance(row, dict) else attrgetter
    line = dict(zip(names, read(*names.values())(row), strict=True))
    for field in SCORES:
        if line[field] is not None:
            line[field] = round(line[field], 2)
    if line["title"] is not None:
        line["title"] = str(line["title"])
    return line


def result_lines(rows: list, method: dict | None = None) -> list[dict]:
    """``result_line`` of every row of a set (result rows or dicts of their columns), with the fields and readers
    worked out once for the set rather than once a line."""
    names = fields(method)
    keys = list(names)
    by_key, by_attribute = itemgetter(*names.values()), attrgetter(*names.values())
    scores = [index for index, key in enumerate(keys) if key in SCORES]
    title = keys.index("title")
    lines = []
    for row in rows:
        values = list((by_key if isinstance(row, dict) else by_attribute)(row))
        for index in scores:
            if values[index] is not None:
                values[index] = round(values[index], 2)
        if values[title] is not None:
            values[title] = str(values[title])
        lines.append(dict(zip(keys, values, strict=True)))
    return lines


def canonical_hash(year: int, kind: str, version: int, method: dict, lines: list[dict], **about) -> str:
    """sha256 of the canonical JSON of what a result set says; anyone can recompute it from the JSON download:
    ``{"cycle", "kind", "version", "method", "results"}`` (and ``about``, e.g. a ranking's ``"ranking"``) with sorted
    keys, no spaces, UTF-8."""
    document = {"cycle": year, "kind": kind, "version": version, "method": method, "results": lines, **about}
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document(cycle: Cycle, result_set: ResultSet) -> dict:
    """The open-data document of a result set (the JSON download, ``export-results --format json``, the API)."""
    return {
        "cycle": cycle.year,
        "status": str(cycle.status),
        "kind": str(result_set.kind),
        "version": result_set.version,
        "computed_at": result_set.computed_at.isoformat(),
        "published_at": result_set.published_at.isoformat() if result_set.published_at else None,
        "reason": result_set.reason,
        "content_hash": result_set.content_hash,
        "method": result_set.method,
        "results": result_lines(result_set.rows, result_set.method),
    }


def table_header(result_set: ResultSet) -> list[str]:
    return list(fields(result_set.method))


def table_rows(result_set: ResultSet) -> list[list]:
    return [list(line.values()) for line in result_lines(result_set.rows, result_set.method)]


@dataclass(frozen=True)
class Table:
    """The CSV and XLSX table worded for people instead of the open-data fields (the web downloads: headings and
    titles in the reader's language, the reason a title was withheld), and the name of its sheet."""

    header: list[str]
    rows: list[list]
    sheet: str | None = None


def encode(cycle: Cycle, result_set: ResultSet, fmt: str, table: Table | None = None) -> bytes:
    """The result set as a file: ``json`` (UTF-8, indented), ``csv`` (UTF-8 with BOM) or ``xlsx``. The CSV and XLSX
    carry ``table`` when given, else the open-data fields (``flask export-results``: programs read those names)."""
    table = table or Table(table_header(result_set), table_rows(result_set))
    return encode_document(document(cycle, result_set), table.header, table.rows, fmt, sheet=table.sheet)


def encode_document(doc: dict, header: list[str], rows: list[list], fmt: str, sheet: str | None = None) -> bytes:
    """An open-data document as a file (the verdict's and the rankings' downloads): ``json`` is the document,
    ``csv`` and ``xlsx`` its table (``sheet`` names the XLSX's sheet)."""
    if fmt == "json":
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        return csv_text(header, rows).encode("utf-8")
    if fmt == "xlsx":
        return xlsx_bytes(header, rows, title=sheet)
    raise ValueError(f"unknown format {fmt!r}")
