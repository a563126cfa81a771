"""Seed 002 in the browser: an officer fills the Kê khai form (department from a list, salary coefficient written
the Vietnamese way), submits it, names their residence party cell by typing its name without diacritics; the
unit's approver reads the declared values against the record on the task in Công việc and approves; the officer's
record shows them. Each screen is saved and has no serious accessibility violation."""
from __future__ import annotations

from tests.browser.conftest import screen, signed_in
from tests.unit.orgunits.test_party_organisations import png


def test_an_officer_declares_and_the_approver_approves_in_the_browser(live, browser_page):
    province = live.headers("qt.binhthuan")
    parent = live.unit("BT.01.01.13")
    for code, name, kind in (("TU-B", "Tỉnh ủy Bình Thuận", "party_provincial"),
                             ("DU-B", "Đảng ủy Khối các cơ quan tỉnh", "party_upper"),
                             ("CB-B", "Chi bộ khu phố 3 Phú Thủy", "party_grassroots")):
        parent = live.orgunits.post("/api/orgunits/units", headers=province, json={
            "parent_id": parent["id"], "code": code, "name": name, "kind": kind}).get_json()

    officer = signed_in(live, browser_page, "dinhtruongtoan")
    officer.get_by_role("link", name="Kê khai", exact=True).click()
    officer.get_by_role("heading", name="Kê khai thông tin cá nhân").wait_for()
    officer.get_by_label("Bộ phận", exact=False).and_(officer.locator("select")).select_option(label="Quản lý khoa học")
    officer.get_by_label("Chức vụ").fill("Chuyên viên chính")
    officer.get_by_label("Mã ngạch / mã chức danh nghề nghiệp").fill("01.002")
    officer.get_by_label("Hệ số lương").fill("4,40")
    assert screen(officer, "30-ke-khai") == []
    officer.get_by_role("button", name="Nộp phiếu").click()
    officer.get_by_text("Đã nộp phiếu kê khai.").wait_for()
    officer.get_by_label("Tìm chi bộ, đảng bộ cơ sở hoặc đảng bộ bộ phận").fill("khu pho 3")
    officer.get_by_label("Chi bộ khu phố 3 Phú Thủy").check()
    officer.get_by_role("button", name="Cập nhật thông tin chi bộ sinh hoạt nơi cư trú").click()
    officer.get_by_text("Đã cập nhật chi bộ sinh hoạt nơi cư trú.").wait_for()
    assert officer.get_by_text("Tỉnh ủy Bình Thuận › Đảng ủy Khối các cơ quan tỉnh › Chi bộ khu phố 3 Phú Thủy") \
        .is_visible()
    assert screen(officer, "31-ke-khai-da-nop") == []
    live.deliver()

    approver = signed_in(live, browser_page, "qt.sokhcn")
    approver.get_by_role("link", name="Phê duyệt phiếu kê khai").first.click()
    approver.get_by_role("heading", name="Nội dung đề nghị").wait_for()
    assert approver.get_by_role("row", name="Hệ số lương").get_by_text("4,40").is_visible()
    assert screen(approver, "32-phe-duyet-ke-khai") == []
    approver.get_by_role("button", name="Phê duyệt").click()
    approver.get_by_role("heading", name="Công việc").wait_for()
    live.deliver()

    officer.reload()
    officer.get_by_text("Đã phê duyệt").first.wait_for()
    assert officer.get_by_role("definition").filter(has_text="01.002").is_visible()
    assert officer.get_by_role("definition").filter(has_text="4,40").is_visible()


def test_a_party_organisation_shows_its_seal(live, browser_page):
    """Seed 003 §5: the seal image uploaded on the organisation's page is shown there."""
    province = live.headers("qt.binhthuan")
    organisation = live.orgunits.post("/api/orgunits/units", headers=province, json={
        "parent_id": live.unit("BT.01.01.13")["id"], "code": "DBCS-B", "name": "Đảng bộ cơ sở Sở KH&CN",
        "kind": "party_grassroots"}).get_json()
    admin = signed_in(live, browser_page, "qt.binhthuan")
    admin.goto(f"{live.base}/don-vi/{organisation['id']}")
    admin.get_by_label("Con dấu", exact=True).check()
    admin.get_by_label("Tên con dấu / tên chữ ký").fill("Con dấu Đảng bộ cơ sở")
    admin.get_by_label("Tệp hình ảnh").set_input_files(files=[{"name": "con-dau.png", "mimeType": "image/png",
                                                             "buffer": png(48, 48)}])
    admin.get_by_role("button", name="Tải lên").click()
    admin.get_by_text("Đã lưu hình ảnh con dấu.").wait_for()
    seal = admin.get_by_role("img", name="Con dấu: Con dấu Đảng bộ cơ sở")
    assert seal.evaluate("image => image.complete && image.naturalWidth") == 48, "the image itself is shown"
    assert screen(admin, "33-con-dau") == []
