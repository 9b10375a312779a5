"""Every label of a domain value, in Chinese with English through Flask-Babel: one home, imported by blueprints,
templates (through rating.i18n's template globals), exports and the API. Domains with many labels have a module of
their own here (complaints, ratings); the general ones are below."""

from flask_babel import lazy_gettext as _l

from rating.models.cycles import CycleStatus
from rating.models.units import UnitKind
from rating.models.users import Role
from rating.scoring.verdict import Rule, Title

UNIT_KIND_LABELS = {
    UnitKind.MUNICIPAL: _l("市直部门"),
    UnitKind.PROVINCIAL: _l("驻市省属机关"),
    UnitKind.WINDOW: _l("窗口服务单位"),
    UnitKind.STATION: _l("基层站所"),
    UnitKind.COUNTY: _l("县区"),
}

ROLE_LABELS = {
    Role.UNIT_STAFF: _l("单位窗口人员"),
    Role.HR_OFFICER: _l("人事科"),
    Role.INSPECTOR: _l("督查人员"),
    Role.COMPLAINT_HANDLER: _l("投诉中心"),
    Role.ADMIN: _l("效能办管理员"),
    Role.AUDITOR: _l("纪委"),
}

CYCLE_STATUS_LABELS = {
    CycleStatus.SCHEDULED: _l("尚未开始"),
    CycleStatus.OPEN: _l("评议进行中"),
    CycleStatus.CLOSED: _l("已截止"),
    CycleStatus.COMPUTED: _l("已计算"),
    CycleStatus.NOTICE: _l("公示中"),
    CycleStatus.PUBLISHED: _l("已公布"),
}


#: Labels of the default standard deductions (keys of MethodSettings.inspection_deductions).
DEDUCTION_LABELS = {
    "absent": _l("脱岗、离岗"),
    "rude": _l("态度生硬、粗暴"),
    "irregular_fee": _l("违规收费"),
    "delay": _l("办事拖拉、推诿"),
    "no_commitment_shown": _l("未公示岗位职责和服务承诺"),
}

#: What an import's preview says a row does to the stored value (``rating.uploads.change``).
IMPORT_CHANGE_LABELS = {"new": _l("新增"), "changed": _l("修改"), "unchanged": _l("未变")}

INSPECTION_KIND_LABELS = {"open": _l("明查"), "undercover": _l("暗访")}

GRADE_LABELS = {
    "excellent": _l("优秀"),
    "competent": _l("称职"),
    "basically_competent": _l("基本称职"),
    "incompetent": _l("不称职"),
}


#: Titles of the verdict (SPEC §3).
TITLE_LABELS = {Title.BENCHMARK: _l("标兵岗位"), Title.EXCELLENT: _l("优秀岗位"), Title.WARNING: _l("行政告诫")}

#: The rule that gave a post its title (or none), as the public breakdown states it.
RULE_LABELS = {
    Rule.BENCHMARK: _l("考核等次符合评选条件,排名在标兵岗位名额之内,评为标兵岗位。"),
    Rule.EXCELLENT: _l("考核等次符合评选条件,标兵岗位名额已满,排名在优秀岗位名额之内,评为优秀岗位。"),
    Rule.WARNING: _l("综合得分排在末位,在行政告诫名额之内,给予行政告诫。"),
    Rule.INELIGIBLE_GRADE: _l("年度考核为基本称职或不称职,不参加标兵、优秀岗位评选。"),
    Rule.DISCIPLINE_VETO: _l("评议期内有查证属实的违规违纪投诉,一票否决,不参加标兵、优秀岗位评选。"),
    Rule.QUOTA_FULL: _l("标兵、优秀岗位名额已满,未获称号。"),
    Rule.SHORT_TENURE: _l("本评议周期内任职不满 %(n)d 天,不参加排名,列出本人的各项得分。"),
}

#: Headings of the results' CSV and XLSX downloads on the web, by open-data field (``verdict.export.FIELDS``).
RESULT_FIELD_LABELS = {
    "rank": _l("名次"),
    "post_code": _l("岗位编号"),
    "post_title": _l("岗位"),
    "unit": _l("单位"),
    "holder": _l("责任人"),
    "service": _l("服务对象评议 S"),
    "assessment": _l("年度考核 A"),
    "conduct": _l("暗访投诉考核 C"),
    "inspection": _l("综合检查评议 I"),
    "composite": _l("综合得分 T"),
    "ratings": _l("评价数"),
    "title": _l("称号"),
    "ranked": _l("参加排名"),
}

#: Why a line has no title though its rank could have earned one: a short line under the place on the ranking and the
#: title lists (the breakdown states the full rule above).
WITHHELD_TITLE_LABELS = {
    Rule.INELIGIBLE_GRADE: _l("未评称号:年度考核为基本称职或不称职"),
    Rule.DISCIPLINE_VETO: _l("未评称号:违规违纪一票否决"),
}


def rule_label(rule: Rule, min_tenure_days: int) -> str:
    """The rule that gave a line its title, as the public breakdown states it."""
    label = RULE_LABELS.get(rule)
    if label is None:
        return str(rule)
    return label % {"n": min_tenure_days} if rule == Rule.SHORT_TENURE else str(label)


def deduction_label(code: str | None) -> str:
    if not code:
        return str(_l("自定扣分"))
    return str(DEDUCTION_LABELS.get(code, code))
