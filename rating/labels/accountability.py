"""Labels of the verdict's follow-through: transfer orders (调离令) and the accountability ledger (责任追究台账),
whose sources include the department ranking's yellow cards and two-years-last flags."""

from flask_babel import lazy_gettext as _l

from rating.models.accountability import EntryStatus, LedgerSource, Measure, TransferStatus

TRANSFER_STATUS_LABELS = {TransferStatus.OPEN: _l("待调离"), TransferStatus.DONE: _l("已调离")}

#: The measures of the seed article and the civil-service rules, in rising severity; "none" needs a reason.
MEASURE_LABELS = {
    Measure.CRITICISM: _l("通报批评"),
    Measure.ADMONITION: _l("诫勉谈话"),
    Measure.WARNING: _l("行政告诫"),
    Measure.TRANSFER: _l("调离"),
    Measure.REMOVAL: _l("免职"),
    Measure.RESIGNATION: _l("责令辞职"),
    Measure.REFERRAL: _l("移送纪检监察机关"),
    Measure.NONE: _l("不予追究(须写明理由)"),
}

LEDGER_SOURCE_LABELS = {
    LedgerSource.COMPLAINT: _l("投诉查证属实"),
    LedgerSource.FINDING: _l("明查暗访通报"),
    LedgerSource.WARNING: _l("评议行政告诫"),
    LedgerSource.YELLOW_CARD: _l("部门考核黄牌警告"),
    LedgerSource.HEAD_TO_RESIGN: _l("部门考核连续两年末位"),
}

ENTRY_STATUS_LABELS = {EntryStatus.OPEN: _l("待处理"), EntryStatus.CLOSED: _l("已办结")}
