"""Validating rows of a posts file (columns ``code, unit, unit_kind, title, holder, responsibilities,
commitments[, holder_since]``). Pure checks on the file itself; checks against the database live in services.posts."""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from rating.imports.reader import ImportFailed, RowError, Table
from rating.imports.vocab import UNIT_KINDS, split_items, to_code

COLUMNS = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments"]
#: The day the row's holder took the post (YYYY-MM-DD): a transfer's date; empty for "today" (or, for a new post's
#: first holder, "from the beginning").
OPTIONAL = ("holder_since",)
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")


@dataclass(frozen=True)
class PostRow:
    line: int
    code: str
    unit: str
    unit_kind: str
    title: str
    holder: str
    responsibilities: tuple[str, ...]
    commitments: tuple[str, ...]
    holder_since: date | None = None


def _check_length(errors, line, label, value, limit, required=True):
    if required and not value:
        errors.append(RowError(line, _("%(field)s 不能为空", field=label)))
    elif len(value) > limit:
        errors.append(RowError(line, _("%(field)s 超过 %(n)d 个字符", field=label, n=limit)))


def validate_rows(table: Table) -> list[PostRow]:
    """Every row checked; raises ImportFailed listing all bad rows, or returns the parsed rows."""
    errors: list[RowError] = []
    parsed: list[PostRow] = []
    first_line_of_code: dict[str, int] = {}
    kind_of_unit: dict[str, tuple[str, int]] = {}
    for line, row in table.rows:
        before = len(errors)
        code = row["code"].upper()
        if not CODE_PATTERN.match(code):
            errors.append(
                RowError(line, _("岗位编号“%(code)s”格式不正确(字母、数字和连字符,最长20位)", code=row["code"]))
            )
        elif code in first_line_of_code:
            errors.append(
                RowError(line, _("岗位编号 %(code)s 与第 %(other)d 行重复", code=code, other=first_line_of_code[code]))
            )
        else:
            first_line_of_code[code] = line
        _check_length(errors, line, _("单位"), row["unit"], 100)
        _check_length(errors, line, _("岗位名称"), row["title"], 100)
        _check_length(errors, line, _("岗位责任人"), row["holder"], 50)
        kind = to_code(row["unit_kind"], UNIT_KINDS)
        if kind is None:
            errors.append(RowError(line, _("单位类别“%(kind)s”无法识别", kind=row["unit_kind"])))
        elif row["unit"] in kind_of_unit and kind_of_unit[row["unit"]][0] != kind:
            errors.append(
                RowError(
                    line,
                    _(
                        "单位“%(unit)s”的类别与第 %(other)d 行不一致",
                        unit=row["unit"],
                        other=kind_of_unit[row["unit"]][1],
                    ),
                )
            )
        elif row["unit"]:
            kind_of_unit.setdefault(row["unit"], (kind, line))
        duties = split_items(row["responsibilities"])
        if not duties:
            errors.append(RowError(line, _("岗位职责不能为空")))
        commitments = split_items(row.get("commitments", ""))
        if any(len(item) > 500 for item in [*duties, *commitments]):
            errors.append(RowError(line, _("单条职责或承诺超过 500 个字符")))
        since = _holder_since(row.get("holder_since", ""), line, errors)
        if len(errors) == before:
            parsed.append(
                PostRow(
                    line, code, row["unit"], kind, row["title"], row["holder"], tuple(duties), tuple(commitments), since
                )
            )
    if errors:
        raise ImportFailed(errors)
    return parsed


def _holder_since(text: str, line: int, errors: list[RowError]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        errors.append(RowError(line, _("任职日期“%(v)s”无效,应为 YYYY-MM-DD", v=text)))
        return None
