"""Seed 004's "Thêm mới người dùng": an admin finds a person by citizen id in the national e-ID directory (a real
HTTP service here, the development one `make run` starts), saves them to a unit as "Chưa kích hoạt" with what the
directory says, and activates them; each refusal is a sentence that stores nothing. In the portal, the same from
the accounts list to the account page's Kích hoạt button."""
from __future__ import annotations

import re

import pytest

from services.identity import devdirectory
from tests.unit.identity.conftest import suite_with
from tests.unit.portal.conftest import Browser, text

NEWCOMER = "060092000505"
PEOPLE = {NEWCOMER: {"name": "Trần Thị Mỹ Linh", "phone_number": "0912 505 505", "birthdate": "1992-05-05",
                     "email": "linh.tran@vneid.example"},
          "060085000202": {"name": "Lê Thị Quỳnh"},          # has an account already (qt.sokhcn)
          "060093000707": {"name": "", "phone_number": "không rõ"}}


@pytest.fixture
def with_directory(tmp_path, monkeypatch, suite_template):
    with devdirectory.serve(PEOPLE, "egov-suite", "bí-mật") as url:
        made = suite_with(tmp_path, monkeypatch, suite_template, EID_LOOKUP_URL=url, OIDC_CLIENT_ID="egov-suite",
                          OIDC_CLIENT_SECRET="bí-mật")
        yield made
        made.gateway.stop()


def test_an_admin_adds_a_person_found_by_citizen_id_and_activates_them(with_directory):
    suite = with_directory
    admin, skhcn = suite.headers("qt.sokhcn"), suite.unit("BT.01.01.13")
    looked = suite.identity.get("/api/identity/eid/people", headers=admin, query_string={"citizen_id": NEWCOMER})
    assert looked.status_code == 200
    assert looked.get_json() == {"citizen_id": NEWCOMER, "has_account": False, "found": {
        "citizen_id": NEWCOMER, "full_name": "Trần Thị Mỹ Linh", "phone": "0912505505",
        "email": "linh.tran@vneid.example", "date_of_birth": "1992-05-05"}}
    known = suite.identity.get("/api/identity/eid/people", headers=admin, query_string={"citizen_id": "060085000202"})
    assert known.get_json()["has_account"] is True
    nobody = suite.identity.get("/api/identity/eid/people", headers=admin, query_string={"citizen_id": "060099000999"})
    assert nobody.get_json()["found"] is None
    assert suite.identity.get("/api/identity/eid/people", headers=suite.headers("dinhtruongtoan"),
                              query_string={"citizen_id": NEWCOMER}).status_code == 403, "officers do not look up"
    assert suite.identity.get("/api/identity/eid/people", headers=admin,
                              query_string={"citizen_id": "12345"}).status_code == 422

    before = len(suite.outbox_types("identity"))
    refusals = [
        ({"citizen_id": "060099000999", "unit_id": skhcn["id"]}, 409, "eid_not_found"),
        ({"citizen_id": "060085000202", "unit_id": skhcn["id"]}, 409, "citizen_id_taken"),
        ({"citizen_id": "060093000707", "unit_id": skhcn["id"]}, 409, "eid_not_found"),
        ({"citizen_id": NEWCOMER, "unit_id": suite.unit("BT.01.01.01")["id"]}, 403, "permission_missing"),
        ({"citizen_id": NEWCOMER, "unit_id": "khong-co"}, 403, None),
    ]
    for body, status, code in refusals:
        answer = suite.identity.post("/api/identity/accounts/from-eid", headers=admin, json=body)
        assert answer.status_code == status and answer.get_json()["detail"], answer.get_data(as_text=True)
        assert code is None or answer.get_json()["code"] == code
    assert len(suite.outbox_types("identity")) == before, "nothing was stored"

    added = suite.identity.post("/api/identity/accounts/from-eid", headers=admin, json={
        "citizen_id": NEWCOMER, "unit_id": skhcn["id"], "position": "Chuyên viên",
        "full_name": "Tên do trình duyệt gửi"})
    assert added.status_code == 201, added.get_data(as_text=True)
    account = added.get_json()
    assert (account["full_name"], account["status"], account["phone"], account["date_of_birth"]) == (
        "Trần Thị Mỹ Linh", "inactive", "0912505505", "1992-05-05"), "what the directory says, nothing else"
    listed = suite.identity.get("/api/identity/accounts", headers=admin, query_string={"status": "inactive"})
    assert [a["id"] for a in listed.get_json()["items"]] == [account["id"]]
    signed = suite.identity.post("/api/identity/auth/login", json={"username": NEWCOMER, "password": "bất kỳ mật khẩu"})
    assert signed.status_code == 401
    suite.deliver()
    members = suite.orgunits.get(f"/api/orgunits/units/{skhcn['id']}/members", headers=admin).get_json()
    assert account["id"] not in [m["account_id"] for m in members["items"]], "not counted before activation"

    assert suite.identity.post(f"/api/identity/accounts/{account['id']}/activate",
                               headers=suite.headers("dinhtruongtoan")).status_code in (403, 404)
    activated = suite.identity.post(f"/api/identity/accounts/{account['id']}/activate", headers=admin)
    assert activated.status_code == 200 and activated.get_json()["status"] == "approved"
    again = suite.identity.post(f"/api/identity/accounts/{account['id']}/activate", headers=admin)
    assert again.status_code == 409 and again.get_json()["code"] == "not_inactive"
    assert "identity.account.added" in suite.outbox_types("identity")
    assert "identity.account.activated" in suite.outbox_types("identity")


def test_without_a_directory_or_when_it_is_down_the_admin_is_told(suite):
    admin = suite.headers("qt.sokhcn")
    answer = suite.identity.get("/api/identity/eid/people", headers=admin, query_string={"citizen_id": NEWCOMER})
    assert answer.status_code == 409 and answer.get_json()["code"] == "eid_unavailable"
    assert "IDENTITY_EID_LOOKUP_URL" in answer.get_json()["detail"]
    with devdirectory.serve(PEOPLE, "egov-suite", "bí-mật") as url:
        pass                                                    # the directory has gone away again
    from services.identity.domain.eid_directory import EidDirectory, EidUnavailable

    with pytest.raises(EidUnavailable) as down:
        EidDirectory(url, "egov-suite", "bí-mật", timeout=0.5).find(NEWCOMER)
    assert "unreachable" in down.value.detail
    with devdirectory.serve(PEOPLE, "egov-suite", "bí-mật") as url:
        with pytest.raises(EidUnavailable) as refused:
            EidDirectory(url, "egov-suite", "sai").find(NEWCOMER)
        assert "401" in refused.value.detail


def test_the_admin_adds_and_activates_in_the_portal(with_directory):
    admin = Browser(with_directory)
    admin.sign_in("qt.sokhcn")
    assert "Thêm người dùng bằng số CCCD" in text(admin.get("/quan-tri/tai-khoan"))
    found = text(admin.get(f"/quan-tri/tai-khoan/them-tu-dinh-danh?citizen_id={NEWCOMER}"))
    assert "Trần Thị Mỹ Linh" in found and "05/05/1992" in found and "Lưu vào hệ thống" in found
    taken = text(admin.get("/quan-tri/tai-khoan/them-tu-dinh-danh?citizen_id=060085000202"))
    assert "đã có tài khoản" in taken and "Lưu vào hệ thống" not in taken
    missing = admin.post("/quan-tri/tai-khoan/them-tu-dinh-danh", {"citizen_id": NEWCOMER})
    assert missing.status_code == 400 and "Hãy tìm và chọn đơn vị." in text(missing)
    skhcn = with_directory.unit("BT.01.01.13")
    saved = admin.post("/quan-tri/tai-khoan/them-tu-dinh-danh", {"citizen_id": NEWCOMER, "unit_id": skhcn["id"],
                                                                 "unit_q": skhcn["name"], "position": "Chuyên viên"})
    assert saved.status_code == 302
    account_page = saved.headers["Location"]
    page = text(admin.get(account_page))
    assert "Chưa kích hoạt" in page and "Đã thêm Trần Thị Mỹ Linh" in page
    account_id = re.search(r"/quan-tri/tai-khoan/([0-9a-f]{32})", account_page).group(1)
    assert admin.post(f"/quan-tri/tai-khoan/{account_id}/kich-hoat", {}).status_code == 302
    page = text(admin.get(account_page))
    assert "Đã kích hoạt tài khoản." in page and "Kích hoạt</button>" not in page
