"""Conditions and multi-instance collections written in JUEL (``${…}``) or FEEL (``= …``), as designers bring
them from Camunda, are translated to the suite's Python at deployment and run; richer forms are refused with the
element, the line and what to write instead."""
from __future__ import annotations

import hashlib

import pytest
from lxml import etree

from services.common.errors import Invalid
from services.process import engine
from services.process.domain.definitions import check
from services.process.expressions import NotTranslatable, to_python

GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://egov">
  <bpmn:process id="duyet" name="Duyệt" isExecutable="true">
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="Gw"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>Yes</bpmn:outgoing>
      <bpmn:outgoing>No</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="Approved"><bpmn:incoming>Yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Refused"><bpmn:incoming>No</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Gw"/>
    <bpmn:sequenceFlow id="Yes" sourceRef="Gw" targetRef="Approved">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">YES</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="No" sourceRef="Gw" targetRef="Refused">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">NO</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def _run(yes: str, no: str, data: dict) -> list[str]:
    xml = GATEWAY.replace("YES", yes).replace("NO", no).encode()
    checked = check(xml, "duyet.bpmn")
    stored = etree.tostring(checked.tree)
    run = engine.Run.start(stored, hashlib.sha256(stored).hexdigest(), "duyet", data)
    return run.reached_ends()


@pytest.mark.parametrize(("yes", "no"), [("${approved}", "${!approved}"), ("= approved", "= not approved"),
                                         ("${so_ngay le 3 &amp;&amp; approved}", "${so_ngay gt 3 || !approved}"),
                                         ("= so_ngay &lt;= 3 and approved = true", "= not(approved) or so_ngay &gt; 3"),
                                         ("approved and so_ngay &lt;= 3", "not approved or so_ngay &gt; 3")])
def test_juel_feel_and_python_conditions_route_the_same_way(yes, no):
    assert _run(yes, no, {"approved": True, "so_ngay": 2}) == ["Approved"]
    assert _run(yes, no, {"approved": False, "so_ngay": 2}) == ["Refused"]


def test_a_form_beyond_the_simple_ones_is_refused_with_the_element_line_and_what_to_write():
    with pytest.raises(Invalid) as refused:
        check(GATEWAY.replace("YES", "${execution.getVariable('approved')}").replace("NO", "${true}").encode())
    (problem,) = refused.value.extra["problems"]
    assert problem["element_id"] == "Yes" and problem["line"] and "write it in Python" in problem["message"]


def test_a_multi_instance_collection_in_juel_is_read_as_the_variable():
    xml = GATEWAY.replace("YES", "approved").replace("NO", "not approved").replace(
        '<bpmn:endEvent id="Approved">',
        '<bpmn:scriptTask id="PerUnit" name="Từng phòng"><bpmn:multiInstanceLoopCharacteristics '
        'camunda:collection="${phong_ban}" camunda:elementVariable="phong"/><bpmn:script>da_xem = True</bpmn:script>'
        '</bpmn:scriptTask><bpmn:endEvent id="Approved">')
    checked = check(xml.encode())
    loop = checked.tree.getroot().find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}"
                                       "multiInstanceLoopCharacteristics")
    assert loop.get("{http://camunda.org/schema/1.0/bpmn}collection") == "phong_ban"


def test_an_assignment_is_not_taken_for_a_comparison_in_juel():
    with pytest.raises(NotTranslatable, match="compare with =="):
        to_python("${approved = true}")
    assert to_python("= approved = true") == "approved == True"
