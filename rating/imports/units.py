"""Validating the units' files (SPEC §7): units (``code, name, kind, head``), unit scores (``unit_code, targets,
responsibility, conduct, targets_met``) and station ratings (``unit_code, level, verified, channel, created_at``).

One pass reports every bad row before anything is written; lookups that need the database are passed in.
"""

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from rating.imports.officials import Context, RatingRow, Target, parse_score, validate_ratings
from rating.imports.posts import CODE_PATTERN
from rating.imports.reader import ImportFailed, RowError, Table
from rating.imports.vocab import UNIT_KINDS, to_code

UNIT_COLUMNS = ["code", "name", "kind", "head"]
UNIT_SCORE_COLUMNS = ["unit_code", "targets", "responsibility", "conduct", "targets_met"]
#: Optional columns of the grid's template, there for the reader's sake and ignored.
UNIT_SCORE_INFO_COLUMNS = ("unit", "kind")
STATION_RATING_COLUMNS = ["unit_code", "level", "verified", "channel", "created_at"]
#: 完成年度目标任务: 是/否 or 1/0; empty means "decided by the targets score".
TARGETS_MET = {"是": True, "否": False, "1": True, "0": False, "yes": True, "no": False, "true": True, "false": False}


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: str
    head: str


@dataclass(frozen=True)
class UnitScoreRow:
    line: int
    unit_code: str
    unit_id: int
    targets: float
    responsibility: float
    conduct: float | None
    targets_met: bool | None


def _finish(errors: list[RowError], rows: list) -> list:
    if errors:
        raise ImportFailed(errors)
    return rows


def validate_units(table: Table) -> list[UnitRow]:
    errors: list[RowError] = []
    rows, seen = [], {}
    for line, row in table.rows:
        before = len(errors)
        code, name, head = row["code"].strip().upper(), row["name"].strip(), row["head"].strip()
        kind = to_code(row["kind"], UNIT_KINDS)
        if not CODE_PATTERN.match(code):
            errors.append(RowError(line, _("单位编号“%(v)s”无效", v=row["code"])))
        elif code in seen:
            errors.append(RowError(line, _("单位编号 %(v)s 与第 %(n)d 行重复", v=code, n=seen[code])))
        if not name or len(name) > 100:
            errors.append(RowError(line, _("单位名称不能为空,且不超过 100 字")))
        if kind is None:
            errors.append(RowError(line, _("单位类别“%(v)s”无效", v=row["kind"])))
        if len(head) > 50:
            errors.append(RowError(line, _("主要负责人姓名不超过 50 字")))
        seen.setdefault(code, line)
        if len(errors) == before:
            rows.append(UnitRow(line, code, name, kind, head))
    return _finish(errors, rows)


def _targets_met(text: str, line: int, errors: list[RowError]) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value not in TARGETS_MET:
        errors.append(RowError(line, _("targets_met 应为 是/否 或 1/0,而不是“%(v)s”", v=text)))
        return None
    return TARGETS_MET[value]


def _score(row: dict, column: str, line: int, errors: list[RowError], required: bool = True) -> float | None:
    text = row[column].strip()
    if not text and not required:
        return None
    value = parse_score(text)
    if value is None:
        errors.append(RowError(line, _("%(column)s“%(v)s”无效,应为 0–100 的分数", column=column, v=text)))
    return value


def validate_unit_scores(table: Table, units: dict[str, int]) -> list[UnitScoreRow]:
    """``units``: unit code → id of every unit."""
    errors: list[RowError] = []
    rows, seen = [], {}
    for line, row in table.rows:
        before = len(errors)
        code = row["unit_code"].strip().upper()
        if code not in units:
            errors.append(RowError(line, _("单位编号“%(code)s”不存在", code=row["unit_code"])))
        elif code in seen:
            errors.append(RowError(line, _("单位 %(v)s 与第 %(n)d 行重复", v=code, n=seen[code])))
        seen.setdefault(code, line)
        targets = _score(row, "targets", line, errors)
        responsibility = _score(row, "responsibility", line, errors)
        conduct = _score(row, "conduct", line, errors, required=False)
        met = _targets_met(row["targets_met"], line, errors)
        if len(errors) == before:
            rows.append(UnitScoreRow(line, code, units[code], targets, responsibility, conduct, met))
    return _finish(errors, rows)


def validate_station_ratings(table: Table, ctx: Context, desks: dict[str, Target]) -> list[RatingRow]:
    """Hotline and paper ratings of stations, checked like the posts' (``import-ratings``) against each station's
    rating desk; ``desks``: station code → its desk."""
    errors = [
        RowError(line, _("基层站所编号“%(code)s”不存在", code=row["unit_code"]))
        for line, row in table.rows
        if row["unit_code"].strip().upper() not in desks
    ]
    known = [
        (line, {**row, "post_code": row["unit_code"]})
        for line, row in table.rows
        if row["unit_code"].strip().upper() in desks
    ]
    try:
        rows = validate_ratings(Table(table.columns, known), replace(ctx, posts=desks)) if known else []
    except ImportFailed as exc:
        errors = sorted([*errors, *exc.errors], key=lambda error: error.line)
        rows = []
    return _finish(errors, rows)
