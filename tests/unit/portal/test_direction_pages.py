"""Nhiệm vụ in the portal, as the people of seed 001 use it: the creator gives a task (the form re-draws with the
chosen unit's representatives, keeps what was typed when refused), the representative finds it in both inboxes and
forwards it, the officer reports progress, gives a sub-task and completes with a file, the follower approves; the
report shows its chart and exports; the settings page saves a role."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.unit.portal.conftest import Browser, text
from tests.unit.process.direction_world import STNMT, TTQT, UBND, direction_world


def _signed(suite, w, key: str) -> Browser:
    browser = Browser(suite)
    browser.sign_in(w.logins[key])
    return browser


def _task_form(w, **extra) -> dict:
    return {"task_count": "1", "number": "125/UBND-KT", "doc_date": "2026-11-20", "summary": "Rà soát đất ven biển",
            "assigner_id": w.ids["assigner"], "follower_ids": [w.ids["follower"]],
            "t0_name": "Rà soát hiện trạng sử dụng đất ven biển", "t0_unit": w.unit_id(STNMT),
            "t0_reps": [w.ids["rep"]], "t0_priority": "high", "t0_deadline": "2099-03-31",
            "t0_note": "Khẩn trương thực hiện"} | extra


def test_giving_working_and_approving_a_task_in_the_portal(suite):
    w = direction_world(suite)
    creator = _signed(suite, w, "creator")
    form = creator.get("/nhiem-vu/giao")
    assert form.status_code == 200
    page = text(form)
    assert "Sở Tài Nguyên và Môi Trường" in page and "Nguyễn Văn Chủ Tịch" in page
    # choosing the unit re-draws the form with its representatives; "Thêm nhiệm vụ" adds a block
    redrawn = text(creator.post("/nhiem-vu/giao", {**_task_form(w), "t0_reps": [], "step": "redraw"}, htmx=True))
    assert "Phạm Đại Diện" in redrawn and 'value="Rà soát hiện trạng sử dụng đất ven biển"' in redrawn
    added = text(creator.post("/nhiem-vu/giao", {**_task_form(w), "step": "add"}))
    assert 'id="t1_name"' in added
    # refused: what was typed stays and the sentence says why
    refused = text(creator.post("/nhiem-vu/giao", {**_task_form(w, follower_ids=[w.ids["rep"]]), "step": "save"}))
    assert "không thể vừa là người theo dõi vừa là người được giao" in refused
    assert 'value="125/UBND-KT"' in refused
    saved = creator.post("/nhiem-vu/giao", {**_task_form(w), "step": "save",
                                             "files": (io.BytesIO(b"%PDF-1.4 cong van"), "cong-van.pdf")},
                         content_type="multipart/form-data")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/nhiem-vu?view=created")
    created = text(creator.get("/nhiem-vu?view=created"))
    task_id = re.search(r'href="/nhiem-vu/([0-9a-f]{32})"', created).group(1)
    # filtered by the executing unit (offered among the units below): the Sở's task, then none for another unit
    assert "Trung tâm Quan trắc Tài nguyên và Môi trường" in created
    assert task_id in text(creator.get("/nhiem-vu", query_string={"view": "created",
                                                                   "executing_unit_id": w.unit_id(STNMT)}))
    assert "Không có nhiệm vụ nào ở đây." in text(creator.get("/nhiem-vu", query_string={
        "view": "created", "executing_unit_id": w.unit_id(TTQT)}))

    # the representative: the task in the list with its bucket, and in the process inbox linking here
    rep = _signed(suite, w, "rep")
    listed = text(rep.get("/nhiem-vu"))
    assert "Rà soát hiện trạng sử dụng đất ven biển" in listed and "Trong hạn" in listed
    inbox = text(rep.get("/cong-viec"))
    link = re.search(r'href="(/nhiem-vu/ho-so/[0-9a-f]{32})"', inbox).group(1)
    assert rep.get(link).headers["Location"].endswith(f"/nhiem-vu/{task_id}")
    page = text(rep.get(f"/nhiem-vu/{task_id}"))
    assert "Chuyển xử lý" in page and "Hoàng Chuyên Viên" in page and "cong-van.pdf" in page
    forwarded = rep.post(f"/nhiem-vu/{task_id}/thao-tac/forward", {"to": w.ids["officer"], "reason": "Chủ trì"})
    assert forwarded.status_code == 302

    # the officer: progress, a sub-task, a refused completion (open sub-task), then the sub-task is done
    officer = _signed(suite, w, "officer")
    assert officer.post(f"/nhiem-vu/{task_id}/tien-do", {"percent": "30", "note": "Đã họp"}).status_code == 302
    page = text(officer.get(f"/nhiem-vu/{task_id}", query_string={"sub_unit": w.unit_id(TTQT)}))
    assert "Trung tâm Quan trắc Tài nguyên và Môi trường" in page and "Đặng Quan Trắc" in page
    assert officer.post(f"/nhiem-vu/{task_id}/nhiem-vu-con", {
        "name": "Quan trắc ven biển", "unit": w.unit_id(TTQT), "reps": w.ids["rep_ttqt"],
        "deadline": "2099-03-15"}).status_code == 302
    early = officer.post(f"/nhiem-vu/{task_id}/thao-tac/complete", {
        "reason": "Xong", "files": (io.BytesIO(b"%PDF-1.4 ket qua"), "ket-qua.pdf")},
        content_type="multipart/form-data")
    assert early.status_code == 302
    assert "Còn nhiệm vụ con chưa xong" in text(officer.get(f"/nhiem-vu/{task_id}"))
    done = officer.post(f"/nhiem-vu/{task_id}/thao-tac/complete", {
        "reason": "Xong", "with_open_subtasks": "on"}, content_type="multipart/form-data")
    assert done.status_code == 302

    follower = _signed(suite, w, "follower")
    page = text(follower.get(f"/nhiem-vu/{task_id}"))
    assert "Duyệt kết quả" in page and "Quan trắc ven biển" in page and "Lịch sử xử lý" in page
    assert follower.post(f"/nhiem-vu/{task_id}/thao-tac/approve", {}).status_code == 302
    assert "Hoàn thành" in text(follower.get(f"/nhiem-vu/{task_id}"))

    # the report of UBND tỉnh: a chart, the figures, the drill-down, the workbook
    report = text(follower.get("/nhiem-vu/bao-cao"))
    assert "<svg" in report and "Sở Tài Nguyên và Môi Trường" in report and "Tổng cộng" in report
    drill = text(follower.get("/nhiem-vu/bao-cao", query_string={"measure": "done_on_time"}))
    assert "Rà soát hiện trạng sử dụng đất ven biển" in drill
    export = follower.get("/nhiem-vu/bao-cao/xuat")
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.data)).active.max_row >= 5


def test_the_settings_page_sets_up_a_units_roles(suite):
    w = direction_world(suite)
    admin = Browser(suite)
    admin.sign_in("admin")
    page = text(admin.get("/nhiem-vu/cai-dat", query_string={"unit_id": w.unit_id(UBND)}))
    assert "Nhóm trạng thái mặc định" in page and "Lê Văn Thư" in page
    saved = admin.post(f"/nhiem-vu/cai-dat/{w.unit_id(UBND)}/vai-tro/assign/head",
                       {"accounts": [w.ids["assigner"]]})
    assert saved.status_code == 302
    setup = w.process.get(f"/api/process/direction/units/{w.unit_id(UBND)}/setup",
                          headers=suite.headers("admin")).get_json()
    assert [p["id"] for p in setup["roles"]["assign"]["head"]] == [w.ids["assigner"]]
    officer = _signed(suite, w, "officer")
    assert "Lưu thiết lập" not in text(officer.get("/nhiem-vu/cai-dat"))
