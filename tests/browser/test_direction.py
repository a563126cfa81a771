"""Seed 001's task-direction story in the browser: UBND tỉnh's creator gives a task to Sở Tài nguyên và Môi trường
on the form (the unit chosen, its representative appears); the representative forwards it to an officer, who
refuses; it comes back and is forwarded again; the officer gives two sub-tasks to two units below, and the deepest
branch goes two levels further down (over the API); everything completes with files; the follower in UBND tỉnh
rejects once, then approves. Each screen is saved and checked with axe."""
from __future__ import annotations

from tests.browser.conftest import screen, signed_in
from tests.unit.process.direction_world import CHINHANH, PHANTHIET, STNMT, TTQT, VPDK, direction_world

NAME = "Rà soát hiện trạng sử dụng đất ven biển Phan Thiết"


def _person(live, w, new_page, key: str):
    return signed_in(live, new_page, w.logins[key])


def _act(page, action: str, reason: str | None = None, to: str | None = None, file: tuple | None = None) -> None:
    form = page.locator(f"form#{action}")
    if to:
        form.get_by_label("Chuyển cho").select_option(label=to)
    if file:
        form.locator("input[type=file]").set_input_files(
            files=[{"name": file[0], "mimeType": "application/pdf", "buffer": file[1]}])
    if reason:
        form.locator("textarea").fill(reason)
    form.locator("button[type=submit]").click()
    page.locator(".flash").first.wait_for()


def _done_below(w, doer: str, approver: str, task_id: str) -> None:
    assert w.attach(doer, task_id, name="ket-qua.pdf").status_code == 201
    assert w.act(doer, task_id, "complete").status_code == 200
    assert w.act(approver, task_id, "approve").status_code == 200


def test_seed_001_story_in_the_browser(live, browser_page):
    w = direction_world(live)
    problems = {}

    creator = _person(live, w, browser_page, "creator")
    creator.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Nhiệm vụ").click()
    creator.get_by_role("link", name="Giao nhiệm vụ").first.click()
    creator.get_by_label("Số / ký hiệu").fill("125/UBND-KT")
    creator.get_by_label("Trích yếu").fill("Về việc rà soát, báo cáo hiện trạng sử dụng đất ven biển")
    creator.get_by_label("Người giao").select_option(label="Nguyễn Văn Chủ Tịch")
    creator.get_by_label("Trần Thị Phó Chủ Tịch").check()
    creator.get_by_label("Tên nhiệm vụ").fill(NAME)
    creator.get_by_label("Đơn vị thực hiện (đơn vị cấp dưới)").select_option(value=w.unit_id(STNMT))
    creator.get_by_label("Phạm Đại Diện").check()          # the form re-drew with the unit's receivers
    creator.get_by_label("Hạn xử lý").fill("2099-03-31")
    creator.get_by_label("Bút phê (ý kiến chỉ đạo)").fill("Khẩn trương thực hiện, báo cáo trước hạn")
    creator.locator("#files").set_input_files(files=[{"name": "cong-van-125.pdf", "mimeType": "application/pdf",
                                                      "buffer": b"%PDF-1.4 cong van"}])
    problems["form"] = screen(creator, "30-nhiem-vu-giao")
    creator.get_by_role("button", name="Giao nhiệm vụ").click()
    creator.get_by_text("Đã giao 1 nhiệm vụ.").wait_for()
    problems["list"] = screen(creator, "31-nhiem-vu-danh-sach")

    rep = _person(live, w, browser_page, "rep")
    rep.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Nhiệm vụ").click()
    rep.get_by_role("link", name=NAME).click()
    task_url = rep.url
    problems["task"] = screen(rep, "32-nhiem-vu-tiep-nhan")
    _act(rep, "forward", "Đề nghị anh Hoàng chủ trì", to="Hoàng Chuyên Viên")

    officer = _person(live, w, browser_page, "officer")
    officer.goto(task_url)
    _act(officer, "refuse", "Không thuộc chức năng của phòng")
    rep.goto(task_url)
    rep.get_by_text("Không thuộc chức năng của phòng").first.wait_for()
    _act(rep, "forward", "Đã trao đổi, đề nghị thực hiện", to="Hoàng Chuyên Viên")

    officer.goto(task_url)
    for code, rep_name, name in ((TTQT, "Đặng Quan Trắc", "Quan trắc môi trường ven biển"),
                                 (VPDK, "Bùi Đăng Ký", "Thống kê hồ sơ đất ven biển")):
        form = officer.locator("form#subtask")
        form.get_by_label("Tên nhiệm vụ con").fill(name)
        form.get_by_label("Đơn vị thực hiện (cấp dưới đơn vị bạn)").select_option(value=w.unit_id(code))
        form.get_by_label(rep_name).check()
        form.get_by_label("Hạn xử lý").fill("2099-03-15")
        form.get_by_role("button", name="Giao nhiệm vụ con").click()
        officer.get_by_text("Đã giao nhiệm vụ con.").wait_for()
    root = task_url.rsplit("/", 1)[1]
    subtasks = {t["name"]: t["id"] for t in w.page("officer", root)["subtasks"]}
    vpdk = subtasks["Thống kê hồ sơ đất ven biển"]
    cn = w.subtask("rep_vpdk", vpdk, CHINHANH, "rep_cn", "Tổng hợp số liệu các chi nhánh").get_json()["id"]
    pt = w.subtask("rep_cn", cn, PHANTHIET, "rep_pt", "Số liệu chi nhánh Phan Thiết").get_json()["id"]
    assert w.process.post(f"/api/process/direction/tasks/{pt}/progress", headers=w.h("rep_pt"),
                          json={"percent": 60}).status_code == 200
    officer.goto(task_url)
    officer.get_by_text("Số liệu chi nhánh Phan Thiết").wait_for()   # the tree shows three levels below
    assert officer.evaluate("document.documentElement.scrollWidth") <= 1280     # nothing to scroll sideways
    problems["tree"] = screen(officer, "33-nhiem-vu-cay-nhiem-vu-con")

    _done_below(w, "rep_pt", "rep_cn", pt)
    _done_below(w, "rep_cn", "rep_vpdk", cn)
    _done_below(w, "rep_vpdk", "officer", vpdk)
    _done_below(w, "rep_ttqt", "officer", subtasks["Quan trắc môi trường ven biển"])

    officer.goto(task_url)
    _act(officer, "complete", "Báo cáo tổng hợp", file=("bao-cao-tong-hop.pdf", b"%PDF-1.4 tong hop"))
    follower = _person(live, w, browser_page, "follower")
    follower.goto(task_url)
    problems["approve"] = screen(follower, "34-nhiem-vu-duyet")
    _act(follower, "reject", "Thiếu số liệu diện tích rừng phòng hộ")
    officer.goto(task_url)
    _act(officer, "complete", "Đã bổ sung", file=("bao-cao-bo-sung.pdf", b"%PDF-1.4 bo sung"))
    follower.goto(task_url)
    _act(follower, "approve")
    follower.get_by_role("heading", name=NAME).locator(".badge").get_by_text("Hoàn thành").wait_for()
    problems["done"] = screen(follower, "35-nhiem-vu-hoan-thanh")
    history = follower.locator("#history").inner_text()
    for word in ("Giao nhiệm vụ", "Chuyển xử lý", "Từ chối", "Giao nhiệm vụ con", "Hoàn thành", "Không duyệt",
                 "Duyệt kết quả"):
        assert word in history

    follower.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Nhiệm vụ").click()
    follower.get_by_role("link", name="Báo cáo").click()
    follower.locator("svg.bars").wait_for()
    problems["report"] = screen(follower, "36-nhiem-vu-bao-cao")
    with follower.expect_download() as download:
        follower.get_by_role("link", name="Xuất Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert {k: v for k, v in problems.items() if v} == {}
