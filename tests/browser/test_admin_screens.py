"""The unit admin's screens in the browser: the account list filtered as one types (without diacritics), one
account's page with a concurrent post added and a conversion's plan, the statistics, the unit tree unfolded
level by level and a unit's page; what lies outside the admin's subtree is not offered and, reached by URL, the
page says why. Each screen is saved and has no serious accessibility violation."""
from __future__ import annotations

from tests.browser.conftest import screen, signed_in


def test_the_unit_admin_finds_an_account_and_cannot_reach_anothers_by_url(live, browser_page):
    admin = signed_in(live, browser_page, "qt.sokhcn")
    admin.get_by_role("link", name="Quản lý tài khoản").click()
    admin.get_by_role("heading", name="Quản lý tài khoản").wait_for()
    assert admin.get_by_role("link", name="Đinh Trường Toàn").is_visible()
    admin.get_by_label("Họ tên, số CCCD, tên đăng nhập (gõ không dấu cũng được)").fill("phung")
    admin.get_by_text("1 tài khoản").wait_for()
    assert admin.get_by_role("link", name="Đinh Trường Toàn").count() == 0, "filtered as one types"
    assert screen(admin, "13-quan-ly-tai-khoan") == []
    admin.get_by_role("link", name="Phùng Tiến Hùng").click()
    admin.get_by_role("heading", name="Lịch sử chỉnh sửa").wait_for()
    assert screen(admin, "14-tai-khoan") == []
    admin.get_by_label("Thêm kiêm nhiệm tại đơn vị (tìm theo tên hoặc mã)").fill("chi cuc tieu chuan")
    admin.get_by_label("Chi cục Tiêu chuẩn Đo lường Chất lượng").check()
    admin.get_by_label("Chức vụ kiêm nhiệm").fill("Phó Chi cục trưởng")
    admin.get_by_role("button", name="Thêm kiêm nhiệm").click()
    admin.get_by_text("Đã thêm kiêm nhiệm.").wait_for()
    assert admin.get_by_role("cell", name="Phó Chi cục trưởng").is_visible()
    admin.get_by_label("Tài khoản mới").select_option(label="Đinh Trường Toàn (dinhtruongtoan)")
    admin.get_by_role("button", name="Xem trước khi chuyển đổi").click()
    admin.get_by_role("heading", name="Những gì sẽ chuyển sang tài khoản mới").wait_for()
    assert screen(admin, "23-chuyen-doi-tai-khoan") == []
    admin.get_by_role("link", name="Hủy").click()
    admin.get_by_role("heading", name="Kiêm nhiệm").wait_for()
    admin.goto(f"{live.base}/quan-tri/tai-khoan/thong-ke")
    assert screen(admin, "15-thong-ke-tai-khoan") == []

    admin.get_by_role("link", name="Đơn vị", exact=True).click()
    for name in ("Tỉnh Bình Thuận", "I. Cơ quan thuộc ủy ban nhân dân tỉnh", "1. Cơ quan chuyên môn"):
        admin.get_by_role("button", name=f"Các đơn vị trực thuộc {name}", exact=True).click()
    admin.get_by_role("link", name="Sở Khoa học và Công nghệ").wait_for()
    assert screen(admin, "19-don-vi") == []
    admin.get_by_role("link", name="Sở Khoa học và Công nghệ").click()
    admin.get_by_role("heading", name="Biên chế và cán bộ").wait_for()
    assert screen(admin, "20-don-vi-chi-tiet") == []

    admin.get_by_role("link", name="Cấu hình thông báo").click()
    first = admin.locator("form.rule input[type=checkbox]").first
    was = first.is_checked()
    first.click()
    admin.locator("form.rule .saved").first.wait_for()
    assert admin.locator("form.rule input[type=checkbox]").first.is_checked() is not was, "saved as switched"
    assert screen(admin, "21-cau-hinh-thong-bao") == []
    admin.goto(f"{live.base}/quan-tri/phan-quyen")
    admin.get_by_label("Người được cấp (tìm theo họ tên, số CCCD)").fill("dinh truong")
    admin.get_by_label("Đinh Trường Toàn").wait_for()
    assert screen(admin, "22-phan-quyen") == []

    outsider = live.account("qt.binhthuan")["id"]
    admin.goto(f"{live.base}/quan-tri/tai-khoan/{outsider}")
    assert admin.get_by_text("nằm ngoài phạm vi bạn quản lý").is_visible(), "the page says why"
    assert admin.get_by_text("Nguyễn Văn Quản").count() == 0

    officer = signed_in(live, browser_page, "dinhtruongtoan")
    officer.get_by_role("heading", name="Công việc").wait_for()
    for menu in ("Quản lý tài khoản", "Quản lý đăng ký tài khoản", "Cấu hình quy trình"):
        assert officer.get_by_role("link", name=menu).count() == 0, f"no {menu} for an officer"
