"""All models, imported here so that Alembic and the app see every table."""

from rating.models.accountability import (
    EntryStatus,
    LedgerEntry,
    LedgerEvidence,
    LedgerSource,
    Measure,
    TransferOrder,
    TransferStatus,
)
from rating.models.assessments import Assessment, Grade, InspectionFinding, InspectionKind, InspectionScore
from rating.models.audit import AuditEntry, AuditHead
from rating.models.centres import ComplaintCentre
from rating.models.complaints import (
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    Extension,
    Finding,
    Notification,
    Satisfaction,
)
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Holder, Post, Tenure
from rating.models.rankings import DepartmentResult, Ranking, RankingSet, StationResult, UnitScore
from rating.models.ratings import Channel, FollowUp, FollowUpStatus, Rating, RatingCode, RatingStatus
from rating.models.results import Objection, ObjectionKind, Result, ResultKind, ResultSet
from rating.models.scheduler import JobRun, RunOutcome, SchedulerLease
from rating.models.sources import PhoneChallenge, RatingSource, ServiceHall, SourceState
from rating.models.units import Unit, UnitKind
from rating.models.users import ApiKey, RecoveryCode, Role, User

__all__ = [
    "EntryStatus",
    "LedgerEntry",
    "LedgerEvidence",
    "LedgerSource",
    "Measure",
    "TransferOrder",
    "TransferStatus",
    "Assessment",
    "Grade",
    "InspectionFinding",
    "InspectionKind",
    "InspectionScore",
    "AuditEntry",
    "AuditHead",
    "Category",
    "Complaint",
    "ComplaintCentre",
    "ComplaintChannel",
    "ComplaintEvent",
    "ComplaintStatus",
    "Cycle",
    "Extension",
    "Finding",
    "Satisfaction",
    "Notification",
    "CycleStatus",
    "Holder",
    "Post",
    "Rating",
    "DepartmentResult",
    "Ranking",
    "RankingSet",
    "StationResult",
    "UnitScore",
    "RatingCode",
    "RatingStatus",
    "Channel",
    "FollowUp",
    "FollowUpStatus",
    "ApiKey",
    "RecoveryCode",
    "Role",
    "Objection",
    "ObjectionKind",
    "Result",
    "ResultKind",
    "ResultSet",
    "JobRun",
    "PhoneChallenge",
    "RatingSource",
    "ServiceHall",
    "SourceState",
    "RunOutcome",
    "SchedulerLease",
    "Tenure",
    "Unit",
    "UnitKind",
    "User",
]
