"""Messages between two pools correlated by a key, messages and signals from outside over HTTP, a message start
event starting a process for a unit — delivered from the bus when an instance throws them."""
from __future__ import annotations

import io

from tests.unit.process.drawn import Model
from tests.unit.process.story import P

SKHCN = "BT.01.01.13"
MESSAGES = ('<bpmn:message id="Msg_done" name="ho_so_da_duyet"/><bpmn:message id="Msg_new" name="dang_ky_moi"/>'
            '<bpmn:signal id="Sig_pause" name="tam_dung_tiep_nhan"/>')


def receiver_and_sender() -> str:
    """Two executable pools in one file: the one-stop shop waits for the department's decision on its file."""
    m = Model("mot_cua_thu", "Một cửa (thử)")
    lane = m.lane("Lane_1", "Bộ phận một cửa", people="role:officer")
    m.start("Start_1", lane)
    m.node("intermediateCatchEvent", "Wait_decision", lane, name="Chờ kết quả thẩm định",
           inner='<bpmn:messageEventDefinition messageRef="Msg_done"/>',
           extensions='<bpmn:extensionElements><camunda:properties><camunda:property name="correlate_by" '
                      'value="ma_ho_so"/></camunda:properties></bpmn:extensionElements>')
    m.user("Return_result", "Trả kết quả", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Wait_decision", "Return_result", "End_1")
    s = Model("tham_dinh_thu", "Thẩm định (thử)")
    lane = s.lane("Lane_s", "Phòng chuyên môn", people="role:officer")
    s.start("Start_s", lane)
    s.user("Appraise", "Thẩm định hồ sơ", lane)
    s.node("intermediateThrowEvent", "Send_decision", lane, name="Báo kết quả",
           inner='<bpmn:messageEventDefinition messageRef="Msg_done" '
                 'camunda:expression="{\'ma_ho_so\': ma_ho_so, \'ket_qua\': \'Đạt\'}"/>')
    s.end("End_s", lane)
    s.chain("Start_s", "Appraise", "Send_decision", "End_s")
    m.outside = s.process_xml() + MESSAGES
    return m.xml()


def started_by_message() -> str:
    m = Model("dang_ky_thu", "Đăng ký qua cổng (thử)")
    lane = m.lane("Lane_1", "Tiếp nhận", people="role:officer")
    m.start("Start_1", lane, inner='<bpmn:messageEventDefinition messageRef="Msg_new"/>')
    m.node("intermediateCatchEvent", "Pause", lane, name="Chờ mở lại tiếp nhận",
           inner='<bpmn:signalEventDefinition signalRef="Sig_pause"/>')
    m.user("Receive", "Tiếp nhận đăng ký", lane)
    m.end("End_1", lane)
    m.chain("Start_1", "Pause", "Receive", "End_1")
    m.outside = MESSAGES
    return m.xml()


def test_a_message_thrown_by_one_pool_reaches_the_instance_of_the_other_with_the_same_file_number(suite):
    process = suite.gateway.apps["process"].test_client()
    admin = suite.headers("admin")
    deployed = process.post(f"{P}/definitions", headers=admin, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(receiver_and_sender().encode()), "mot_cua.bpmn")})
    assert deployed.status_code == 201, deployed.get_json()
    assert {d["key"] for d in deployed.get_json()["items"]} == {"mot_cua_thu", "tham_dinh_thu"}
    hung_h, unit = suite.headers("phungtienhung"), suite.unit(SKHCN)["id"]
    hung = suite.account("phungtienhung")["id"]

    def start(key, number):
        answer = process.post(f"{P}/instances", headers=hung_h, json={
            "process_key": key, "unit_id": unit, "variables": {"officer": hung, "ma_ho_so": number}})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()
    first, second = start("mot_cua_thu", "HS-1"), start("mot_cua_thu", "HS-2")
    assert first["current"] == [] and second["current"] == [], "both wait for a decision"
    sender = start("tham_dinh_thu", "HS-1")
    process.post(f"{P}/tasks/{sender['current'][0]['id']}/complete", headers=hung_h, json={})
    suite.deliver()
    reached = process.get(f"{P}/instances/{first['id']}", headers=hung_h).get_json()
    assert [t["name"] for t in reached["current"]] == ["Trả kết quả"]
    assert "message_received" in [h["action"] for h in reached["history"]]
    assert process.get(f"{P}/instances/{second['id']}", headers=hung_h).get_json()["current"] == [], \
        "HS-2's file is not HS-1's"

    refused = process.post(f"{P}/messages", headers=hung_h, json={
        "name": "ho_so_da_duyet", "correlation_key": "HS-2", "variables": {"ket_qua": "Đạt"}})
    assert refused.status_code == 403, "telling instances is for workers (process.work)"
    told = process.post(f"{P}/messages", headers=admin, json={
        "name": "ho_so_da_duyet", "correlation_key": "HS-2", "variables": {"ket_qua": "Không đạt"}})
    assert told.status_code == 200 and told.get_json()["delivered"] == [second["id"]]
    nobody = process.post(f"{P}/messages", headers=admin, json={"name": "ho_so_da_duyet", "correlation_key": "HS-9"})
    assert nobody.status_code == 404 and nobody.get_json()["code"] == "nothing_waits"


def test_a_message_starts_a_process_for_a_unit_and_a_signal_reaches_every_waiting_instance(suite):
    process = suite.gateway.apps["process"].test_client()
    admin = suite.headers("admin")
    assert process.post(f"{P}/definitions", headers=admin, content_type="multipart/form-data", data={
        "file": (io.BytesIO(started_by_message().encode()), "dang_ky.bpmn")}).status_code == 201
    unit, hung = suite.unit(SKHCN)["id"], suite.account("phungtienhung")["id"]
    started = [process.post(f"{P}/messages", headers=admin, json={
        "name": "dang_ky_moi", "unit_id": unit, "correlation_key": f"DK-{n}", "variables": {"officer": hung}})
        for n in (1, 2)]
    assert all(r.status_code == 200 and len(r.get_json()["started"]) == 1 for r in started), \
        [r.get_json() for r in started]
    ids = [r.get_json()["started"][0] for r in started]
    heard = process.post(f"{P}/signals", headers=admin, json={"name": "tam_dung_tiep_nhan"})
    assert heard.status_code == 200 and sorted(heard.get_json()["delivered"]) == sorted(ids)
    detail = process.get(f"{P}/instances/{ids[0]}", headers=admin).get_json()
    assert detail["business_key"] == "DK-1" and [t["name"] for t in detail["current"]] == ["Tiếp nhận đăng ký"]
