"""Cấu hình quy trình as seed 000 §3 does it in the portal: the unit's catalogue (PAHT not configured), the step
table with the model's defaults, staff chosen per step (step 3 = the staff of step 1), a bad time refused with a
sentence, confirm complete, the audit; an officer is not offered the screen."""
from __future__ import annotations

import re

from tests.unit.portal.conftest import text


def test_a_unit_admin_staffs_paht_step_by_step_and_confirms(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    home = text(admin.get("/cong-viec"))
    assert "Cấu hình quy trình" in home
    catalogue = text(admin.get("/quan-tri/quy-trinh"))
    row = re.search(r'<a href="(/quan-tri/quy-trinh/field_report[^"]*)">([^<]+)</a>.*?badge status-(\w+)', catalogue,
                    re.S)
    assert row and row.group(3) == "not_configured", catalogue[:2000]
    url = row.group(1).replace("&amp;", "&")
    page = text(admin.get(url))
    lanes = re.findall(r'id="step-(Lane_\w+)"', page)
    assert lanes == ["Lane_distribute", "Lane_handle", "Lane_approve"], lanes
    assert "Đinh Trường Toàn" in page and "Phân phối" in page and "Trả về IOC" in page
    toan, hung = suite.account("dinhtruongtoan")["id"], suite.account("phungtienhung")["id"]
    unit = suite.unit("BT.01.01.13")["id"]
    base = f"/quan-tri/quy-trinh/field_report/buoc/{{}}?unit_id={unit}"
    bad = admin.post(base.format("Lane_distribute"), {"people_source": "staff", "staff": toan, "time_kind": "share",
                                                      "time_amount": "mười", "actions": ["assign", "return_to_ioc"]},
                     htmx=True)
    assert bad.status_code == 400 and "phải là một số" in text(bad)
    saved = admin.post(base.format("Lane_distribute"), {
        "people_source": "staff", "staff": toan, "time_kind": "share", "time_amount": "10", "push": "on",
        "actions": ["assign", "delegate", "return_to_ioc"], "display_name": "Tiếp nhận, phân phối"}, htmx=True)
    assert saved.status_code == 200 and "Đã lưu bước." in text(saved), text(saved)[:3000]
    admin.post(base.format("Lane_handle"), {"people_source": "staff", "staff": [toan, hung], "time_kind": "share",
                                            "time_amount": "70", "push": "on", "attachment_required": "on",
                                            "actions": ["handle", "return_to_previous", "request_extension",
                                                        "delegate"], "display_name": "Xử lý"}, htmx=True)
    admin.post(base.format("Lane_approve"), {"people_source": "step:1", "time_kind": "share", "time_amount": "20",
                                             "actions": ["approve", "return_to_previous"],
                                             "display_name": "Phê duyệt"}, htmx=True)
    confirmed = admin.post(f"/quan-tri/quy-trinh/field_report/xac-nhan?unit_id={unit}", htmx=True)
    assert confirmed.status_code == 200 and "Đã xác nhận cấu hình đầy đủ" in text(confirmed), text(confirmed)[:3000]
    staffing = suite.gateway.apps["process"].test_client().get(
        f"/api/process/units/{unit}/processes/field_report/staffing", headers=suite.headers("qt.sokhcn")).get_json()
    steps = {s["lane_id"]: s for s in staffing["steps"]}
    assert staffing["status"] == "complete"
    assert steps["Lane_distribute"]["staff"] == [toan] and sorted(steps["Lane_handle"]["staff"]) == sorted([toan, hung])
    assert steps["Lane_approve"]["staff_of_step"] == 1 and steps["Lane_handle"]["attachment_required"] is True
    assert [s["time_share_percent"] for s in staffing["steps"]] == [10, 70, 20]
    log = text(admin.get(f"/quan-tri/quy-trinh/field_report/nhat-ky?unit_id={unit}", headers={"HX-Request": "true"}))
    assert "Xác nhận cấu hình đầy đủ" in log and "Sửa bước" in log and "confirmed" not in log

    officer = browser()
    officer.sign_in("phungtienhung")
    assert "Cấu hình quy trình" not in text(officer.get("/cong-viec"))
    assert officer.get(url).status_code == 403
