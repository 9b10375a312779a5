"""Labels of the rankings beside the verdict (SPEC §6): outcomes of the department ranking and where a unit's
conduct came from."""

from flask_babel import lazy_gettext as _l

OUTCOME_LABELS = {
    "commended": _l("通报表彰"),
    "yellow_card": _l("黄牌警告"),
    "last": _l("末位"),
    "head_to_resign": _l("连续两年末位,主要负责人引咎辞职"),
}
CONDUCT_SOURCE_LABELS = {
    "entered": _l("效能办录入"),
    "posts": _l("本单位关键岗位综合得分均值"),
    "station": _l("满意率 × 100"),
    "missing": _l("缺少政风行风评议"),
}
