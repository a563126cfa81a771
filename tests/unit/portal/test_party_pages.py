"""Seed 003 in the portal: a chi bộ's type on its page, the seal and signature images shown on the organisation's
page (uploaded there, a non-image refused in words), and a member naming their residence cell on the Kê khai page,
found by typing its name without diacritics."""
from __future__ import annotations

import io
import re

from tests.unit.orgunits.test_party_organisations import CHAIN, png
from tests.unit.portal.conftest import text


def _chain(suite) -> dict:
    province, parent, made = suite.headers("qt.binhthuan"), suite.unit("BT.01.01.13"), {}
    for code, name, kind in CHAIN:
        parent = made[kind] = suite.orgunits.post("/api/orgunits/units", headers=province, json={
            "parent_id": parent["id"], "code": code, "name": name, "kind": kind}).get_json()
    return made


def test_cell_type_images_and_residence_in_the_portal(browser, suite):
    chain = _chain(suite)
    admin = browser()
    admin.sign_in("qt.binhthuan")
    cell, grassroots = chain["party_cell"]["id"], chain["party_grassroots"]["id"]
    page = text(admin.get(f"/don-vi/{cell}"))
    assert "Loại chi bộ trực thuộc" in page and "Chi bộ đại đội" in page
    saved = admin.post(f"/don-vi/{cell}/to-chuc-dang", {"cell_type": "radar", "province": "Bình Thuận"})
    assert saved.status_code == 302
    assert re.search(r'<option value="radar" selected>', text(admin.get(f"/don-vi/{cell}")))
    assert "Loại chi bộ trực thuộc" not in text(admin.get(f"/don-vi/{grassroots}")), "only a cell has a type"

    refused = admin.post(f"/don-vi/{grassroots}/hinh-anh", {
        "kind": "seal", "name": "Con dấu", "file": (io.BytesIO(b"GIF89a not a seal"), "con-dau.png")},
        content_type="multipart/form-data")
    assert refused.status_code == 302
    assert "không phải hình ảnh PNG hoặc JPEG" in text(admin.get(f"/don-vi/{grassroots}"))
    uploaded = admin.post(f"/don-vi/{grassroots}/hinh-anh", {
        "kind": "seal", "name": "Con dấu Đảng bộ", "file": (io.BytesIO(png()), "con-dau.png")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 302
    page = text(admin.get(f"/don-vi/{grassroots}"))
    assert "Đã lưu hình ảnh con dấu." in page and "Con dấu — Con dấu Đảng bộ" in page
    source = re.search(r'<img src="(/don-vi/[0-9a-f]+/hinh-anh/[0-9a-f]+)"', page).group(1)
    shown = admin.get(source)
    assert shown.status_code == 200 and shown.data == png() and shown.mimetype == "image/png"

    member = browser()
    member.sign_in("dinhtruongtoan")
    page = text(member.get("/ca-nhan/ke-khai"))
    assert "Bạn chưa cập nhật chi bộ sinh hoạt nơi cư trú" in page
    found = text(member.get("/ca-nhan/chi-bo/tim?cell_q=chi bo phong ke", headers={"HX-Request": "true"}))
    assert "Chi bộ Phòng Kế hoạch" in found and "<html" not in found
    assert "Không tìm thấy" in text(member.get("/ca-nhan/chi-bo/tim?cell_q=khong co dau"))
    assert member.post("/ca-nhan/chi-bo", {}).status_code == 302
    assert "Hãy tìm và chọn chi bộ." in text(member.get("/ca-nhan/ke-khai"))
    member.post("/ca-nhan/chi-bo", {"unit_id": cell})
    page = text(member.get("/ca-nhan/ke-khai"))
    assert "Đã cập nhật chi bộ sinh hoạt nơi cư trú." in page
    assert "Tỉnh ủy thử nghiệm › Đảng ủy Khối cơ quan › Đảng bộ cơ sở Sở KH&amp;CN" in page
    assert "Đinh Trường Toàn" in text(admin.get(f"/don-vi/{chain['party_upper']['id']}"))
