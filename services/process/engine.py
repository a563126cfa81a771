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
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser


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
