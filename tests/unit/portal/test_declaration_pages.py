"""Kê khai in the portal: an officer fills the form (the department chosen among their unit's own departments),
a refusal says what to fix and keeps what was typed, the unit's approver reads the declared values against the
record on the task in Công việc and returns it with a reason, which the officer then reads on their page."""
from __future__ import annotations

import re

from tests.unit.portal.conftest import text


def test_an_officer_declares_and_the_approver_returns_it_with_a_reason(browser, suite):
    officer = browser()
    officer.sign_in("dinhtruongtoan")
    page = text(officer.get("/ca-nhan/ke-khai"))
    assert "Kê khai thông tin cá nhân" in page and "Bạn chưa nộp phiếu nào." in page
    departments = dict((name, value) for value, name in re.findall(r'<option value="([0-9a-f]{32})"[^>]*>([^<]+)<',
                                                                    page))
    assert "Quản lý khoa học" in departments and "Văn phòng Sở Khoa học Công nghệ" in departments

    wrong = officer.post("/ca-nhan/ke-khai", {"department_id": departments["Quản lý khoa học"],
                                              "grade_code": "chuyên viên", "salary_coefficient": "3,33",
                                              "position": "Chuyên viên chính"})
    assert wrong.status_code == 400 and "Mã ngạch viết dạng 01.003" in text(wrong)
    assert 'value="Chuyên viên chính"' in text(wrong), "what was typed stays"
    assert "Bạn chưa nộp phiếu nào." in text(wrong), "nothing was stored"

    sent = officer.post("/ca-nhan/ke-khai", {"department_id": departments["Quản lý khoa học"],
                                             "grade_code": "01.002", "salary_coefficient": "4,40",
                                             "position": "Chuyên viên chính"})
    assert sent.status_code == 302, re.findall(r"class=\"error\"[^>]*>([^<]+)", text(sent))
    page = text(officer.get("/ca-nhan/ke-khai"))
    assert "Đã nộp phiếu kê khai" in page and "Chờ phê duyệt" in page and "đang chờ phê duyệt" in page
    assert 'name="grade_code"' not in page, "no second form while one waits"
    suite.deliver()

    admin = browser()
    admin.sign_in("qt.sokhcn")
    inbox = text(admin.get("/cong-viec"))
    task_id = re.search(r'href="/cong-viec/([0-9a-f]{32})"[^>]*>[^<]*Phê duyệt phiếu kê khai', inbox)
    assert task_id, "the declaration waits in the approver's Công việc"
    task = text(admin.get(f"/cong-viec/{task_id.group(1)}"))
    assert "Nội dung đề nghị" in task and "Kê khai của Đinh Trường Toàn" in task
    assert re.search(r"Hệ số lương</th><td>—</td>\s*<td><strong>4,40</strong>", task), "written the Vietnamese way"
    assert "Trả lại" in task and "Phê duyệt" in task
    silent = admin.post(f"/cong-viec/{task_id.group(1)}/xu-ly", {"action": "return"})
    assert silent.status_code in (302, 400)
    returned = admin.post(f"/cong-viec/{task_id.group(1)}/xu-ly", {"action": "return",
                                                                  "reason": "Mã ngạch chuyên viên chính là 01.002?"})
    assert returned.status_code == 302
    suite.deliver()

    page = text(officer.get("/ca-nhan/ke-khai"))
    assert "Bị trả lại" in page and "Mã ngạch chuyên viên chính là 01.002?" in page
    assert 'name="grade_code"' in page, "a returned form can be declared again"
    assert suite.account("dinhtruongtoan")["grade_code"] is None, "a returned form changes nothing"
