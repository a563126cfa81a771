"""Files as designers draw them in Camunda Modeler / bpmn.io: only executable pools deploy (named after the
pool), a file with none is refused with what to tick, a partner pool's lanes are not steps, and the engine's own
refusals come back as sentences — never a 500, never an engine internal."""
from __future__ import annotations

from services.process.domain.definitions import versions
from services.process.domain.staffing import defaults
from tests.unit.process import bpmn_samples as samples
from tests.unit.process.drawn import Model
from tests.unit.process.test_deployment import designer, process, upload  # noqa: F401 - fixtures

PARTNER = """<bpmn:process id="Process_ioc" name="Trung tâm IOC" isExecutable="false">
    <bpmn:laneSet id="LaneSet_ioc"><bpmn:lane id="Lane_ioc" name="Tổng đài"/></bpmn:laneSet>
    <bpmn:task id="Task_ioc" name="Chuyển phản ánh"/>
  </bpmn:process>"""
COLLABORATION = """<bpmn:collaboration id="Collab_1">
    <bpmn:participant id="Pool_main" name="Đăng ký công tác" processRef="cong_tac"/>
    <bpmn:participant id="Pool_ioc" name="Trung tâm IOC" processRef="Process_ioc"/>
  </bpmn:collaboration>
  """


def _collaboration(main: str) -> str:
    start = main.index("<bpmn:process ")
    end = main.index("</bpmn:process>") + len("</bpmn:process>")
    return main[:start] + COLLABORATION + main[start:end] + "\n  " + PARTNER + main[end:]


def test_only_executable_pools_deploy_named_after_their_pool(process, designer):  # noqa: F811
    response = upload(process, designer, _collaboration(samples.process(key="cong_tac", name="")))
    assert response.status_code == 201, response.get_json()
    assert [(d["key"], d["name"]) for d in response.get_json()["items"]] == [("cong_tac", "Đăng ký công tác")]
    catalogue = process.test_client().get("/api/process/definitions").get_json()["items"]
    assert "Process_ioc" not in {d["key"] for d in catalogue}
    with process.extensions["egov"].db.session() as session:
        (definition,) = versions(session, "cong_tac")
    assert [s["lane_id"] for s in defaults(definition)] == ["Lane_handle"], "a partner pool's lanes are no steps"


def test_a_file_with_no_executable_pool_is_refused_with_what_to_tick(process, designer):  # noqa: F811
    xml = samples.process(key="nhap").replace('isExecutable="true"', 'isExecutable="false"')
    response = upload(process, designer, xml)
    assert response.status_code == 422
    (problem,) = response.get_json()["problems"]
    assert problem["element_id"] == "nhap" and problem["line"] and "Executable" in problem["message"]


def test_a_business_rule_task_without_a_decision_is_a_sentence_not_a_server_error(process, designer):  # noqa: F811
    rule = """<bpmn:businessRuleTask id="Decide" name="Xét duyệt"/>"""
    response = upload(process, designer, samples.process(key="xet_duyet", extra=rule))
    assert response.status_code == 422
    messages = [p["message"] for p in response.get_json()["problems"]]
    assert any("names no decision table" in m for m in messages), messages


def test_a_compensation_boundary_event_is_not_asked_for_an_outgoing_flow(process, designer):  # noqa: F811
    compensation = """<bpmn:boundaryEvent id="Undo" name="Hoàn tác" attachedToRef="Handle">
      <bpmn:compensateEventDefinition id="Comp_1"/></bpmn:boundaryEvent>"""
    response = upload(process, designer, samples.process(key="hoan_tac", extra=compensation))
    messages = [p["message"] for p in (response.get_json().get("problems") or [])]
    assert response.status_code in (201, 422) and not any("leads nowhere" in m for m in messages), messages
    assert all("0x" not in m and "<Element" not in m for m in messages), messages


def test_uploading_an_older_file_again_makes_it_the_current_version(process, designer):  # noqa: F811
    first, second = samples.process(key="quay_lai"), samples.process(key="quay_lai", task_name="Xử lý lại")
    assert [upload(process, designer, xml).get_json()["items"][0]["version"] for xml in (first, second, second)] \
        == [1, 2, 2], "the current content again is no new version"
    back = upload(process, designer, first).get_json()["items"][0]
    assert back["version"] == 3
    catalogue = {d["key"]: d for d in process.test_client().get("/api/process/definitions").get_json()["items"]}
    assert catalogue["quay_lai"]["version"] == 3
    xml = process.test_client().get("/api/process/definitions/quay_lai/versions/3/xml").get_data(as_text=True)
    assert 'name="Xử lý"' in xml and "Xử lý lại" not in xml


def test_the_suites_checks_and_the_engines_come_back_in_one_round(process, designer):  # noqa: F811
    m = Model("mot_luot", "Một lượt")
    lane = m.lane("Lane_1", "Chuyên viên", people="role:officer")
    m.start("Start_1", lane)
    writes = ('<bpmn:dataOutputAssociation id="Writes"><bpmn:targetRef>Ho_so</bpmn:targetRef>'
              '</bpmn:dataOutputAssociation>')
    m.node("userTask", "Phuc_tap", lane, name="Lập hồ sơ", inner=writes)
    m.end("End_1", lane)
    m.chain("Start_1", "Phuc_tap", "End_1")
    m.extra = '<bpmn:dataObjectReference id="Ho_so" name="Hồ sơ" dataObjectRef="Khong_co"/>'  # refers to nothing
    m.node("userTask", "Orphan", None, name="Việc không có làn")
    response = upload(process, designer, m.xml())
    assert response.status_code == 422
    problems = {p["element_id"]: p for p in response.get_json()["problems"]}
    assert "in no lane" in problems["Orphan"]["message"], "the suite's own check"
    assert "Cannot resolve" in problems["Phuc_tap"]["message"] and problems["Phuc_tap"]["line"], \
        "the engine's, in the same answer, with its line"
