"""What every change of one instance shares: the policy, the instance as read, its version's conventions, the
unit's serving staffing, the one conditional write, and the helpers to record history and publish events.

One writer per instance: every change loads the instance, works on the engine state and writes it back with
``UPDATE … WHERE version = <the version read>``; a concurrent writer gets a 409 and nothing of its work is
kept. Nothing of the engine is cached between requests except the parsed spec, so an engine error leaves the
stored state as it was and the next request starts from the database again."""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from services.common.db import UnitOfWork
from services.common.errors import Conflict, Invalid
from services.common.i18n import msg
from services.common.text import nfc
from services.process import engine
from services.process.conventions import Lane
from services.process.domain.definitions import ProcessDefinition, Shape, engine_files, shape
from services.process.domain.sla import WorkingCalendar
from services.process.domain.staffing import defaults
from services.process.models import InstanceHistory, PersonRef, ProcessInstance, ProcessTask, Staffing, UnitRef


@dataclass(frozen=True)
class Policy:
    """How time is counted and what is accepted (from the service settings)."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    default_total_days: float = 5.0
    max_attachment_bytes: int = 16 * 1024 * 1024
    callback_http: bool = True          # plain http:// callback URLs (development); production takes https only


def new_id() -> str:
    return uuid.uuid4().hex


def person_name(session: Session, account_id: str | None) -> str | None:
    if not account_id or ":" in account_id:
        return account_id
    person = session.get(PersonRef, account_id)
    return person.full_name if person else None


_DEFINITIONS: dict[tuple[str, int], ProcessDefinition] = {}


def definition_of(session: Session, definition_id: int) -> ProcessDefinition:
    """A deployed version never changes, so one read per database and process lifetime is enough."""
    key = (str(session.get_bind().url), definition_id)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = session.get(ProcessDefinition, definition_id)
        session.expunge(found)
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found


# ------------------------------------------------------------------------------------------------ staffing
def needs_staffing(definition: ProcessDefinition) -> bool:
    """Whether some step takes its people from the unit's staffing (else the instance's data names them)."""
    return any(lane.props.people == "staffing" for lane in shape(definition).conventions.lanes)


def serving_steps(session: Session, definition: ProcessDefinition, unit: UnitRef) -> list[dict]:
    """The unit's confirmed staffing of the process (its draft, if any, does not serve yet); a process whose
    people all come from the instance runs on the BPMN's defaults."""
    row = session.exec(select(Staffing).where(Staffing.process_key == definition.key,
                                              Staffing.unit_id == unit.id)).first()
    if row is not None and row.status == "complete":
        return row.steps
    if not needs_staffing(definition):
        return defaults(definition)
    raise Conflict(msg("“{name}” has not confirmed its staffing of {key}; a unit admin must staff every step and "
                       "confirm before the process can start", name=unit.name,
                       key=definition.key), reason="not_configured")


def step_config(steps: list[dict], lane_id: str) -> dict:
    found = next((s for s in steps if s["lane_id"] == lane_id), None)
    if found is None:
        raise Conflict(msg("the unit's staffing has no step {lane_id!r}; the process changed since it was staffed",
                           lane_id=lane_id))
    return found


def staff_of(steps: list[dict], step: dict) -> list[str]:
    if step.get("staff_of_step"):
        source = next((s for s in steps if s["step"] == step["staff_of_step"]), None)
        return list(source["staff"]) if source else []
    return list(step["staff"])


# --------------------------------------------------------------------------------------------------- context
@dataclass
class Context:
    """One change of one instance: what was read, what the change decided for the tasks it creates."""

    uow: UnitOfWork
    policy: Policy
    inst: ProcessInstance
    definition: ProcessDefinition
    steps: list[dict]
    actor: str | None
    read_version: int
    designated: list[str] | None = None       # an outcome that chooses the next people: who gets the next task
    returning_to: str | None = None           # a return: who did the step it goes back to (if still one of them)
    extension: dict | None = None             # an extension request/decision this change makes
    created: list[ProcessTask] = field(default_factory=list)
    names: dict = field(default_factory=dict)
    called: dict[str, ProcessDefinition] = field(default_factory=dict)   # what its call activities run

    @property
    def shape(self) -> Shape:
        return shape(self.definition)

    @property
    def session(self) -> Session:
        return self.uow.session

    @property
    def processes_called(self) -> dict[str, ProcessDefinition]:
        """The processes its call activities run (not the decision tables its rule tasks use)."""
        return {key: found for key, found in self.called.items() if found.kind == "process"}

    def lane(self, lane_id: str) -> Lane:
        key, _sep, own = lane_id.rpartition("/")
        found = shape(self.called[key]).conventions.lane(own) if key in self.processes_called else \
            self.shape.conventions.lane(lane_id)
        if found is None:
            raise Invalid(msg("lane {lane_id!r} is not in this version of the process", lane_id=lane_id))
        return found

    def _owner(self, ready: engine.ReadyTask) -> tuple[str | None, Shape | None]:
        """The process an engine task belongs to: (None, the instance's own shape) — its sub-processes
        included — or (the key, the shape) of a process a call activity runs; (None, None) when neither."""
        if self.shape.conventions.owns(self.definition.key, ready.process):
            return None, self.shape
        for key, definition in self.processes_called.items():
            if shape(definition).conventions.owns(key, ready.process):
                return key, shape(definition)
        return None, None

    def lane_of(self, ready: engine.ReadyTask) -> str | None:
        """The lane of an engine task: the process's own, or, qualified as ``<key>/<lane>``, a lane of a process
        a call activity runs."""
        key, found = self._owner(ready)
        lane_id = found.lanes.get(ready.spec_id) if found is not None else None
        return f"{key}/{lane_id}" if key and lane_id else lane_id

    def conventions_of(self, ready: engine.ReadyTask):
        """The conventions of the process an engine task belongs to (the instance's own or a called one)."""
        _key, found = self._owner(ready)
        return (found or self.shape).conventions

    def step_names(self) -> dict[str, str]:
        """Each lane's name as the unit's admin calls the step (display_name), else the BPMN's."""
        names = dict(self.shape.lane_names)
        for key, definition in self.processes_called.items():
            names.update({f"{key}/{lane}": name for lane, name in shape(definition).lane_names.items()})
        return {**names, **{s["lane_id"]: s["display_name"] for s in self.steps if s.get("display_name")}}

    def name_of(self, account_id: str | None) -> str | None:
        if account_id not in self.names:
            self.names[account_id] = person_name(self.session, account_id)
        return self.names[account_id]

    def emit_task(self, event_type: str, task: ProcessTask, **extra) -> None:
        from services.process.domain.instances.views import task_view
        self.uow.emit(event_type, task.id, {
            "task": task_view(task, self.inst, self.step_names()), "actor": self.actor,
            "actor_name": self.name_of(self.actor), **extra})

    def history(self, action: str, task: ProcessTask | None = None, *, reason: str | None = None,
                data: dict | None = None, actor: str | None = None) -> None:
        who = actor if actor is not None else self.actor
        self.session.add(InstanceHistory(
            instance_id=self.inst.id, task_id=task.id if task else None, step=task.step if task else None,
            task_name=task.name if task else "", action=action, actor=who,
            actor_name=self.name_of(who), reason=reason, data=data or {}))

    def load(self) -> engine.Run:
        return engine.Run.load(self.definition.xml, self.definition.content_hash, self.inst.process_key,
                               self.inst.engine_state, engine_files(self.called.values()))


def called_of(session: Session, inst: ProcessInstance) -> dict[str, ProcessDefinition]:
    """The versions the instance's call activities and rule tasks run, as recorded when it started (or moved)."""
    return {key: definition_of(session, definition_id) for key, definition_id in (inst.called or {}).items()}


def load_run(session: Session, inst: ProcessInstance) -> engine.Run:
    """The instance in the engine, from its stored state, on the versions it runs."""
    definition = definition_of(session, inst.definition_id)
    return engine.Run.load(definition.xml, definition.content_hash, inst.process_key, inst.engine_state,
                           engine_files(called_of(session, inst).values()))


def all_steps(session: Session, definition: ProcessDefinition, called: dict[str, ProcessDefinition],
              unit: UnitRef | None) -> list[dict]:
    """The serving steps of the process and, qualified as ``<key>/<lane>``, of every process it calls, for the
    unit the instance runs for (a called process is staffed by that unit like any other)."""
    def steps_of(found: ProcessDefinition) -> list[dict]:
        return serving_steps(session, found, unit) if unit is not None else defaults(found)
    steps = list(steps_of(definition))
    for key, found in called.items():
        if found.kind != "process":
            continue
        steps += [dict(step, lane_id=f"{key}/{step['lane_id']}") for step in steps_of(found)]
    return steps


def context_for(uow: UnitOfWork, policy: Policy, inst: ProcessInstance, actor: str | None) -> Context:
    """A change of ``inst`` by ``actor`` on its version, the versions it calls and its unit's serving staffing."""
    session = uow.session
    definition = definition_of(session, inst.definition_id)
    called = called_of(session, inst)
    steps = all_steps(session, definition, called, session.get(UnitRef, inst.unit_id))
    return Context(uow, policy, inst, definition, steps, actor, read_version=inst.version, called=called)


def save(ctx: Context, columns: dict) -> None:
    """The conditional write: only if nobody else changed the instance since it was read."""
    result = ctx.session.execute(update(ProcessInstance).where(
        col(ProcessInstance.id) == ctx.inst.id, col(ProcessInstance.version) == ctx.read_version)
        .values(version=ctx.read_version + 1, **columns).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(msg("someone else changed this process at the same moment; reload it and try again"))


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_VARIABLES_BYTES = 64 * 1024

def clean(value, depth: int = 0):
    """NFC every string of submitted data, refuse what a script could not use as a name."""
    if depth > 6:
        raise Invalid(msg("the data is nested too deeply"))
    if isinstance(value, str):
        return nfc(value) if "\n" not in value else "\n".join(nfc(line) for line in value.split("\n"))
    if isinstance(value, list):
        return [clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if depth == 0 and not _NAME.match(str(key)):
                raise Invalid(msg("“{key}” cannot be a variable name (letters, digits and _; not starting with a "
                                  "digit)", key=key))
            cleaned[str(key)] = clean(item, depth + 1)
        return cleaned
    return value

def check_size(variables: dict) -> None:
    if len(json.dumps(variables, ensure_ascii=False).encode()) > MAX_VARIABLES_BYTES:
        raise Invalid(msg("the data is larger than {value} KB; attach files instead",
                          value=MAX_VARIABLES_BYTES // 1024))



def open_tasks(session: Session, instance_id: str) -> list[ProcessTask]:
    return list(session.exec(select(ProcessTask).where(ProcessTask.instance_id == instance_id,
                                                       ProcessTask.status == "ready")).all())


def run_engine(action):
    """An engine failure while moving an instance on is the model's problem, told as a 422 sentence."""
    try:
        return action()
    except (engine.EngineError, engine.ScriptRefused) as exc:
        raise Invalid(msg("the process could not continue: {exc}", exc=exc)) from exc
