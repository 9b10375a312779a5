"""The results' CSV and XLSX downloads as people read them (公布结果下载): headings and titles in the page's
language, whether a line was ranked in words, the reason a title was withheld (the same short reason the ranking and
the title lists show) and a sheet named for the year. The JSON download and ``flask export-results`` keep the
open-data fields; see rating.services.verdict.export."""

from flask_babel import gettext as _

from rating.labels import RESULT_FIELD_LABELS, TITLE_LABELS, WITHHELD_TITLE_LABELS
from rating.models.results import ResultSet
from rating.services.verdict import export


def _value(field: str, value):
    if field == "title":
        return str(TITLE_LABELS[value]) if value else ""
    if field == "ranked":
        return _("是") if value else _("否")
    return value


def readable_table(result_set: ResultSet) -> export.Table:
    fields = export.fields(result_set.method)
    header = [str(RESULT_FIELD_LABELS[field]) for field in fields] + [_("未评称号原因")]
    rows = []
    for row in result_set.rows:
        line = export.result_line(row, result_set.method)
        reason = WITHHELD_TITLE_LABELS.get(row.rule)
        rows.append([_value(field, value) for field, value in line.items()] + [str(reason) if reason else ""])
    return export.Table(header, rows, sheet=_("%(year)d 年度评议结果", year=result_set.cycle.year))
