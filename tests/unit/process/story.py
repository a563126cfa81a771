"""Shared steps of the field-report tests: staff PAHT for Sở Khoa học và Công nghệ as seed 000 §3 does."""
from __future__ import annotations

from services.common.envelope import make_event

SKHCN, SCT = "BT.01.01.13", "BT.01.01.01"
P = "/api/process"


def staff_field_report(suite, unit_code: str = SKHCN) -> dict:
    """Toàn at step 1, Toàn and Hùng at step 2, step 3 = the staff of step 1 (the BPMN default), confirmed."""
    process = suite.gateway.apps["process"].test_client()
    unit = suite.unit(unit_code)
    admin = suite.headers("qt.sokhcn")
    toan, hung = suite.account("dinhtruongtoan")["id"], suite.account("phungtienhung")["id"]
    url = f"{P}/units/{unit['id']}/processes/field_report/staffing"
    for lane, staff in (("Lane_distribute", [toan]), ("Lane_handle", [toan, hung])):
        response = process.patch(f"{url}/steps/{lane}", headers=admin, json={"staff": staff})
        assert response.status_code == 200, response.get_json()
    confirmed = process.post(f"{url}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.get_json()
    return {"unit": unit, "toan": toan, "hung": hung}


def report_event(report_id: str, unit_id: str, title: str = "Đèn đường hỏng trên đường Trần Hưng Đạo") -> dict:
    return make_event("ioc.field_report.received", source="ioc", subject=report_id, data={"report": {
        "id": report_id, "unit_id": unit_id, "title": title, "content": "Ba cột đèn không sáng từ tối qua.",
        "location": "Phường Phú Thủy, Phan Thiết", "reporter": "Nguyễn Thị Mai"}})


def start_report(suite, people, report_id="IOC-T-1") -> tuple[object, dict]:
    """A report from the IOC for the staffed unit; the distribution task it puts in Toàn's inbox."""
    suite.runtime("orgunits").bus.publish(report_event(report_id, people["unit"]["id"]))
    suite.deliver()
    process = suite.gateway.apps["process"].test_client()
    items = process.get(f"{P}/inbox", headers=suite.headers("dinhtruongtoan")).get_json()["items"]
    return process, next(t for t in items if t["name"] == "Phân phối phản ánh")
