"""Admins are confined to their subtree: the admin of unit A (Sở Khoa học và Công nghệ) gets 404/403 on
every read and write of every resource in the sibling unit B (Sở Công Thương) — and nothing changes —
while acting freely in A's children."""
from __future__ import annotations

import pytest

from tests.unit.identity.conftest import Suite

A, B, C = "BT.01.01.13", "BT.01.01.01", "BT.01.01.02"


def _register(suite: Suite, name: str, cccd: str, unit_id: str) -> dict:
    response = suite.identity.post("/api/identity/register", json={"full_name": name, "citizen_id": cccd,
                                                                  "unit_id": unit_id})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def _approve(suite: Suite, account_id: str, admin: str) -> str:
    body = suite.identity.post(f"/api/identity/accounts/{account_id}/approve", headers=suite.headers(admin),
                               json={}).get_json()
    return body["one_time_password"]


@pytest.fixture
def world(suite):
    """B gets its own admin, an officer, a second officer, a pending registration, a group, a transfer."""
    b, c = suite.unit(B), suite.unit(C)
    province = "qt.binhthuan"
    b_admin = _register(suite, "Hồ Văn Bình", "060071000111", b["id"])
    suite.people["060071000111"] = _approve(suite, b_admin["id"], province)
    grant = suite.identity.post("/api/identity/admin-grants", headers=suite.headers(province), json={
        "account_id": b_admin["id"], "unit_id": b["id"],
        "permissions": ["accounts.read", "accounts.approve", "accounts.edit", "accounts.lock",
                        "accounts.transfer", "accounts.delete", "accounts.convert", "admins.grant", "groups.manage"]})
    assert grant.status_code == 201, grant.get_data(as_text=True)
    officer = _register(suite, "Vũ Thị Cúc", "060072000222", b["id"])
    _approve(suite, officer["id"], province)
    officer2 = _register(suite, "Vũ Thị Cúc Mới", "060072000333", b["id"])
    _approve(suite, officer2["id"], province)
    pending = _register(suite, "Đoàn Văn Chờ", "060073000444", b["id"])
    group = suite.identity.post("/api/identity/groups", headers=suite.headers(province), json={
        "name": "Nhóm xử lý SCT", "unit_id": b["id"], "permissions": ["tasks.assign"]}).get_json()
    transfer = suite.identity.post(f"/api/identity/accounts/{officer2['id']}/transfer",
                                   headers=suite.headers(province), json={"to_unit_id": c["id"]}).get_json()
    return {"b": b, "officer": officer, "officer2": officer2, "pending": pending, "group": group,
            "grant": grant.get_json(), "transfer": transfer, "b_admin": b_admin}


def test_admin_of_a_cannot_touch_anything_in_sibling_b(suite, world):
    a = suite.unit(A)
    officer, pending, group = world["officer"]["id"], world["pending"]["id"], world["group"]["id"]
    mine = suite.account("dinhtruongtoan")["id"]
    b_id = world["b"]["id"]
    requests = [
        ("get", f"/accounts/{officer}", None), ("patch", f"/accounts/{officer}", {"note": "x"}),
        ("post", f"/accounts/{pending}/approve", {}), ("post", f"/accounts/{pending}/reject", {"reason": "không"}),
        ("post", f"/accounts/{officer}/lock", None), ("post", f"/accounts/{officer}/unlock", None),
        ("post", f"/accounts/{officer}/archive", {"group": "retired"}), ("delete", f"/accounts/{officer}", None),
        ("get", f"/accounts/{officer}/history", None),
        ("post", f"/accounts/{officer}/transfer", {"to_unit_id": a["id"]}),
        ("post", f"/accounts/{officer}/appointments", {"unit_id": a["id"], "position": "x"}),
        ("post", f"/accounts/{mine}/appointments", {"unit_id": world["b"]["id"], "position": "x"}),
        ("delete", f"/accounts/{officer}/appointments/{a['id']}", None),
        ("post", f"/accounts/{officer}/convert", {"new_account_id": world["officer2"]["id"], "confirm": True}),
        ("get", "/accounts", {"unit_id": world["b"]["id"]}), ("get", "/accounts/stats", {"unit_id": world["b"]["id"]}),
        ("post", "/admin-grants", {"account_id": officer, "unit_id": b_id, "permissions": ["accounts.read"]}),
        ("post", "/admin-grants", {"account_id": mine, "unit_id": b_id, "permissions": ["accounts.read"]}),
        ("delete", f"/admin-grants/{world['grant']['id']}", None),
        ("patch", f"/groups/{group}", {"name": "đổi tên"}), ("delete", f"/groups/{group}", None),
        ("post", f"/groups/{group}/members", {"account_id": mine}),
        ("delete", f"/groups/{group}/members/{officer}", None),
        ("post", "/groups", {"name": "Nhóm lạ", "unit_id": world["b"]["id"], "permissions": []}),
        ("post", f"/transfers/{world['transfer']['id']}/accept", None),
        ("post", f"/transfers/{world['transfer']['id']}/reject", None),
    ]
    admin_of_a = suite.headers("qt.sokhcn")  # signs in first: a first sign-in changes the password (an event)
    before = suite.identity.get(f"/api/identity/accounts/{officer}", headers=suite.headers("admin")).get_json()
    outbox_before = len(suite.outbox_types("identity"))
    for method, path, body in requests:
        call = getattr(suite.identity, method)
        kwargs = {"query_string": body} if method == "get" and body else ({"json": body} if body is not None else {})
        response = call(f"/api/identity{path}", headers=admin_of_a, **kwargs)
        assert response.status_code in (403, 404), f"{method.upper()} {path} -> {response.status_code}"
        assert response.mimetype == "application/problem+json"
    after = suite.identity.get(f"/api/identity/accounts/{officer}", headers=suite.headers("admin")).get_json()
    assert after == before
    assert len(suite.outbox_types("identity")) == outbox_before
    listed = suite.identity.get("/api/identity/accounts", headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert officer not in {a["id"] for a in listed} and pending not in {a["id"] for a in listed}
    grants = suite.identity.get("/api/identity/admin-grants", headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert world["grant"]["id"] not in {g["id"] for g in grants}
    groups = suite.identity.get("/api/identity/groups", headers=suite.headers("qt.sokhcn")).get_json()["items"]
    assert group not in {g["id"] for g in groups}


def test_admin_of_b_is_equally_confined(suite, world):
    mine = suite.account("dinhtruongtoan")["id"]
    b_admin = suite.headers("060071000111")
    assert suite.identity.get(f"/api/identity/accounts/{mine}", headers=b_admin).status_code == 404
    assert suite.identity.post(f"/api/identity/accounts/{mine}/lock", headers=b_admin).status_code == 404


def test_admin_of_a_acts_in_a_child_unit(suite):
    a = suite.unit(A)
    child = suite.orgunits.get(f"/api/orgunits/units/{a['id']}/children").get_json()["items"][0]
    person = _register(suite, "Mai Thị Lan", "060074000555", child["id"])
    admin = suite.headers("qt.sokhcn")
    approved = suite.identity.post(f"/api/identity/accounts/{person['id']}/approve", headers=admin, json={
        "department": child["name"], "position": "Kế toán", "is_head": True})
    assert approved.status_code == 200
    assert suite.identity.patch(f"/api/identity/accounts/{person['id']}", headers=admin,
                                json={"note": "Phụ trách tài chính"}).status_code == 200
    grant = suite.identity.post("/api/identity/admin-grants", headers=admin, json={
        "account_id": person["id"], "unit_id": child["id"], "permissions": ["accounts.read", "accounts.approve"]})
    assert grant.status_code == 201, grant.get_data(as_text=True)
    beyond = suite.identity.post("/api/identity/admin-grants", headers=admin, json={
        "account_id": person["id"], "unit_id": child["id"], "permissions": ["system.admin"]})
    assert beyond.status_code == 409 and "super admin" in beyond.get_json()["detail"]
    not_held = suite.identity.post("/api/identity/admin-grants", headers=admin, json={
        "account_id": person["id"], "unit_id": child["id"], "permissions": ["meetings.attend.all"]})
    assert not_held.status_code == 422
    listed = suite.identity.get("/api/identity/accounts", headers=admin,
                                query_string={"unit_id": a["id"], "q": "mai thi lan"}).get_json()
    assert [x["id"] for x in listed["items"]] == [person["id"]]


def test_the_system_group_cannot_be_deleted(suite):
    groups = suite.identity.get("/api/identity/groups", headers=suite.headers("admin")).get_json()["items"]
    system = next(g for g in groups if g["builtin"])
    response = suite.identity.delete(f"/api/identity/groups/{system['id']}", headers=suite.headers("admin"))
    assert response.status_code == 409 and "cannot be deleted" in response.get_json()["detail"]
