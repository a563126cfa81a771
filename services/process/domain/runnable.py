"""What the engine runs, checked element by element before its own parser sees the file, so that a model drawn
in any modeler is either run or refused in one round: every element the engine cannot run is named with its
line and a sentence saying what to draw instead (the engine's parser stops at its first complaint and words it
for programmers)."""
from __future__ import annotations

from collections.abc import Iterator

from services.process.conventions import BPMN, CAMUNDA, HUMAN, NS

ACTIVITIES = HUMAN + ("serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "callActivity",
                      "subProcess", "transaction", "adHocSubProcess")
GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway")
SPLITS_BY_CONDITION = ("exclusiveGateway", "inclusiveGateway")
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
_NOT_RUN = {
    "complexGateway": "complex gateways are not run; use an inclusive gateway with a condition on each way out",
    "adHocSubProcess": "ad-hoc sub-processes are not run; draw its tasks between a parallel split and join, or "
                       "in an embedded sub-process",
}
_COMPENSATION = ("compensation is not run here; draw the undo step as a task on the path taken when something "
                 "fails (after an error boundary event, or a gateway)")


_WORDS = {"startEvent": "start event", "endEvent": "end event", "intermediateCatchEvent": "catch event",
          "intermediateThrowEvent": "throw event", "boundaryEvent": "boundary event", "sendTask": "send task",
          "receiveTask": "receive task"}


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _label(element) -> str:
    return (element.get("name") or "").strip().replace("\n", " ") or element.get("id") or _local(element)


def _problem(element, message: str) -> dict:
    return {"element_id": element.get("id"), "line": element.sourceline, "message": message}


def _all(process, *locals_: str) -> Iterator:
    for local in locals_:
        yield from process.iter(f"{{{BPMN}}}{local}")


def _has_condition(element) -> bool:
    condition = element.find("bpmn:condition", NS)
    if condition is None:
        condition = element.find("bpmn:conditionExpression", NS)
    return condition is not None and bool((condition.text or "").strip())


def problems(process, root) -> list[dict]:
    """Every element of an executable ``process`` the engine cannot run as drawn."""
    found: list[dict] = []
    found += _kinds(process, root)
    found += _events(process, root)
    found += _flows(process)
    found += _activities(process)
    return found


def _kinds(process, root) -> list[dict]:
    found = [] if process.find("bpmn:startEvent", NS) is not None else [
        _problem(process, f"process “{_label(process)}” has no start event; draw one where the work begins")]
    found += [_problem(el, f"“{_label(el)}”: {why}") for local, why in _NOT_RUN.items() for el in _all(process, local)]
    global_tasks = {el.get("id") for el in root if _local(el).startswith("global")}
    for call in _all(process, "callActivity"):
        if call.get("calledElement") in global_tasks:
            found.append(_problem(call, f"call activity “{_label(call)}” calls the global task "
                                        f"“{call.get('calledElement')}”, which is not run here; draw the task "
                                        "itself in the process (or call a deployed process)"))
    return found


def _events(process, root) -> list[dict]:
    found = []
    defined = {kind: {el.get("id") for el in root.iterfind(f"bpmn:{kind}", NS)} for kind in ("message", "signal")}
    for definition in _all(process, "messageEventDefinition", "signalEventDefinition"):
        kind = "message" if _local(definition) == "messageEventDefinition" else "signal"
        found += _reference(definition.getparent(), definition.get(f"{kind}Ref"), kind, defined[kind])
    for kind, attribute in (("error", "errorRef"), ("escalation", "escalationRef")):
        known = {el.get("id") for el in root.iterfind(f"bpmn:{kind}", NS)}
        for definition in _all(process, f"{kind}EventDefinition"):
            ref = definition.get(attribute)
            if ref and ref not in known:  # none at all is allowed: a catch of any error or escalation
                found += _reference(definition.getparent(), ref, kind, known)
    for task in _all(process, "sendTask", "receiveTask"):
        if task.find("bpmn:messageEventDefinition", NS) is None:
            found += _reference(task, task.get("messageRef"), "message", defined["message"])
    for definition in _all(process, "conditionalEventDefinition"):
        event = definition.getparent()
        if _local(event) == "startEvent" and event.getparent() is process:
            found.append(_problem(event, f"start event “{_label(event)}” waits for a condition, which nothing "
                                         "here would ever check; a process starts when someone starts it, on a "
                                         "message, a signal or a timer"))
        elif not _has_condition(definition):
            found.append(_problem(event, f"conditional event “{_label(event)}” has no condition; write one "
                                         "(e.g. so_ngay > 3)"))
    for definition in _all(process, "timerEventDefinition"):
        if not any((child.text or "").strip() for kind in TIMER_KINDS
                   for child in definition.iterfind(f"bpmn:{kind}", NS)):
            event = definition.getparent()
            found.append(_problem(event, f"timer “{_label(event)}” has no time; give it a date, a duration (e.g. "
                                         "P2D) or a cycle"))
    for definition in _all(process, "compensateEventDefinition"):
        found.append(_problem(definition.getparent(), f"“{_label(definition.getparent())}”: {_COMPENSATION}"))
    for task in _all(process, *ACTIVITIES):
        if (task.get("isForCompensation") or "").strip().lower() == "true":
            found.append(_problem(task, f"“{_label(task)}” is a compensation handler: {_COMPENSATION}"))
    for definition in _all(process, "cancelEventDefinition"):
        event = definition.getparent()
        inside = event.getparent() if _local(event) == "endEvent" else \
            process.find(f".//*[@id='{event.get('attachedToRef')}']")
        if inside is None or _local(inside) != "transaction":
            found.append(_problem(event, f"cancel event “{_label(event)}” belongs to a transaction: put the end "
                                         "event inside a transaction sub-process, or attach the boundary event "
                                         "to one"))
    activities = {el.get("id") for el in _all(process, *ACTIVITIES)}
    for event in _all(process, "boundaryEvent"):
        if event.get("attachedToRef") not in activities:
            found.append(_problem(event, f"boundary event “{_label(event)}” is attached to "
                                         f"“{event.get('attachedToRef')}”, which is no task or sub-process of this "
                                         "process; drop it on the border of the task it watches"))
    for gateway in _all(process, "eventBasedGateway"):
        targets = [process.find(f".//*[@id='{flow.get('targetRef')}']")
                   for flow in process.iterfind(f".//bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']", NS)]
        waiting = [t for t in targets if t is not None and (_local(t) == "receiveTask" or (
            _local(t) == "intermediateCatchEvent" and len(t) and any(
                _local(d).endswith("EventDefinition") for d in t)))]
        if len(targets) < 2 or len(waiting) != len(targets):
            found.append(_problem(gateway, f"event-based gateway “{_label(gateway)}” must lead to two or more "
                                           "events it waits for (message, signal or timer catch events, or "
                                           "receive tasks), and to nothing else"))
    return found


def _reference(element, ref: str | None, kind: str, defined: set[str]) -> list[dict]:
    what = f"{_WORDS.get(_local(element), _local(element))} “{_label(element)}”"
    if not (ref or "").strip():
        return [_problem(element, f"{what} names no {kind}; choose or create the {kind} it "
                                  f"{'sends or waits for' if kind == 'message' else 'throws or catches'} "
                                  f"(Global {kind} reference)")]
    if ref not in defined:
        return [_problem(element, f"{what} names the {kind} “{ref}”, which the file does not define")]
    return []


def _flows(process) -> list[dict]:
    """Several ways out of one element: only gateways (and start events) choose or split."""
    found = []
    outgoing: dict[str, list] = {}
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    for element in process.iter():
        local = _local(element)
        flows = outgoing.get(element.get("id"), []) if local else []
        if len(flows) < 2:
            continue
        if local in ACTIVITIES or local in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
            found.append(_problem(element, f"“{_label(element)}” has {len(flows)} ways out; draw a gateway after "
                                           "it: exclusive to choose one by condition, parallel to take all"))
        elif local in SPLITS_BY_CONDITION:
            default = element.get("default")
            for flow in flows:
                if flow.get("id") != default and not _has_condition(flow):
                    found.append(_problem(flow, f"the way out of gateway “{_label(element)}” to "
                                                f"“{flow.get('name') or flow.get('targetRef')}” has no condition "
                                                "and is not the gateway's default; give it a condition, or make "
                                                "it the default flow"))
    return found


def _activities(process) -> list[dict]:
    found = []
    for element in _all(process, *ACTIVITIES):
        for loop in element.iterfind("bpmn:standardLoopCharacteristics", NS):
            if loop.get("loopMaximum") is None and not _has_condition_child(loop, "loopCondition"):
                found.append(_problem(element, f"“{_label(element)}” loops with no end; give the loop a "
                                               "condition or a maximum, or use multi-instance"))
        for loop in element.iterfind("bpmn:multiInstanceLoopCharacteristics", NS):
            if not (_has_condition_child(loop, "loopCardinality") or loop.get(f"{{{CAMUNDA}}}collection")):
                found.append(_problem(element, f"“{_label(element)}” is multi-instance without saying how many: "
                                               "give it a cardinality (e.g. 3) or a collection (a list variable, "
                                               "e.g. ${phong_ban})"))
    data = {el.get("id") for el in _all(process, "dataObjectReference", "dataObject", "dataStoreReference")}
    for kind, end in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
        for association in _all(process, kind):
            for ref in association.iterfind(f"bpmn:{end}", NS):
                if (ref.text or "").strip() not in data:
                    owner = association.getparent()
                    found.append(_problem(owner, f"“{_label(owner)}” is linked to data “{(ref.text or '').strip()}”"
                                                 ", which is no data object or data store of this process; draw "
                                                 "the association again in the modeler"))
    for script in _all(process, "scriptTask"):
        body = script.find("bpmn:script", NS)
        if body is None or not (body.text or "").strip():
            found.append(_problem(script, f"script task “{_label(script)}” has no script; write it (Python) or "
                                          "make it a user task"))
    for sub in _all(process, "subProcess", "transaction"):
        if (sub.get("triggeredByEvent") or "").lower() == "true":
            continue
        starts = sub.findall("bpmn:startEvent", NS)
        if len(starts) != 1:
            found.append(_problem(sub, f"sub-process “{_label(sub)}” must start with exactly one start event "
                                       f"inside it ({len(starts)} found); a collapsed sub-process needs its "
                                       "content drawn"))
    return found


def _has_condition_child(loop, local: str) -> bool:
    child = loop.find(f"bpmn:{local}", NS)
    return child is not None and bool((child.text or "").strip())
