"""Tables owned by the process service."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.models import utcnow


class ProcessDefinition(SQLModel, table=True):
    """One version of a deployed BPMN process; running instances stay on the version they started with."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True, description="the BPMN process id")
    version: int
    name: str = Field(default="", max_length=300)
    abbreviation: str | None = Field(default=None, max_length=30, description="e.g. PAHT, NPHEP")
    group: str | None = Field(default=None, max_length=200)
    steps: int = Field(default=0, description="number of lanes (steps staffed per unit)")
    filename: str | None = Field(default=None, max_length=300)
    content_hash: str = Field(max_length=64)
    xml: str = Field(sa_column=Column(Text, nullable=False))
    deployed_at: datetime = Field(default_factory=utcnow)
    deployed_by: str | None = Field(default=None, max_length=64)
    owner_unit_id: str | None = Field(default=None, max_length=32,
                                      description="the subtree whose designers publish its versions; None: province")
    kind: str = Field(default="process", max_length=20, description="process | decision (a DMN table)")




class UnitRef(SQLModel, table=True):
    """Read model of org units (orgunits.unit.* events): whose subtree a unit is in."""

    __tablename__ = "process_unit"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=300)
    path: str = Field(default="", max_length=2000, index=True)
    status: str = Field(default="active", max_length=20)
    as_of: str = Field(default="", max_length=40)


class PersonRef(SQLModel, table=True):
    """Read model of accounts (identity.account.* events): who can be staffed where."""

    __tablename__ = "process_person"

    account_id: str = Field(primary_key=True, max_length=64)
    full_name: str = Field(default="", max_length=300)
    unit_id: str | None = Field(default=None, max_length=32, index=True)
    status: str = Field(default="approved", max_length=20)
    as_of: str = Field(default="", max_length=40)


class Staffing(SQLModel, table=True):
    """How one unit runs one process: per step (lane) who acts, what they may do, how long they have."""

    __tablename__ = "staffing"
    __table_args__ = (UniqueConstraint("process_key", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    process_key: str = Field(max_length=200)
    unit_id: str = Field(max_length=32, index=True)
    status: str = Field(default="not_configured", max_length=20, description="not_configured | complete")
    steps: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    version: int = 1
    total_days: float | None = Field(default=None, description="the whole process time in working days "
                                                                 "(None: the BPMN's or the service default)")
    pinned_version: int | None = Field(default=None, description="new instances start on this version of the "
                                                                 "process (None: the latest)")
    draft: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True),
                               description="edits of a confirmed set-up ({steps, total_days}) until confirmed")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


class UnitRole(SQLModel, table=True):
    """Who holds a unit role (clerk, leader…) in a unit: the people a unit stands for in a lane that takes its
    people from an instance role naming units (``unit_role`` on the lane)."""

    __tablename__ = "process_unit_role"

    unit_id: str = Field(primary_key=True, max_length=32)
    role: str = Field(primary_key=True, max_length=40)
    account_id: str = Field(primary_key=True, max_length=64, index=True)


class StaffingAudit(SQLModel, table=True):
    """Every change of a unit's staffing: who, what, when."""

    __tablename__ = "staffing_audit"

    id: int | None = Field(default=None, primary_key=True)
    process_key: str = Field(max_length=200)
    unit_id: str = Field(max_length=32, index=True)
    action: str = Field(max_length=40)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    actor: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow)


class ProcessInstance(SQLModel, table=True):
    """One running (or finished) process. The engine state is stored without the spec (that lives once per
    version in process_definition); ``version`` makes every write conditional: one writer per instance."""

    __tablename__ = "process_instance"
    __table_args__ = (UniqueConstraint("process_key", "business_key"),
                      Index("ix_process_instance_wake", "state", "wake_at"))

    id: str = Field(primary_key=True, max_length=32)
    definition_id: int = Field(foreign_key="process_definition.id")
    process_key: str = Field(max_length=200)
    definition_version: int
    unit_id: str = Field(max_length=32, index=True)
    business_key: str | None = Field(default=None, max_length=200, description="e.g. the IOC's report id")
    title: str = Field(default="", max_length=500)
    state: str = Field(default="running", max_length=20, description="running | completed | cancelled")
    result: str | None = Field(default=None, max_length=60, description="the end event's result (approved…)")
    variables: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    engine_state: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 1
    wake_at: datetime | None = Field(default=None, description="when the earliest BPMN timer is due")
    total_days: float
    extension: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict),
                            description="a decided extension waiting to apply to the next task of its step")
    called: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict),
                         description="the versions its call activities run: {process key: definition id}")
    started_by: str | None = Field(default=None, max_length=64)
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class ProcessTask(SQLModel, table=True):
    """A human task, mirrored from the engine when it becomes ready, so inboxes and deadline buckets are SQL."""

    __tablename__ = "process_task"
    __table_args__ = (Index("ix_process_task_unit_open", "unit_id", "status", "due_at"),
                      Index("ix_process_task_instance", "instance_id", "status", "ended_at"),
                      Index("ix_process_task_overdue", "status", "overdue_at", "due_at"))

    id: str = Field(primary_key=True, max_length=32)
    instance_id: str = Field(max_length=32, foreign_key="process_instance.id")
    engine_id: str = Field(max_length=36)
    process_key: str = Field(max_length=200)
    unit_id: str = Field(max_length=32)
    lane_id: str = Field(max_length=200)
    step: int
    spec_id: str = Field(max_length=200)
    name: str = Field(default="", max_length=300)
    status: str = Field(default="ready", max_length=20, description="ready | completed | returned | cancelled")
    assignees: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    candidates: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    created_at: datetime = Field(default_factory=utcnow)
    due_at: datetime | None = None
    overdue_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = Field(default=None, max_length=64)
    action: str | None = Field(default=None, max_length=40)


class TaskActor(SQLModel, table=True):
    """Who may act on a ready task now (the lane's staff, or the people it was assigned/delegated to)."""

    __tablename__ = "process_task_actor"
    __table_args__ = (Index("ix_process_task_actor_task", "task_id"),)

    account_id: str = Field(primary_key=True, max_length=64)
    task_id: str = Field(primary_key=True, max_length=32, foreign_key="process_task.id")


class InstanceHistory(SQLModel, table=True):
    """Who did what, when, with which data — kept apart from the engine state, so returns stay cheap."""

    __tablename__ = "process_history"

    id: int | None = Field(default=None, primary_key=True)
    instance_id: str = Field(max_length=32, index=True)
    task_id: str | None = Field(default=None, max_length=32)
    step: int | None = None
    task_name: str = Field(default="", max_length=300)
    action: str = Field(max_length=40)
    actor: str | None = Field(default=None, max_length=64)
    actor_name: str | None = Field(default=None, max_length=300)
    reason: str | None = Field(default=None, max_length=2000)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    at: datetime = Field(default_factory=utcnow)


class ProcessJob(SQLModel, table=True):
    """A service task waiting for an external worker (Camunda's external-task convention): published with its
    topic, completed or failed by a worker over HTTP or the bus, retried, an incident after the last retry."""

    __tablename__ = "process_job"
    __table_args__ = (Index("ix_process_job_open", "status", "topic"),)

    id: str = Field(primary_key=True, max_length=32)
    instance_id: str = Field(max_length=32, index=True)
    engine_id: str = Field(max_length=36)
    element_id: str = Field(max_length=200)
    name: str = Field(default="", max_length=300)
    topic: str = Field(max_length=100)
    unit_id: str = Field(max_length=32)
    status: str = Field(default="open", max_length=20, description="open | completed | incident | cancelled")
    retries_left: int = 3
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    worker: str | None = Field(default=None, max_length=64)


class ProcessWait(SQLModel, table=True):
    """What a running instance waits to be told from outside (a message or a signal), so a delivery finds it by
    SQL; rewritten after every change of the instance."""

    __tablename__ = "process_wait"
    __table_args__ = (Index("ix_process_wait_name", "kind", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=10, description="message | signal")
    name: str = Field(max_length=200)
    element_id: str = Field(max_length=200)
    correlate_by: str | None = Field(default=None, max_length=64)
    correlation: str | None = Field(default=None, max_length=200, description="the value a message must match")


class Incident(SQLModel, table=True):
    """An instance stopped by a failing job, script or expression: its unit's admins see it, retry it after a fix
    or cancel the instance."""

    __tablename__ = "process_incident"
    __table_args__ = (Index("ix_process_incident_unit_open", "unit_id", "status"),)

    id: str = Field(primary_key=True, max_length=32)
    instance_id: str = Field(max_length=32, index=True)
    unit_id: str = Field(max_length=32)
    process_key: str = Field(max_length=200)
    element_id: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=20, description="job | script | timer")
    job_id: str | None = Field(default=None, max_length=32)
    error: str = Field(default="", max_length=2000)
    status: str = Field(default="open", max_length=20, description="open | resolved")
    opened_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=64)
    resolution: str | None = Field(default=None, max_length=20, description="retried | cancelled | gone")


class Attachment(SQLModel, table=True):
    """A file attached to an instance at one of its tasks."""

    __tablename__ = "process_attachment"

    id: str = Field(primary_key=True, max_length=32)
    instance_id: str = Field(max_length=32, index=True)
    task_id: str | None = Field(default=None, max_length=32, index=True)
    filename: str = Field(max_length=300)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str | None = Field(default=None, max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow)




# ------------------------------------------------------------------------------------------------ task direction
# Chỉ đạo điều hành (seed 001): assignments of tasks down the unit tree. Each task's lifecycle is an instance of the
# BPMN the direction domain runs (the shipped model in bpmn/); the tree of sub-tasks, who took part, the handovers,
# the history, status groups and unit set-up are these tables.
class DirectionAssignment(SQLModel, table=True):
    """A leader's document assigning one or more tasks (văn bản giao nhiệm vụ)."""

    __tablename__ = "direction_assignment"

    id: str = Field(primary_key=True, max_length=32)
    number: str | None = Field(default=None, max_length=100, description="số / ký hiệu")
    doc_date: date | None = None
    signer: str | None = Field(default=None, max_length=300)
    issuing_unit: str | None = Field(default=None, max_length=300, description="cơ quan ban hành (as written)")
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""), description="trích yếu")
    assigning_unit_id: str = Field(max_length=32, index=True)
    assigner_id: str = Field(max_length=64)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class DirectionTask(SQLModel, table=True):
    """One task of an assignment, or a sub-task of another task (unlimited depth: ``path`` holds the ids from the
    root down, so a subtree is a prefix and the ancestors are the path itself)."""

    __tablename__ = "direction_task"
    __table_args__ = (Index("ix_direction_task_assigning", "assigning_unit_id", "created_at"),
                      Index("ix_direction_task_executing", "executing_unit_id", "category", "deadline"),
                      Index("ix_direction_task_open", "category", "deadline"),
                      Index("ix_direction_task_root", "root_id", "depth"))

    id: str = Field(primary_key=True, max_length=32)
    assignment_id: str = Field(max_length=32, index=True)
    parent_id: str | None = Field(default=None, max_length=32, index=True)
    root_id: str = Field(max_length=32)
    path: str = Field(sa_column=Column(Text, nullable=False))
    depth: int = 0
    instance_id: str | None = Field(default=None, max_length=32, index=True)
    name: str = Field(max_length=500)
    search: str = Field(default="", max_length=1200, description="name and number folded (search without diacritics)")
    assigning_unit_id: str = Field(max_length=32)
    executing_unit_id: str = Field(max_length=32)
    assigner_id: str = Field(max_length=64)
    created_by: str = Field(max_length=64)
    priority: str = Field(default="none", max_length=10, description="none | urgent | high | normal | low")
    deadline: datetime | None = None
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True), description="bút phê")
    status_group_id: int
    status: str = Field(max_length=40, description="a status code of its group")
    category: str = Field(max_length=20, description="new | in_progress | waiting_approval | done | refused | "
                                                     "cancelled")
    handlers: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    progress: int = Field(default=0, description="the handler's own report, 0–100")
    leaves: int = Field(default=1, description="leaf tasks in its subtree (itself when it has no sub-tasks)")
    leaf_progress: float = Field(default=0, description="sum of those leaves' progress (done = 100, cancelled out)")
    progress_locked: bool = False
    acted: bool = Field(default=False, description="someone has acted on it (then it cannot be deleted)")
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    done_at: datetime | None = None
    overdue_at: datetime | None = None
    deleted_at: datetime | None = None
    version: int = 1


class DirectionParticipant(SQLModel, table=True):
    """Who took part in a task and how (creator, assigner, follower, representative, handler, forwarder,
    coordinator): "tasks I took part in" is one indexed query."""

    __tablename__ = "direction_participant"
    __table_args__ = (Index("ix_direction_participant_account", "account_id", "role"),)

    task_id: str = Field(primary_key=True, max_length=32)
    account_id: str = Field(primary_key=True, max_length=64)
    role: str = Field(primary_key=True, max_length=20)


class DirectionCoordinator(SQLModel, table=True):
    """A unit that coordinates on a task: notified, may comment and attach, does not execute."""

    __tablename__ = "direction_coordinator"

    task_id: str = Field(primary_key=True, max_length=32)
    unit_id: str = Field(primary_key=True, max_length=32, index=True)


class DirectionHandover(SQLModel, table=True):
    """Append-only: every time a task changed hands (forward, refuse, reassign)."""

    __tablename__ = "direction_handover"

    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=20)
    from_account: str | None = Field(default=None, max_length=64)
    to_accounts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    note: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(default_factory=utcnow)


class DirectionHistory(SQLModel, table=True):
    """Append-only: everything that happened to a task (progress reports keep their percent)."""

    __tablename__ = "direction_history"

    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(max_length=32, index=True)
    action: str = Field(max_length=40)
    actor: str | None = Field(default=None, max_length=64)
    actor_name: str | None = Field(default=None, max_length=300)
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    percent: int | None = None
    status: str | None = Field(default=None, max_length=40, description="the status it moved into, if any")
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    at: datetime = Field(default_factory=utcnow)


class DirectionFile(SQLModel, table=True):
    """A file of an assignment (the document) or of a task (a result, a progress report, a coordinator's input)."""

    __tablename__ = "direction_file"

    id: str = Field(primary_key=True, max_length=32)
    assignment_id: str = Field(max_length=32, index=True)
    task_id: str | None = Field(default=None, max_length=32, index=True)
    purpose: str = Field(default="document", max_length=20, description="document | result | progress | input")
    filename: str = Field(max_length=300)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str | None = Field(default=None, max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow)


class DirectionTag(SQLModel, table=True):
    __tablename__ = "direction_tag"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(max_length=32, index=True, description="the unit whose people use it (and its subtree)")
    name: str = Field(max_length=100)
    color: str = Field(default="#1d4ed8", max_length=7)


class DirectionTaskTag(SQLModel, table=True):
    __tablename__ = "direction_task_tag"

    task_id: str = Field(primary_key=True, max_length=32)
    tag_id: int = Field(primary_key=True, index=True)


class DirectionStatusGroup(SQLModel, table=True):
    """A set of statuses and who may move a task into each (Redmine's and OpenProject's workflow table)."""

    __tablename__ = "direction_status_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    unit_id: str | None = Field(default=None, max_length=32, description="None: the province's default group")
    created_at: datetime = Field(default_factory=utcnow)


class DirectionStatus(SQLModel, table=True):
    """One status of a group: the action that moves a task into it, and which task roles and unit roles may."""

    __tablename__ = "direction_status"
    __table_args__ = (UniqueConstraint("group_id", "code"), UniqueConstraint("group_id", "on_action"))

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    category: str = Field(max_length=20)
    color: str = Field(default="#475569", max_length=7)
    position: int = 0
    on_action: str = Field(max_length=20, description="create | forward | refuse | complete | approve | reject | "
                                                      "reassign | cancel")
    task_roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    unit_roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    reason_required: bool = False
    attachment_required: bool = False


class DirectionUnitRole(SQLModel, table=True):
    """Who holds a direction role in a unit: on the assigning side (admin, leader, creator, head) or the
    executing side (representative, officer, leader, follower, head)."""

    __tablename__ = "direction_unit_role"
    __table_args__ = (Index("ix_direction_unit_role_account", "account_id"),)

    unit_id: str = Field(primary_key=True, max_length=32)
    side: str = Field(primary_key=True, max_length=10, description="assign | execute")
    role: str = Field(primary_key=True, max_length=20)
    account_id: str = Field(primary_key=True, max_length=64)


class DirectionUnitSettings(SQLModel, table=True):
    """A unit's direction settings; a unit without its own row inherits its nearest ancestor's."""

    __tablename__ = "direction_unit_settings"

    unit_id: str = Field(primary_key=True, max_length=32)
    status_group_id: int | None = None
    assign_roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    receive_roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    follow_roles: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    due_soon_days: int = 3
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=64)


class Callback(SQLModel, table=True):
    """An integrator's callback URL (the monitoring centre's, say): the events of these types about instances of
    a unit's subtree are POSTed to it, signed with its secret (HMAC-SHA256), until it answers 2xx."""

    __tablename__ = "process_callback"

    id: str = Field(primary_key=True, max_length=32)
    url: str = Field(max_length=1000)
    unit_id: str = Field(max_length=32, index=True)
    event_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    secret: str = Field(max_length=100, description="signs each delivery; shown once, at registration")
    active: bool = True
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class CallbackDelivery(SQLModel, table=True):
    """One event owed to one callback: sent until the receiver answers 2xx, with growing pauses, then parked."""

    __tablename__ = "process_callback_delivery"
    __table_args__ = (UniqueConstraint("callback_id", "event_id"), Index("ix_callback_delivery_due", "next_at"))

    id: int | None = Field(default=None, primary_key=True)
    callback_id: str = Field(foreign_key="process_callback.id", max_length=32, index=True)
    event_id: str = Field(max_length=36)
    event_type: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False), description="the CloudEvent as published")
    attempts: int = 0
    next_at: datetime | None = Field(default_factory=utcnow, description="null: delivered or parked")
    delivered_at: datetime | None = None
    parked_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


DIRECTION_TABLES = ("direction_assignment", "direction_task", "direction_participant", "direction_coordinator",
                    "direction_handover", "direction_history", "direction_file", "direction_tag",
                    "direction_task_tag", "direction_status_group", "direction_status", "direction_unit_role",
                    "direction_unit_settings")

PROCESS_TABLES = ("process_definition", "process_unit", "process_person", "staffing", "staffing_audit",
                  "process_unit_role", "process_job", "process_incident", "process_wait",
                  "process_instance", "process_task", "process_task_actor", "process_history",
                  "process_attachment", "process_callback", "process_callback_delivery", *DIRECTION_TABLES)
