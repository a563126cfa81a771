"""Seed 003, what party organisations keep besides bank accounts: a chi bộ trực thuộc's type (§4), a member's
residence party cell (§1), and the images of an organisation's seal and of its signers' signatures (§5), checked
by their bytes. Each refusal is a 4xx with a sentence and stores nothing."""
from __future__ import annotations

import io
import struct
import zlib

import pytest

from tests.unit.identity.conftest import suite, suite_template  # noqa: F401 - the embedded suite's fixtures

CHAIN = (("TU-T", "Tỉnh ủy thử nghiệm", "party_provincial"), ("DU-K", "Đảng ủy Khối cơ quan", "party_upper"),
         ("DBCS-S", "Đảng bộ cơ sở Sở KH&CN", "party_grassroots"),
         ("DBBP-V", "Đảng bộ bộ phận Văn phòng", "party_partial"), ("CB-KH", "Chi bộ Phòng Kế hoạch", "party_cell"))


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image (white pixels), built here so the test carries no binary file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def chain(suite):  # noqa: F811
    province = suite.headers("qt.binhthuan")
    parent, made = suite.unit("BT.01.01.13"), {}
    for code, name, kind in CHAIN:
        answer = suite.orgunits.post("/api/orgunits/units", headers=province, json={
            "parent_id": parent["id"], "code": code, "name": name, "kind": kind})
        assert answer.status_code == 201, answer.get_data(as_text=True)
        parent = made[kind] = answer.get_json()
    return made


def test_a_party_cell_has_a_type_and_only_a_cell_has_one(suite, chain):  # noqa: F811
    province = {**suite.headers("qt.binhthuan"), "Accept-Language": "vi"}
    cell, grassroots = chain["party_cell"], chain["party_grassroots"]
    saved = suite.orgunits.put(f"/api/orgunits/units/{cell['id']}/party-details", headers=province,
                               json={"cell_type": "company", "province": "Bình Thuận"})
    assert saved.status_code == 200 and saved.get_json()["cell_type"] == "company"
    refused = suite.orgunits.put(f"/api/orgunits/units/{grassroots['id']}/party-details", headers=province,
                                 json={"cell_type": "company", "province": "Bình Thuận"})
    assert refused.status_code == 422 and refused.get_json()["code"] == "not_a_cell"
    assert "chi bộ trực thuộc" in refused.get_json()["detail"] and "tổ chức cơ sở" in refused.get_json()["detail"]
    bogus = suite.orgunits.put(f"/api/orgunits/units/{cell['id']}/party-details", headers=province,
                               json={"cell_type": "chi bộ gì đó"})
    assert bogus.status_code == 422
    assert suite.orgunits.get(f"/api/orgunits/units/{grassroots['id']}/party-details",
                              headers=province).get_json()["province"] is None, "the refused change stored nothing"
    assert suite.orgunits.get(f"/api/orgunits/units/{cell['id']}/party-details",
                              headers=province).get_json()["cell_type"] == "company"


def test_a_member_names_their_residence_cell(suite, chain):  # noqa: F811
    toan = {**suite.headers("dinhtruongtoan"), "Accept-Language": "vi"}
    assert suite.orgunits.get("/api/orgunits/me/residence-cell", headers=toan).get_json()["unit_id"] is None
    for wrong in (chain["party_provincial"]["id"], suite.unit("BT.01.01.13")["id"], "khong-co"):
        answer = suite.orgunits.put("/api/orgunits/me/residence-cell", headers=toan, json={"unit_id": wrong})
        assert answer.status_code == 422 and "chi bộ" in answer.get_json()["detail"]
    assert suite.orgunits.get("/api/orgunits/me/residence-cell", headers=toan).get_json()["unit_id"] is None
    named = suite.orgunits.put("/api/orgunits/me/residence-cell", headers=toan,
                               json={"unit_id": chain["party_cell"]["id"]})
    assert named.status_code == 200
    assert [step["name"] for step in named.get_json()["ladder"]] == [name for _c, name, _k in CHAIN]
    suite.deliver()
    upper = chain["party_upper"]["id"]
    listed = suite.orgunits.get(f"/api/orgunits/units/{upper}/residents", headers=suite.headers("qt.binhthuan"))
    assert [(r["full_name"], r["unit_name"]) for r in listed.get_json()["items"]] == [
        ("Đinh Trường Toàn", "Chi bộ Phòng Kế hoạch")]
    assert suite.orgunits.get(f"/api/orgunits/units/{upper}/residents",
                              headers=suite.headers("phungtienhung")).status_code == 403


def test_seal_and_signature_images_are_checked_by_their_bytes(suite, chain):  # noqa: F811
    province, grassroots = suite.headers("qt.binhthuan"), chain["party_grassroots"]["id"]
    base = f"/api/orgunits/units/{grassroots}/signature-images"

    def upload(headers, data: bytes, filename="anh.png", **form):
        return suite.orgunits.post(base if "unit" not in form else form.pop("unit"), headers=headers,
                                   data={**form, "file": (io.BytesIO(data), filename)},
                                   content_type="multipart/form-data")

    refusals = [
        upload(province, b"MZ\x90\x00 not an image at all", kind="seal", name="Con dấu"),
        upload(province, png()[:8] + b"\x00" * (1024 * 1024 + 1), kind="seal", name="Con dấu"),
        upload(province, b"", kind="seal", name="Con dấu"),
        upload(province, png(), kind="seal", name="  "),
        upload(province, png(), kind="stamp", name="Con dấu"),
        upload(province, png(), kind="seal", name="Con dấu", unit=f"/api/orgunits/units/"
                                                                  f"{chain['party_cell']['id']}/signature-images"),
        upload(suite.headers("phungtienhung"), png(), kind="seal", name="Con dấu"),
    ]
    assert [r.status_code for r in refusals] == [422, 422, 422, 422, 422, 422, 403]
    assert all(r.get_json()["detail"] for r in refusals)
    assert suite.orgunits.get(base, headers=province).get_json()["items"] == [], "nothing was stored"

    first = upload(province, png(), kind="seal", name="Con dấu Đảng bộ")
    assert first.status_code == 201 and first.get_json()["content_type"] == "image/png"
    second = upload(province, png(3, 3), filename="dau-moi.jpg", kind="seal", name="Con dấu mới")
    assert second.status_code == 201 and second.get_json()["content_type"] == "image/png", "its bytes, not its name"
    mine = upload(suite.headers("dinhtruongtoan"), png(), kind="signature", name="Chữ ký Đinh Trường Toàn")
    assert mine.status_code == 201, mine.get_data(as_text=True)
    assert mine.get_json()["signer_id"] == suite.account("dinhtruongtoan")["id"]
    for_other = upload(suite.headers("dinhtruongtoan"), png(), kind="signature", name="Chữ ký khác",
                       signer_id=suite.account("phungtienhung")["id"])
    assert for_other.status_code == 403

    listed = suite.orgunits.get(base, headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert [(i["kind"], i["name"]) for i in listed] == [("seal", "Con dấu mới"),
                                                       ("signature", "Chữ ký Đinh Trường Toàn")]
    shown = suite.orgunits.get(f"{base}/{second.get_json()['id']}", headers=province)
    assert shown.status_code == 200 and shown.data == png(3, 3) and shown.mimetype == "image/png"
    assert shown.headers["Content-Security-Policy"] == "sandbox"
    assert suite.orgunits.get(f"{base}/{first.get_json()['id']}", headers=province).status_code == 404, "replaced"
    assert suite.orgunits.delete(f"{base}/{mine.get_json()['id']}",
                                 headers=suite.headers("phungtienhung")).status_code == 403
    own = suite.orgunits.get(f"{base}/{mine.get_json()['id']}", headers=suite.headers("dinhtruongtoan"))
    assert own.status_code == 200 and own.data == png(), "a signer sees their own signature"
    assert suite.orgunits.get(f"{base}/{second.get_json()['id']}",
                              headers=suite.headers("dinhtruongtoan")).status_code == 403, "not the seal"
    assert suite.orgunits.delete(f"{base}/{mine.get_json()['id']}",
                                 headers=suite.headers("dinhtruongtoan")).status_code == 204
    events = suite.outbox_types("orgunits")
    assert events.count("orgunits.signature_images.changed") == 4
