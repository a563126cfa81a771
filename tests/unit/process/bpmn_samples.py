"""BPMN as the mainstream modelers write it: bpmn.io / Camunda Modeler (``bpmn:`` prefix), Signavio
(default namespace), other prefixes (``semantic:``), ISO-8859-1 — built from one small process."""
from __future__ import annotations

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def process(prefix: str = "bpmn", *, key: str = "field_report_test", name: str = "Phản ánh hiện trường (thử)",
            task_name: str = "Xử lý", timer: str = "PT2H", extra: str = "", lane_name: str = "Xử lý",
            properties: str = "", overdue_name: str = "Quá hạn") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{BPMN}"' if prefix else f'xmlns="{BPMN}"'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}definitions {xmlns} xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_1" targetNamespace="http://egov.example/bpmn">
  <{p}process id="{key}" name="{name}" isExecutable="true">
    {properties}
    <{p}laneSet id="LaneSet_1">
      <{p}lane id="Lane_handle" name="{lane_name}">
        <{p}flowNodeRef>Start_1</{p}flowNodeRef>
        <{p}flowNodeRef>Handle</{p}flowNodeRef>
        <{p}flowNodeRef>End_1</{p}flowNodeRef>
        <{p}flowNodeRef>Deadline</{p}flowNodeRef>
        <{p}flowNodeRef>Overdue</{p}flowNodeRef>
      </{p}lane>
    </{p}laneSet>
    <{p}startEvent id="Start_1"><{p}outgoing>Flow_1</{p}outgoing></{p}startEvent>
    <{p}userTask id="Handle" name="{task_name}">
      <{p}incoming>Flow_1</{p}incoming><{p}outgoing>Flow_2</{p}outgoing>
    </{p}userTask>
    <{p}boundaryEvent id="Deadline" attachedToRef="Handle" cancelActivity="false">
      <{p}outgoing>Flow_deadline</{p}outgoing>
      <{p}timerEventDefinition id="Timer_1"><{p}timeDuration>{timer}</{p}timeDuration></{p}timerEventDefinition>
    </{p}boundaryEvent>
    <{p}endEvent id="End_1"><{p}incoming>Flow_2</{p}incoming></{p}endEvent>
    <{p}endEvent id="Overdue" name="{overdue_name}"><{p}incoming>Flow_deadline</{p}incoming></{p}endEvent>
    <{p}sequenceFlow id="Flow_deadline" sourceRef="Deadline" targetRef="Overdue"/>
    <{p}sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Handle"/>
    <{p}sequenceFlow id="Flow_2" sourceRef="Handle" targetRef="End_1"/>
    {extra}
  </{p}process>
</{p}definitions>
"""


def camunda_properties(abbreviation: str, group: str) -> str:
    return (f'<bpmn:extensionElements><camunda:properties><camunda:property name="abbreviation" '
            f'value="{abbreviation}"/><camunda:property name="group" value="{group}"/></camunda:properties>'
            '</bpmn:extensionElements>')


def latin1() -> bytes:
    text = process(name="Réception des signalements", task_name="Traitement", lane_name="Équipe",
                   overdue_name="Échéance dépassée")
    return text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("iso-8859-1")


def broken() -> str:
    """Four problems at once: a user task in no lane, a flow to nowhere, a bad timer, a lane without a name."""
    extra = """<bpmn:userTask id="Orphan" name="Việc không có làn"/>
    <bpmn:sequenceFlow id="Flow_bad" sourceRef="Handle" targetRef="Nowhere"/>"""
    return process(timer="hai giờ", extra=extra, lane_name="")


def escalating(timer: str = "PT1S") -> str:
    """Handle, and if nobody has handled it when the (interrupting) timer fires, Escalate in the lead's lane."""
    def lane(lane_id, name, step, refs):
        props = (f'<bpmn:extensionElements><camunda:properties><camunda:property name="step" value="{step}"/>'
                 '<camunda:property name="actions" value="handle"/>'
                 '<camunda:property name="time_share_percent" value="50"/></camunda:properties>'
                 '</bpmn:extensionElements>')
        nodes = "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        return f'<bpmn:lane id="{lane_id}" name="{name}">{props}{nodes}</bpmn:lane>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_esc" targetNamespace="http://egov.example/bpmn">
  <bpmn:process id="escalation_test" name="Xử lý có hạn (thử)" isExecutable="true">
    <bpmn:laneSet id="LaneSet_esc">
      {lane("Lane_officer", "Chuyên viên", 1, ["Start_1", "Handle", "Timer_1", "End_1"])}
      {lane("Lane_lead", "Lãnh đạo", 2, ["Escalate", "End_2"])}
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Handle" name="Xử lý">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Timer_1" attachedToRef="Handle" cancelActivity="true">
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDef_1">
        <bpmn:timeDuration>{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="Escalate" name="Lãnh đạo xử lý">
      <bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_2"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Handle"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Handle" targetRef="End_1"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Timer_1" targetRef="Escalate"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Escalate" targetRef="End_2"/>
  </bpmn:process>
</bpmn:definitions>
"""
