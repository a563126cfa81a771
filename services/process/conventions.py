"""The suite's BPMN conventions, declared once: every extension property the suite reads from a designer's model
(``camunda:properties`` on a process, a lane, a user task, an end event) as typed objects, their JSON Schema
(``docs/bpmn.schema.json``, loaded by the modeler) and the checks a deployment runs on them. Nothing else in the
suite parses ``camunda:properties``; ``docs/bpmn.md`` explains each property to designers with an example.

The runtime's own verbs (``VERBS``) are generic; every other name in a lane's ``actions`` is an *outcome* of
completing that step's task: the task's data gets ``action = "<outcome>"`` and the gateways after it read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.common.i18n import msg

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
HUMAN = ("userTask", "manualTask", "task")   # the engine waits for a person at each of these

# What a person may do on a task besides completing it with an outcome (each has its own endpoint).
VERBS = ("delegate", "claim", "return_to_previous", "request_extension", "attach", "comment")
# A step whose lane declares no actions: one outcome, and the everyday verbs.
DEFAULT_ACTIONS = ("complete", "delegate", "return_to_previous")
_WORD = r"[a-z][a-z0-9_]{0,39}"
# The events the runtime publishes itself; an end event cannot declare one of these.
RUNTIME_EVENTS = re.compile(r"^process\.(instance|task|definition|staffing|incident|job)\.")
_SOURCE = re.compile(r"^(instance\.(id|business_key|unit_id|process_key|title|result|started_by)|actor\.(id|name)|now"
                     r"|[A-Za-z_][A-Za-z0-9_.-]{0,199}\.(actor|actor_name|[A-Za-z_][A-Za-z0-9_]{0,63})"
                     r"|[A-Za-z_][A-Za-z0-9_]{0,63})$")


def _comma_list(value):
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class _Props(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProcessProps(_Props):
    """On the process (the pool): how the catalogue shows it and how long it takes."""

    abbreviation: str | None = Field(default=None, max_length=30, description="short code in the catalogue",
                                     examples=["PAHT"])
    group: str | None = Field(default=None, max_length=200, description="catalogue group",
                              examples=["Hành chính, quản trị"])
    total_days: float | None = Field(default=None, gt=0, le=365, description="the whole process time in working "
                                     "days (steps share it by their time_share_percent)", examples=[5])
    due_from: str | None = Field(default=None, pattern=rf"^{_WORD}$", description="every task of an instance is "
                                 "due at the date-time in this instance variable (instead of its step's share)",
                                 examples=["deadline"])
    worked_by: str | None = Field(default=None, pattern=rf"^{_WORD}$", description="a domain of the suite works "
                                  "this process's tasks with its own rules and screens (e.g. direction); the generic "
                                  "task actions refuse them", examples=["direction"])


class LaneProps(_Props):
    """On a lane (a step a unit staffs): who acts, what they may do, how long they have."""

    step: int | None = Field(default=None, ge=1, le=50, description="step number (default: the lane's order)")
    actions: list[str] = Field(default_factory=lambda: list(DEFAULT_ACTIONS), max_length=20,
                               description="what people may do at this step, comma separated: the runtime's verbs "
                                           f"({', '.join(VERBS)}) and the outcomes that complete the task "
                                           "(any other word; gateways read it as `action`)",
                               examples=[["assign", "delegate", "return_to_ioc"]])
    reason_required: list[str] = Field(default_factory=list, description="outcomes that need a reason",
                                       examples=[["return_to_ioc"]])
    chooses_next: list[str] = Field(default_factory=list, description="outcomes with which the person picks "
                                    "who does the next task (assign_to: at least one person)", examples=[["assign"]])
    time_share_percent: float | None = Field(default=None, ge=0, le=100, description="share of the whole process "
                                             "time (either this or fixed_hours)", examples=[70])
    fixed_hours: float | None = Field(default=None, gt=0, le=24 * 365, description="a fixed time for the step in "
                                      "working hours (either this or time_share_percent)", examples=[8])
    default_staff: str | None = Field(default=None, pattern=r"^step:[0-9]{1,2}$", description="staffing default: "
                                      "the staff of another step", examples=["step:1"])
    push: bool = Field(default=True, description="tell the step's people when a task arrives")
    attachment_required: bool = Field(default=False, description="the task needs a file before it is completed")
    people: str = Field(default="staffing",
                        pattern=rf"^(staffing|starter|role:{_WORD}|performer:[0-9]{{1,2}})$",
                        description="who acts: `staffing` (the unit admin's staffing of this step), `starter` (who "
                                    "started the instance), `role:<name>` (accounts or units named in the "
                                    "instance's data variable <name>), or `performer:<step>` (the person who did "
                                    "that step in this instance)",
                        examples=["role:assignee"])
    unit_role: str | None = Field(default=None, pattern=rf"^{_WORD}$", description="with people=role:…: a unit "
                                  "in the role stands for the holders of this role in that unit", examples=["clerk"])

    _lists = field_validator("actions", "reason_required", "chooses_next", mode="before")(_comma_list)

    @field_validator("actions", "reason_required", "chooses_next")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not re.fullmatch(_WORD, v)]
        if bad:
            raise ValueError(f"{', '.join(bad)}: an action is a lower-case word (letters, digits, _)")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _consistent(self) -> LaneProps:
        outcomes = set(self.outcomes)
        if not outcomes:
            raise ValueError("actions name no outcome that completes the task (only verbs: "
                             f"{', '.join(self.actions)}); add one, e.g. complete or approve")
        for name in ("reason_required", "chooses_next"):
            stray = [v for v in getattr(self, name) if v not in outcomes]
            if stray:
                raise ValueError(f"{name} names {', '.join(stray)}, which is not an outcome in actions")
        if self.time_share_percent is not None and self.fixed_hours is not None:
            raise ValueError("give the step either time_share_percent or fixed_hours, not both")
        if self.unit_role and not self.people.startswith("role:"):
            raise ValueError("unit_role goes with people=role:<name>")
        return self

    @property
    def outcomes(self) -> tuple[str, ...]:
        return tuple(a for a in self.actions if a not in VERBS)

    @property
    def verbs(self) -> tuple[str, ...]:
        return tuple(a for a in self.actions if a in VERBS)


class TaskProps(_Props):
    """On a user task."""

    decides_extension_of: str | None = Field(default=None, max_length=200, description="this task decides the "
                                             "extension requests of that user task (its id)", examples=["Handle"])


class ServiceProps(_Props):
    """On a service task run as an external job (Implementation: External, with a topic)."""

    retries: int = Field(default=3, ge=0, le=20, description="how many failures a worker may report before the "
                         "job becomes an incident", examples=[3])


class CatchProps(_Props):
    """On an event or receive task that waits for a message."""

    correlate_by: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$",
                                     description="the process variable a message must match: its correlation "
                                                 "key, or the same variable in the message (default: the "
                                                 "instance's business key)", examples=["ma_ho_so"])


class EndProps(_Props):
    """On an end event: the instance's result, and the event published when the instance ends here."""

    result: str = Field(default="completed", pattern=rf"^{_WORD}$", description="the instance's result",
                        examples=["approved"])
    event: str | None = Field(default=None, pattern=r"^process\.[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
                              description="event type published when the instance ends here",
                              examples=["process.de_xuat.approved"])
    event_data: dict[str, str] = Field(default_factory=dict, description="the event's data: `field=source` pairs, "
                                       "comma separated; a source is instance.<id|business_key|unit_id|process_key|"
                                       "title|result|started_by>, actor.<id|name>, now, <TaskId>.actor, "
                                       "<TaskId>.actor_name, <TaskId>.<form field>, or a process variable; "
                                       "`a|b` takes the first that has a value",
                                       examples=[{"report_id": "instance.business_key", "result": "Handle.result"}])

    @field_validator("event_data", mode="before")
    @classmethod
    def _pairs(cls, value):
        if not isinstance(value, str):
            return value
        pairs = {}
        for part in (p.strip() for p in value.split(",") if p.strip()):
            name, sep, source = part.partition("=")
            if not sep or not re.fullmatch(r"[a-z_][a-z0-9_]{0,63}", name.strip()):
                raise ValueError(f"“{part}” is not field=source")
            pairs[name.strip()] = source.strip()
        return pairs

    @field_validator("event_data")
    @classmethod
    def _sources(cls, value: dict[str, str]) -> dict[str, str]:
        for name, source in value.items():
            for alternative in source.split("|"):
                if not _SOURCE.fullmatch(alternative.strip()):
                    raise ValueError(f"{name}: “{alternative}” is not a source the suite knows")
        return value

    @model_validator(mode="after")
    def _event(self) -> EndProps:
        if self.event and RUNTIME_EVENTS.match(self.event):
            raise ValueError(f"{self.event} is one of the runtime's own events; name the business event, e.g. "
                             "process.de_xuat.approved")
        if self.event_data and not self.event:
            raise ValueError("event_data goes with event")
        return self


KINDS: dict[str, type[_Props]] = {"process": ProcessProps, "lane": LaneProps, "userTask": TaskProps,
                                  "serviceTask": ServiceProps, "messageCatch": CatchProps, "endEvent": EndProps}


def raw(element) -> dict[str, str]:
    """The element's own ``camunda:properties`` as written (name → value)."""
    return {p.get("name"): p.get("value") or "" for p in element.iterfind(
        "bpmn:extensionElements/camunda:properties/camunda:property", NS)}


def _readable(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error["loc"] if not isinstance(x, int))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"the suite reads no property “{where}” here (it reads {{known}})"
            where = ""
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def read(kind: str, element) -> _Props:
    """The typed properties of one element (raises ValueError with a sentence)."""
    model = KINDS[kind]
    values = {k: v for k, v in raw(element).items() if v != "" or k in ("actions",)}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        known = ", ".join(model.model_fields)
        raise ValueError(_readable(exc).replace("{known}", known)) from exc


@dataclass(frozen=True)
class Lane:
    id: str
    name: str
    order: int
    props: LaneProps

    @property
    def step(self) -> int:
        return self.props.step or self.order


@dataclass(frozen=True)
class Conventions:
    """What the suite reads from one executable process of a deployed file."""

    process: ProcessProps
    lanes: tuple[Lane, ...]
    lane_of: dict[str, str]                    # element id → lane id
    tasks: dict[str, TaskProps]                # user task id → its properties
    ends: dict[str, EndProps]                  # end event id → its properties
    problems: tuple[dict, ...] = field(default=())
    calls: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # call activity → (process, version)
    jobs: dict[str, tuple[str, int]] = field(default_factory=dict)   # service task → (topic, retries)
    correlate_by: dict[str, str] = field(default_factory=dict)       # message catch element → its variable
    decisions: dict[str, tuple[str, None]] = field(default_factory=dict)  # business rule task → (decision, None)
    message_starts: tuple[str, ...] = ()       # the messages that start an instance of this process
    embedded: tuple[str, ...] = ()             # ids of the sub-processes drawn inside this process

    @property
    def reaches(self) -> dict[str, tuple[str, int | None]]:
        """Every deployed file the process needs: call activity or rule task → (key, pinned version or None)."""
        return {**self.calls, **self.decisions}

    def owns(self, process_key: str, name: str) -> bool:
        """Whether an engine task of the (sub-)process ``name`` belongs to this process (``process_key``)."""
        return name == process_key or name in self.embedded

    def lane(self, lane_id: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.id == lane_id), None)


def _problem(element, message: str) -> dict:
    return {"element_id": element.get("id"), "line": element.sourceline, "message": message}


def leaf_lanes(process) -> list:
    """The lanes that are steps: a lane divided into lanes of its own (a child lane set) only groups them."""
    return [lane for lane in process.iterfind(".//bpmn:lane", NS) if lane.find("bpmn:childLaneSet", NS) is None]


def _enclosing_lane(element, lane_of: dict[str, str]) -> str | None:
    """An element inside a sub-process belongs to the lane of the nearest enclosing element a lane names."""
    node = element
    while node is not None:
        found = lane_of.get(node.get("id") or "")
        if found:
            return found
        node = node.getparent()
        if node is not None and etree.QName(node).localname == "process":
            return None
    return None


def of_process(process) -> Conventions:
    """Read every convention of one ``bpmn:process`` element; problems are collected, never raised, so a
    deployment reports them all at once."""
    problems: list[dict] = []
    lines = {el.get("id"): el.sourceline for el in process.iter() if isinstance(el.tag, str) and el.get("id")}

    def typed(kind, element, default):
        try:
            return read(kind, element)
        except ValueError as exc:
            name = element.get("name") or element.get("id")
            problems.append(_problem(element, msg("{kind} “{name}”: {exc}", kind=kind, name=name, exc=exc)))
            return default

    process_props = typed("process", process, ProcessProps())
    lanes, lane_of = [], {}
    for order, lane in enumerate(leaf_lanes(process), start=1):
        props = typed("lane", lane, LaneProps())
        lanes.append(Lane(lane.get("id"), (lane.get("name") or "").strip() or lane.get("id"), order, props))
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of[(ref.text or "").strip()] = lane.get("id")
    tasks = {}
    for task in (t for local in HUMAN for t in process.iterfind(f".//bpmn:{local}", NS)):
        tasks[task.get("id")] = typed("userTask", task, TaskProps())
        lane_id = _enclosing_lane(task, lane_of)
        if lane_id:
            lane_of.setdefault(task.get("id"), lane_id)
    ends = {end.get("id"): typed("endEvent", end, EndProps()) for end in process.iterfind(".//bpmn:endEvent", NS)}
    steps = {}
    for lane in lanes:
        if lane.step in steps:
            problems.append({"element_id": lane.id, "line": lines.get(lane.id),
                             "message": msg("lanes {steps} and {id} are both step {step}", steps=steps[lane.step],
                                            id=lane.id, step=lane.step)})
        steps[lane.step] = lane.id
    for lane in lanes:
        source = lane.props.default_staff or lane.props.people
        for prefix in ("step:", "performer:"):
            if source.startswith(prefix) and int(source[len(prefix):]) not in steps:
                problems.append({"element_id": lane.id, "line": lines.get(lane.id),
                                 "message": msg("lane “{name}” refers to step {source}, which this process does not "
                                                "have (steps: {items})", name=lane.name, source=source[len(prefix):],
                                                items=', '.join(map(str, sorted(steps))))})
    for task_id, props in tasks.items():
        if props.decides_extension_of and props.decides_extension_of not in tasks:
            problems.append({"element_id": task_id, "line": lines.get(task_id),
                             "message": msg("decides_extension_of names “{decides_extension_of}”, which is not a user"
                                            " task of this process", decides_extension_of=props.decides_extension_of)})
    calls = {}
    for call in process.iterfind(".//bpmn:callActivity", NS):
        called = (call.get("calledElement") or "").strip()
        binding = call.get(f"{{{CAMUNDA}}}calledElementBinding") or "latest"
        pinned = call.get(f"{{{CAMUNDA}}}calledElementVersion")
        name = call.get("name") or call.get("id")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}", called):
            problems.append(_problem(call, msg("call activity “{name}” must name the process it calls (its id, not an"
                                               " expression) in Called element", name=name)))
            continue
        if binding == "version" and not (pinned or "").isdigit():
            problems.append(_problem(call, msg("call activity “{name}” binds a version but gives no version number",
                                               name=name)))
            continue
        if binding not in ("latest", "version"):
            problems.append(_problem(call, msg("call activity “{name}”: binding “{binding}” is not supported; use "
                                               "latest or version", name=name, binding=binding)))
            continue
        calls[call.get("id")] = (called, int(pinned) if binding == "version" else None)
    jobs = {}
    for service in process.iterfind(".//bpmn:serviceTask", NS):
        name = service.get("name") or service.get("id")
        topic = (service.get(f"{{{CAMUNDA}}}topic") or "").strip()
        if service.get(f"{{{CAMUNDA}}}type") != "external" or not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", topic):
            problems.append(_problem(service, msg("service task “{name}” runs as an external job: set its "
                                                  "Implementation to External and give it a Topic (letters, digits, ."
                                                  " _ -); Java classes and expressions do not run here", name=name)))
            continue
        jobs[service.get("id")] = (topic, typed("serviceTask", service, ServiceProps()).retries)
    decisions = {rule.get("id"): ((rule.get(f"{{{CAMUNDA}}}decisionRef") or "").strip(), None)
                 for rule in process.iterfind(".//bpmn:businessRuleTask", NS)
                 if (rule.get(f"{{{CAMUNDA}}}decisionRef") or "").strip()}
    correlate_by, message_starts = {}, []
    names = {m.get("id"): m.get("name") or m.get("id") for m in process.getparent().iterfind("bpmn:message", NS)}
    for definition in process.iterfind(".//bpmn:messageEventDefinition", NS):
        owner = definition.getparent()
        kind = etree.QName(owner).localname
        if kind == "startEvent" and owner.getparent() is process:
            message_starts.append(names.get(definition.get("messageRef"), definition.get("messageRef")))
        if kind in ("intermediateCatchEvent", "boundaryEvent", "startEvent"):
            found = typed("messageCatch", owner, CatchProps()).correlate_by
            if found:
                correlate_by[owner.get("id")] = found
    for receive in process.iterfind(".//bpmn:receiveTask", NS):
        found = typed("messageCatch", receive, CatchProps()).correlate_by
        if found:
            correlate_by[receive.get("id")] = found
    embedded = tuple(el.get("id") for kind in ("subProcess", "transaction", "adHocSubProcess")
                     for el in process.iterfind(f".//bpmn:{kind}", NS))
    return Conventions(process_props, tuple(lanes), lane_of, tasks, ends, tuple(problems), calls=calls,
                       embedded=embedded, jobs=jobs, correlate_by=correlate_by, decisions=decisions,
                       message_starts=tuple(m for m in message_starts if m))


@lru_cache(maxsize=256)
def of_xml(xml: str, process_id: str) -> Conventions:
    """The conventions of a deployed version (cached: a deployed version never changes)."""
    root = etree.fromstring(xml.encode())
    process = root.find(f"bpmn:process[@id='{process_id}']", NS)
    if process is None:
        raise KeyError(process_id)
    return of_process(process)


def json_schema() -> dict:
    """The JSON Schema of every element's properties (what a modeler's properties panel offers)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://egov.example/schemas/bpmn-conventions.json",
        "title": "The suite's BPMN extension properties (camunda:properties), per element kind",
        "description": "Values are written as text in the model; lists are comma separated, booleans true/false. "
                       f"Runtime verbs: {', '.join(VERBS)}.",
        "type": "object",
        "properties": {kind: model.model_json_schema() for kind, model in KINDS.items()},
    }
