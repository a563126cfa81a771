"""Cấu hình thông báo in the portal: a unit admin switches a channel for their unit's people (saved at once, the
source said), edits a template with a preview on the example (a template that cannot render is refused in
words), and reads the delivery log with a replay of what was parked."""
from __future__ import annotations

import re

from tests.unit.portal.conftest import text


def test_a_unit_admin_switches_a_channel_for_their_unit_and_edits_a_template_with_a_preview(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    page = text(admin.get("/quan-tri/thong-bao"))
    assert "Cấu hình thông báo" in page and "Sở Khoa học và Công nghệ" in page
    assert "Việc mới tại bước" in page and "Người được giao" in page and "Thư điện tử" in page
    skhcn = suite.unit("BT.01.01.13")["id"]
    switched = admin.post("/quan-tri/thong-bao/quy-tac", {"event_type": "process.task.created", "role": "assignee",
                                                         "channel": "email", "unit_id": skhcn}, htmx=True)
    assert switched.status_code == 200 and "Đã lưu" in text(switched) and "riêng đơn vị" in text(switched)
    assert "checked" not in text(switched), "switched off"
    rules = suite.gateway.apps["notify"].test_client().get(
        "/api/notify/rules", query_string={"event_type": "process.task.created", "unit_id": skhcn},
        headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert next(r for r in rules if r["role"] == "assignee" and r["channel"] == "email")["enabled"] is False
    province = admin.post("/quan-tri/thong-bao/quy-tac", {"event_type": "process.task.created", "role": "assignee",
                                                          "channel": "email", "unit_id": suite.unit("BT")["id"],
                                                          "enabled": "on"}, htmx=True)
    assert "flash error" in text(province), "the province's rule is not this admin's to change, said"

    url = "/quan-tri/thong-bao/mau/process.task.created/in_app"
    form = text(admin.get(url))
    assert "Có việc mới" in form and "Xem trước" in form
    mine = {"subject": "Việc mới: {{ data.task.name }}", "body": "Hạn {{ data.task.due_at | local }}", "unit_id": skhcn}
    preview = admin.post(url, {**mine, "action": "preview"})
    assert preview.status_code == 200
    assert re.search(r"Việc mới: Báo cáo tình hình triển khai chuyển đổi số quý IV", text(preview))
    assert "Hạn 17:00 15/12/2026" in text(preview), "the example, rendered as it would be sent"
    broken = admin.post(url, {"subject": "x", "body": "{{ data.__class__ }}", "action": "save", "unit_id": skhcn})
    assert broken.status_code == 400 and "flash error" in text(broken)
    saved = admin.post(url, {**mine, "action": "save"})
    assert saved.status_code == 302 and "Đã lưu mẫu thông báo." in text(admin.get(saved.headers["Location"]))
    assert admin.get("/quan-tri/thong-bao/mau/process.task.created/fax").status_code == 404


def test_the_delivery_log_lists_parked_messages_and_replays_one(browser, suite):
    admin = browser()
    admin.sign_in("admin")
    log = text(admin.get("/quan-tri/thong-bao/gui-di"))
    assert "Nhật ký gửi thư, tin nhắn" in log
    parked = text(admin.get("/quan-tri/thong-bao/gui-di?status=parked"))
    replays = re.findall(r'action="(/quan-tri/thong-bao/gui-di/\d+/gui-lai)"', parked)
    assert replays, "with no mail server configured, the messages wait, parked"
    admin.get("/quan-tri/thong-bao/gui-di?status=parked")
    done = admin.post(replays[0])
    assert "Đã đưa vào hàng gửi lại" in text(admin.get(done.headers["Location"]))
