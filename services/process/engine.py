"""The one module that talks to SpiffWorkflow; nothing else in the suite imports it.

Deployment checks use the BPMN 2.0 schema SpiffWorkflow ships, its timer-expression grammar and its parser, so
a deployment is checked by the same rules the engine runs it with. ``Run`` is an instance in the engine: start,
load/dump (state without the spec), the ready human tasks, complete, rewind (returns), timers."""
from __future__ import annotations

import ast
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH, full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ManualTask, ScriptTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.camunda.parser.task_spec import ScriptTaskParser as CamundaScriptTaskParser
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_SERIALIZER_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessage
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from services.common.i18n import msg
from services.process import sandbox

logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every state change at INFO


class SandboxedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's default environment runs ``eval``/``exec`` with full builtins; this one runs every
    script, condition and expression through the RestrictedPython sandbox."""

    def evaluate(self, expression, context, external_context=None):
        return sandbox.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        context.update(sandbox.execute(script, {**(external_context or {}), **context}))
        return True


def script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxedEnvironment())


class ScriptRefused(RuntimeError):
    """A designer's script tried to leave the sandbox while running."""


class EngineError(RuntimeError):
    """The engine could not move the instance on (a failing script or condition, a gateway with no way out)."""


@dataclass(frozen=True)
class ReadyTask:
    """A human task the engine waits on."""

    engine_id: str
    spec_id: str          # the BPMN element id (Distribute, Handle…)
    name: str
    form: tuple[dict, ...]
    properties: dict
    data: dict            # the process data the task sees (instance roles are read from it)
    process: str          # the process (or sub-process) the task belongs to


DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "https://www.omg.org/spec/DMN/20180521/MODEL/",
                  "http://www.omg.org/spec/DMN/20151101/dmn.xsd")


def is_dmn(root) -> bool:
    return etree.QName(root).namespace in DMN_NAMESPACES


def _add(parser, text: str | bytes, filename: str | None = None) -> None:
    """A deployed BPMN or DMN file into the parser (timers in BPMN made readable first)."""
    root = etree.fromstring(text.encode() if isinstance(text, str) else text)
    if is_dmn(root):
        parser.add_dmn_xml(root, filename=filename)
        return
    quote_plain_timers(root)
    documentation_only(root)
    parser.add_bpmn_xml(root, filename=filename)


def documentation_only(root) -> None:
    """What a diagram says about data beyond process variables is documentation here, kept in the stored file
    and left out of what the engine parses: data stores (a register, an archive; the engine would want code
    behind each) with the associations to and from them, and input/output specifications (the suite's data are
    the process variables that forms and scripts set; the engine would refuse to run a task whose declared
    inputs are not variables)."""
    stores = list(root.iter(f"{{{_BPMN_NS}}}dataStoreReference"))
    ids = {el.get("id") for el in stores}
    for kind in ("dataInputAssociation", "dataOutputAssociation"):
        for association in list(root.iter(f"{{{_BPMN_NS}}}{kind}")):
            refs = {(ref.text or "").strip() for ref in association
                    if isinstance(ref.tag, str) and ref.tag.endswith(("}sourceRef", "}targetRef"))}
            if refs & ids:
                association.getparent().remove(association)
    for element in stores + list(root.iterfind(f"{{{_BPMN_NS}}}dataStore")) + \
            list(root.iter(f"{{{_BPMN_NS}}}ioSpecification")):
        element.getparent().remove(element)


def decision_problems(xml: bytes, filename: str | None) -> tuple[list[dict], list[tuple[str, str]]]:
    """What the engine refuses in a DMN file, and its decisions (id, name)."""
    root = etree.fromstring(xml)
    decisions = [(d.get("id"), d.get("name") or d.get("id")) for d in root if isinstance(d.tag, str)
                 and etree.QName(d).localname == "decision" and d.get("id")]
    if len(decisions) != 1:
        return [{"element_id": None, "line": root.sourceline,
                 "message": msg("a DMN file holds one decision here ({count} found); save each decision table in a "
                                "file of its own", count=len(decisions))}], decisions
    parser = Parser()
    try:
        parser.add_dmn_xml(root, filename=filename)
        for dmn_parser in parser.dmn_parsers.values():
            dmn_parser.parse()
    except Exception as exc:  # noqa: BLE001 - a designer's file must never become a 500
        return [{"element_id": getattr(exc, "id", None), "line": getattr(exc, "line_number", None),
                 "message": msg("the engine cannot use this decision table: {readable}",
                                readable=_readable(str(exc))[:300])}], decisions
    return [], decisions


class _ScriptTaskParser(CamundaTaskParser, CamundaScriptTaskParser):
    """A script task that reads Camunda's multi-instance ``collection`` like every other Camunda task."""


class Parser(CamundaParser):
    """Camunda's parser, with service tasks as tasks that wait: the suite runs them as external jobs (a worker
    completes or fails them), so the engine only has to stop there until told."""

    OVERRIDE_PARSER_CLASSES = {**CamundaParser.OVERRIDE_PARSER_CLASSES,
                               full_tag("serviceTask"): (CamundaTaskParser, ManualTask),
                               full_tag("scriptTask"): (_ScriptTaskParser, ScriptTask)}


_EVENT_KINDS = {"MessageEventDefinition": "message", "SignalEventDefinition": "signal"}
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_SERIALIZER_CONFIG))
_SPECS: dict[tuple, tuple[object, dict, str, str]] = {}
_SPECS_LOCK = threading.Lock()
Called = tuple[tuple[str, bytes], ...]   # (content hash, xml) of each deployed file a call activity reaches


def _spec(xml: str | bytes, content_hash: str, key: str, called: Called = ()):
    """The parsed spec of one deployed version with the specs of its sub-processes and of the processes its
    call activities reach, and their serialized forms, parsed once per process (the instance state is stored
    without them)."""
    cache_key = (content_hash, key, tuple(h for h, _x in called))
    cached = _SPECS.get(cache_key)
    if cached is None:
        parser = Parser()
        try:
            for text in (xml, *(x for _h, x in called)):
                _add(parser, text)
            spec = parser.get_spec(key)
            subprocesses = parser.get_subprocess_specs(key)
            stored = _SERIALIZER.to_dict(BpmnWorkflow(spec, subprocesses))
            cached = (spec, subprocesses, json.dumps(stored["spec"]), json.dumps(stored["subprocess_specs"]))
        except (ValidationException, TypeError, ValueError, KeyError) as exc:
            raise EngineError(f"this version cannot be run: {_readable(str(exc))[:300]}") from exc
        with _SPECS_LOCK:
            if len(_SPECS) > 256:
                _SPECS.clear()
            _SPECS[cache_key] = cached
    return cached


def _form(task_spec) -> tuple[dict, ...]:
    form = getattr(task_spec, "form", None)
    fields = []
    for field_ in getattr(form, "fields", None) or ():
        fields.append({"id": field_.id, "label": field_.label or field_.id, "type": field_.type or "string",
                       "required": any(v.name == "required" for v in field_.validation or ()),
                       "options": [o.id for o in getattr(field_, "options", None) or ()]})
    return tuple(fields)


def _run_engine(action) -> None:
    try:
        action()
    except WorkflowException as exc:
        if isinstance(exc.__cause__, sandbox.SandboxError) or getattr(exc, "error_type", "") == "SandboxError" \
                or "SandboxError" in str(exc):
            raise ScriptRefused(str(exc)) from exc
        raise EngineError(_readable(str(exc))) from exc
    except (EngineError, ScriptRefused):
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the engine trips on is the model's problem, told as such
        raise EngineError(f"the engine stopped at an element it could not run ({exc.__class__.__name__}: "
                          f"{_readable(str(exc))[:300]})") from exc


class Run:
    """One process instance in the engine: started fresh or loaded from its stored state (stored without the
    spec, which lives once per deployed version)."""

    def __init__(self, workflow: BpmnWorkflow, spec_json: str):
        self.workflow = workflow
        self._spec_json = spec_json

    @classmethod
    def start(cls, xml: str | bytes, content_hash: str, key: str, data: dict, called: Called = ()) -> Run:
        spec, subprocesses, spec_json, _subs = _spec(xml, content_hash, key, called)
        workflow = BpmnWorkflow(spec, subprocesses, script_engine=script_engine())
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data)
        run = cls(workflow, spec_json)
        _run_engine(workflow.do_engine_steps)
        return run

    @classmethod
    def load(cls, xml: str | bytes, content_hash: str, key: str, state: str, called: Called = ()) -> Run:
        _spec_obj, _subprocesses, spec_json, subs_json = _spec(xml, content_hash, key, called)
        stored = json.loads(state)
        stored["spec"] = json.loads(spec_json)
        stored["subprocess_specs"] = json.loads(subs_json)
        workflow = _SERIALIZER.from_dict(stored)
        workflow.script_engine = script_engine()
        return cls(workflow, spec_json)

    def dump(self) -> str:
        try:
            stored = _SERIALIZER.to_dict(self.workflow)
            stored.pop("spec", None)
            stored.pop("subprocess_specs", None)
            return json.dumps(stored, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise EngineError("the instance reached an element whose state cannot be stored (service tasks and "
                              f"other elements the suite does not run yet): {_readable(str(exc))[:200]}") from exc

    def ready(self) -> list[ReadyTask]:
        return [ReadyTask(str(t.id), t.task_spec.bpmn_id or t.task_spec.name, t.task_spec.bpmn_name or
                          t.task_spec.name, _form(t.task_spec), dict(getattr(t.task_spec, "extensions", None) or {}),
                          t.data, t.workflow.spec.name)
                for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def complete(self, engine_id: str, data: dict) -> None:
        """Put ``data`` on a ready task (a person's or an external job's), complete it and run the engine until
        people or workers are needed again."""
        task = self.workflow.get_task_from_id(UUID(engine_id))
        if task is None or task.state != TaskState.READY:
            raise EngineError("the task is no longer waiting for anyone")
        task.data.update(data)

        def step():
            task.run()
            self.workflow.do_engine_steps()
        _run_engine(step)

    def rewind_to(self, spec_id: str, data: dict | None = None) -> None:
        """Go back to the last completed task of ``spec_id``: it becomes ready again and everything after it is
        dropped, so the task tree does not grow however often a step is returned."""
        done = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED, spec_name=spec_id)]
        if not done:
            raise EngineError(f"{spec_id} never ran in this instance")
        target = max(done, key=lambda t: t.last_state_change)
        self.workflow.reset_from_task_id(target.id, data)
        _run_engine(self.workflow.do_engine_steps)

    def migration_problems(self, xml: str | bytes, content_hash: str, key: str, called: Called = ()) -> list[dict]:
        """Why the instance cannot move to another version: every element it waits at (a ready task, a waiting
        event, a running sub-process) must exist in the target. Empty: it can move."""
        spec, subprocesses, _j, _s = _spec(xml, content_hash, key, called)
        top, subs = diff_workflow(_SERIALIZER.registry, self.workflow, spec, subprocesses)
        waiting = TaskState.READY | TaskState.WAITING | TaskState.STARTED
        problems = [{"element_id": t.task_spec.bpmn_id, "name": t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                     "message": msg("it waits at “{value}”, which the target version does not have",
                                    value=t.task_spec.bpmn_name or t.task_spec.bpmn_id)}
                    for t in top.removed if t.state & waiting and t.task_spec.bpmn_id]
        for sp_id, diff in subs.items():
            sub = self.workflow.subprocesses[sp_id]
            if diff is None:
                problems.append({"element_id": sub.spec.name, "name": sub.spec.name,
                                 "message": msg("it runs the sub-process “{name}”, which the target version does not "
                                                "have", name=sub.spec.name)})
                continue
            problems += [{"element_id": t.task_spec.bpmn_id, "name": t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                          "message": msg("it waits at “{value}” in “{name}”, which the target version does not have",
                                         value=t.task_spec.bpmn_name or t.task_spec.bpmn_id, name=sub.spec.name)}
                         for t in diff.removed if t.state & waiting and t.task_spec.bpmn_id]
        return problems

    def migrate(self, xml: str | bytes, content_hash: str, key: str, called: Called = ()) -> Run:
        """Move the instance onto another version (the caller checked ``migration_problems`` first): tasks
        keep their ids where their elements exist in both, and the engine runs on from where it stood."""
        spec, subprocesses, spec_json, _s = _spec(xml, content_hash, key, called)
        top, subs = diff_workflow(_SERIALIZER.registry, self.workflow, spec, subprocesses)

        def step():
            migrate_workflow(top, self.workflow, spec)
            for sp_id, diff in subs.items():
                sub = self.workflow.subprocesses[sp_id]
                migrate_workflow(diff, sub, subprocesses[sub.spec.name])
            self.workflow.subprocess_specs = subprocesses
            self.workflow.do_engine_steps()
        _run_engine(step)
        return Run(self.workflow, spec_json)

    def waits(self) -> list[tuple[str, str, str, dict]]:
        """What the instance waits to be told from outside: (message|signal, name, element id, the data there)."""
        found = []
        for task in self.workflow.event_manager.tasks.values():
            if task.state != TaskState.WAITING:
                continue
            definition = getattr(task.task_spec, "event_definition", None)
            # an event-based gateway (or a catch event of several kinds) waits for any of its events
            for one in getattr(definition, "event_definitions", None) or [definition]:
                kind = _EVENT_KINDS.get(type(one).__name__)
                if kind:
                    found.append((kind, one.name, task.task_spec.bpmn_id or task.task_spec.name, dict(task.data)))
        return found

    def thrown(self) -> list[tuple[str, str, dict]]:
        """Messages and signals the instance threw that nothing inside it caught: (kind, name, payload)."""
        found = []
        for event in self.workflow.get_events():
            kind = _EVENT_KINDS.get(type(event.event_definition).__name__)
            if kind:
                payload = event.payload.get("payload") if isinstance(event.payload, dict) else event.payload
                found.append((kind, event.event_definition.name, payload if isinstance(payload, dict) else
                              ({"value": payload} if payload is not None else {})))
        return found

    def deliver(self, kind: str, name: str, variables: dict) -> bool:
        """Tell the instance a message (its variables arrive as ``message``) or a signal; False: nothing waited."""
        definition = CamundaMessage(name) if kind == "message" else SignalEventDefinition(name)
        event = BpmnEvent(definition, {"payload": variables, "result_var": "message"} if kind == "message" else
                          variables)
        caught = []

        def step():
            caught.append(self.workflow.event_manager.catch(event, internal=False))
            self.workflow.do_engine_steps()
        _run_engine(step)
        return bool(caught and caught[0])

    def fire_timers(self) -> None:
        def step():
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
        _run_engine(step)

    def wake_at(self) -> datetime | None:
        """When the earliest waiting timer is due (None: no timer waits), an event-based gateway's included."""
        moments = []
        for task in self.workflow.event_manager.tasks.values():
            definition = getattr(task.task_spec, "event_definition", None)
            if task.state != TaskState.WAITING or definition is None:
                continue
            several = getattr(definition, "event_definitions", None)
            if several is not None and not any(isinstance(d, TimerEventDefinition) for d in several):
                continue
            value = task._get_internal_data("event_value") if several is not None else definition.details(task).value
            if isinstance(value, dict):
                value = value.get("next")
            if isinstance(value, str):
                try:
                    moments.append(TimerEventDefinition.get_datetime(value))
                except ValueError:
                    continue
        return min(moments) if moments else None

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def data(self) -> dict:
        return dict(self.workflow.data)

    def reached_ends(self) -> list[str]:
        """The BPMN ids of the process's own end events the instance went through (not its sub-processes'),
        the last one last."""
        ends = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                if type(t.task_spec).__name__ == "EndEvent" and t.task_spec.bpmn_id and t.workflow is self.workflow]
        return [t.task_spec.bpmn_id for t in sorted(ends, key=lambda t: t.last_state_change)]

    def last_data(self) -> dict:
        """The data of the task that completed last (what the process produced)."""
        done = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id]
        return dict(max(done, key=lambda t: t.last_state_change).data) if done else {}

    def task_count(self) -> int:
        return len(self.workflow.get_tasks())


def run_until_people(xml: bytes, process_key: str, data: dict) -> tuple[dict, list[str]]:
    """Start ``process_key`` with ``data`` and run the engine until only people can move it on: returns the
    data of the ready tasks and the ids of the ready user tasks."""
    run = Run.start(xml, hashlib.sha256(xml).hexdigest(), process_key, data)
    data_out: dict = {}
    for task in run.workflow.get_tasks(state=TaskState.READY):
        data_out.update(task.data)
    return data_out, [t.spec_id for t in run.ready()]


# Names SpiffWorkflow gives its own internal tasks: a BPMN element with such an id silently replaces one.
RESERVED_IDS = frozenset({"Start", "End", "Root"})


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(XSD_PATH))))


def schema_errors(tree: etree._ElementTree) -> list[tuple[int | None, str]]:
    """Every BPMN 2.0 schema violation as (line, message)."""
    schema = _schema()
    if schema.validate(tree):
        return []
    return [(error.line, error.message) for error in schema.error_log]


def timer_problem(kind: str, expression: str) -> str | None:
    """None when the engine can read the timer; otherwise why not. Expressions may be quoted literals
    (SpiffWorkflow style) or bare ISO 8601 text (Camunda style)."""
    text = expression.strip()
    try:
        literal = ast.literal_eval(text)
        text = literal if isinstance(literal, str) else text
    except (ValueError, SyntaxError):
        pass
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(text)
        elif kind == "timeDate":
            TimerEventDefinition.get_datetime(text)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow raises bare Exception for bad timers
        return msg("“{expression}” is not a valid ISO 8601 {kind} ({exc})", expression=expression.strip(), kind=kind,
                   exc=exc)
    return None


TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def quote_plain_timers(root) -> int:
    """Camunda writes timers as plain ISO 8601 (``PT2H``); SpiffWorkflow evaluates them as Python. Turn a plain
    one into a string literal so both modelers' files run; returns how many were rewritten."""
    changed = 0
    for kind in TIMER_KINDS:
        for timer in root.iter(f"{{{_BPMN_NS}}}{kind}"):
            text = (timer.text or "").strip()
            try:
                ast.literal_eval(text)
            except (ValueError, SyntaxError):
                if timer_problem(kind, text) is None:
                    timer.text = repr(text)
                    changed += 1
    return changed


_INTERNALS = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")
_XML_BYTES = re.compile(r"b'<.*?'(?=[,)]|$)|b\"<.*?\"(?=[,)]|$)", re.DOTALL)


def _readable(text: str) -> str:
    """The engine's message without its internals (element reprs, memory addresses)."""
    text = _XML_BYTES.sub("the element", _INTERNALS.sub(lambda m: f"a {m.group(1)} element", text))
    return text.strip().rstrip(".")


def _not_runnable(root, exc: TypeError) -> dict:
    """An element kind the engine parses but the suite cannot store or run yet, with the first such element."""
    found = re.search(r"Object of type (\w+)", str(exc))
    kind = found.group(1) if found else "element"
    local = kind[:1].lower() + kind[1:]
    element = next(root.iter(f"{{{_BPMN_NS}}}{local}"), None)
    name = element.get("name") or element.get("id") if element is not None else kind
    return {"element_id": element.get("id") if element is not None else None,
            "line": element.sourceline if element is not None else None,
            "message": msg("“{name}” is a {local}, which the suite does not run yet; model the work as a user task or"
                           " a script task for now", name=name, local=local)}


def parser_problems(xml: bytes, filename: str | None, process_ids: list[str], called: Called = ()) -> list[dict]:
    """What SpiffWorkflow's own parser refuses in the executable processes (after the schema and our structural
    checks passed), with the deployed files their call activities reach; any failure of the parser is a problem
    with a sentence, never an error of ours."""
    parser = Parser()
    root = etree.fromstring(xml)
    try:
        _add(parser, xml, filename)
        for _hash, other in called:
            _add(parser, other)
        for process_id in process_ids:
            spec = parser.get_spec(process_id)
            subprocesses = parser.get_subprocess_specs(process_id)
            try:
                json.dumps(_SERIALIZER.to_dict(BpmnWorkflow(spec, subprocesses))["spec"])
            except TypeError as exc:
                return [_not_runnable(root, exc)]
    except ValidationException as exc:
        return [{"element_id": exc.id or None, "line": exc.line_number or None,
                 "message": msg("the engine cannot use {value}: {readable}", value=exc.tag or 'this element',
                                readable=_readable(str(exc)))}]
    except Exception as exc:  # noqa: BLE001 - a designer's file must never become a 500
        return [{"element_id": None, "line": None,
                 "message": msg("the engine could not read the model ({name}: {readable}); check the element named in"
                                " it in the modeler", name=exc.__class__.__name__, readable=_readable(str(exc))[:300])}]
    return []
