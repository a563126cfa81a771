"""The processes shipped in bpmn/ deploy, declare their steps and carry a complete diagram, so bpmn.io and
Camunda Modeler open them with every element drawn."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from services.process.domain.definitions import NS, check

BPMN_DIR = Path(__file__).resolve().parents[3] / "bpmn"
DI = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}


@pytest.mark.parametrize("filename, key, abbreviation, shares", [
    ("field_report.bpmn", "field_report", "PAHT", [10, 70, 20]),
    ("leave_request.bpmn", "leave_request", "NPHEP", [40, 40, 20]),
])
def test_shipped_process_deploys_with_its_steps(filename, key, abbreviation, shares):
    xml = (BPMN_DIR / filename).read_bytes()
    (process,) = check(xml, filename).processes
    assert (process["key"], process["abbreviation"], process["steps"]) == (key, abbreviation, 3)
    root = etree.fromstring(xml)
    lanes = root.findall(".//bpmn:lane", NS)
    values = [int(lane.find(".//camunda:property[@name='time_share_percent']", NS).get("value")) for lane in lanes]
    assert values == shares and sum(values) == 100
    drawn = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNShape", DI)}
    drawn |= {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNEdge", DI)}
    elements = {el.get("id") for el in root.find("bpmn:process", NS)
                if isinstance(el.tag, str) and el.get("id") and not el.tag.endswith(("laneSet", "extensionElements"))}
    elements |= {lane.get("id") for lane in lanes}
    assert elements - drawn == set()


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.name)
def test_every_shipped_file_deploys_and_draws_every_element_of_its_pool(path):
    xml = path.read_bytes()
    (process,) = check(xml, path.name).processes
    root = etree.fromstring(xml)
    pool = root.find(f"bpmn:process[@id='{process['key']}']", NS)
    drawn = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNShape", DI)}
    drawn |= {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNEdge", DI)}
    elements = {el.get("id") for el in pool if isinstance(el.tag, str) and el.get("id")
                and not el.tag.endswith(("laneSet", "extensionElements", "documentation"))}
    elements |= {lane.get("id") for lane in pool.iterfind(".//bpmn:lane", NS)}
    assert elements - drawn == set()
