"""Quản lý tài khoản in the portal: the list with its filters (without diacritics), counts and unit names; one
account's page with edit, lock/unlock, archive, a new one-time password and the edit history; the statistics;
an account outside the admin's subtree is refused in words."""
from __future__ import annotations

import re

from tests.unit.portal.conftest import text


def test_the_unit_admin_lists_filters_and_counts_the_accounts_of_their_unit(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    page = text(admin.get("/quan-tri/tai-khoan"))
    assert "Quản lý tài khoản" in page and "Đinh Trường Toàn" in page and "Phùng Tiến Hùng" in page
    assert "Sở Khoa học và Công nghệ" in page, "the unit's name, not its id"
    assert "Nguyễn Văn Quản" not in page, "the province admin is outside this admin's subtree"
    assert re.search(r"Đã duyệt <b>\d+</b>", page), "a count per status"
    found = text(admin.get("/quan-tri/tai-khoan?q=phung tien", headers={"HX-Request": "true"}))
    assert "Phùng Tiến Hùng" in found and "Đinh Trường Toàn" not in found and "<html" not in found
    assert "1 tài khoản" in found
    assert "Không có tài khoản nào khớp" in text(admin.get("/quan-tri/tai-khoan?status=locked"))
    assert "Đinh Trường Toàn" in text(admin.get("/quan-tri/tai-khoan?q=&status=bogus&role=bogus&page=-3"))
    stats = text(admin.get("/quan-tri/tai-khoan/thong-ke"))
    assert "Thống kê tài khoản" in stats and "Sở Khoa học và Công nghệ" in stats and "Tổng" in stats


def test_an_account_is_edited_locked_unlocked_given_a_new_password_and_archived_with_its_history(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    hung = suite.account("phungtienhung")["id"]
    page = text(admin.get(f"/quan-tri/tai-khoan/{hung}"))
    assert "Phùng Tiến Hùng" in page and 'name="department"' in page and "Lịch sử chỉnh sửa" in page

    wrong = admin.post(f"/quan-tri/tai-khoan/{hung}", {"full_name": "Phùng Tiến Hùng", "phone": "12",
                                                      "position": "Phó trưởng phòng"})
    assert wrong.status_code == 400 and "Chưa lưu. Hãy sửa: Điện thoại." in text(wrong)
    assert 'value="Phó trưởng phòng"' in text(wrong), "what was typed stays"
    saved = admin.post(f"/quan-tri/tai-khoan/{hung}", {"full_name": "Phùng Tiến Hùng", "phone": "0912 345 678",
                                                      "position": "Phó trưởng phòng", "roles": "officer"})
    page = text(admin.get(saved.headers["Location"]))
    assert "Đã lưu thông tin tài khoản." in page and 'value="Phó trưởng phòng"' in page
    assert "Chức vụ: Chuyên viên → Phó trưởng phòng" in page and "Lê Thị Quỳnh" in page, "who changed what"
    history = page[page.index("Lịch sử chỉnh sửa</h2>"):]
    assert "<td>Lê Thị Quỳnh</td>" in history, "the admin who changed it, named in the history (not the header)"

    locked = admin.post(f"/quan-tri/tai-khoan/{hung}/khoa")
    assert "Đã khóa tài khoản." in text(admin.get(locked.headers["Location"]))
    assert "Phùng Tiến Hùng" in text(admin.get("/quan-tri/tai-khoan?status=locked"))
    again = admin.post(f"/quan-tri/tai-khoan/{hung}/khoa")
    refusal = text(admin.get(again.headers["Location"]))
    assert "Tài khoản đang ở trạng thái đã khóa; chỉ khóa được tài khoản đã duyệt." in refusal, \
        "locking twice is refused by the service's own sentence, in Vietnamese"
    admin.get("/ngon-ngu/en")
    again = admin.post(f"/quan-tri/tai-khoan/{hung}/khoa")
    assert "The account is locked; only an approved account can be locked." in text(
        admin.get(again.headers["Location"])), "and in English for a person who chose English"
    admin.get("/ngon-ngu/vi")
    admin.post(f"/quan-tri/tai-khoan/{hung}/mo-khoa")
    issued = text(admin.post(f"/quan-tri/tai-khoan/{hung}/mat-khau-mot-lan"))
    password = re.search(r'id="one-time-password">([^<]+)<', issued).group(1)
    signed = suite.identity.post("/api/identity/auth/login", json={"username": "phungtienhung", "password": password})
    assert signed.status_code == 200, "the new one-time password signs in"

    unchosen = admin.post(f"/quan-tri/tai-khoan/{hung}/luu-tru", {"group": ""})
    assert "Hãy chọn nhóm lưu trữ." in text(admin.get(unchosen.headers["Location"]))
    admin.post(f"/quan-tri/tai-khoan/{hung}/luu-tru", {"group": "retired"})
    page = text(admin.get(f"/quan-tri/tai-khoan/{hung}"))
    assert "Nghỉ hưu" in page and "status-archived" in page
    assert admin.post(f"/quan-tri/tai-khoan/{hung}/xoa-het").status_code == 404


def test_an_account_outside_the_admins_subtree_is_refused_in_words(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    province = suite.account("qt.binhthuan")["id"]
    refused = admin.get(f"/quan-tri/tai-khoan/{province}")
    assert refused.status_code == 404 and "nằm ngoài phạm vi bạn quản lý" in text(refused)
    changed = admin.post(f"/quan-tri/tai-khoan/{province}", {"full_name": "Người Khác"})
    assert changed.status_code == 404
    assert suite.account("qt.binhthuan")["full_name"] == "Nguyễn Văn Quản", "nothing changed"
    officer = browser()
    officer.sign_in("dinhtruongtoan")
    assert "Quản lý tài khoản" not in text(officer.get("/cong-viec")), "no admin menu for an officer"
    assert officer.get("/quan-tri/tai-khoan").status_code in (403, 404)


def test_an_officer_is_sent_to_another_unit_and_its_admin_accepts_from_the_transfers_list(browser, suite):
    sender = browser()
    sender.sign_in("qt.sokhcn")
    hung = suite.account("phungtienhung")["id"]
    target = suite.unit("BT.01.01.01")
    page = text(sender.get(f"/quan-tri/tai-khoan/{hung}"))
    assert "Gửi đề nghị chuyển công tác" in page
    unchosen = sender.post(f"/quan-tri/tai-khoan/{hung}/chuyen-cong-tac", {"unit_id": ""})
    assert "Hãy tìm và chọn đơn vị nhận." in text(sender.get(unchosen.headers["Location"]))
    sent = sender.post(f"/quan-tri/tai-khoan/{hung}/chuyen-cong-tac", {"unit_id": target["id"]})
    assert "chờ quản trị đơn vị nhận đồng ý" in text(sender.get(sent.headers["Location"]))
    following = text(sender.get("/quan-tri/tai-khoan/chuyen-cong-tac"))
    assert "Phùng Tiến Hùng" in following and target["name"] in following, "the sender follows it"
    twice = sender.post(f"/quan-tri/tai-khoan/{hung}/chuyen-cong-tac", {"unit_id": target["id"]})
    assert "flash error" in text(sender.get(twice.headers["Location"])), "one transfer at a time, said"

    receiver = browser()
    receiver.sign_in("qt.binhthuan")
    listed = text(receiver.get("/quan-tri/tai-khoan/chuyen-cong-tac"))
    accept = re.search(r'action="(/quan-tri/tai-khoan/chuyen-cong-tac/\d+/tiep-nhan)"', listed).group(1)
    assert "Phùng Tiến Hùng" in listed and "Sở Khoa học và Công nghệ" in listed
    done = receiver.post(accept)
    assert "Đã tiếp nhận cán bộ vào đơn vị." in text(receiver.get(done.headers["Location"]))
    moved = suite.identity.get(f"/api/identity/accounts/{hung}", headers=suite.headers("qt.binhthuan")).get_json()
    assert moved["unit_id"] == target["id"], "Hùng works in the receiving unit now"
    assert "Phùng Tiến Hùng" in text(receiver.get("/quan-tri/tai-khoan/chuyen-cong-tac?status=accepted"))
    assert receiver.post("/quan-tri/tai-khoan/chuyen-cong-tac/1/bo-qua").status_code == 404


def test_a_concurrent_post_is_added_refused_outside_the_admins_units_and_ended(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    toan = suite.account("dinhtruongtoan")["id"]
    centre, sibling = suite.unit("BT.01.01.13.06"), suite.unit("BT.01.01.14")
    assert "Không kiêm nhiệm đơn vị nào." in text(admin.get(f"/quan-tri/tai-khoan/{toan}"))
    choices = text(admin.get("/dang-ky/don-vi?unit_q=Chi cuc Tieu chuan", headers={"HX-Request": "true"}))
    assert centre["id"] in choices, "the unit is found without diacritics"

    added = admin.post(f"/quan-tri/tai-khoan/{toan}/kiem-nhiem", {"unit_id": centre["id"], "position": "Phó Chi cục"})
    page = text(admin.get(added.headers["Location"]))
    assert "Đã thêm kiêm nhiệm." in page and centre["name"] in page and "Phó Chi cục" in page
    stored = lambda: suite.identity.get(f"/api/identity/accounts/{toan}",  # noqa: E731
                                        headers=suite.headers("qt.sokhcn")).get_json()["appointments"]
    assert stored() == [{"unit_id": centre["id"], "position": "Phó Chi cục"}]

    elsewhere = admin.post(f"/quan-tri/tai-khoan/{toan}/kiem-nhiem", {"unit_id": sibling["id"]})
    assert "không có quyền" in text(admin.get(elsewhere.headers["Location"])), "another Sở: refused in words"
    own = admin.post(f"/quan-tri/tai-khoan/{toan}/kiem-nhiem", {"unit_id": suite.unit("BT.01.01.13")["id"]})
    assert "đơn vị chính" in text(admin.get(own.headers["Location"])), "the primary unit: the service's sentence"
    unchosen = admin.post(f"/quan-tri/tai-khoan/{toan}/kiem-nhiem", {"unit_id": ""})
    assert "Hãy tìm và chọn đơn vị kiêm nhiệm." in text(admin.get(unchosen.headers["Location"]))
    assert stored() == [{"unit_id": centre["id"], "position": "Phó Chi cục"}], "nothing else stored"

    ended = admin.post(f"/quan-tri/tai-khoan/{toan}/thoi-kiem-nhiem", {"unit_id": centre["id"]})
    page = text(admin.get(ended.headers["Location"]))
    assert "Đã thôi kiêm nhiệm." in page and "Không kiêm nhiệm đơn vị nào." in page and stored() == []
    again = admin.post(f"/quan-tri/tai-khoan/{toan}/thoi-kiem-nhiem", {"unit_id": centre["id"]})
    assert "Không tìm thấy" in text(admin.get(again.headers["Location"]))


def test_an_account_is_converted_only_after_the_admin_has_seen_what_moves(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    toan, hung = suite.account("dinhtruongtoan")["id"], suite.account("phungtienhung")["id"]
    page = text(admin.get(f"/quan-tri/tai-khoan/{toan}"))
    assert "Chuyển đổi tài khoản" in page and f'<option value="{hung}">Phùng Tiến Hùng' in page
    assert f'<option value="{toan}">' not in page, "not to itself"

    plan = admin.post(f"/quan-tri/tai-khoan/{toan}/chuyen-doi", {"new_account_id": hung})
    shown = text(plan)
    assert plan.status_code == 200 and "Những gì sẽ chuyển sang tài khoản mới" in shown
    assert "Cán bộ" in shown and "Không hoàn tác được" in shown and 'name="confirm" value="1"' in shown
    read = lambda account_id: suite.identity.get(f"/api/identity/accounts/{account_id}",  # noqa: E731
                                                 headers=suite.headers("qt.sokhcn")).get_json()
    assert read(toan)["status"] == "approved", "seeing the plan changes nothing"
    unchosen = admin.post(f"/quan-tri/tai-khoan/{toan}/chuyen-doi", {"new_account_id": ""})
    assert "Hãy chọn tài khoản mới." in text(admin.get(unchosen.headers["Location"]))
    itself = admin.post(f"/quan-tri/tai-khoan/{toan}/chuyen-doi", {"new_account_id": toan})
    assert "khác" in text(admin.get(itself.headers["Location"])) and read(toan)["status"] == "approved"

    done = admin.post(f"/quan-tri/tai-khoan/{toan}/chuyen-doi", {"new_account_id": hung, "confirm": "1"})
    assert done.headers["Location"].endswith(f"/quan-tri/tai-khoan/{hung}")
    assert "Đã chuyển đổi" in text(admin.get(done.headers["Location"]))
    old = read(toan)
    assert old["status"] == "archived" and old["archive_group"] == "converted" and old["roles"] == []
    page = text(admin.get(f"/quan-tri/tai-khoan/{toan}"))
    assert "Đã chuyển đổi sang tài khoản mới" in page and 'name="new_account_id"' not in page


def test_archiving_a_units_last_approver_asks_for_a_replacement_on_the_page(browser, suite):
    admin = browser()
    admin.sign_in("qt.binhthuan")
    sokhcn, hung = suite.account("qt.sokhcn")["id"], suite.account("phungtienhung")["id"]
    page = text(admin.get(f"/quan-tri/tai-khoan/{sokhcn}"))
    assert 'name="replacement_id"' in page and f'<option value="{hung}">Phùng Tiến Hùng</option>' in page
    refused = admin.post(f"/quan-tri/tai-khoan/{sokhcn}/luu-tru", {"group": "retired"})
    assert "người duyệt tài khoản cuối cùng" in text(admin.get(refused.headers["Location"]))
    done = admin.post(f"/quan-tri/tai-khoan/{sokhcn}/luu-tru", {"group": "retired", "replacement_id": hung})
    assert "Đã chuyển tài khoản vào lưu trữ." in text(admin.get(done.headers["Location"]))


def test_every_account_status_has_a_label_and_a_badge_colour():
    """The list and the account's page show the status as a coloured badge: each state identity knows has words
    and a colour of its own (Chưa kích hoạt had none and showed as plain text)."""
    from pathlib import Path

    from services.identity.models import AccountStatus
    from services.portal.views.accounts import STATUS_LABELS

    css = (Path(__file__).resolve().parents[3] / "services/portal/static/portal.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"^([^{}\n]*\.badge\.status-[a-z_]+[^{}\n]*)\{[^}]*background: ([^;]+);", css, re.M))
    coloured = {name: colour for selector, colour in colours.items()
                for name in re.findall(r"\.badge\.status-([a-z_]+)", selector)}
    for status in AccountStatus:
        assert status.value in STATUS_LABELS, f"no words for {status.value}"
        assert status.value in coloured, f"no badge colour for {status.value}"
    assert coloured["inactive"] != coloured["pending"], "waiting to be activated is not waiting for approval"
