"""Sự cố in the portal: an instance stopped because the outside system failed twice shows on its unit admin's
page with its error; the admin runs it again, or cancels it with a reason (a reason is asked for)."""
from __future__ import annotations

import io
import re

from tests.unit.portal.conftest import text
from tests.unit.process.story import P
from tests.unit.process.test_jobs import jobs_created, model
from tests.unit.security.world import world


def stopped(suite, w, title: str) -> None:
    """A started 'liên thông' whose job the worker fails twice: an incident."""
    process = suite.gateway.apps["process"].test_client()
    hung_h = suite.headers("phungtienhung")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "lien_thong_thu", "unit_id": w.a["id"], "title": title,
        "variables": {"officer": suite.account("phungtienhung")["id"]}}).get_json()
    process.post(f"{P}/tasks/{started['current'][0]['id']}/complete", headers=hung_h,
                 json={"data": {"trich_yeu": title}})
    job = jobs_created(suite)[-1]["job"]
    for _ in range(2):
        process.post(f"{P}/jobs/{job['id']}/failure", headers=w.headers("060091000701"),
                     json={"error": "Trục liên thông bận"})


def test_the_unit_admin_runs_a_stopped_instance_again_or_cancels_it_with_a_reason(browser, suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    assert process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(model().xml().encode()), "lien_thong.bpmn")}).status_code == 201
    worker = w.register("Máy chủ liên thông", "060091000701", w.a)
    w.grant(worker, w.a, ["process.work"])
    stopped(suite, w, "Công văn số 12")
    stopped(suite, w, "Công văn số 13")

    admin = browser()
    admin.sign_in("qt.sokhcn")
    assert 'href="/cong-viec/su-co"' in text(admin.get("/cong-viec")), "the admin's inbox leads to the incidents"
    page = text(admin.get(f"/cong-viec/su-co?unit_id={w.a['id']}"))
    assert "Công văn số 12" in page and "Công văn số 13" in page and "Trục liên thông bận" in page
    assert "Hệ thống bên ngoài không xử lý được" in page
    actions = re.findall(r'action="(/cong-viec/su-co/[0-9a-f]+/(?:thu-lai|huy))"', page)
    retry, cancel = actions[0], actions[3]     # the first one runs again, the second is cancelled
    assert retry.endswith("/thu-lai") and cancel.endswith("/huy") and retry.split("/")[3] != cancel.split("/")[3]
    ran = admin.post(retry, {"unit_id": w.a["id"]})
    assert ran.headers["Location"].endswith(w.a["id"]), "back to the same unit's incidents"
    assert "Đã cho chạy lại." in text(admin.get(ran.headers["Location"]))
    unexplained = admin.post(cancel, {"reason": " ", "unit_id": w.a["id"]})
    assert "Hãy ghi lý do hủy hồ sơ." in text(admin.get(unexplained.headers["Location"]))
    admin.get(f"/cong-viec/su-co?unit_id={w.a['id']}")
    cancelled = admin.post(cancel, {"reason": "Văn bản đã gửi bằng đường bưu điện", "unit_id": w.a["id"]})
    assert "Đã hủy hồ sơ." in text(admin.get(cancelled.headers["Location"]))
    left = text(admin.get(f"/cong-viec/su-co?unit_id={w.a['id']}"))
    assert "Không có hồ sơ nào đang dừng vì lỗi." in left
    admin.get(f"/cong-viec/su-co?unit_id={w.a['id']}")
    assert "flash error" in text(admin.get(admin.post(retry).headers["Location"])), "already resolved, said"

    officer = browser()
    officer.sign_in("dinhtruongtoan")
    assert 'href="/cong-viec/su-co"' not in text(officer.get("/cong-viec"))
