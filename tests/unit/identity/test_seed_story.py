"""Seed 000 over HTTP: Trương Minh Hòa registers for Sở Khoa học và Công nghệ, the unit admin approves him
with department and position, edits his phone, transfers him (accepted by the other unit's admin) and
locks him; every step is in his history and published as an event."""
from __future__ import annotations

SKHCN, SCT = "BT.01.01.13", "BT.01.01.01"


def test_registration_approval_edit_transfer_lock(suite):
    id_client = suite.identity
    skhcn, sct = suite.unit(SKHCN), suite.unit(SCT)
    registered = id_client.post("/api/identity/register", json={
        "full_name": "Trương Minh Hòa", "citizen_id": "042090001234", "date_of_birth": "1990-04-12",
        "phone": "0912 345 678", "email": "hoa.tm@sokhcn.binhthuan.gov.vn", "unit_id": skhcn["id"]})
    assert registered.status_code == 201, registered.get_data(as_text=True)
    hoa = registered.get_json()
    assert hoa["status"] == "pending" and hoa["phone"] == "0912345678"

    pending = id_client.get("/api/identity/accounts", query_string={"status": "pending"},
                            headers=suite.headers("qt.sokhcn")).get_json()
    assert [a["full_name"] for a in pending["items"]] == ["Trương Minh Hòa"]
    approved = id_client.post(f"/api/identity/accounts/{hoa['id']}/approve", headers=suite.headers("qt.sokhcn"),
                              json={"department": "Phòng Quản lý khoa học", "position": "Chuyên viên"}).get_json()
    assert approved["account"]["status"] == "approved" and approved["account"]["position"] == "Chuyên viên"
    otp = approved["one_time_password"]
    assert len(otp) >= 12 and "042090001234" not in otp

    edited = id_client.patch(f"/api/identity/accounts/{hoa['id']}", headers=suite.headers("qt.sokhcn"),
                             json={"phone": "+84 987 654 321"}).get_json()
    assert edited["phone"] == "0987654321"

    request = id_client.post(f"/api/identity/accounts/{hoa['id']}/transfer", headers=suite.headers("qt.sokhcn"),
                             json={"to_unit_id": sct["id"]}).get_json()
    assert request["status"] == "pending"
    still = id_client.get(f"/api/identity/accounts/{hoa['id']}", headers=suite.headers("qt.sokhcn")).get_json()
    assert still["unit_id"] == skhcn["id"], "the person stays until the receiving admin accepts"
    refused = id_client.post(f"/api/identity/transfers/{request['id']}/accept", headers=suite.headers("qt.sokhcn"))
    assert refused.status_code == 403
    accepted = id_client.post(f"/api/identity/transfers/{request['id']}/accept",
                              headers=suite.headers("qt.binhthuan")).get_json()
    assert accepted["status"] == "accepted"
    moved = id_client.get(f"/api/identity/accounts/{hoa['id']}", headers=suite.headers("qt.binhthuan")).get_json()
    assert moved["unit_id"] == sct["id"]

    locked = id_client.post(f"/api/identity/accounts/{hoa['id']}/lock", headers=suite.headers("qt.binhthuan"))
    assert locked.get_json()["status"] == "locked"

    history = id_client.get(f"/api/identity/accounts/{hoa['id']}/history",
                            headers=suite.headers("qt.binhthuan")).get_json()["items"]
    actions = [h["action"] for h in history]
    for step in ("registered", "approved", "updated", "transfer_requested", "transferred", "locked"):
        assert step in actions
    phone = next(h for h in history if h["field"] == "phone")
    assert (phone["old_value"], phone["new_value"]) == ("0912345678", "0987654321")
    assert phone["changed_by"] == suite.account("qt.sokhcn")["id"]
    assert [t for t in suite.outbox_types("identity") if t.startswith(("identity.account", "identity.transfer"))][-6:] \
        == ["identity.account.registered", "identity.account.approved", "identity.account.updated",
            "identity.transfer.requested", "identity.account.transferred", "identity.account.locked"]

    suite.deliver()
    token = suite.headers("qt.binhthuan")
    members = suite.orgunits.get(f"/api/orgunits/units/{sct['id']}/members", headers=token).get_json()
    assert members["items"] == [], "a locked person is not counted in the headcount"
    left = suite.orgunits.get(f"/api/orgunits/units/{skhcn['id']}/members", headers=token).get_json()["items"]
    assert hoa["id"] not in [m["account_id"] for m in left] and len(left) == 3
