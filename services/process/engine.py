"""The one module that talks to SpiffWorkflow; nothing else in the suite imports it.

For now: the BPMN 2.0 schema SpiffWorkflow ships, its timer-expression grammar and its parser, so a
deployment is checked by the same rules the engine will run it with."""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from services.process import sandbox


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


def run_until_people(xml: bytes, process_key: str, data: dict) -> tuple[dict, list[str]]:
    """Start ``process_key`` with ``data`` and run the engine until only people can move it on: returns the
    workflow data and the ids of the ready user tasks. (The instance service builds on this.)"""
    parser = CamundaParser()
    root = etree.fromstring(xml)
    quote_plain_timers(root)
    parser.add_bpmn_xml(root)
    workflow = BpmnWorkflow(parser.get_spec(process_key), script_engine=script_engine())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(**data)
    try:
        workflow.do_engine_steps()
    except WorkflowException as exc:
        if isinstance(exc.__cause__, sandbox.SandboxError) or getattr(exc, "error_type", "") == "SandboxError":
            raise ScriptRefused(str(exc)) from exc
        raise
    ready = [task.task_spec.name for task in workflow.get_tasks(state=TaskState.READY, manual=True)]
    data_out: dict = {}
    for task in workflow.get_tasks(state=TaskState.READY):
        data_out.update(task.data)
    return data_out, ready


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
        return f"“{expression.strip()}” is not a valid ISO 8601 {kind} ({exc})"
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


def parser_problems(xml: bytes, filename: str | None) -> list[dict]:
    """What SpiffWorkflow's own parser refuses (after the schema and our structural checks passed)."""
    parser = CamundaParser()
    try:
        parser.add_bpmn_xml(etree.fromstring(xml), filename=filename)
        for process_id in parser.get_process_ids():
            parser.get_spec(process_id)
    except ValidationException as exc:
        return [{"element_id": exc.id or None, "line": exc.line_number or None,
                 "message": f"the engine cannot use {exc.tag or 'this element'}: {exc}"}]
    return []
