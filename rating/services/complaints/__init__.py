"""The complaint centre's services (投诉中心), one function per step: ``cases`` (intake, referral, handling,
conclusion, erasure, import), ``duplicates`` (suggesting and merging), ``clocks`` (the running clock and overdue
marking), ``handling`` (the unit's signing, sending back and extensions), ``visits`` (the return visit and the one
reopening rule), ``publication`` (what the public may read of a case), ``receipts`` (the receipt by SMS) and
``reports`` (the confidential channel to the discipline commission). Callers use this package's names."""

from rating.services.complaints.cases import (
    DEFAULT_WORKING_DAYS,
    Intake,
    case_by_number,
    conclude,
    conclude_directly,
    erase_contacts,
    file_complaint,
    find_for_complainant,
    hash_query_code,
    import_concluded,
    record_progress,
    refer,
)
from rating.services.complaints.clocks import mark_overdue, running_clock
from rating.services.complaints.duplicates import merge, possible_duplicates
from rating.services.complaints.handling import decide_extension, request_extension, send_back, sign
from rating.services.complaints.publication import (
    is_confidential,
    proposed_text,
    public_text,
    publish_text,
    texts_published,
    withhold_text,
)
from rating.services.complaints.receipts import receipt_text, text_receipt
from rating.services.complaints.reports import (
    CENTRE_CASES,
    conclude_report,
    file_report,
    investigate,
    report_by_number,
    report_is_open,
    to_centre,
)
from rating.services.complaints.visits import answer, record_return_call, return_visit

__all__ = [
    "CENTRE_CASES",
    "conclude_report",
    "file_report",
    "investigate",
    "report_is_open",
    "report_by_number",
    "to_centre",
    "DEFAULT_WORKING_DAYS",
    "Intake",
    "answer",
    "case_by_number",
    "conclude",
    "conclude_directly",
    "decide_extension",
    "erase_contacts",
    "file_complaint",
    "find_for_complainant",
    "hash_query_code",
    "import_concluded",
    "is_confidential",
    "mark_overdue",
    "merge",
    "possible_duplicates",
    "proposed_text",
    "public_text",
    "publish_text",
    "receipt_text",
    "record_progress",
    "record_return_call",
    "refer",
    "request_extension",
    "return_visit",
    "running_clock",
    "send_back",
    "sign",
    "text_receipt",
    "texts_published",
    "withhold_text",
]
