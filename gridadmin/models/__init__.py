"""All tables (SQLAlchemy 2 typed declarative models). No Qt here."""

from gridadmin.models.access import (
    AuditLog, GeneratedReport, ImportBatch, RunningImport, Setting, SubmittedReport, User, UserRole, UserScope,
)
from gridadmin.models.area import Area
from gridadmin.models.base import Base
from gridadmin.models.codes import CodeAlias, CodeItem
from gridadmin.models.groups import ReminderDecision
from gridadmin.models.house import House
from gridadmin.models.household import Household, Person, PersonEvent, PersonTag, TagKind
from gridadmin.models.tally import (
    HouseholdTally, HouseholdTallyDelta, ResidentTally, ResidentTallyDelta, TagTally, TagTallyDelta,
)
from gridadmin.models.staff import Certificate, Staff, StaffAssignment, StaffStatusEvent
from gridadmin.models.training import Attendance, TrainingRequirement, TrainingSession

__all__ = [
    "Area", "Attendance", "AuditLog", "Base", "Certificate", "CodeAlias", "CodeItem", "GeneratedReport",
    "House", "Household", "HouseholdTally", "HouseholdTallyDelta", "ImportBatch", "Person", "PersonEvent", "PersonTag",
    "ReminderDecision",
    "ResidentTally", "ResidentTallyDelta", "RunningImport", "Setting", "Staff", "StaffAssignment", "StaffStatusEvent", "SubmittedReport", "TagKind",
    "TagTally", "TagTallyDelta", "TrainingRequirement", "TrainingSession", "User", "UserRole", "UserScope",
]
