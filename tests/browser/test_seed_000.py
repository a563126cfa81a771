"""Seed 000 in the browser, as its people do it: an officer registers; the unit admin finds the account in Chờ
duyệt, fills the review dialog and approves; the officer signs in with the one-time password and chooses a new
one, and lands in the inbox, without the admin's menu. Every screen is saved and has no serious accessibility
violation."""
from __future__ import annotations

import re

from tests.browser.conftest import screen, signed_in


def test_an_officer_registers_is_approved_and_signs_in_with_a_new_password(live, browser_page):
    officer = browser_page()
    officer.goto(f"{live.base}/dang-ky")
    officer.get_by_label("Họ và tên").fill("Võ Thị Hồng")
    officer.get_by_label("Số CCCD").fill("060096000555")
    officer.get_by_label("Ngày sinh").fill("05/09/1990")
    officer.get_by_label("Điện thoại").fill("0912 345 678")
    officer.get_by_label("Đơn vị công tác").fill("so khoa hoc")
    officer.get_by_label("Sở Khoa học và Công nghệ (BT.01.01.13)").check()
    officer.get_by_label("Phòng ban").fill("Phòng Quản lý khoa học")
    officer.get_by_label("Chức vụ").fill("Chuyên viên")
    assert screen(officer, "01-dang-ky") == []
    officer.get_by_role("button", name="Gửi đăng ký").click()
    officer.get_by_role("heading", name="Đã gửi đăng ký").wait_for()

    admin = browser_page()
    admin.goto(f"{live.base}/")
    admin.get_by_label("Tên đăng nhập").fill("qt.sokhcn")
    admin.get_by_label("Mật khẩu").fill(live.people["qt.sokhcn"])
    assert screen(admin, "02-dang-nhap") == []
    admin.get_by_role("button", name="Đăng nhập").click()
    admin.get_by_role("heading", name="Đặt mật khẩu mới").wait_for()
    admin.get_by_label("Mật khẩu mới", exact=True).fill("hoa sen nở giữa đầm lầy xanh")
    admin.get_by_text("Độ mạnh:").wait_for()
    assert screen(admin, "03-dat-mat-khau") == []
    admin.get_by_label("Nhập lại mật khẩu mới").fill("hoa sen nở giữa đầm lầy xanh")
    admin.get_by_role("button", name="Lưu mật khẩu").click()
    admin.get_by_role("heading", name="Công việc").wait_for()
    admin.get_by_role("link", name="Quản lý đăng ký tài khoản").click()
    row = admin.get_by_role("row", name=re.compile("Võ Thị Hồng"))
    assert screen(admin, "04-cho-duyet") == []
    row.get_by_role("button", name="Xem xét").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Chức vụ").fill("Chuyên viên chính")
    dialog.get_by_label("Cán bộ").check()
    assert screen(admin, "05-duyet") == []
    dialog.get_by_role("button", name="Duyệt", exact=True).click()
    password = dialog.locator("#one-time-password").inner_text().strip()
    username = dialog.locator("#approved-username").inner_text().strip()
    assert password and username

    officer.goto(f"{live.base}/dang-nhap")
    officer.get_by_label("Tên đăng nhập").fill(username)
    officer.get_by_label("Mật khẩu").fill(password)
    officer.get_by_role("button", name="Đăng nhập").click()
    officer.get_by_label("Mật khẩu mới", exact=True).fill("mây trắng bay trên đỉnh núi cao")
    officer.get_by_label("Nhập lại mật khẩu mới").fill("mây trắng bay trên đỉnh núi cao")
    officer.get_by_role("button", name="Lưu mật khẩu").click()
    officer.get_by_role("heading", name="Công việc").wait_for()
    assert officer.get_by_text("Võ Thị Hồng").is_visible()
    assert officer.get_by_role("link", name="Quản lý đăng ký tài khoản").count() == 0, "no admin menu for an officer"
    assert screen(officer, "06-cong-viec") == []
    officer.goto(f"{live.base}/quan-tri/dang-ky")
    assert officer.get_by_text("Bạn không có quyền").is_visible(), "the page says why"


def test_an_officer_distributes_a_field_report_from_the_inbox(live, browser_page):
    from tests.unit.process.story import staff_field_report, start_report

    people = staff_field_report(live)
    start_report(live, people)
    officer = signed_in(live, browser_page, "dinhtruongtoan")
    officer.get_by_role("link", name="Phân phối phản ánh").click()
    officer.get_by_label("Ý kiến phân phối").fill("Giao anh Hùng xử lý trong tuần")
    officer.get_by_label("Phùng Tiến Hùng").check()
    officer.locator("#diagram[data-ready=true]").wait_for()
    assert officer.locator("#diagram .current-step").count() == 1, "the step being worked on is highlighted"
    assert officer.locator("#diagram [data-element-id=Distribute]").count() == 1
    assert screen(officer, "07-xu-ly") == []
    officer.get_by_role("button", name="Phân phối", exact=True).click()
    officer.get_by_text("Đã ghi nhận: Phân phối").wait_for()
    assert officer.get_by_role("link", name="Phân phối phản ánh").count() == 0, "it left the inbox"


def test_the_unit_admin_staffs_paht_in_the_browser_and_confirms(live, browser_page):
    staff_paht(live, browser_page)


def staff_paht(live, browser_page):
    """Seed 000 §3: step 1 Toàn 10 % with push; step 2 Hùng 70 % with push and an attachment required; step 3 the
    staff of step 1, 20 %; confirmed."""
    admin = signed_in(live, browser_page, "qt.sokhcn")
    admin.get_by_role("link", name="Cấu hình quy trình").click()
    assert screen(admin, "08-cau-hinh-quy-trinh") == []
    admin.get_by_role("link", name="Xử lý phản ánh hiện trường").click()
    step1, step2, step3 = (admin.locator(f"#step-{lane}") for lane in ("Lane_distribute", "Lane_handle",
                                                                        "Lane_approve"))
    step1.get_by_label("Đinh Trường Toàn").check()
    step1.get_by_label("Giá trị").fill("10")
    step1.get_by_label("Thông báo cho cán bộ khi có việc").check()
    step1.get_by_role("button", name="Lưu bước 1").click()
    admin.get_by_text("Đã lưu bước.").wait_for()
    step2.get_by_label("Lọc theo tên hoặc phòng ban").fill("hung")
    assert not step2.get_by_label("Đinh Trường Toàn").is_visible(), "the filter works without diacritics"
    step2.get_by_label("Phùng Tiến Hùng").check()
    step2.get_by_label("Giá trị").fill("70")
    step2.get_by_label("Thông báo cho cán bộ khi có việc").check()
    step2.get_by_label("Bắt buộc đính kèm tệp").check()
    step2.get_by_role("button", name="Lưu bước 2").click()
    admin.get_by_text("Đã lưu bước.").wait_for()
    step3.get_by_label("Cán bộ của bước 1").check()
    step3.get_by_label("Giá trị").fill("20")
    step3.get_by_role("button", name="Lưu bước 3").click()
    admin.get_by_text("Đã lưu bước.").wait_for()
    assert screen(admin, "09-cac-buoc") == []
    admin.get_by_role("button", name="Xác nhận cấu hình đầy đủ").click()
    admin.get_by_text("Đã xác nhận cấu hình đầy đủ").wait_for()
    assert admin.locator(".badge.status-complete").first.is_visible()


def toast(page, words: str):
    """A notification that arrived live (no reload): in the page's live region, and the bell counts it."""
    found = page.locator("#toasts .toast", has_text=words).first
    found.wait_for()
    assert page.locator("#bell-count .count").inner_text().strip().isdigit()
    return found


def test_a_field_report_is_distributed_extended_handled_with_a_file_and_approved_with_live_notices(live, browser_page,
                                                                                                  tmp_path):
    from tests.unit.process.story import SKHCN, start_report

    staff_paht(live, browser_page)
    toan = signed_in(live, browser_page, "dinhtruongtoan")
    hung = signed_in(live, browser_page, "phungtienhung")
    for page in (toan, hung):
        page.locator("#bell-count[sse-swap]").wait_for(state="attached")
        page.wait_for_timeout(300)   # the stream is open before the report arrives
    people = {"unit": live.unit(SKHCN), "toan": live.account("dinhtruongtoan")["id"],
              "hung": live.account("phungtienhung")["id"]}
    start_report(live, people, report_id="IOC-BROWSER-1")

    toast(toan, "Phân phối phản ánh").get_by_role("link", name="Mở").click()
    toan.get_by_label("Ý kiến phân phối").fill("Giao anh Hùng xử lý")
    toan.get_by_label("Phùng Tiến Hùng").check()
    toan.get_by_role("button", name="Phân phối", exact=True).click()
    toan.get_by_text("Đã ghi nhận: Phân phối").wait_for()

    toast(hung, "Xử lý phản ánh").get_by_role("link", name="Mở").click()
    assert hung.get_by_text("bước này cần ít nhất một tệp").is_visible()
    hung.get_by_label("Lý do / ghi chú").fill("Chờ điện lực kiểm tra cột đèn")
    hung.get_by_label("Số ngày xin gia hạn (khi Xin gia hạn)").fill("2")
    hung.get_by_role("button", name="Xin gia hạn").click()
    hung.get_by_text("Đã ghi nhận: Xin gia hạn").wait_for()

    toast(toan, "Duyệt gia hạn").get_by_role("link", name="Mở").click()
    assert toan.get_by_text("Chờ điện lực kiểm tra cột đèn", exact=True).is_visible(), "the reason asked with"
    assert screen(toan, "10-duyet-gia-han") == []
    toan.get_by_label("Lý do / ghi chú").fill("Đồng ý 2 ngày")
    toan.get_by_role("button", name="Đồng ý gia hạn", exact=True).click()
    toan.get_by_text("Đã ghi nhận: Đồng ý gia hạn").wait_for()

    hung.goto(f"{live.base}/cong-viec")
    hung.get_by_role("link", name="Xử lý phản ánh").click()
    hung.get_by_label("Kết quả xử lý").fill("Đã thay ba bóng đèn, tuyến đường sáng trở lại")
    hung.get_by_role("button", name="Hoàn thành xử lý").click()
    hung.get_by_text("Bước này cần đính kèm tệp trước khi hoàn thành.").wait_for()
    report = tmp_path / "Biên bản nghiệm thu.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert hung.get_by_label("Kết quả xử lý").input_value() == "Đã thay ba bóng đèn, tuyến đường sáng trở lại", \
        "what was written is kept when the step refuses"
    hung.get_by_label("Tệp đính kèm").set_input_files(str(report))
    assert screen(hung, "11-xu-ly-dinh-kem") == []
    hung.get_by_role("button", name="Hoàn thành xử lý").click()
    hung.get_by_text("Đã ghi nhận: Hoàn thành xử lý").wait_for()

    toast(toan, "Phê duyệt kết quả").get_by_role("link", name="Mở").click()
    assert toan.get_by_role("link", name="Biên bản nghiệm thu.pdf").is_visible(), "the handler's file, to read"
    toan.get_by_label("Ý kiến phê duyệt").fill("Đạt")
    toan.get_by_role("button", name="Phê duyệt", exact=True).click()
    toan.get_by_text("Đã ghi nhận: Phê duyệt").wait_for()

    toan.get_by_role("link", name="Thông báo").click()
    assert toan.locator(".notice").count() >= 3
    assert screen(toan, "12-thong-bao") == []
    outcome = live.gateway.apps["process"].test_client().get(
        "/api/process/units/" + people["unit"]["id"] + "/instances", headers=live.headers("qt.sokhcn")).get_json()
    finished = next(i for i in outcome["items"] if i["business_key"] == "IOC-BROWSER-1")
    assert finished["state"] == "completed" and finished["result"] == "approved"
