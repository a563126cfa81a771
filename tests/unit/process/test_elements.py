"""Element families a designer brings from Camunda Modeler run over HTTP: embedded sub-processes (their tasks in
the lane of the sub-process), call activities two levels deep (latest and a pinned version, the caller's unit and
data passed down), event sub-processes started by a timer; what the engine cannot wait for is refused at
deployment with a sentence."""
from __future__ import annotations

import io
import time

from tests.unit.process.drawn import Model
from tests.unit.process.story import P

SKHCN = "BT.01.01.13"


def upload(suite, xml: str):
    process = suite.gateway.apps["process"].test_client()
    return process.post(f"{P}/definitions", headers=suite.headers("admin"),
                        data={"file": (io.BytesIO(xml.encode()), "model.bpmn")}, content_type="multipart/form-data")


def _inner(prefix: str, task_name: str) -> str:
    return (f'<bpmn:startEvent id="{prefix}_start"><bpmn:outgoing>{prefix}_f1</bpmn:outgoing></bpmn:startEvent>'
            f'<bpmn:userTask id="{prefix}_task" name="{task_name}"><bpmn:incoming>{prefix}_f1</bpmn:incoming>'
            f'<bpmn:outgoing>{prefix}_f2</bpmn:outgoing></bpmn:userTask>'
            f'<bpmn:endEvent id="{prefix}_end"><bpmn:incoming>{prefix}_f2</bpmn:incoming></bpmn:endEvent>'
            f'<bpmn:sequenceFlow id="{prefix}_f1" sourceRef="{prefix}_start" targetRef="{prefix}_task"/>'
            f'<bpmn:sequenceFlow id="{prefix}_f2" sourceRef="{prefix}_task" targetRef="{prefix}_end"/>')


def one_task(key: str, name: str, task: str, *, call: tuple[str, dict] | None = None) -> Model:
    """A process of one officer's task, optionally followed by a call activity."""
    m = Model(key, name)
    lane = m.lane(f"Lane_{key}", f"Cán bộ ({name})", people="role:officer")
    m.start(f"Start_{key}", lane)
    m.user(f"Task_{key}", task, lane)
    m.end(f"End_{key}", lane, result="done")
    if call:
        called, attrs = call
        m.node("callActivity", f"Call_{key}", lane, name=f"Gọi {called}", calledElement=called, **attrs)
        m.chain(f"Start_{key}", f"Task_{key}", f"Call_{key}", f"End_{key}")
    else:
        m.chain(f"Start_{key}", f"Task_{key}", f"End_{key}")
    return m


def drive(suite, key: str, variables: dict, headers: dict) -> list[str]:
    """Start ``key`` and complete every task that becomes ready; the names of the tasks, in order."""
    process = suite.gateway.apps["process"].test_client()
    started = process.post(f"{P}/instances", headers=headers, json={
        "process_key": key, "unit_id": suite.unit(SKHCN)["id"], "variables": variables})
    assert started.status_code == 201, started.get_json()
    done, current = [], started.get_json()["current"]
    while current:
        task = current[0]
        done.append(task["name"])
        answer = process.post(f"{P}/tasks/{task['id']}/complete", headers=headers, json={})
        assert answer.status_code == 200, answer.get_json()
        current = answer.get_json()["next"]
    detail = process.get(f"{P}/instances/{started.get_json()['id']}", headers=headers).get_json()
    assert detail["state"] == "completed", detail
    return done


def test_an_embedded_sub_process_runs_its_tasks_in_the_lane_it_is_drawn_in(suite):
    m = Model("sub_thu", "Quy trình có quy trình con")
    lane = m.lane("Lane_1", "Chuyên viên", people="role:officer")
    m.start("Start_1", lane)
    m.node("subProcess", "Sub_1", lane, name="Thẩm định", inner=_inner("S", "Thẩm định hồ sơ"))
    m.user("After", "Trả kết quả", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Sub_1", "After", "End_1")
    assert upload(suite, m.xml()).status_code == 201
    hung = suite.account("phungtienhung")["id"]
    assert drive(suite, "sub_thu", {"officer": hung}, suite.headers("phungtienhung")) == [
        "Thẩm định hồ sơ", "Trả kết quả"]


def test_call_activities_run_deployed_processes_two_levels_deep(suite):
    grandchild = one_task("chau_thu", "Cháu", "Việc của cháu")
    child = one_task("con_thu", "Con", "Việc của con", call=("chau_thu", {
        "camunda:calledElementBinding": "version", "camunda:calledElementVersion": "1"}))
    parent = one_task("cha_thu", "Cha", "Việc của cha", call=("con_thu", {}))
    refused = upload(suite, parent.xml())
    assert refused.status_code == 422
    (problem,) = refused.get_json()["problems"]
    assert problem["element_id"] == "Call_cha_thu" and "“con_thu”, which is not deployed" in problem["message"]
    assert upload(suite, grandchild.xml()).status_code == 201
    assert upload(suite, child.xml()).status_code == 201
    assert upload(suite, parent.xml()).status_code == 201
    newer = one_task("chau_thu", "Cháu", "Việc mới của cháu")
    assert upload(suite, newer.xml()).status_code == 201   # v2: the child still pins v1
    hung = suite.account("phungtienhung")["id"]
    assert drive(suite, "cha_thu", {"officer": hung}, suite.headers("phungtienhung")) == [
        "Việc của cha", "Việc của con", "Việc của cháu"]


def test_an_event_sub_process_started_by_a_timer_adds_its_task_while_the_work_goes_on(suite):
    m = Model("nhac_thu", "Có nhắc việc")
    lane = m.lane("Lane_1", "Chuyên viên", people="role:officer")
    m.start("Start_1", lane)
    m.user("Work", "Xử lý", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Work", "End_1")
    inner = _inner("R", "Báo cáo tiến độ").replace(
        '<bpmn:outgoing>R_f1</bpmn:outgoing></bpmn:startEvent>',
        '<bpmn:outgoing>R_f1</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S'
        '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>').replace(
        '<bpmn:startEvent id="R_start">', '<bpmn:startEvent id="R_start" isInterrupting="false">')
    m.node("subProcess", "Remind", lane, name="Nhắc tiến độ", triggeredByEvent="true", inner=inner)
    assert upload(suite, m.xml()).status_code == 201, upload(suite, m.xml()).get_json()
    process = suite.gateway.apps["process"].test_client()
    hung_h = suite.headers("phungtienhung")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "nhac_thu", "unit_id": suite.unit(SKHCN)["id"],
        "variables": {"officer": suite.account("phungtienhung")["id"]}}).get_json()
    assert [t["name"] for t in started["current"]] == ["Xử lý"]
    scheduler = suite.gateway.apps["process"].extensions["process.scheduler"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and scheduler.tick()[0] == 0:   # the engine's clock: a real second
        time.sleep(0.2)
    detail = process.get(f"{P}/instances/{started['id']}", headers=hung_h).get_json()
    assert sorted(t["name"] for t in detail["current"]) == ["Báo cáo tiến độ", "Xử lý"]


def test_an_event_sub_process_started_by_an_error_is_refused_with_what_to_draw_instead(suite):
    m = Model("loi_thu", "Có xử lý lỗi")
    lane = m.lane("Lane_1", "Chuyên viên", people="role:officer")
    m.start("Start_1", lane)
    m.user("Work", "Xử lý", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Work", "End_1")
    inner = _inner("E", "Khắc phục").replace(
        '<bpmn:outgoing>E_f1</bpmn:outgoing></bpmn:startEvent>',
        '<bpmn:outgoing>E_f1</bpmn:outgoing><bpmn:errorEventDefinition/></bpmn:startEvent>')
    m.node("subProcess", "On_error", lane, name="Khi có lỗi", triggeredByEvent="true", inner=inner)
    refused = upload(suite, m.xml())
    assert refused.status_code == 422
    (problem,) = refused.get_json()["problems"]
    assert problem["element_id"] == "On_error" and "error boundary event" in problem["message"]


def test_an_error_thrown_in_a_sub_process_is_caught_by_its_boundary_event(suite):
    m = Model("loi_bien_thu", "Bắt lỗi ở biên")
    lane = m.lane("Lane_1", "Chuyên viên", people="role:officer", actions="ok,missing")
    m.start("Start_1", lane)
    inner = ('<bpmn:startEvent id="S_start"><bpmn:outgoing>S_f1</bpmn:outgoing></bpmn:startEvent>'
             '<bpmn:userTask id="S_task" name="Kiểm tra hồ sơ"><bpmn:incoming>S_f1</bpmn:incoming>'
             '<bpmn:outgoing>S_f2</bpmn:outgoing></bpmn:userTask>'
             '<bpmn:exclusiveGateway id="S_gw" default="S_ok"><bpmn:incoming>S_f2</bpmn:incoming>'
             '<bpmn:outgoing>S_ok</bpmn:outgoing><bpmn:outgoing>S_bad</bpmn:outgoing></bpmn:exclusiveGateway>'
             '<bpmn:endEvent id="S_end"><bpmn:incoming>S_ok</bpmn:incoming></bpmn:endEvent>'
             '<bpmn:endEvent id="S_error"><bpmn:incoming>S_bad</bpmn:incoming>'
             '<bpmn:errorEventDefinition errorRef="Err_missing"/></bpmn:endEvent>'
             '<bpmn:sequenceFlow id="S_f1" sourceRef="S_start" targetRef="S_task"/>'
             '<bpmn:sequenceFlow id="S_f2" sourceRef="S_task" targetRef="S_gw"/>'
             '<bpmn:sequenceFlow id="S_ok" sourceRef="S_gw" targetRef="S_end"/>'
             '<bpmn:sequenceFlow id="S_bad" sourceRef="S_gw" targetRef="S_error">'
             '<bpmn:conditionExpression>${action == "missing"}</bpmn:conditionExpression></bpmn:sequenceFlow>')
    m.node("subProcess", "Check", lane, name="Thẩm tra", inner=inner)
    m.node("boundaryEvent", "Caught", lane, attachedToRef="Check",
           inner='<bpmn:errorEventDefinition errorRef="Err_missing"/>')
    m.user("Supplement", "Yêu cầu bổ sung hồ sơ", lane)
    m.end("End_ok", lane, result="accepted")
    m.end("End_supplement", lane, result="supplement")
    m.chain("Start_1", "Check", "End_ok")
    m.chain("Caught", "Supplement", "End_supplement")
    m.outside = '<bpmn:error id="Err_missing" name="Thiếu hồ sơ" errorCode="THIEU_HO_SO"/>'
    assert upload(suite, m.xml()).status_code == 201, upload(suite, m.xml()).get_json()
    process = suite.gateway.apps["process"].test_client()
    hung_h = suite.headers("phungtienhung")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "loi_bien_thu", "unit_id": suite.unit(SKHCN)["id"],
        "variables": {"officer": suite.account("phungtienhung")["id"]}}).get_json()
    (check,) = started["current"]
    (supplement,) = process.post(f"{P}/tasks/{check['id']}/complete", headers=hung_h,
                                 json={"action": "missing"}).get_json()["next"]
    assert supplement["name"] == "Yêu cầu bổ sung hồ sơ"
    process.post(f"{P}/tasks/{supplement['id']}/complete", headers=hung_h, json={"action": "ok"})
    assert process.get(f"{P}/instances/{started['id']}", headers=hung_h).get_json()["result"] == "supplement"


def test_an_escalation_thrown_in_a_sub_process_adds_the_leaders_task_while_the_work_goes_on(suite):
    m = Model("vuot_cap_thu", "Báo cáo vượt cấp")
    officer = m.lane("Lane_1", "Chuyên viên", people="role:officer")
    leader = m.lane("Lane_2", "Lãnh đạo", people="role:leader")
    m.start("Start_1", officer)
    inner = ('<bpmn:startEvent id="V_start"><bpmn:outgoing>V_f1</bpmn:outgoing></bpmn:startEvent>'
             '<bpmn:intermediateThrowEvent id="V_up" name="Báo lãnh đạo"><bpmn:incoming>V_f1</bpmn:incoming>'
             '<bpmn:outgoing>V_f2</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc_1"/>'
             '</bpmn:intermediateThrowEvent>'
             '<bpmn:userTask id="V_task" name="Xử lý tiếp"><bpmn:incoming>V_f2</bpmn:incoming>'
             '<bpmn:outgoing>V_f3</bpmn:outgoing></bpmn:userTask>'
             '<bpmn:endEvent id="V_end"><bpmn:incoming>V_f3</bpmn:incoming></bpmn:endEvent>'
             '<bpmn:sequenceFlow id="V_f1" sourceRef="V_start" targetRef="V_up"/>'
             '<bpmn:sequenceFlow id="V_f2" sourceRef="V_up" targetRef="V_task"/>'
             '<bpmn:sequenceFlow id="V_f3" sourceRef="V_task" targetRef="V_end"/>')
    m.node("subProcess", "Work", officer, name="Giải quyết", inner=inner)
    m.node("boundaryEvent", "Raised", officer, attachedToRef="Work", cancelActivity="false",
           inner='<bpmn:escalationEventDefinition escalationRef="Esc_1"/>')
    m.user("Know", "Nắm tình hình", leader)
    m.end("End_known", leader)
    m.end("End_1", officer, result="done")
    m.chain("Start_1", "Work", "End_1")
    m.chain("Raised", "Know", "End_known")
    m.outside = '<bpmn:escalation id="Esc_1" name="Vượt thẩm quyền" escalationCode="VUOT_CAP"/>'
    assert upload(suite, m.xml()).status_code == 201, upload(suite, m.xml()).get_json()
    process = suite.gateway.apps["process"].test_client()
    hung, toan = suite.account("phungtienhung")["id"], suite.account("dinhtruongtoan")["id"]
    started = process.post(f"{P}/instances", headers=suite.headers("phungtienhung"), json={
        "process_key": "vuot_cap_thu", "unit_id": suite.unit(SKHCN)["id"],
        "variables": {"officer": hung, "leader": toan}})
    assert started.status_code == 201, started.get_json()
    assert sorted((t["name"], tuple(t["candidates"])) for t in started.get_json()["current"]) == [
        ("Nắm tình hình", (toan,)), ("Xử lý tiếp", (hung,))], "the escalation did not stop the officer's work"


def test_multi_instance_over_a_juel_collection_and_feel_conditions_run(suite):
    m = Model("lay_y_kien_thu", "Lấy ý kiến các phòng")
    lane = m.lane("Lane_1", "Chuyên viên các phòng", people="role:officer", actions="agree,disagree")
    m.start("Start_1", lane)
    m.user("Opinion", "Cho ý kiến", lane, fields=[("y_kien", "Ý kiến", "string")])
    m.nodes[-1].inner = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${phong_ban}" '
                         'camunda:elementVariable="phong"/>')
    m.xor("Gateway_1", lane, default="Flow_fine")
    m.end("End_fine", lane, result="agreed")
    m.end("End_many", lane, result="many_rooms")
    m.chain("Start_1", "Opinion", "Gateway_1")
    m.flow("Gateway_1", "End_fine", flow_id="Flow_fine")
    m.flow("Gateway_1", "End_many", condition="= count(phong_ban) > 2 and true", flow_id="Flow_many")
    refused = upload(suite, m.xml())
    assert refused.status_code == 422 and "count" in refused.get_json()["problems"][0]["message"], \
        "a FEEL function is refused with what to write instead"
    m.flows[-1] = ("Flow_many", "Gateway_1", "End_many", "= so_phong > 2 and not (so_phong = 0)")
    assert upload(suite, m.xml()).status_code == 201, upload(suite, m.xml()).get_json()
    process = suite.gateway.apps["process"].test_client()
    hung_h = suite.headers("phungtienhung")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "lay_y_kien_thu", "unit_id": suite.unit(SKHCN)["id"],
        "variables": {"officer": suite.account("phungtienhung")["id"], "so_phong": 3,
                      "phong_ban": ["Văn phòng", "Kế hoạch - Tài chính", "Quản lý khoa học"]}}).get_json()
    opinions = started["current"]
    assert len(opinions) == 3, "one task per department in the collection"
    for task in opinions:
        process.post(f"{P}/tasks/{task['id']}/complete", headers=hung_h, json={"action": "agree"})
    assert process.get(f"{P}/instances/{started['id']}", headers=hung_h).get_json()["result"] == "many_rooms"


def test_a_script_task_and_a_sub_process_run_once_per_item_of_a_collection(suite):
    m = Model("tung_phong_thu", "Tổng hợp từng phòng")
    lane = m.lane("Lane_1", "Chuyên viên", people="role:officer")
    m.start("Start_1", lane)
    per_item = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${phong_ban}" '
                'camunda:elementVariable="phong"/>')
    m.node("scriptTask", "Count", lane, name="Đếm từng phòng",
           inner=per_item + "<bpmn:script>da_dem = phong</bpmn:script>")
    m.node("subProcess", "Ask", lane, name="Hỏi từng phòng", inner=per_item + _inner("A", "Hỏi ý kiến phòng"))
    m.user("Sum", "Tổng hợp", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Count", "Ask", "Sum", "End_1")
    assert upload(suite, m.xml()).status_code == 201, upload(suite, m.xml()).get_json()
    process = suite.gateway.apps["process"].test_client()
    hung_h = suite.headers("phungtienhung")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "tung_phong_thu", "unit_id": suite.unit(SKHCN)["id"],
        "variables": {"officer": suite.account("phungtienhung")["id"],
                      "phong_ban": ["Văn phòng", "Thanh tra"]}}).get_json()
    asked = started["current"]
    assert [t["name"] for t in asked] == ["Hỏi ý kiến phòng"] * 2, "the script ran per item, then one sub-process each"
    for task in asked:
        assert process.post(f"{P}/tasks/{task['id']}/complete", headers=hung_h, json={}).status_code == 200
    detail = process.get(f"{P}/instances/{started['id']}", headers=hung_h).get_json()
    assert [t["name"] for t in detail["current"]] == ["Tổng hợp"]


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Defs_muc_duyet" name="Mức duyệt"
             namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="muc_duyet" name="Cấp duyệt theo số tiền">
    <decisionTable id="Table_1" hitPolicy="FIRST">
      <input id="In_1" label="Số tiền"><inputExpression id="Ex_1" typeRef="number"><text>so_tien</text>
      </inputExpression></input>
      <output id="Out_1" label="Cấp duyệt" name="cap_duyet" typeRef="string"/>
      <rule id="R1"><inputEntry id="I1"><text>&lt; 10000000</text></inputEntry>
        <outputEntry id="O1"><text>"phong"</text></outputEntry></rule>
      <rule id="R2"><inputEntry id="I2"><text>&gt;= 10000000</text></inputEntry>
        <outputEntry id="O2"><text>"giam_doc"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


def test_a_business_rule_task_evaluates_a_deployed_decision_table(suite):
    m = Model("tam_ung_bang_thu", "Tạm ứng theo bảng quyết định")
    lane = m.lane("Lane_1", "Duyệt", people="role:officer", actions="approve")
    m.start("Start_1", lane)
    m.node("businessRuleTask", "Decide", lane, name="Xác định cấp duyệt", **{"camunda:decisionRef": "muc_duyet"})
    m.xor("Gateway_1", lane, default="Flow_head")
    m.user("Head", "Trưởng phòng duyệt", lane)
    m.user("Director", "Giám đốc duyệt", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Decide", "Gateway_1")
    m.flow("Gateway_1", "Head", flow_id="Flow_head")
    m.flow("Gateway_1", "Director", condition='${cap_duyet == "giam_doc"}')
    m.chain("Head", "End_1")
    m.chain("Director", "End_1")
    early = upload(suite, m.xml())
    assert early.status_code == 422 and "muc_duyet" in early.get_json()["problems"][0]["message"]
    broken = upload(suite, DMN.replace("<decision ", "<decisionX ").replace("</decision>", "</decisionX>"))
    assert broken.status_code == 422 and broken.get_json()["problems"], "a file with no decision is a sentence"
    table = upload(suite, DMN)
    assert table.status_code == 201 and table.get_json()["items"][0]["kind"] == "decision"
    assert upload(suite, m.xml()).status_code == 201
    process = suite.gateway.apps["process"].test_client()
    assert "muc_duyet" in {d["key"] for d in process.get(f"{P}/decisions").get_json()["items"]}
    assert "muc_duyet" not in {d["key"] for d in process.get(f"{P}/definitions").get_json()["items"]}
    hung_h, hung = suite.headers("phungtienhung"), suite.account("phungtienhung")["id"]
    for amount, expected in ((5_000_000, "Trưởng phòng duyệt"), (50_000_000, "Giám đốc duyệt")):
        started = process.post(f"{P}/instances", headers=hung_h, json={
            "process_key": "tam_ung_bang_thu", "unit_id": suite.unit(SKHCN)["id"],
            "variables": {"officer": hung, "so_tien": amount}})
        assert started.status_code == 201, started.get_json()
        assert [t["name"] for t in started.get_json()["current"]] == [expected]
    not_a_process = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "muc_duyet", "unit_id": suite.unit(SKHCN)["id"]})
    assert not_a_process.status_code == 404


def test_a_unit_pins_the_version_its_new_instances_start_on(suite):
    process = suite.gateway.apps["process"].test_client()
    for name in ("Việc phiên bản 1", "Việc phiên bản 2"):
        assert upload(suite, one_task("ghim_thu", "Ghim phiên bản", name).xml()).status_code == 201
    unit, admin = suite.unit(SKHCN), suite.headers("qt.sokhcn")
    url = f"{P}/units/{unit['id']}/processes/ghim_thu/staffing/version"
    assert process.put(url, headers=suite.headers("phungtienhung"), json={"version": 1}).status_code == 403
    assert process.put(url, headers=admin, json={"version": 7}).status_code == 404
    pinned = process.put(url, headers=admin, json={"version": 1})
    assert pinned.status_code == 200 and pinned.get_json()["pinned_version"] == 1
    hung_h, hung = suite.headers("phungtienhung"), suite.account("phungtienhung")["id"]

    def first_task():
        started = process.post(f"{P}/instances", headers=hung_h, json={
            "process_key": "ghim_thu", "unit_id": unit["id"], "variables": {"officer": hung}}).get_json()
        return started["definition_version"], started["current"][0]["name"]
    assert first_task() == (1, "Việc phiên bản 1")
    assert process.put(url, headers=admin, json={"version": None}).get_json()["pinned_version"] is None
    assert first_task() == (2, "Việc phiên bản 2")


def test_tasks_of_a_called_process_show_the_called_lanes_name(suite):
    assert upload(suite, one_task("con_ten_thu", "Con", "Việc của con").xml()).status_code == 201
    assert upload(suite, one_task("cha_ten_thu", "Cha", "Việc của cha", call=("con_ten_thu", {})).xml()
                  ).status_code == 201
    process = suite.gateway.apps["process"].test_client()
    hung_h, hung = suite.headers("phungtienhung"), suite.account("phungtienhung")["id"]
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "cha_ten_thu", "unit_id": suite.unit(SKHCN)["id"], "variables": {"officer": hung}}).get_json()
    (child,) = process.post(f"{P}/tasks/{started['current'][0]['id']}/complete", headers=hung_h,
                            json={}).get_json()["next"]
    assert child["step_name"] == "Cán bộ (Con)"
    inbox = process.get(f"{P}/inbox", headers=hung_h).get_json()["items"]
    assert {t["step_name"] for t in inbox if t["id"] == child["id"]} == {"Cán bộ (Con)"}
