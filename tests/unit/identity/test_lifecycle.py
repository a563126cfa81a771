"""Registration checks, concurrent appointments, archive and delete, conversion, lists and statistics."""
from __future__ import annotations

import pytest

from tests.unit.identity.test_authz_matrix import _approve, _register

SKHCN = "BT.01.01.13"


@pytest.mark.parametrize("field, value, words", [
    ("citizen_id", "999090001234", "province code"), ("citizen_id", "123456789", "12 digits"),
    ("phone", "12345", "phone"), ("email", "khong-phai-email", "email"), ("full_name", "A1", "full name"),
    ("date_of_birth", "2020-01-01", "date of birth"),
])
def test_registration_refuses_bad_personal_data_with_a_clear_message(suite, field, value, words):
    body = {"full_name": "Nguyễn Văn A", "citizen_id": "060090001234", "unit_id": suite.unit(SKHCN)["id"],
            field: value}
    response = suite.identity.post("/api/identity/register", json=body)
    assert response.status_code == 422 and words in response.get_json()["detail"].lower().replace("an email", "email")


def test_registration_for_an_unknown_unit_is_refused(suite):
    unknown = suite.identity.post("/api/identity/register", json={"full_name": "Nguyễn Văn A",
                                                                 "citizen_id": "060090001234", "unit_id": "nope"})
    assert unknown.status_code == 422


def test_registration_does_not_tell_a_stranger_that_a_citizen_id_is_taken(suite):
    """The public form answers a used CCCD exactly as a new one — and stores nothing."""
    unit = suite.unit(SKHCN)["id"]
    fresh = suite.identity.post("/api/identity/register", json={"full_name": "Nguyễn Văn Mới",
                                                               "citizen_id": "060090005555", "unit_id": unit})
    taken = suite.identity.post("/api/identity/register", json={"full_name": "Nguyễn Văn B",
                                                               "citizen_id": "060088000303", "unit_id": unit})
    assert fresh.status_code == taken.status_code == 201
    assert set(fresh.get_json()) == set(taken.get_json()) and taken.get_json()["status"] == "pending"
    listed = suite.identity.get("/api/identity/accounts", headers=suite.headers("admin"),
                                query_string={"q": "060088000303"}).get_json()["items"]
    assert [a["full_name"] for a in listed] != ["Nguyễn Văn B"] and len(listed) == 1
    assert suite.identity.get(f"/api/identity/accounts/{taken.get_json()['id']}",
                              headers=suite.headers("admin")).status_code == 404


def test_rejection_needs_a_reason_and_is_final(suite):
    person = _register(suite, "Lý Văn Từ", "060076000777", suite.unit(SKHCN)["id"])
    admin = suite.headers("qt.sokhcn")
    assert suite.identity.post(f"/api/identity/accounts/{person['id']}/reject", headers=admin,
                               json={}).status_code == 422
    rejected = suite.identity.post(f"/api/identity/accounts/{person['id']}/reject", headers=admin,
                                   json={"reason": "Không công tác tại đơn vị"}).get_json()
    assert rejected["status"] == "rejected"
    assert suite.identity.post(f"/api/identity/accounts/{person['id']}/approve", headers=admin,
                               json={}).status_code == 409


def test_concurrent_appointment_archive_and_delete(suite):
    admin = suite.headers("qt.binhthuan")
    toan = suite.account("dinhtruongtoan")
    other = suite.unit("BT.01.01.01")
    appointed = suite.identity.post(f"/api/identity/accounts/{toan['id']}/appointments", headers=admin,
                                    json={"unit_id": other["id"], "position": "Phó trưởng phòng"}).get_json()
    assert appointed["appointments"] == [{"unit_id": other["id"], "position": "Phó trưởng phòng"}]
    archived = suite.identity.post(f"/api/identity/accounts/{toan['id']}/archive", headers=admin,
                                   json={"group": "retired"}).get_json()
    assert (archived["status"], archived["archive_group"]) == ("archived", "retired")
    assert suite.identity.delete(f"/api/identity/accounts/{toan['id']}", headers=admin).status_code == 204
    assert suite.identity.get(f"/api/identity/accounts/{toan['id']}", headers=admin).status_code == 404
    assert suite.outbox_types("identity")[-1] == "identity.account.deleted"


def test_conversion_moves_roles_groups_and_grants_after_confirmation(suite):
    admin = suite.headers("qt.sokhcn")
    old = suite.account("qt.sokhcn")
    new = _register(suite, "Lê Thị Quỳnh", "060085000999", suite.unit(SKHCN)["id"])
    _approve(suite, new["id"], "qt.binhthuan")
    suite.identity.patch(f"/api/identity/accounts/{old['id']}", headers=suite.headers("qt.binhthuan"),
                         json={"roles": ["van_thu"]})
    unconfirmed = suite.identity.post(f"/api/identity/accounts/{old['id']}/convert",
                                      headers=suite.headers("qt.binhthuan"), json={"new_account_id": new["id"]})
    assert unconfirmed.status_code == 409 and unconfirmed.get_json()["plan"]["admin_grant_ids"]
    done = suite.identity.post(f"/api/identity/accounts/{old['id']}/convert", headers=suite.headers("qt.binhthuan"),
                               json={"new_account_id": new["id"], "confirm": True})
    assert done.status_code == 200, done.get_data(as_text=True)
    grants = suite.identity.get("/api/identity/admin-grants", headers=suite.headers("admin")).get_json()["items"]
    assert new["id"] in {g["account_id"] for g in grants} and old["id"] not in {g["account_id"] for g in grants}
    moved = suite.identity.get(f"/api/identity/accounts/{new['id']}", headers=suite.headers("admin")).get_json()
    assert moved["roles"] == ["van_thu"]
    gone = suite.identity.get(f"/api/identity/accounts/{old['id']}", headers=suite.headers("admin")).get_json()
    assert (gone["status"], gone["archive_group"]) == ("archived", "converted")
    old_rights = suite.identity.get("/api/identity/accounts", headers=admin)
    assert old_rights.status_code == 401, "the old account's token was withdrawn at once"
    assert "identity.account.converted" in suite.outbox_types("identity")


def test_accounts_are_found_by_phone_however_it_is_written_and_each_row_names_its_unit(suite):
    admin = suite.headers("qt.binhthuan")
    hung = suite.account("phungtienhung")["id"]
    assert suite.identity.patch(f"/api/identity/accounts/{hung}", headers=admin,
                                json={"phone": "0912 345 678"}).status_code == 200
    for written in ("0912345678", "0912.345.678", "+84 912 345 678", "345678"):
        found = suite.identity.get("/api/identity/accounts", headers=admin, query_string={"q": written}).get_json()
        assert [a["id"] for a in found["items"]] == [hung], written
        assert found["items"][0]["unit_name"] == "Sở Khoa học và Công nghệ"
    assert suite.identity.get("/api/identity/accounts", headers=admin,
                              query_string={"q": "0987654321"}).get_json()["total"] == 0

def test_the_last_approver_of_a_unit_is_archived_only_once_a_replacement_takes_the_right_over(suite):
    """Seed 002's warning: a unit whose approvers left keeps someone who approves its accounts."""
    province = {**suite.headers("qt.binhthuan"), "Accept-Language": "vi"}
    sokhcn, hung = suite.account("qt.sokhcn")["id"], suite.account("phungtienhung")["id"]
    before = suite.outbox_types("identity")
    refused = suite.identity.post(f"/api/identity/accounts/{sokhcn}/archive", headers=province,
                                  json={"group": "transferred_out"})
    assert refused.status_code == 409 and refused.get_json()["code"] == "last_approver"
    assert "người duyệt tài khoản cuối cùng của Sở Khoa học và Công nghệ" in refused.get_json()["detail"]
    assert suite.identity.delete(f"/api/identity/accounts/{sokhcn}", headers=province).status_code == 409
    assert suite.outbox_types("identity") == before
    assert suite.identity.get(f"/api/identity/accounts/{sokhcn}", headers=province).get_json()["status"] == "approved"
    handed = suite.identity.post(f"/api/identity/accounts/{sokhcn}/archive", headers=province,
                                 json={"group": "transferred_out", "replacement_id": hung})
    assert handed.status_code == 200, handed.get_json()
    handed_over = [t for t in suite.outbox_types("identity")[len(before):] if t != "identity.tokens.revoked"]
    assert handed_over == ["identity.admin.revoked", "identity.admin.granted", "identity.account.archived"]
    newcomer = _register(suite, "Người Mới Đến", "060071000777", suite.unit(SKHCN)["id"])
    suite.tokens.pop("phungtienhung", None)
    approved = suite.identity.post(f"/api/identity/accounts/{newcomer['id']}/approve",
                                   headers=suite.headers("phungtienhung"), json={})
    assert approved.status_code == 200, "the replacement approves the unit's accounts now"

def test_conversion_needs_the_same_unit_and_groups_and_never_takes_an_archived_account(suite):
    """Seed 004 §3.4: both accounts in the same unit and the same user group; a refusal says why and changes
    nothing; an account already converted, or archived, is not converted (again)."""
    admin = suite.headers("qt.binhthuan")
    unit = suite.unit(SKHCN)["id"]
    toan, hung = suite.account("dinhtruongtoan")["id"], suite.account("phungtienhung")["id"]
    group = suite.identity.post("/api/identity/groups", headers=admin, json={
        "name": "Cán bộ xử lý PAKN", "unit_id": unit, "permissions": ["tasks.handle"]}).get_json()["id"]
    assert suite.identity.post(f"/api/identity/groups/{group}/members", headers=admin,
                               json={"account_id": toan}).status_code in (200, 201)
    before = suite.outbox_types("identity")

    def convert(old, new):
        return suite.identity.post(f"/api/identity/accounts/{old}/convert", headers={**admin, "Accept-Language": "vi"},
                                   json={"new_account_id": new, "confirm": True})

    across = convert(toan, hung)
    assert across.status_code == 409 and across.get_json()["code"] == "not_same_group"
    assert "hãy thêm tài khoản mới vào Cán bộ xử lý PAKN trước" in across.get_json()["detail"]
    assert suite.outbox_types("identity") == before
    suite.identity.post(f"/api/identity/groups/{group}/members", headers=admin, json={"account_id": hung})
    assert convert(toan, hung).status_code == 200
    again = convert(toan, hung)
    assert again.status_code == 409 and again.get_json()["code"] == "already_converted"
    assert "đã được chuyển đổi sang tài khoản khác" in again.get_json()["detail"]
    retired = _register(suite, "Hồ Văn Hưu", "060071000555", unit)
    _approve(suite, retired["id"], "qt.binhthuan")
    suite.identity.post(f"/api/identity/accounts/{retired['id']}/archive", headers=admin, json={"group": "retired"})
    archived = convert(retired["id"], hung)
    assert archived.status_code == 409 and archived.get_json()["code"] == "archived"
    other_unit = _register(suite, "Lê Văn Khác", "060071000556", suite.unit("BT.01.01.01")["id"])
    _approve(suite, other_unit["id"], "qt.binhthuan")
    assert convert(hung, other_unit["id"]).get_json()["code"] == "not_same_unit"

def test_lists_filter_and_statistics_count(suite):
    admin = suite.headers("qt.binhthuan")
    skhcn = suite.unit(SKHCN)
    _register(suite, "Đặng Thị Chờ", "060077000888", skhcn["id"])
    pending = suite.identity.get("/api/identity/accounts", headers=admin,
                                 query_string={"unit_id": skhcn["id"], "status": "pending"}).get_json()
    assert [a["full_name"] for a in pending["items"]] == ["Đặng Thị Chờ"]
    by_text = suite.identity.get("/api/identity/accounts", headers=admin, query_string={"q": "phung tien"}).get_json()
    assert [a["full_name"] for a in by_text["items"]] == ["Phùng Tiến Hùng"]
    hung = by_text["items"][0]["id"]
    suite.identity.patch(f"/api/identity/accounts/{hung}", headers=admin, json={"roles": ["chuyen_vien", "van_thu"]})
    by_role = suite.identity.get("/api/identity/accounts", headers=admin, query_string={"role": "van_thu"}).get_json()
    assert [a["id"] for a in by_role["items"]] == [hung] and by_role["total"] == 1
    assert suite.identity.get("/api/identity/accounts", headers=admin,
                              query_string={"role": "van"}).get_json()["total"] == 0
    paged = suite.identity.get("/api/identity/accounts", headers=admin, query_string={"limit": 2}).get_json()
    assert paged["total"] == 5 and [a["full_name"] for a in paged["items"]] == ["Đặng Thị Chờ", "Phùng Tiến Hùng"]
    by_department = suite.identity.get("/api/identity/accounts", headers=admin, query_string={
        "department": "Phòng Quản lý khoa học"}).get_json()
    assert by_department["total"] == 2
    stats = suite.identity.get("/api/identity/accounts/stats", headers=admin,
                               query_string={"unit_id": skhcn["id"]}).get_json()["items"]
    assert stats == [{"unit_id": skhcn["id"], "by_status": {"approved": 3, "pending": 1}, "total": 4}]


def test_import_accepts_a_legacy_cmnd_and_is_all_or_nothing(suite):
    admin = suite.headers("qt.sokhcn")
    unit = suite.unit(SKHCN)["id"]
    bad = suite.identity.post("/api/identity/accounts/import", headers=admin, json={"accounts": [
        {"full_name": "Cán Bộ Cũ", "citizen_id": "261234567", "unit_id": unit},
        {"full_name": "Người Ngoài", "citizen_id": "060091000123", "unit_id": suite.unit("BT.01.01.01")["id"]}]})
    assert bad.status_code == 403 and "nothing was imported" in bad.get_json()["detail"]
    duplicate = suite.identity.post("/api/identity/accounts/import", headers=admin, json={"accounts": [
        {"full_name": "Cán Bộ Cũ", "citizen_id": "261234567", "unit_id": unit},
        {"full_name": "Cán Bộ Cũ Hai", "citizen_id": "261234567", "unit_id": unit}]})
    assert duplicate.status_code == 422 and duplicate.get_json()["problems"][0]["line"] == 2
    listed = suite.identity.get("/api/identity/accounts", headers=admin, query_string={"q": "can bo cu"}).get_json()
    assert listed["total"] == 0
    good = suite.identity.post("/api/identity/accounts/import", headers=admin, json={"accounts": [
        {"full_name": "Cán Bộ Cũ", "citizen_id": "261234567", "unit_id": unit, "department": "Văn phòng"}]})
    assert good.status_code == 201
    imported = good.get_json()["items"][0]
    assert imported["status"] == "approved" and imported["citizen_id"] == "261234567"
    otp = suite.identity.post(f"/api/identity/accounts/{imported['id']}/one-time-password",
                              headers=admin).get_json()["one_time_password"]
    first = suite.identity.post("/api/identity/auth/login", json={"username": "261234567", "password": otp})
    assert first.get_json()["password_change_required"] is True



def test_without_an_e_id_provider_a_unit_cannot_switch_passwords_off(suite):
    """Switching password sign-in off where no e-ID is configured would lock everyone out: refused, nothing kept
    (the switch itself is shown with a provider in tests/unit/portal/test_eid_sign_in.py)."""
    admin = {**suite.headers("qt.sokhcn"), "Accept-Language": "vi"}
    skhcn = suite.unit(SKHCN)["id"]
    refused = suite.identity.put(f"/api/identity/units/{skhcn}/sign-in", headers=admin,
                                 json={"password_allowed": False})
    assert refused.status_code == 409 and refused.get_json()["code"] == "eid_unavailable"
    assert "chưa cấu hình nhà cung cấp định danh điện tử" in refused.get_json()["detail"]
    assert suite.identity.get(f"/api/identity/units/{skhcn}/sign-in", headers=admin).get_json() == {
        "unit_id": skhcn, "password_allowed": True, "inherited_from": None}
    assert "identity.unit_sign_in.changed" not in suite.outbox_types("identity")
