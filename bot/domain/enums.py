"""The seed's enumerations with their labels (DESIGN §2), shared by every interface."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class State(IntEnum):
    DRAFT = 1
    SCHEDULED = 2
    IN_PROGRESS = 3
    COMPLETED = 4
    CANCELLED = 5

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> State:
        for state, text in STATE_LABELS.items():
            if text.lower() == label.strip().lower():
                return state
        raise ValueError(label)


STATE_LABELS = {
    State.DRAFT: "Draft",
    State.SCHEDULED: "Scheduled",
    State.IN_PROGRESS: "In progress",
    State.COMPLETED: "Completed",
    State.CANCELLED: "Cancelled",
}

#: What everyone may see; drafts and cancelled announcements are for managers only.
PUBLIC_STATES = frozenset({State.SCHEDULED, State.IN_PROGRESS, State.COMPLETED})
EDITABLE_STATES = (State.DRAFT, State.SCHEDULED, State.IN_PROGRESS)


class MaintenanceType(IntEnum):
    SCHEDULED = 1
    EMERGENCY = 2
    SECURITY = 3
    UPGRADE = 4
    PATCH = 5

    @property
    def label(self) -> str:
        return TYPE_LABELS[self]


TYPE_LABELS = {
    MaintenanceType.SCHEDULED: "Scheduled maintenance",
    MaintenanceType.EMERGENCY: "Emergency maintenance",
    MaintenanceType.SECURITY: "Security maintenance",
    MaintenanceType.UPGRADE: "System upgrade",
    MaintenanceType.PATCH: "Patch deployment",
}


class Impact(IntEnum):
    NONE = 1
    DEGRADED = 2
    PARTIAL = 3
    FULL = 4

    @property
    def label(self) -> str:
        return IMPACT_LABELS[self]


IMPACT_LABELS = {
    Impact.NONE: "No impact",
    Impact.DEGRADED: "Degraded performance",
    Impact.PARTIAL: "Partial outage",
    Impact.FULL: "Full outage",
}


class Action(StrEnum):
    """The five transitions; values are the verbs users type."""

    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


class TimingBucket(StrEnum):
    PENDING = "pending"
    OVERRUN = "overrun"
    LATE_START = "late_start"
    EARLY = "early"
    ON_TIME = "on_time"


class Interface(StrEnum):
    """Where a change came from; recorded in the audit trail."""

    SLACK = "slack"
    API = "api"
    CLI = "cli"
    CONSOLE = "console"  # `maintbot console`: Slack's listeners, driven from a terminal (see bot/domain/audit.py)
    SCHEDULER = "scheduler"
