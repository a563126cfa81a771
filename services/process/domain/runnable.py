"""What the engine runs, checked element by element before its own parser sees the file, so that a model drawn
in any modeler is either run or refused in one round: every element the engine cannot run is named with its
line and a sentence saying what to draw instead (the engine's parser stops at its first complaint and words it
for programmers)."""
from __future__ import annotations

from collections.abc import Iterator

from services.common.i18n import msg
from services.process.conventions import BPMN, CAMUNDA, HUMAN, NS

ACTIVITIES = HUMAN + ("serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "callActivity",
                      "subProcess", "transaction", "adHocSubProcess")
GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway")
SPLITS_BY_CONDITION = ("exclusiveGateway", "inclusiveGateway")
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
_NOT_RUN = {
    "complexGateway": msg("complex gateways are not run; use an inclusive gateway with a condition on each way "
                          "out"),
    "adHocSubProcess": msg("ad-hoc sub-processes are not run; draw its tasks between a parallel split and join, or "
                           "in an embedded sub-process"),
}
_COMPENSATION = msg("compensation is not run here; draw the undo step as a task on the path taken when something "
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
        _problem(process, msg("process “{label}” has no start event; draw one where the work begins",
                              label=_label(process)))]
    found += [_problem(el, msg("“{label}”: {why}", label=_label(el), why=why)) for local,
              why in _NOT_RUN.items() for el in _all(process, local)]
    global_tasks = {el.get("id") for el in root if _local(el).startswith("global")}
    for call in _all(process, "callActivity"):
        if call.get("calledElement") in global_tasks:
            found.append(_problem(call, msg("call activity “{label}” calls the global task “{get}”, which is not run "
                                            "here; draw the task itself in the process (or call a deployed process)",
                                            label=_label(call), get=call.get('calledElement'))))
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
            found.append(_problem(event, msg("start event “{label}” waits for a condition, which nothing here would "
                                             "ever check; a process starts when someone starts it, on a message, a "
                                             "signal or a timer", label=_label(event))))
        elif not _has_condition(definition):
            found.append(_problem(event, msg("conditional event “{label}” has no condition; write one (e.g. so_ngay >"
                                             " 3)", label=_label(event))))
    for definition in _all(process, "timerEventDefinition"):
        if not any((child.text or "").strip() for kind in TIMER_KINDS
                   for child in definition.iterfind(f"bpmn:{kind}", NS)):
            event = definition.getparent()
            found.append(_problem(event, msg("timer “{label}” has no time; give it a date, a duration (e.g. P2D) or a"
                                             " cycle", label=_label(event))))
    for definition in _all(process, "compensateEventDefinition"):
        found.append(_problem(definition.getparent(), msg("“{label}”: {COMPENSATION}",
                                                          label=_label(definition.getparent()),
                                                          COMPENSATION=_COMPENSATION)))
    for task in _all(process, *ACTIVITIES):
        if (task.get("isForCompensation") or "").strip().lower() == "true":
            found.append(_problem(task, msg("“{label}” is a compensation handler: {COMPENSATION}", label=_label(task),
                                            COMPENSATION=_COMPENSATION)))
    for definition in _all(process, "cancelEventDefinition"):
        event = definition.getparent()
        inside = event.getparent() if _local(event) == "endEvent" else \
            process.find(f".//*[@id='{event.get('attachedToRef')}']")
        if inside is None or _local(inside) != "transaction":
            found.append(_problem(event, msg("cancel event “{label}” belongs to a transaction: put the end event "
                                             "inside a transaction sub-process, or attach the boundary event to one",
                                             label=_label(event))))
    activities = {el.get("id") for el in _all(process, *ACTIVITIES)}
    for event in _all(process, "boundaryEvent"):
        if event.get("attachedToRef") not in activities:
            found.append(_problem(event, msg("boundary event “{label}” is attached to “{get}”, which is no task or "
                                             "sub-process of this process; drop it on the border of the task it "
                                             "watches", label=_label(event), get=event.get('attachedToRef'))))
    for gateway in _all(process, "eventBasedGateway"):
        targets = [process.find(f".//*[@id='{flow.get('targetRef')}']")
                   for flow in process.iterfind(f".//bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']", NS)]
        waiting = [t for t in targets if t is not None and (_local(t) == "receiveTask" or (
            _local(t) == "intermediateCatchEvent" and len(t) and any(
                _local(d).endswith("EventDefinition") for d in t)))]
        if len(targets) < 2 or len(waiting) != len(targets):
            found.append(_problem(gateway, msg("event-based gateway “{label}” must lead to two or more events it "
                                               "waits for (message, signal or timer catch events, or receive tasks), "
                                               "and to nothing else", label=_label(gateway))))
    return found


def _reference(element, ref: str | None, kind: str, defined: set[str]) -> list[dict]:
    what = msg("{local} “{label}”", local=_WORDS.get(_local(element), _local(element)), label=_label(element))
    if not (ref or "").strip():
        if kind == "message":
            return [_problem(element, msg("{what} names no message; choose or create the message it sends or waits "
                                          "for (Global message reference)", what=what))]
        return [_problem(element, msg("{what} names no {kind}; choose or create the {kind} it throws or catches "
                                      "(Global {kind} reference)", what=what, kind=kind))]
    if ref not in defined:
        return [_problem(element, msg("{what} names the {kind} “{ref}”, which the file does not define", what=what,
                                      kind=kind, ref=ref))]
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
            found.append(_problem(element, msg("“{label}” has {count} ways out; draw a gateway after it: exclusive to"
                                               " choose one by condition, parallel to take all",
                                               label=_label(element), count=len(flows))))
        elif local in SPLITS_BY_CONDITION:
            default = element.get("default")
            for flow in flows:
                if flow.get("id") != default and not _has_condition(flow):
                    found.append(_problem(flow, msg("the way out of gateway “{label}” to “{value}” has no condition "
                                                    "and is not the gateway's default; give it a condition, or make "
                                                    "it the default flow", label=_label(element),
                                                    value=flow.get('name') or flow.get('targetRef'))))
    return found


def _activities(process) -> list[dict]:
    found = []
    for element in _all(process, *ACTIVITIES):
        for loop in element.iterfind("bpmn:standardLoopCharacteristics", NS):
            if loop.get("loopMaximum") is None and not _has_condition_child(loop, "loopCondition"):
                found.append(_problem(element, msg("“{label}” loops with no end; give the loop a condition or a "
                                                   "maximum, or use multi-instance", label=_label(element))))
        for loop in element.iterfind("bpmn:multiInstanceLoopCharacteristics", NS):
            if not (_has_condition_child(loop, "loopCardinality") or loop.get(f"{{{CAMUNDA}}}collection")):
                found.append(_problem(element, msg("“{label}” is multi-instance without saying how many: give it a "
                                                   "cardinality (e.g. 3) or a collection (a list variable, e.g. "
                                                   "${{phong_ban}})", label=_label(element))))
    data = {el.get("id") for el in _all(process, "dataObjectReference", "dataObject", "dataStoreReference")}
    for kind, end in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
        for association in _all(process, kind):
            for ref in association.iterfind(f"bpmn:{end}", NS):
                if (ref.text or "").strip() not in data:
                    owner = association.getparent()
                    found.append(_problem(owner, msg("“{label}” is linked to data “{strip}”, which is no data object "
                                                     "or data store of this process; draw the association again in "
                                                     "the modeler", label=_label(owner),
                                                     strip=(ref.text or '').strip())))
    for script in _all(process, "scriptTask"):
        body = script.find("bpmn:script", NS)
        if body is None or not (body.text or "").strip():
            found.append(_problem(script, msg("script task “{label}” has no script; write it (Python) or make it a "
                                              "user task", label=_label(script))))
    for sub in _all(process, "subProcess", "transaction"):
        if (sub.get("triggeredByEvent") or "").lower() == "true":
            continue
        starts = sub.findall("bpmn:startEvent", NS)
        if len(starts) != 1:
            found.append(_problem(sub, msg("sub-process “{label}” must start with exactly one start event inside it "
                                           "({count} found); a collapsed sub-process needs its content drawn",
                                           label=_label(sub), count=len(starts))))
    return found


def _has_condition_child(loop, local: str) -> bool:
    child = loop.find(f"bpmn:{local}", NS)
    return child is not None and bool((child.text or "").strip())
