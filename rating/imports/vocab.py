"""The import vocabulary of SPEC §7: each value may be given as its Chinese label or its English code."""

UNIT_KINDS = {
    "市直部门": "municipal",
    "驻市省属机关": "provincial",
    "窗口服务单位": "window",
    "基层站所": "station",
    "县区": "county",
}
GRADES = {"优秀": "excellent", "称职": "competent", "基本称职": "basically_competent", "不称职": "incompetent"}
#: The word a spreadsheet cell or grid input takes for each grade (the first accepted above).
GRADE_WORDS = {code: word for word, code in GRADES.items()}
FINDINGS = {"属实": "substantiated", "部分属实": "partly", "不属实": "unsubstantiated"}
CATEGORIES = {
    "四难": "access",
    "四乱": "arbitrary",
    "不作为乱作为": "inaction",
    "作风": "conduct",
    "违规违纪": "discipline",
}
CHANNELS = {
    "网上": "web",
    "窗口": "window",
    "热线": "hotline",
    "问卷": "paper",
    "电话": "phone",
    "来访": "visit",
    "来信": "letter",
}
INSPECTION_KINDS = {"明查": "open", "暗访": "undercover"}


def to_code(value: str, vocabulary: dict[str, str]) -> str | None:
    """The English code for a label or a code (case-insensitive), or None when it is neither."""
    value = value.strip()
    if value in vocabulary:
        return vocabulary[value]
    lowered = value.lower()
    return lowered if lowered in vocabulary.values() else None


def split_items(cell: str) -> list[str]:
    """Several responsibilities in one cell are separated by line breaks or '；' (or ';')."""
    for separator in ("；", ";", "\r\n", "\r"):
        cell = cell.replace(separator, "\n")
    return [item.strip() for item in cell.split("\n") if item.strip()]


#: The Chinese headings of our officials' templates (年度考核, 综合检查评分) and the column each stands for. A file
#: may use either the heading or the column's name (``post_code``): older files and the command line keep working.
COLUMN_HEADINGS = {
    "post_code": "岗位编号",
    "grade_or_score": "考核结果",
    "score": "分数",
    "round": "轮次",
    "title": "岗位名称",
    "holder": "责任人",
    "unit": "单位",
}
COLUMN_WORDS = {heading: column for column, heading in COLUMN_HEADINGS.items()}
