"""Phân quyền in the portal: a unit admin makes an officer admin of the unit with some permissions (found by name
without diacritics) and revokes it; creates a permission group, adds and removes a member, changes its permissions,
deletes it. What identity refuses (a permission the admin does not hold) is said in words."""
from __future__ import annotations

import re

from tests.unit.portal.conftest import text


def test_a_unit_admin_grants_and_revokes_admin_rights(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    page = text(admin.get("/quan-tri/phan-quyen"))
    assert "Quản trị đơn vị" in page and "Nhóm quyền" in page and "Duyệt tài khoản" in page
    assert 'value="system.admin"' not in page, "the super admin's right is never offered"
    found = text(admin.get("/quan-tri/phan-quyen/tim-tai-khoan?account_q=dinh truong", headers={"HX-Request": "true"}))
    toan = suite.account("dinhtruongtoan")["id"]
    assert f'value="{toan}"' in found and "Đinh Trường Toàn" in found

    nothing = admin.post("/quan-tri/phan-quyen/cap-quyen", {"account_id": toan})
    assert "ít nhất một quyền" in text(admin.get(nothing.headers["Location"]))
    granted = admin.post("/quan-tri/phan-quyen/cap-quyen", {"account_id": toan, "permissions": ["accounts.read",
                                                                                               "accounts.approve"]})
    page = text(admin.get(granted.headers["Location"]))
    assert "Đã cấp quyền quản trị." in page and "Đinh Trường Toàn" in page
    grants = suite.identity.get("/api/identity/admin-grants", headers=suite.headers("qt.sokhcn")).get_json()["items"]
    mine = next(g for g in grants if g["account_id"] == toan)
    assert mine["permissions"] == ["accounts.approve", "accounts.read"]
    assert mine["unit_id"] == suite.unit("BT.01.01.13")["id"], "the admin's own unit when none is chosen"
    revoke = re.search(rf'action="(/quan-tri/phan-quyen/cap-quyen/{mine["id"]}/thu-hoi)"', page).group(1)
    revoked = admin.post(revoke)
    assert "Đã thu hồi quyền quản trị." in text(admin.get(revoked.headers["Location"]))


def test_a_unit_admin_manages_a_permission_group_and_its_members(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    admin.get("/quan-tri/phan-quyen")
    created = admin.post("/quan-tri/phan-quyen/nhom", {"name": "Tổ xử lý phản ánh",
                                                       "permissions": ["tasks.handle", "process.start"]})
    group_url = created.headers["Location"]
    page = text(admin.get(group_url))
    assert "Đã tạo nhóm quyền." in page and "Tổ xử lý phản ánh" in page
    hung = suite.account("phungtienhung")["id"]
    added = admin.post(f"{group_url}/them", {"account_id": hung})
    page = text(admin.get(added.headers["Location"]))
    assert "Đã thêm vào nhóm." in page and "Phùng Tiến Hùng" in page
    unchosen = admin.post(f"{group_url}/them", {"account_id": ""})
    assert "Hãy tìm và chọn một tài khoản." in text(admin.get(unchosen.headers["Location"]))
    edited = admin.post(f"{group_url}/sua", {"name": "Tổ xử lý", "permissions": ["tasks.handle"]})
    page = text(admin.get(edited.headers["Location"]))
    assert "Đã lưu nhóm quyền." in page and 'value="Tổ xử lý"' in page
    too_much = admin.post(f"{group_url}/sua", {"name": "Tổ xử lý", "permissions": ["tasks.handle", "system.admin"]})
    assert "Đã lưu nhóm quyền." in text(admin.get(too_much.headers["Location"])), "a right never offered is dropped"
    removed = admin.post(f"{group_url}/bot", {"account_id": hung})
    assert "Đã bỏ khỏi nhóm." in text(admin.get(removed.headers["Location"]))
    deleted = admin.post(f"{group_url}/xoa")
    assert deleted.headers["Location"] == "/quan-tri/phan-quyen"
    assert "Tổ xử lý" not in text(admin.get("/quan-tri/phan-quyen"))
    assert admin.get(group_url).status_code == 404


def test_an_officer_cannot_grant_and_is_told_why(browser, suite):
    officer = browser()
    officer.sign_in("dinhtruongtoan")
    officer.get("/cong-viec")
    refused = officer.post("/quan-tri/phan-quyen/cap-quyen", {"account_id": suite.account("phungtienhung")["id"],
                                                              "permissions": ["accounts.read"]})
    follow = officer.get(refused.headers["Location"]) if refused.status_code == 302 else refused
    assert "quyền" in text(follow) and "Đã cấp quyền" not in text(follow)
