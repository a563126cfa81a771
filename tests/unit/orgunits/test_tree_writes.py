"""Changing the tree: every change is published through the outbox; bad input is a clear 4xx
problem+json and changes nothing."""
from __future__ import annotations

import json

import pytest

from tests.conftest import auth, make_orgunits
from tests.unit.orgunits.helpers import SKHCN, counts, find, outbox_types


@pytest.fixture
def tree(tmp_path, keys):
    app = make_orgunits(tmp_path, keys, demo=True)
    yield app
    app.extensions["egov"].stop()


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_create_read_edit_a_child_unit(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    created = client.post("/api/orgunits/units", headers=auth(super_token), json={
        "parent_id": skhcn["id"], "code": "BT.01.01.13.99", "name": "  Phòng  Quản lý   chuyên ngành ",
        "kind": "office", "phone": "0252 3822 123"})
    assert created.status_code == 201, created.get_data(as_text=True)
    unit = created.get_json()
    assert unit["name"] == "Phòng Quản lý chuyên ngành" and unit["depth"] == skhcn["depth"] + 1
    assert unit["ancestor_ids"][-1] == skhcn["id"]
    edited = client.patch(f"/api/orgunits/units/{unit['id']}", headers=auth(super_token),
                          json={"email": "qlcn@sokhcn.binhthuan.gov.vn"}).get_json()
    assert edited["email"] == "qlcn@sokhcn.binhthuan.gov.vn" and edited["version"] == unit["version"] + 1
    assert client.get(f"/api/orgunits/units/{unit['id']}").get_json()["email"] == edited["email"]
    assert outbox_types(tree)[-2:] == ["orgunits.unit.created", "orgunits.unit.updated"]


def test_names_are_stored_nfc(tree, super_token):
    client = tree.test_client()
    decomposed = "Pho\u0300ng Ke\u0302\u0301 toa\u0301n"  # "Phòng Kế toán" typed in NFD
    root = client.get("/api/orgunits/units?parent=root").get_json()["items"][0]
    unit = client.post("/api/orgunits/units", headers=auth(super_token), json={
        "parent_id": root["id"], "code": "NFD-1", "name": decomposed}).get_json()
    assert unit["name"] == "Phòng Kế toán"
    assert find(client, "Phòng Kế toán")["id"] == unit["id"]


def test_duplicate_code_is_409_and_changes_nothing(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    before = counts(tree)
    body = _problem(client.post("/api/orgunits/units", headers=auth(super_token), json={
        "parent_id": skhcn["id"], "code": "BT.01.01.13", "name": "Bản sao"}), 409)
    assert "BT.01.01.13" in body["detail"] and SKHCN in body["detail"]
    assert counts(tree) == before


def test_move_under_own_descendant_is_422_and_changes_nothing(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    child = client.get(f"/api/orgunits/units/{skhcn['id']}/children").get_json()["items"][0]
    before = counts(tree)
    body = _problem(client.post(f"/api/orgunits/units/{skhcn['id']}/move", headers=auth(super_token),
                                json={"parent_id": child["id"]}), 422)
    assert "cycle" in body["detail"]
    _problem(client.post(f"/api/orgunits/units/{skhcn['id']}/move", headers=auth(super_token),
                         json={"parent_id": skhcn["id"]}), 422)
    assert counts(tree) == before
    assert client.get(f"/api/orgunits/units/{skhcn['id']}").get_json()["parent_id"] == skhcn["parent_id"]


def test_move_rewrites_the_whole_subtree(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    target = find(client, "Sở Công Thương")
    size = len(client.get(f"/api/orgunits/units/{skhcn['id']}/subtree").get_json()["items"])
    moved = client.post(f"/api/orgunits/units/{skhcn['id']}/move", headers=auth(super_token),
                        json={"parent_id": target["id"]}).get_json()
    assert moved["parent_id"] == target["id"] and moved["depth"] == target["depth"] + 1
    sub = client.get(f"/api/orgunits/units/{target['id']}/subtree").get_json()["items"]
    assert skhcn["id"] in [u["id"] for u in sub]
    for unit in client.get(f"/api/orgunits/units/{skhcn['id']}/subtree").get_json()["items"][1:]:
        chain = [a["id"] for a in client.get(f"/api/orgunits/units/{unit['id']}/ancestors").get_json()["items"]]
        assert len(chain) == unit["depth"] and chain[moved["depth"]] == skhcn["id"]
        assert target["id"] in chain
    assert len(client.get(f"/api/orgunits/units/{skhcn['id']}/subtree").get_json()["items"]) == size
    assert outbox_types(tree)[-1] == "orgunits.unit.moved"


def test_delete_unit_with_children_is_409(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    before = counts(tree)
    body = _problem(client.delete(f"/api/orgunits/units/{skhcn['id']}", headers=auth(super_token)), 409)
    assert "child" in body["detail"]
    assert counts(tree) == before


def test_delete_an_empty_leaf(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    leaf = client.post("/api/orgunits/units", headers=auth(super_token), json={
        "parent_id": skhcn["id"], "code": "TMP-1", "name": "Tạm"}).get_json()
    assert client.delete(f"/api/orgunits/units/{leaf['id']}", headers=auth(super_token)).status_code == 204
    _problem(client.get(f"/api/orgunits/units/{leaf['id']}"), 404)
    assert outbox_types(tree)[-1] == "orgunits.unit.deleted"


def test_unknown_id_is_404(tree, super_token):
    client = tree.test_client()
    for response in (client.get("/api/orgunits/units/nope"),
                     client.get("/api/orgunits/units/nope/subtree"),
                     client.patch("/api/orgunits/units/nope", headers=auth(super_token), json={"name": "x"}),
                     client.post("/api/orgunits/units/nope/move", headers=auth(super_token),
                                 json={"parent_id": None})):
        assert "nope" in _problem(response, 404)["detail"]


def test_malformed_json_is_400_and_changes_nothing(tree, super_token):
    client = tree.test_client()
    before = counts(tree)
    body = _problem(client.post("/api/orgunits/units", headers={**auth(super_token),
                                "Content-Type": "application/json"}, data='{"code": "X", "name": '), 400)
    assert "JSON" in body["detail"]
    assert counts(tree) == before


def test_missing_fields_are_named_in_a_422(tree, super_token):
    client = tree.test_client()
    body = _problem(client.post("/api/orgunits/units", headers=auth(super_token), json={"code": "X"}), 422)
    assert "name" in body["detail"]
    assert any(e["field"] == "name" for e in body["errors"])


def test_writes_need_a_token_and_a_grant(tree, keys):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    payload = {"parent_id": skhcn["id"], "code": "NEW-1", "name": "Mới"}
    _problem(client.post("/api/orgunits/units", json=payload), 401)
    officer = keys.mint(sub="officer-1", unit=skhcn["id"], perms=["tasks.assign"])
    _problem(client.post("/api/orgunits/units", headers=auth(officer), json=payload), 403)
    assert counts(tree)[0] == 679


def test_deactivate_and_activate_publish_events(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    off = client.post(f"/api/orgunits/units/{skhcn['id']}/deactivate", headers=auth(super_token)).get_json()
    assert off["status"] == "inactive"
    on = client.post(f"/api/orgunits/units/{skhcn['id']}/activate", headers=auth(super_token)).get_json()
    assert on["status"] == "active"
    assert outbox_types(tree)[-2:] == ["orgunits.unit.deactivated", "orgunits.unit.activated"]


def test_outbox_rows_are_cloudevents_with_full_snapshots(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    client.patch(f"/api/orgunits/units/{skhcn['id']}", headers={**auth(super_token), "X-Correlation-ID": "abc-123"},
                 json={"phone": "0252 3822 111"})
    from sqlmodel import select

    from services.common.models import OutboxMessage

    with tree.extensions["egov"].db.session() as session:
        row = session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    event = json.loads(row.body)
    assert {"specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data"} <= set(event)
    assert event["specversion"] == "1.0" and event["source"] == "/egov/orgunits"
    assert event["correlationid"] == "abc-123"
    assert event["subject"] == skhcn["id"]
    assert event["data"]["schema_version"] == 1
    assert event["data"]["unit"]["phone"] == "0252 3822 111" and event["data"]["changed"] == ["phone"]


@pytest.mark.parametrize("field, value", [("email", "không phải thư"), ("email", "a@b"), ("phone", "12"),
                                          ("phone", "+1 202 555 0100")])
def test_a_unit_contact_that_is_not_an_address_or_a_vietnamese_number_is_refused(tree, super_token, field, value):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    body = _problem(client.patch(f"/api/orgunits/units/{skhcn['id']}", headers=auth(super_token),
                                 json={field: value}), 422)
    assert any(e.get("field") == field for e in body.get("errors") or []), body
    assert find(client, SKHCN)["version"] == skhcn["version"], "nothing changed"
    kept = client.patch(f"/api/orgunits/units/{skhcn['id']}", headers=auth(super_token),
                        json={"phone": "(0252)  3822 000", "email": " VanPhong@SoKHCN.BinhThuan.gov.vn "}).get_json()
    assert kept["phone"] == "(0252) 3822 000" and kept["email"] == "vanphong@sokhcn.binhthuan.gov.vn"
