"""Seed 000 §3: the admin of Sở Khoa học và Công nghệ staffs the field-report process (PAHT) — Đinh Trường
Toàn at step 1, Toàn and Phùng Tiến Hùng at step 2, step 3 = the staff of step 1, 10/70/20 % — and confirms."""
from __future__ import annotations

SKHCN, SCT = "BT.01.01.13", "BT.01.01.01"


def base(unit_id: str) -> str:
    return f"/api/process/units/{unit_id}/processes"


def test_unit_admin_staffs_the_field_report_process_and_confirms(suite):
    process = suite.gateway.apps["process"].test_client()
    skhcn = suite.unit(SKHCN)
    admin = suite.headers("qt.sokhcn")
    toan, hung = suite.account("dinhtruongtoan")["id"], suite.account("phungtienhung")["id"]
    catalogue = {p["key"]: p for p in process.get(base(skhcn["id"]), headers=admin).get_json()["items"]}
    field_report = catalogue["field_report"]
    assert (field_report["abbreviation"], field_report["status"]) == ("PAHT", "not_configured")
    staffing = process.get(f"{base(skhcn['id'])}/field_report/staffing", headers=admin).get_json()
    assert [(s["display_name"], s["time_share_percent"], s["staff_of_step"]) for s in staffing["steps"]] == [
        ("Tiếp nhận, phân phối", 10, None), ("Xử lý", 70, None), ("Phê duyệt", 20, 1)]
    early = process.post(f"{base(skhcn['id'])}/field_report/staffing/confirm", headers=admin)
    assert early.status_code == 409 and "Tiếp nhận, phân phối" in early.get_json()["detail"]

    url = f"{base(skhcn['id'])}/field_report/staffing/steps"
    assert process.patch(f"{url}/Lane_distribute", headers=admin, json={"staff": [toan]}).status_code == 200
    assert process.patch(f"{url}/Lane_handle", headers=admin, json={"staff": [toan, hung]}).status_code == 200
    confirmed = process.post(f"{base(skhcn['id'])}/field_report/staffing/confirm", headers=admin)
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "complete"
    steps = confirmed.get_json()["steps"]
    assert [s["staff"] for s in steps] == [[toan], [toan, hung], []] and steps[2]["staff_of_step"] == 1
    catalogue = {p["key"]: p for p in process.get(base(skhcn["id"]), headers=admin).get_json()["items"]}
    assert (catalogue["field_report"]["status"], catalogue["leave_request"]["status"]) == ("complete",
                                                                                            "not_configured")
    audit = process.get(f"{base(skhcn['id'])}/field_report/staffing/audit", headers=admin).get_json()["items"]
    assert [a["action"] for a in audit] == ["step_updated", "step_updated", "confirmed"]
    assert suite.outbox_types("process").count("process.staffing.changed") == 3


def test_staffing_accepts_only_active_people_of_the_subtree_and_declared_actions(suite):
    process = suite.gateway.apps["process"].test_client()
    skhcn, sct = suite.unit(SKHCN), suite.unit(SCT)
    admin = suite.headers("qt.sokhcn")
    outsider = suite.identity.post("/api/identity/register", json={
        "full_name": "Người Ngoài Sở", "citizen_id": "060079000123", "unit_id": sct["id"]}).get_json()
    suite.deliver()
    url = f"{base(skhcn['id'])}/field_report/staffing/steps/Lane_handle"
    wrong_unit = process.patch(url, headers=admin, json={"staff": [outsider["id"]]})
    assert wrong_unit.status_code == 422 and outsider["id"] in wrong_unit.get_json()["detail"]
    not_declared = process.patch(url, headers=admin, json={"actions": ["handle", "approve"]})
    assert not_declared.status_code == 422 and "approve" in not_declared.get_json()["detail"]
    fewer = process.patch(url, headers=admin, json={"actions": ["handle", "return_to_previous"]})
    assert fewer.status_code == 200


def test_only_admins_of_the_unit_may_staff_it_and_reset_restores_the_defaults(suite):
    process = suite.gateway.apps["process"].test_client()
    skhcn, sct = suite.unit(SKHCN), suite.unit(SCT)
    url = f"{base(skhcn['id'])}/field_report/staffing/steps/Lane_handle"
    assert process.patch(url, headers=suite.headers("dinhtruongtoan"), json={"push": False}).status_code == 403
    other = f"{base(sct['id'])}/field_report/staffing/steps/Lane_handle"
    assert process.patch(other, headers=suite.headers("qt.sokhcn"), json={"push": False}).status_code == 403
    admin = suite.headers("qt.sokhcn")
    assert process.patch(url, headers=admin, json={"push": False, "time_share_percent": 60}).status_code == 200
    reset = process.post(f"{base(skhcn['id'])}/field_report/staffing/reset", headers=admin).get_json()
    handle = next(s for s in reset["steps"] if s["lane_id"] == "Lane_handle")
    assert (handle["push"], handle["time_share_percent"], reset["status"]) == (True, 70, "not_configured")
