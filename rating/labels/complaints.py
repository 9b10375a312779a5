"""The complaint centre's labels, defined once for the public pages, casework, statistics and Open311."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rating.models.complaints import Category, ComplaintChannel, ComplaintStatus, Extension, Finding, Satisfaction

CHANNEL_LABELS = {
    ComplaintChannel.PHONE: _l("电话"),
    ComplaintChannel.VISIT: _l("来访"),
    ComplaintChannel.LETTER: _l("来信"),
    ComplaintChannel.ONLINE: _l("网上"),
}
#: The five problem areas of the 10,000-person questionnaire (SPEC §2), by their short names.
CATEGORY_LABELS = {
    Category.ACCESS: _l("四难"),
    Category.ARBITRARY: _l("四乱"),
    Category.INACTION: _l("不作为乱作为"),
    Category.CONDUCT: _l("作风"),
    Category.DISCIPLINE: _l("违规违纪"),
}
CATEGORY_HINTS = {
    Category.ACCESS: _l("门难进、脸难看、话难听、事难办"),
    Category.ARBITRARY: _l("乱收费、乱罚款、乱检查、乱摊派"),
    Category.INACTION: _l("不给好处不办事、给了好处乱办事"),
    Category.CONDUCT: _l("办事拖拉、脱岗缺位、推诿扯皮、态度粗暴"),
    Category.DISCIPLINE: _l("执法不规范、不透明等违规违纪问题"),
}
STATUS_LABELS = {
    ComplaintStatus.RECEIVED: _l("已受理"),
    ComplaintStatus.REFERRED: _l("已转办"),
    ComplaintStatus.IN_PROGRESS: _l("办理中"),
    ComplaintStatus.CONCLUDED: _l("已办结"),
}
FINDING_LABELS = {
    Finding.SUBSTANTIATED: _l("属实"),
    Finding.PARTLY: _l("部分属实"),
    Finding.UNSUBSTANTIATED: _l("不属实"),
}
SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: _l("满意"),
    Satisfaction.BASICALLY: _l("基本满意"),
    Satisfaction.DISSATISFIED: _l("不满意"),
}
EXTENSION_LABELS = {
    Extension.PENDING: _l("延期申请待审批"),
    Extension.APPROVED: _l("已批准延期"),
    Extension.REFUSED: _l("延期申请未获批准"),
}
#: The clock a case is on (rating.scoring.case_clocks), as the queue and the case page name its date.
CLOCK_LABELS = {
    "acceptance": _l("转办期限"),
    "signing": _l("签收期限"),
    "handling": _l("办理期限"),
}
EVENT_LABELS = {
    "received": _l("受理"),
    "referred": _l("转办"),
    "moved": _l("转至其他投诉中心"),
    "signed": _l("签收"),
    "sent_back": _l("退单"),
    "extension_requested": _l("延期申请"),
    "extension_approved": _l("同意延期"),
    "extension_refused": _l("不同意延期"),
    "concluded_directly": _l("直接办结"),
    "return_call": _l("电话回访"),
    "progress": _l("办理情况"),
    "concluded": _l("办结"),
    "satisfaction": _l("回访评价"),
    "reopened": _l("重新办理"),
    "merged": _l("合并办理"),
    "overdue": _l("逾期督办"),
    "erased": _l("联系方式已按期删除"),
    "publish_text": _l("公开投诉内容"),
    "withhold_text": _l("投诉内容不公开"),
    "to_centre": _l("纪委转投诉中心"),
}


def centre_name(centre) -> str:
    """The name of a ``ComplaintCentre``: 市投诉中心, or a county's (城区投诉中心)."""
    return county_centre_name(centre.county.name if centre.county is not None else None)


def county_centre_name(county: str | None) -> str:
    """The name of the centre of the county named ``county``, or of the city's centre for None."""
    if county is None:
        return _("市投诉中心")
    return _("%(county)s投诉中心", county=county)
