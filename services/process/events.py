"""Events the process service publishes; the handlers of the directory events it keeps read models of (units
from orgunits, people from identity) to staff steps with; and the IOC adapter: the intake of field reports and
the contract of the outcome events the shipped field-report model declares on its end events (the runtime
itself knows no process by name)."""
from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.envelope import MalformedEvent
from services.common.errors import Conflict, Invalid, NotFound
from services.common.eventmodel import Day, Moment, per_type
from services.common.logging import get_logger
from services.common.models import iso, utcnow
from services.common.outbox import idempotent
from services.common.readmodel import current_row, move_subtree, unit_path
from services.process.domain import callbacks, instances, jobs, messages, people
from services.process.models import PersonRef, UnitRef

CONSUMER_QUEUE = "process.directory"
CONSUMES = ["orgunits.unit.*", "identity.account.*"]
INTAKE_QUEUE = "process.intake"
FIELD_REPORT, IOC = "field_report", "system:ioc"
log = get_logger(__name__)


class Definition(BaseModel):
    key: str
    version: int
    name: str
    abbreviation: str | None
    group: str | None
    steps: int = Field(description="number of lanes")
    filename: str | None
    content_hash: str
    deployed_at: Moment
    deployed_by: str | None
    owner_unit_id: str | None = Field(default=None, description="the unit subtree owning the key; null: the province")


class DefinitionDeployed(BaseModel):
    """A new version of a process was deployed."""

    schema_version: int = 1
    definition: Definition


class StaffingChanged(BaseModel):
    """A unit's staffing of a process changed (the monitoring centre listens)."""

    schema_version: int = 1
    process_key: str
    unit_id: str
    status: str = Field(description="not_configured | complete")
    action: str = Field(description="step_updated | sla_changed | confirmed | reset | draft_discarded | "
                                    "version_pinned | staff_left (a staff member was locked, archived or deleted) | "
                                    "staff_converted; edits of a confirmed set-up say draft=true in the audit")
    steps: list[dict]
    total_days: float | None = Field(default=None, description="the unit's process time in working days")
    version: int
    steps_without_staff: list[str] = Field(default_factory=list,
                                           description="staff_left: the steps nobody can take any more")
    tell: list[str] = Field(default_factory=list, description="staff_left: the admins who staffed the process "
                                                              "(notify tells them)")


class TaskView(BaseModel):
    id: str
    name: str
    instance_id: str
    process_key: str
    unit_id: str
    lane_id: str
    element_id: str | None = Field(default=None, description="the BPMN user task's id")
    step: int
    step_name: str = Field(description="the step's name as the unit calls it (display_name), else the lane's")
    status: str = Field(description="ready | completed | returned | cancelled")
    assignees: list[str] = Field(description="who it was assigned/delegated to (empty: any of the candidates)")
    candidates: list[str] = Field(description="the staff of the step for this unit")
    followers: list[str]
    created_by: str | None = Field(description="who started the instance")
    created_at: Moment
    due_at: Moment | None
    overdue_at: Moment | None
    ended_at: Moment | None
    ended_by: str | None
    action: str | None = Field(description="how it ended: handle, approve, return_to_previous …")


class TaskEvent(BaseModel):
    """Something happened to a human task."""

    schema_version: int = 1
    task: TaskView
    actor: str | None = Field(description="account id, or system:scheduler / system:engine")
    actor_name: str | None
    push: bool | None = Field(default=None, description="created: the step's push-notification flag")
    data: dict | None = Field(default=None, description="completed: the form data")
    reason: str | None = Field(default=None, description="completed/returned/extension_requested/closed: why")
    returned_from: str | None = Field(default=None, description="returned: the task that sent it back")
    requested_for: str | None = Field(default=None, description="extension_requested: the task that needs time")
    requested_by: str | None = Field(default=None, description="extension_requested: who asked for it")
    days: float | None = Field(default=None, description="extension_*: working days asked for / granted")
    approved: bool | None = Field(default=None, description="extension_decided")
    note: str | None = Field(default=None, description="extension_decided/delegated: the note")
    decided_task: str | None = Field(default=None, description="extension_decided: the deciding task")


class InstanceView(BaseModel):
    id: str
    process_key: str
    definition_version: int
    unit_id: str
    business_key: str | None = Field(description="e.g. the IOC's report id")
    title: str
    state: str = Field(description="running | completed | cancelled")
    result: str | None = Field(description="the end event's result: approved, returned_to_ioc, rejected …")
    variables: dict
    total_days: float = Field(description="the whole process time in working days")
    started_by: str | None
    started_at: Moment
    ended_at: Moment | None


class InstanceEvent(BaseModel):
    """An instance started, completed or was cancelled."""

    schema_version: int = 1
    instance: InstanceView
    actor: str | None
    reason: str | None = Field(default=None, description="cancelled: why")


class FieldReportOutcome(BaseModel):
    """The outcome of a field report, for the monitoring centre (IOC)."""

    schema_version: int = 1
    report_id: str | None = Field(description="the IOC's id of the report (the instance's business key; the "
                                              "instance's id for a report that did not come from the IOC)")
    instance_id: str | None
    unit_id: str
    result: str | None = Field(description="approved: the handling result recorded at the handle step")
    comment: str | None
    reason: str | None = Field(description="returned_to_ioc: why")
    handled_by: str | None
    decided_by: str | None
    decided_by_name: str | None
    at: Moment


def field_report_outcome(report_id: str | None, instance_id: str | None, unit_id: str, at, *,
                         decided_by: str | None, result: str | None = None, comment: str | None = None,
                         reason: str | None = None, handled_by: str | None = None,
                         decided_by_name: str | None = None) -> dict:
    """The data of process.field_report.returned_to_ioc when a report cannot even start (FieldReportOutcome)."""
    return {"report_id": report_id, "instance_id": instance_id, "unit_id": unit_id, "result": result,
            "comment": comment, "reason": reason, "handled_by": handled_by, "decided_by": decided_by,
            "decided_by_name": decided_by_name, "at": iso(at)}


class InboundRejected(BaseModel):
    """An inbound message (a report from the monitoring centre, a worker's reply) that the process service could not
    take: the sender binds this type and matches ``rejected_id`` or the subject."""

    schema_version: int = 1
    rejected_id: str = Field(description="the `id` of the message refused")
    rejected_type: str = Field(description="its type (routing key)")
    source: str | None = Field(description="its `source`")
    reason: str = Field(description="why, in words")
    errors: list[dict] = Field(default_factory=list, description="for a payload that does not match its schema: "
                                                                 "`loc` (where) and `msg` (what) of each problem")


class StaffDeclarationOutcome(BaseModel):
    """The review of an officer's self-declaration ended (bpmn/staff_declaration.bpmn); identity applies what was
    approved."""

    declaration_id: str = Field(description="identity's id of the declaration (the instance's business key)")
    instance_id: str
    unit_id: str = Field(description="the unit declared")
    decided_by: str | None
    decided_by_name: str | None
    reason: str | None = Field(default=None, description="returned: why")
    at: Moment


class MigratedEvent(BaseModel):
    """A designer moved a running instance onto another version of its process."""

    schema_version: int = 1
    instance: InstanceView
    actor: str
    from_version: int
    to_version: int


class JobView(BaseModel):
    id: str
    topic: str = Field(description="the service task's camunda:topic: workers pick the jobs of their topics")
    instance_id: str
    element_id: str
    name: str
    unit_id: str
    status: str = Field(description="open | completed | incident | cancelled")
    attempts: int
    retries_left: int
    last_error: str | None
    created_at: Moment
    ended_at: Moment | None
    worker: str | None
    process_key: str | None = None
    business_key: str | None = None


class JobEvent(BaseModel):
    """An external job waits for a worker (created: also after a failure with retries left, or an admin's
    retry), was completed, or failed."""

    schema_version: int = 1
    job: JobView
    variables: dict | None = Field(default=None, description="created: the process data the task sees")
    variables_truncated: bool | None = Field(default=None, description="created: the data was too large to send")
    retried_by: str | None = Field(default=None, description="created: the admin who retried it")
    actor: str | None = Field(default=None, description="completed/failed: the worker")
    error: str | None = Field(default=None, description="failed: what the worker said went wrong")


class IncidentView(BaseModel):
    id: str
    instance_id: str
    unit_id: str
    process_key: str
    element_id: str | None
    kind: str = Field(description="job | script | timer")
    job_id: str | None
    error: str
    status: str = Field(description="open | resolved")
    opened_at: Moment
    resolved_at: Moment | None
    resolved_by: str | None
    resolution: str | None = Field(description="retried | cancelled | gone (the instance ended)")


class IncidentEvent(BaseModel):
    """An instance stopped (opened) or its incident was dealt with (resolved)."""

    schema_version: int = 1
    incident: IncidentView


class JobReply(BaseModel):
    """A worker's reply over the bus instead of HTTP: completed with variables, or failed with an error."""

    schema_version: int = 1
    job_id: str = Field(min_length=1, max_length=32)
    variables: dict = Field(default_factory=dict)
    error: str | None = Field(default=None, max_length=2000)
    retries: int | None = Field(default=None, ge=0, le=20)


class MessageSent(BaseModel):
    """A message or signal an instance threw that nothing inside it caught (or one an integrator publishes):
    process delivers it to the instances waiting for it, and starts the processes a message starts."""

    schema_version: int = 1
    kind: str = Field(description="message | signal")
    name: str = Field(min_length=1, max_length=200)
    variables: dict = Field(default_factory=dict, description="arrives in the receiver's data as `message`")
    correlation_key: str | None = Field(default=None, description="message: what the receiver's correlate_by "
                                                                  "variable (or business key) must equal")
    unit_id: str | None = Field(default=None, description="message: the unit an instance it starts is for")
    from_instance: str | None = None
    process_key: str | None = None


class CommentEvent(BaseModel):
    """Someone remarked on an instance."""

    schema_version: int = 1
    instance: InstanceView
    actor: str
    actor_name: str | None
    text: str


class UnitRolesChanged(BaseModel):
    """A unit admin named who holds a unit role (the people a unit stands for in a lane with ``unit_role``)."""

    schema_version: int = 1
    unit_id: str
    role: str
    accounts: list[str]


class FieldReport(BaseModel):
    id: str = Field(min_length=1, max_length=200, description="the IOC's id of the report")
    unit_id: str = Field(min_length=1, max_length=32, description="the unit that must handle it")
    title: str = Field(min_length=1, max_length=500)
    content: str = Field(default="", max_length=20000)
    location: str | None = Field(default=None, max_length=1000)
    reporter: str | None = Field(default=None, max_length=300)
    received_at: str | None = None


class FieldReportReceived(BaseModel):
    """A citizen's field report from the monitoring centre: starts the field_report process for the unit (the
    report id is the business key: the same report twice starts one instance)."""

    schema_version: int = 1
    report: FieldReport


class DirectionTaskView(BaseModel):
    """A direction task (nhiệm vụ) as events carry it."""

    id: str
    assignment_id: str
    parent_id: str | None = Field(description="the task it is a sub-task of (null: a task of the assignment)")
    root_id: str = Field(description="the assignment's task at the top of its tree")
    depth: int = Field(description="0 for a task of the assignment, 1 for its sub-tasks, …")
    name: str
    assigning_unit_id: str
    executing_unit_id: str
    assigner_id: str
    created_by: str
    priority: str = Field(description="none | urgent | high | normal | low")
    deadline: Moment | None
    note: str | None = Field(description="bút phê (the directive note)")
    status: str = Field(description="a status code of the task's status group")
    status_name: str
    status_color: str | None
    category: str = Field(description="new | in_progress | waiting_approval | done | refused | cancelled")
    progress: int = Field(description="0–100: its sub-tasks' leaves averaged (done = 100, cancelled left out), "
                                      "else the handler's report")
    own_progress: int
    progress_locked: bool
    handlers: list[str] = Field(description="who works it now")
    instance_id: str | None = Field(description="its lifecycle's process instance")
    created_at: Moment | None
    completed_at: Moment | None
    done_at: Moment | None
    followers: list[str] = Field(default_factory=list, description="who follows (and approves) it")
    coordinators: list[str] = Field(default_factory=list, description="the contacts of its coordinating units")
    coordinating_unit_ids: list[str] = Field(default_factory=list)
    tag_ids: list[int] = Field(default_factory=list)


class DirectionTaskEvent(BaseModel):
    """Something happened to a direction task; ``task`` is the task after it."""

    schema_version: int = 1
    task: DirectionTaskView
    actor: str | None
    actor_name: str | None
    reason: str | None = Field(default=None, description="refuse, reject, cancel: why; forward, complete: the note")
    note: str | None = Field(default=None, description="forwarded: the note; progress_reported: the report")
    to: list[str] | None = Field(default=None, description="forwarded, refused, reassigned: who has it now")
    percent: int | None = Field(default=None, description="progress_reported: the new figure")
    text: str | None = Field(default=None, description="commented: the comment")
    subtask: DirectionTaskView | None = Field(default=None, description="subtask_created: the new sub-task")
    previous_status: str | None = Field(default=None, description="status_changed: the status it left")
    with_open_subtasks: bool | None = Field(default=None, description="completed: although sub-tasks were open")


class DirectionAssignment(BaseModel):
    id: str
    number: str | None
    doc_date: Day | None
    signer: str | None
    issuing_unit: str | None
    summary: str
    assigning_unit_id: str
    assigner_id: str
    created_by: str
    created_at: Moment | None
    file_ids: list[str] = Field(default_factory=list)


class DirectionAssignmentCreated(BaseModel):
    """A leader assigned tasks: the document and its tasks."""

    schema_version: int = 1
    assignment: DirectionAssignment
    tasks: list[DirectionTaskView]
    followers: list[str]
    actor: str
    actor_name: str | None


class DirectionStatusGroupChanged(BaseModel):
    """A status group was created or one of its statuses changed."""

    schema_version: int = 1
    group: dict = Field(description="{id, name, unit_id, default, statuses: [{code, name, category, color, "
                                    "on_action, task_roles, unit_roles, reason_required, attachment_required}]}")
    actor: str


class DirectionUnitSetupChanged(BaseModel):
    """A unit admin changed the unit's direction roles or settings."""

    schema_version: int = 1
    unit_id: str
    settings: dict | None = Field(description="the settings now (when they changed)")
    roles: dict | None = Field(description="{side: {role: [account ids]}} (when holders changed)")
    actor: str


DIRECTION_TASK_EVENTS = ("forwarded", "refused", "reassigned", "progress_reported", "completed", "approved",
                         "rejected", "cancelled", "subtask_created", "commented", "deleted", "overdue",
                         "status_changed")


TASK_EVENTS = ("created", "assigned", "completed", "returned", "delegated", "overdue", "extension_requested",
               "extension_decided", "closed")
TASK_FILLS = {"created": {"always": {"push": bool}}, "assigned": {}, "completed": {"always": {"data": dict},
                                                                                "may": ["reason"]},
              "returned": {"always": {"returned_from": str, "reason": str}}, "delegated": {"may": ["note"]},
              "overdue": {"always": {"actor": str}},
              "extension_requested": {"always": {"requested_for": str, "requested_by": str, "days": float,
                                                 "reason": str}},
              "extension_decided": {"always": {"approved": bool, "days": float, "decided_task": str},
                                    "may": ["note"]},
              "closed": {"may": ["reason"]}}
DIRECTION_FILLS = {"forwarded": {"always": {"to": list[str]}, "may": ["reason", "note"]},
                   "refused": {"always": {"to": list[str], "reason": str}},
                   "reassigned": {"always": {"to": list[str]}, "may": ["reason"]},
                   "progress_reported": {"always": {"percent": int}, "may": ["note"]},
                   "completed": {"always": {"with_open_subtasks": bool}, "may": ["reason"]},
                   "approved": {"may": ["reason"]}, "rejected": {"always": {"reason": str}},
                   "cancelled": {"always": {"reason": str}},
                   "subtask_created": {"always": {"subtask": DirectionTaskView}},
                   "commented": {"always": {"text": str}}, "deleted": {}, "overdue": {},
                   "status_changed": {"always": {"previous_status": str}}}
DIRECTION_FILLS = {kind: {**fills, "always": {"actor": str, **fills.get("always", {})}}
                   for kind, fills in DIRECTION_FILLS.items()}
PUBLISHED = {"process.definition.deployed": DefinitionDeployed, "process.staffing.changed": StaffingChanged,
             "process.instance.started": per_type(InstanceEvent, "process.instance.started"),
             "process.instance.completed": per_type(InstanceEvent, "process.instance.completed"),
             "process.instance.cancelled": per_type(InstanceEvent, "process.instance.cancelled",
                                                    always={"actor": str, "reason": str}),
             "process.instance.commented": CommentEvent, "process.instance.migrated": MigratedEvent,
             "process.unit_roles.changed": UnitRolesChanged,
             "process.job.created": per_type(JobEvent, "process.job.created", always={"variables": dict},
                                             may=["variables_truncated", "retried_by"]),
             "process.job.completed": per_type(JobEvent, "process.job.completed", always={"actor": str}),
             "process.job.failed": per_type(JobEvent, "process.job.failed", always={"actor": str, "error": str}),
             **{f"process.incident.{kind}": IncidentEvent for kind in ("opened", "resolved")},
             "process.message.sent": MessageSent, "process.signal.sent": MessageSent,
             **{f"process.task.{kind}": per_type(TaskEvent, f"process.task.{kind}", **TASK_FILLS[kind])
                for kind in TASK_EVENTS},
             "process.field_report.approved": per_type(
                 FieldReportOutcome, "process.field_report.approved", may=["comment", "reason", "decided_by_name"],
                 always={"report_id": str, "instance_id": str, "result": str, "handled_by": str,
                         "decided_by": str}),
             "process.field_report.returned_to_ioc": per_type(
                 FieldReportOutcome, "process.field_report.returned_to_ioc", always={"report_id": str, "reason": str},
                 may=["instance_id", "result", "comment", "handled_by", "decided_by", "decided_by_name"]),
             "process.inbound.rejected": InboundRejected,
             "process.staff_declaration.approved": per_type(
                 StaffDeclarationOutcome, "process.staff_declaration.approved", always={"decided_by": str},
                 may=["decided_by_name"]),
             "process.staff_declaration.returned": per_type(
                 StaffDeclarationOutcome, "process.staff_declaration.returned",
                 always={"decided_by": str, "reason": str}, may=["decided_by_name"]),
             "direction.assignment.created": DirectionAssignmentCreated,
             **{f"direction.task.{kind}": per_type(DirectionTaskEvent, f"direction.task.{kind}",
                                                  **DIRECTION_FILLS[kind]) for kind in DIRECTION_TASK_EVENTS},
             "direction.status_group.changed": DirectionStatusGroupChanged,
             "direction.unit_setup.changed": DirectionUnitSetupChanged}
SUBJECTS = {  # type → (the subject as a template over data, what it is; None: not in data)
    "process.definition.deployed": ("{definition.key}", "the process key"),
    "process.staffing.changed": ("{process_key}/{unit_id}", "the process key and the unit, joined by /"),
    **{f"process.instance.{kind}": ("{instance.id}", "the instance")
       for kind in ("started", "completed", "cancelled", "commented", "migrated")},
    "process.unit_roles.changed": ("{unit_id}/{role}", "the unit and the role, joined by /"),
    **{f"process.job.{kind}": ("{job.id}", "the job") for kind in ("created", "completed", "failed")},
    **{f"process.incident.{kind}": ("{incident.id}", "the incident") for kind in ("opened", "resolved")},
    "process.message.sent": ("{correlation_key|name}", "what the message is about (its correlation key), else its "
                                                       "name"),
    "process.signal.sent": ("{name}", "the signal's name"),
    **{f"process.task.{kind}": ("{task.id}", "the task") for kind in TASK_EVENTS},
    **{f"process.field_report.{kind}": ("{report_id}", "the IOC's report (its id)")
       for kind in ("approved", "returned_to_ioc")},
    "process.inbound.rejected": (None, "the refused message's subject (its id when it had none)"),
    **{f"process.staff_declaration.{kind}": ("{declaration_id}", "identity's declaration")
       for kind in ("approved", "returned")},
    "direction.assignment.created": ("{assignment.id}", "the assignment (the document)"),
    **{f"direction.task.{kind}": ("{task.id}", "the direction task") for kind in DIRECTION_TASK_EVENTS},
    "direction.status_group.changed": ("{group.id}", "the status group"),
    "direction.unit_setup.changed": ("{unit_id}", "the unit"),
}
ACCEPTED = {"ioc.field_report.received": FieldReportReceived}
JOB_REPLIES = {"worker.job.completed": JobReply, "worker.job.failed": JobReply}
DESCRIPTIONS = {
    "process.instance.started": "A process instance started for a unit.",
    "process.instance.completed": "An instance reached an end event; `instance.result` says which.",
    "process.instance.cancelled": "An instance was cancelled (its open tasks with it).",
    "process.job.created": "A service task waits for a worker of `job.topic` (again after a failure with retries "
                           "left, or an admin's retry); reply over HTTP or with `worker.job.completed` / "
                           "`worker.job.failed`.",
    "process.job.completed": "A worker completed an external job; the instance ran on.",
    "process.job.failed": "A worker reported a failure; `job.retries_left` 0 means it became an incident.",
    "process.incident.opened": "An instance stopped at a failing job, script, expression or timer; its unit's "
                               "admins retry it or cancel the instance.",
    "process.incident.resolved": "An incident was retried, its instance cancelled, or the instance ended.",
    "worker.job.completed": "Accepted by process: a worker's result for `job_id` (its `variables`).",
    "worker.job.failed": "Accepted by process: a worker could not do `job_id` (`error`, optionally `retries` left).",
    "process.message.sent": "An instance threw a message nothing in it caught (integrators may publish one too); "
                            "process delivers it by name and correlation, or starts a process with that message "
                            "start event.",
    "process.signal.sent": "An instance threw a signal (or an integrator published one): every instance waiting "
                           "for it hears it.",
    "process.instance.migrated": "A designer moved a running instance onto another version of its process (its "
                                 "tasks and history stay).",
    "process.instance.commented": "Someone who sees an instance commented on it (kept in its history).",
    "process.unit_roles.changed": "A unit admin named the holders of a unit role (e.g. clerk): lanes with "
                                  "`unit_role` give a unit's tasks to them.",
    "process.task.created": "A human task became ready; `task.candidates` may act on it (or `task.assignees`).",
    "process.task.assigned": "A task was assigned to specific people (assign action, claim).",
    "process.task.completed": "A task was completed with an action and form data.",
    "process.task.returned": "Work was returned to the previous step: `task` is the task it came back to (the "
                             "task that sent it back gets `process.task.closed`).",
    "process.task.closed": "The task ended, however it ended: completed (after `process.task.completed`), returned "
                           "to an earlier step, sent to the step deciding an extension, cancelled with its "
                           "instance, or withdrawn when the process moved on without it. Always the last event of "
                           "its subject; `task.status` and `task.action` say how, `reason` why.",
    "process.task.delegated": "A task was delegated to another staff member of its step.",
    "process.task.overdue": "A task passed its due time (published once, by the scheduler).",
    "direction.assignment.created": "A leader assigned one or more tasks to units below the assigning unit.",
    "direction.task.forwarded": "The task's handler passed it to an officer of the executing unit (chuyển xử lý).",
    "direction.task.refused": "The handler refused the task: back to who forwarded it, or to the assigner.",
    "direction.task.reassigned": "The assigner gave a refused task to the unit's representatives again.",
    "direction.task.progress_reported": "The handler reported progress (the parents' figures are recomputed).",
    "direction.task.completed": "The handler completed the task with a result file; it waits for approval.",
    "direction.task.approved": "A follower in the assigning unit approved the result: the task is done.",
    "direction.task.rejected": "A follower rejected the result (with a reason): back to the handler.",
    "direction.task.cancelled": "The assigner cancelled a refused task.",
    "direction.task.subtask_created": "The handler gave part of the task to a unit under their own.",
    "direction.task.commented": "Someone who sees the task commented on it.",
    "direction.task.deleted": "Its creator deleted the task before anyone acted on it.",
    "direction.task.overdue": "The task passed its deadline while open (published once, by the scheduler).",
    "direction.task.status_changed": "The task moved into another status of its status group.",
    "direction.status_group.changed": "A status group was created or a status changed.",
    "direction.unit_setup.changed": "A unit's direction roles or settings changed.",
    "process.task.extension_requested": "More time was asked for: `task` is the deciding task of the approver "
                                        "lane, `requested_for` the task that needs time.",
    "process.task.extension_decided": "An extension was granted or refused: `task` is the task that continues, "
                                      "with its new due time.",
    "process.inbound.rejected": "An inbound message (`ioc.field_report.received`, `worker.job.*`) could not be "
                                "taken: its payload does not match the schema, or the job it answers is unknown or "
                                "closed. `subject` is the refused message's subject, `rejected_id` its id.",
    "process.staff_declaration.approved": "An officer's self-declaration was approved by the declared unit's "
                                          "approver; identity applies it to the account.",
    "process.staff_declaration.returned": "An officer's self-declaration was returned with a reason; the record "
                                          "stays as it was.",
    "process.field_report.approved": "A field report's result was approved: the result goes back to the IOC "
                                     "(declared on the end event of bpmn/field_report.bpmn).",
    "process.field_report.returned_to_ioc": "A field report was returned to the IOC (at distribution, or because "
                                            "the unit has not configured the process).",
    "ioc.field_report.received": "Accepted by process: starts PAHT for `report.unit_id`.",
    "process.definition.deployed": "A new version of a BPMN process was deployed (same content again deploys "
                                   "nothing).",
    "process.staffing.changed": "A unit admin changed, confirmed or reset a unit's staffing of a process; the full "
                                "list of steps follows.",
}


def apply_directory_event(uow: UnitOfWork, event: dict) -> None:
    data = event["data"]
    if event["type"].startswith("orgunits.unit."):
        unit = data.get("unit") or {}
        if not unit.get("id"):
            raise MalformedEvent(f"{event['type']} without a unit snapshot")
        row = current_row(uow.session, UnitRef, unit["id"], event, deleted=event["type"] == "orgunits.unit.deleted")
        if row is not None:
            row.name, row.status = unit.get("name", ""), unit.get("status", "active")
            move_subtree(uow.session, UnitRef, row, unit_path(unit))
        return
    account = data.get("account") or {}
    if not account.get("id"):
        raise MalformedEvent(f"{event['type']} without an account snapshot")
    row = current_row(uow.session, PersonRef, account.get("id", ""), event,
                      deleted=event["type"] == "identity.account.deleted")
    if row is not None:
        row.full_name, row.unit_id, row.status = account.get("full_name", ""), account.get("unit_id"), \
            account.get("status", "")
    uow.session.flush()
    people.account_changed(uow, event)


def reject(uow: UnitOfWork, event: dict, reason: str, errors: list[dict] | None = None) -> None:
    """Answer an inbound message that cannot be taken, on the bus, instead of only parking it."""
    uow.session.rollback()
    log.warning("process.inbound_rejected", event_id=event.get("id"), type=event.get("type"), reason=reason)
    uow.emit("process.inbound.rejected", str(event.get("subject") or event.get("id")), InboundRejected(
        rejected_id=str(event.get("id")), rejected_type=str(event.get("type")), source=event.get("source"),
        reason=reason[:2000], errors=errors or []).model_dump())


def _problems(exc: ValidationError) -> list[dict]:
    return [{"loc": ".".join(str(part) for part in error["loc"]), "msg": error["msg"]} for error in exc.errors()[:20]]


def intake(policy):
    """The handler of field reports sent by the monitoring centre: start PAHT for the unit, or tell the IOC at
    once that the unit cannot take it (not configured, unknown unit)."""

    def apply(uow: UnitOfWork, event: dict) -> None:
        try:
            report = FieldReportReceived.model_validate(event["data"]).report
        except ValidationError as exc:
            reject(uow, event, f"the report does not match {event['type']}'s schema", _problems(exc))
            return
        variables = {"report_id": report.id, "title": report.title, "content": report.content,
                     "location": report.location, "reporter": report.reporter, "received_at": report.received_at}
        try:
            instances.start(uow, policy, process_key=FIELD_REPORT, unit_id=report.unit_id, variables=variables,
                            business_key=report.id, title=report.title, actor=IOC, commit=False)
        except (Conflict, NotFound, Invalid) as exc:
            uow.session.rollback()
            log.warning("process.field_report_refused", report=report.id, unit=report.unit_id, reason=exc.detail)
            uow.emit("process.field_report.returned_to_ioc", report.id, field_report_outcome(
                report.id, None, report.unit_id, utcnow(), reason=exc.detail, decided_by="system:process"))
    return apply


JOBS_QUEUE = "process.job_replies"
WORKER = "system:worker"


def job_reply(policy):
    """Workers' replies over the bus: the same as over HTTP, by the broker-trusted worker."""

    def apply(uow: UnitOfWork, event: dict) -> None:
        try:
            reply = JobReply.model_validate(event["data"])
        except ValidationError as exc:
            reject(uow, event, f"the reply does not match {event['type']}'s schema", _problems(exc))
            return
        worker = Principal(WORKER, None)   # no grants: trusted for jobs only, by the broker's access control
        try:
            if event["type"] == "worker.job.completed":
                jobs.complete(uow, policy, worker, reply.job_id, reply.variables)
            else:
                jobs.fail(uow, worker, reply.job_id, reply.error or "the worker gave no reason", reply.retries)
        except (Conflict, NotFound, Invalid) as exc:
            reject(uow, event, str(exc.detail))
    return apply


MESSAGES_QUEUE = "process.messages"
MESSAGE_TYPES = ["process.message.sent", "process.signal.sent"]


CALLBACKS_QUEUE = "process.callbacks"


def subscribe(runtime, policy) -> None:
    runtime.subscribe(CONSUMER_QUEUE, CONSUMES, idempotent(runtime.db, CONSUMER_QUEUE, apply_directory_event))
    runtime.subscribe(INTAKE_QUEUE, list(ACCEPTED), idempotent(runtime.db, INTAKE_QUEUE, intake(policy)))
    runtime.subscribe(JOBS_QUEUE, list(JOB_REPLIES), idempotent(runtime.db, JOBS_QUEUE, job_reply(policy)))
    runtime.subscribe(MESSAGES_QUEUE, MESSAGE_TYPES, idempotent(runtime.db, MESSAGES_QUEUE,
                                                                messages.from_bus(policy)))
    runtime.subscribe(CALLBACKS_QUEUE, ["process.#"], idempotent(runtime.db, CALLBACKS_QUEUE, callbacks.enqueue))
