"""What each role may do in the back office, shown on its landing page (SPEC §1)."""

from flask_babel import lazy_gettext as _l

from rating.models.users import Role

ROLE_DUTIES = {
    Role.UNIT_STAFF: _l("为本单位的关键岗位打印一次性评价码,交给办完事的群众;办理本单位的差评整改。"),
    Role.HR_OFFICER: _l("录入和导入本单位关键岗位的年度考核结果,登记受告诫人员的调离;只能查看和修改本单位的岗位。"),
    Role.INSPECTOR: _l("记录明查暗访发现的问题和扣分,录入综合检查评议得分。"),
    Role.COMPLAINT_HANDLER: _l("受理电话、来访、来信和网上投诉,转办、办结并答复群众;录入热线评价。"),
    Role.ADMIN: _l("管理单位、岗位、责任人、用户和评议周期,设置权重与名额,审核评议,计算并公布结果。"),
    Role.AUDITOR: _l(
        "纪委:查阅全部记录、调离令和审计日志,在责任追究台账中登记处理措施并办结;办理群众直送纪委的保密举报;"
        "不能修改评分等其他数据。"
    ),
}

#: (label, endpoint, roles that see it)
ACTIONS = [
    (_l("投诉案件"), "complaints.cases", (Role.COMPLAINT_HANDLER, Role.UNIT_STAFF, Role.ADMIN, Role.AUDITOR)),
    (_l("登记电话、来访、来信投诉"), "complaints.intake", (Role.COMPLAINT_HANDLER,)),
    (_l("保密举报"), "complaints.reports", (Role.AUDITOR,)),
    (_l("打印评价码"), "codes.index", (Role.UNIT_STAFF, Role.ADMIN)),
    (_l("差评整改"), "followups.index", (Role.UNIT_STAFF, Role.ADMIN, Role.AUDITOR)),
    (_l("评议审核"), "admin.ratings", (Role.ADMIN, Role.AUDITOR)),
    (_l("刷评预警与来源审核"), "admin.sources_alerts", (Role.ADMIN, Role.AUDITOR)),
    (_l("办事大厅网段"), "admin.halls_index", (Role.ADMIN, Role.AUDITOR)),
    (_l("录入热线、问卷评价"), "admin.new_rating", (Role.ADMIN, Role.COMPLAINT_HANDLER)),
    (_l("年度考核录入"), "hr.grid", (Role.HR_OFFICER, Role.ADMIN, Role.AUDITOR)),
    (_l("明查暗访"), "inspect.findings", (Role.INSPECTOR, Role.ADMIN, Role.AUDITOR)),
    (_l("综合检查评议"), "inspect.scores", (Role.INSPECTOR, Role.ADMIN, Role.AUDITOR)),
    (_l("岗位与责任人"), "admin.posts", tuple(Role)),
    (_l("导入岗位(CSV/XLSX)"), "admin.import_posts_upload", (Role.ADMIN,)),
    (_l("用户"), "admin.users", (Role.ADMIN, Role.AUDITOR)),
    (_l("评议周期与录入进度"), "admin.cycles", (Role.ADMIN, Role.AUDITOR)),
    (_l("评议结果:计算、公示与公布"), "admin.verdict", (Role.ADMIN, Role.AUDITOR)),
    (_l("单位考核分数与部门、站所排名"), "admin.unit_scores_page", (Role.ADMIN, Role.AUDITOR)),
    (_l("单位与主要负责人"), "admin.units", (Role.ADMIN, Role.AUDITOR)),
    (_l("调离令"), "hr.transfers_list", (Role.HR_OFFICER,)),
    (_l("调离督办"), "admin.supervision", (Role.ADMIN, Role.AUDITOR)),
    (_l("责任追究台账"), "admin.ledger_list", (Role.ADMIN, Role.AUDITOR)),
    (_l("定时任务记录"), "admin.runs", (Role.ADMIN, Role.AUDITOR)),
    (_l("审计日志"), "admin.audit_log", (Role.ADMIN, Role.AUDITOR)),
    (_l("开放接口密钥"), "admin.api_key_list", (Role.ADMIN, Role.AUDITOR)),
]


def actions_for(role: Role) -> list[tuple[str, str]]:
    return [(label, endpoint) for label, endpoint, allowed in ACTIONS if role in allowed]
