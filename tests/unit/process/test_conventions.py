"""The suite's BPMN conventions are read in one place: typed, checked at deployment with a sentence per problem
(element, line), documented for designers and published as a JSON Schema the modeler loads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from services.process import conventions
from tests.unit.process.drawn import Model

ROOT = Path(__file__).resolve().parents[3]


def _process(m: Model):
    root = etree.fromstring(m.xml().encode())
    return root.find(f"{{{conventions.BPMN}}}process")


def _one_lane(**props) -> Model:
    m = Model("thu", "Thử")
    lane = m.lane("Lane_1", "Bước một", **props)
    m.start("Start_1", lane)
    m.user("Task_1", "Việc", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Task_1", "End_1")
    return m


def test_a_lane_reads_as_typed_properties_with_outcomes_apart_from_verbs():
    found = conventions.of_process(_process(_one_lane(
        step=2, actions="assign, delegate,return_to_ioc", reason_required="return_to_ioc", chooses_next="assign",
        time_share_percent="10", push="false")))
    assert found.problems == ()
    (lane,) = found.lanes
    assert (lane.step, lane.props.outcomes, lane.props.verbs) == (2, ("assign", "return_to_ioc"), ("delegate",))
    assert (lane.props.time_share_percent, lane.props.push, found.lane_of["Task_1"]) == (10.0, False, "Lane_1")
    bare = conventions.of_process(_process(_one_lane())).lanes[0]
    assert bare.props.outcomes == ("complete",) and bare.step == 1


@pytest.mark.parametrize(("props", "said"), [
    ({"acions": "approve"}, "reads no property “acions”"),
    ({"actions": "delegate,claim"}, "name no outcome"),
    ({"actions": "approve", "reason_required": "reject"}, "reject, which is not an outcome"),
    ({"time_share_percent": "50", "fixed_hours": "8"}, "either time_share_percent or fixed_hours"),
    ({"people": "everyone"}, "people"),
    ({"unit_role": "clerk"}, "unit_role goes with people=role"),
    ({"default_staff": "step:7"}, "refers to step 7"),
    ({"push": "perhaps"}, "push"),
    ({"actions": "Phê duyệt"}, "lower-case word"),
])
def test_a_property_the_suite_cannot_use_is_one_problem_with_the_element_and_its_line(props, said):
    problems = conventions.of_process(_process(_one_lane(**props))).problems
    assert len(problems) == 1 and said in problems[0]["message"], problems
    assert problems[0]["element_id"] == "Lane_1" and isinstance(problems[0]["line"], int)


def test_end_events_declare_business_events_but_not_the_runtimes_own():
    m = _one_lane()
    m.nodes[-1].extensions = ('<bpmn:extensionElements><camunda:properties>'
                              '<camunda:property name="event" value="process.task.completed"/>'
                              '</camunda:properties></bpmn:extensionElements>')
    (problem,) = conventions.of_process(_process(m)).problems
    assert "runtime's own events" in problem["message"] and problem["element_id"] == "End_1"
    m.nodes[-1].extensions = ('<bpmn:extensionElements><camunda:properties>'
                              '<camunda:property name="event" value="process.de_xuat.approved"/>'
                              '<camunda:property name="event_data" value="id=instance.id, by=Task_1.actor, x=y z"/>'
                              '</camunda:properties></bpmn:extensionElements>')
    (problem,) = conventions.of_process(_process(m)).problems
    assert "“y z” is not a source" in problem["message"]


def test_designers_find_every_property_documented_and_the_schema_is_current():
    guide = (ROOT / "docs/bpmn.md").read_text(encoding="utf-8")
    for kind, model in conventions.KINDS.items():
        for name in model.model_fields:
            assert f"`{name}`" in guide, f"docs/bpmn.md does not explain {kind} property {name}"
    committed = json.loads((ROOT / "docs/bpmn.schema.json").read_text(encoding="utf-8"))
    assert committed == conventions.json_schema()
    assert set(committed["properties"]) == {"process", "lane", "userTask", "serviceTask", "messageCatch",
                                                "endEvent"}
    assert committed["properties"]["lane"]["additionalProperties"] is False
