"""Đơn vị in the portal: the tree unfolded level by level, search without diacritics, a unit's page with its
headcount and the people behind a department, the edit of its details (each mistake said), merge with the
re-declare row, and what an officer is not shown."""
from __future__ import annotations

import re

from tests.unit.portal.conftest import text


def test_the_tree_opens_level_by_level_and_finds_a_unit_without_diacritics(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    page = text(admin.get("/don-vi"))
    assert "Tỉnh Bình Thuận" in page and "Sở Khoa học và Công nghệ" not in page, "only the top level at first"
    province = suite.unit("BT")
    level = text(admin.get(f"/don-vi/{province['id']}/con", headers={"HX-Request": "true"}))
    assert "I. Cơ quan thuộc ủy ban nhân dân tỉnh" in level and "<html" not in level
    assert 'hx-trigger="click once"' in level and "data-toggle-tree" in level, "each node fetches its level once"
    found = text(admin.get("/don-vi?q=so khoa hoc", headers={"HX-Request": "true", "HX-Target": "results"}))
    assert "Sở Khoa học và Công nghệ" in found and "<html" not in found
    leaf = suite.unit("BT.01.01.13.01")
    assert "Không có đơn vị trực thuộc" in text(admin.get(f"/don-vi/{leaf['id']}/con"))


def test_a_unit_page_counts_its_people_drills_down_and_edits_its_details(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    skhcn = suite.unit("BT.01.01.13")
    page = text(admin.get(f"/don-vi/{skhcn['id']}"))
    assert "Sở Khoa học và Công nghệ" in page and "Tỉnh Bình Thuận" in page, "the unit and where it sits"
    assert "Biên chế và cán bộ" in page and "Phòng Quản lý khoa học" in page
    department = text(admin.get(f"/don-vi/{skhcn['id']}?phong=Phòng Quản lý khoa học"))
    people = department[department.index('id="members-title"'):]
    assert "Đinh Trường Toàn" in people and "Phùng Tiến Hùng" in people and "Lê Thị Quỳnh" not in people

    wrong = admin.post(f"/don-vi/{skhcn['id']}", {"name": skhcn["name"], "code": skhcn["code"],
                                                  "email": "không phải thư", "planned_headcount": "40"})
    assert wrong.status_code == 400 and "Chưa lưu. Hãy sửa: Thư điện tử." in text(wrong)
    assert 'value="40"' in text(wrong), "what was typed stays"
    bad_number = admin.post(f"/don-vi/{skhcn['id']}", {"name": skhcn["name"], "code": skhcn["code"],
                                                       "planned_headcount": "bốn mươi"})
    assert bad_number.status_code == 400 and "số nguyên" in text(bad_number)
    saved = admin.post(f"/don-vi/{skhcn['id']}", {"name": skhcn["name"], "code": skhcn["code"],
                                                  "phone": "0252 3822 000", "planned_headcount": "40"})
    page = text(admin.get(saved.headers["Location"]))
    assert "Đã lưu thông tin đơn vị." in page and 'value="0252 3822 000"' in page
    assert re.search(r"Biên chế được giao</dt><dd>40<", page) and "Còn thiếu" in page, "the figure against the people"


def test_a_merge_leaves_a_re_declare_row_and_an_officer_sees_no_people_or_forms(browser, suite):
    admin = browser()
    admin.sign_in("qt.sokhcn")
    office, target = suite.unit("BT.01.01.13.04"), suite.unit("BT.01.01.13.02")
    unconfirmed = admin.post(f"/don-vi/{office['id']}/sap-nhap", {"unit_id": target["id"]})
    assert "đánh dấu xác nhận" in text(admin.get(unconfirmed.headers["Location"]))
    merged = admin.post(f"/don-vi/{office['id']}/sap-nhap", {"unit_id": target["id"], "confirm": "on"})
    page = text(admin.get(merged.headers["Location"]))
    assert "Đã sáp nhập" in page and target["name"] in page and "Cán bộ cần khai báo lại đơn vị" in page
    again = admin.post(f"/don-vi/{office['id']}/sap-nhap", {"unit_id": target["id"], "confirm": "on"})
    assert "flash error" in text(admin.get(again.headers["Location"])), "a merged unit cannot merge again, said"

    officer = browser()
    officer.sign_in("dinhtruongtoan")
    own = text(officer.get(f"/don-vi/{suite.unit('BT.01.01.13')['id']}"))
    assert "Biên chế và cán bộ" in own, "an officer sees the people of their own unit"
    other = suite.unit("BT.01.01.01")
    page = text(officer.get(f"/don-vi/{other['id']}"))
    assert other["name"] in page and "chỉ quản trị của đơn vị xem được" in page, "not those of another"
    assert "Thông tin đơn vị" not in page and "Sáp nhập" not in page
    refused = officer.post(f"/don-vi/{other['id']}", {"name": "Đổi tên", "code": other["code"]})
    assert refused.status_code in (400, 403) and "quyền" in text(refused)
    assert suite.unit("BT.01.01.01")["name"] == other["name"], "nothing changed"


def test_a_party_organisation_keeps_its_bank_accounts_on_its_page(browser, suite):
    skhcn = suite.unit("BT.01.01.13")
    party = suite.orgunits.post("/api/orgunits/units", headers=suite.headers("qt.sokhcn"), json={
        "parent_id": skhcn["id"], "code": "DB-SKHCN", "name": "Đảng bộ Sở Khoa học và Công nghệ",
        "kind": "party_upper"}).get_json()
    admin = browser()
    admin.sign_in("qt.sokhcn")
    assert "Tài khoản ngân hàng của tổ chức đảng" not in text(admin.get(f"/don-vi/{skhcn['id']}")), \
        "a Sở is no party organisation"
    page = text(admin.get(f"/don-vi/{party['id']}"))
    assert "Tổ chức chưa khai báo tài khoản ngân hàng nào." in page
    assert 'value="Đảng bộ Sở Khoa học và Công nghệ"' in page, "the holder is the organisation, filled in"
    stored = lambda: suite.orgunits.get(f"/api/orgunits/units/{party['id']}/bank-accounts",  # noqa: E731
                                        headers=suite.headers("qt.sokhcn")).get_json()["items"]

    personal = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang", {
        "bank_name": "Vietcombank", "account_number": "0071000123456", "holder_name": "Lê Thị Quỳnh"})
    assert personal.status_code == 400 and "không phải tổ chức" in text(personal) and stored() == []
    assert 'value="0071000123456"' in text(personal), "what was typed stays"
    short = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang", {
        "bank_name": "Vietcombank", "account_number": "12", "holder_name": "Đảng bộ Sở Khoa học và Công nghệ"})
    assert short.status_code == 400 and "6 đến 20 chữ số" in text(short) and stored() == []

    for bank, number in (("Vietcombank", "0071 000 123 456"), ("Agribank", "5400205123456")):
        added = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang", {
            "bank_name": bank, "branch": "Phan Thiết", "account_number": number,
            "holder_name": "đảng bộ sở khoa học và công nghệ"})
        assert "Đã thêm tài khoản ngân hàng." in text(admin.get(added.headers["Location"]))
    twice = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang", {
        "bank_name": "Vietcombank", "account_number": "0071000123456",
        "holder_name": "Đảng bộ Sở Khoa học và Công nghệ"})
    assert twice.status_code == 400 and "đã được khai báo" in text(twice) and len(stored()) == 2
    first, second = stored()
    assert first["in_use"] and not second["in_use"], "the first account is the one in use"

    used = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang/{second['id']}/dung")
    page = text(admin.get(used.headers["Location"]))
    assert "Đã chọn tài khoản đang sử dụng." in page and [a["in_use"] for a in stored()] == [False, True]
    removed = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang/{first['id']}/xoa")
    assert "Đã xóa tài khoản ngân hàng." in text(admin.get(removed.headers["Location"]))
    assert [a["account_number"] for a in stored()] == ["5400205123456"]
    assert admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang/{first['id']}/ban").status_code == 404

    officer = browser()
    officer.sign_in("dinhtruongtoan")
    seen = text(officer.get(f"/don-vi/{party['id']}"))
    assert "Thêm tài khoản" not in seen, "an officer is offered no change"
    tried = officer.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang/{second['id']}/xoa")
    assert "không có quyền" in text(officer.get(tried.headers["Location"])) and len(stored()) == 1


def test_a_party_organisations_citad_code_address_fee_allocation_and_the_ones_without_an_account(browser, suite):
    skhcn = suite.unit("BT.01.01.13")
    made = [suite.orgunits.post("/api/orgunits/units", headers=suite.headers("qt.sokhcn"), json={
        "parent_id": skhcn["id"], "code": code, "name": name, "kind": kind}).get_json()
        for code, name, kind in (("DB-SKHCN", "Đảng bộ Sở Khoa học và Công nghệ", "party_upper"),
                                 ("CB-VP", "Chi bộ Văn phòng Sở", "party_cell"))]
    party, cell = made
    admin = browser()
    admin.sign_in("qt.sokhcn")
    unbanked = lambda: text(admin.get(f"/don-vi/{skhcn['id']}")).split('id="unbanked-title"')[1].split(  # noqa
        "</section>")[0]
    assert "Đảng bộ Sở Khoa học và Công nghệ" in unbanked() and "Chi bộ Văn phòng Sở" in unbanked()
    bad = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang", {
        "bank_name": "MB", "account_number": "001190000528", "holder_name": party["name"], "citad_code": "123"})
    assert bad.status_code == 400 and "Mã Citad gồm 8 chữ số" in text(bad)
    added = admin.post(f"/don-vi/{party['id']}/tai-khoan-ngan-hang", {
        "bank_name": "MB", "account_number": "001190000528", "holder_name": party["name"], "citad_code": "01311001"})
    assert "01311001" in text(admin.get(added.headers["Location"]))
    elsewhere = admin.post(f"/don-vi/{cell['id']}/tai-khoan-ngan-hang", {
        "bank_name": "MB", "account_number": "001190000528", "holder_name": cell["name"]})
    assert elsewhere.status_code == 400 and "một tổ chức khác" in text(elsewhere)
    saved = admin.post(f"/don-vi/{party['id']}/to-chuc-dang", {
        "fee_allocation": "bottom_up", "province": "Tỉnh Bình Thuận", "district": "Thành phố Phan Thiết",
        "commune": "Phường Phú Thủy", "address_detail": "19 Nguyễn Tất Thành"})
    page = text(admin.get(saved.headers["Location"]))
    assert "Đã lưu địa chỉ và cách phân bổ của tổ chức đảng." in page and 'value="Phường Phú Thủy"' in page
    assert 'value="bottom_up" checked' in page
    assert "Chi bộ Văn phòng Sở" in unbanked() and "Đảng bộ Sở Khoa học và Công nghệ" not in unbanked()


def test_the_headcount_over_the_subtree_reconciles_each_unit(browser, suite):
    skhcn = suite.unit("BT.01.01.13")
    assert suite.orgunits.patch(f"/api/orgunits/units/{skhcn['id']}", headers=suite.headers("qt.sokhcn"),
                                json={"planned_headcount": 12}).status_code == 200
    admin = browser()
    admin.sign_in("qt.sokhcn")
    page = text(admin.get(f"/don-vi/{skhcn['id']}", query_string={"toan-bo": "1"}))
    table = page.split("Đối chiếu biên chế từng đơn vị")[1].split("</table>")[0]
    assert "Sở Khoa học và Công nghệ" in table and "Chi cục Tiêu chuẩn Đo lường Chất lượng" in table
    assert "Đối chiếu biên chế từng đơn vị" not in text(admin.get(f"/don-vi/{skhcn['id']}"))

