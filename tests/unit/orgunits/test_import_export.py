"""Import and export of whole trees: all or nothing, every problem reported, JSON and CSV round trips."""
from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import auth
from tests.unit.orgunits.helpers import SKHCN, counts, find

SHARED = Path(__file__).resolve().parents[3] / "services/orgunits/demo_data/binh_thuan_units.json"


def test_half_bad_import_imports_nothing_and_lists_every_problem(orgunits, super_token):
    client = orgunits.test_client()
    tree = {"name": "Tỉnh Thử", "code": "TT", "children": [
        {"name": "Sở A", "code": "TT.01", "children": []},
        {"name": "  ", "code": "TT.02", "children": []},
        {"name": "Sở C", "code": "TT.01", "children": [{"name": "Phòng D", "code": "bad code", "children": []}]},
    ]}
    response = client.post("/api/orgunits/units/import", headers=auth(super_token), json={"tree": tree})
    assert response.status_code == 422
    body = response.get_json()
    assert "nothing was imported" in body["detail"]
    messages = " | ".join(p["message"] for p in body["problems"])
    assert "name: " in messages and "repeated" in messages and "spaces" in messages
    assert len(body["problems"]) == 3
    assert counts(orgunits) == (0, 0)


def test_import_refuses_codes_that_already_exist(demo, super_token):
    client = demo.test_client()
    root = client.get("/api/orgunits/units?parent=root").get_json()["items"][0]
    before = counts(demo)
    response = client.post("/api/orgunits/units/import", headers=auth(super_token), json={
        "parent_id": root["id"], "tree": {"name": "Bản sao", "code": "BT.01.01.13", "children": []}})
    assert response.status_code == 422
    assert "already used" in response.get_json()["problems"][0]["message"]
    assert counts(demo) == before


def test_json_export_round_trips_the_shared_file(demo):
    client = demo.test_client()
    root = client.get("/api/orgunits/units?parent=root").get_json()["items"][0]
    exported = client.get(f"/api/orgunits/units/{root['id']}/export").get_json()

    def shape(node):
        return {"name": node["name"], "code": node["code"], "children": [shape(c) for c in node["children"]]}

    assert shape(exported) == json.loads(SHARED.read_text(encoding="utf-8"))


def test_csv_export_imports_back_under_another_parent(demo, tmp_path, keys, super_token):
    from tests.conftest import make_orgunits

    source = demo.test_client()
    skhcn = find(source, SKHCN)
    csv_text = source.get(f"/api/orgunits/units/{skhcn['id']}/export?format=csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffcode,parent_code,name")
    target = make_orgunits(tmp_path, keys)
    try:
        client = target.test_client()
        result = client.post("/api/orgunits/units/import", headers=auth(super_token), json={"csv": csv_text})
        assert result.status_code == 201, result.get_data(as_text=True)
        created = result.get_json()
        original = source.get(f"/api/orgunits/units/{skhcn['id']}/subtree").get_json()["items"]
        assert created["created"] == len(original)
        copy = client.get(f"/api/orgunits/units/{created['root_ids'][0]}/subtree").get_json()["items"]
        assert [(u["code"], u["name"], u["depth"] - copy[0]["depth"]) for u in copy] == \
            [(u["code"], u["name"], u["depth"] - original[0]["depth"]) for u in original]
    finally:
        target.extensions["egov"].stop()


def test_csv_with_a_parent_loop_is_refused(orgunits, super_token):
    csv_text = "code,parent_code,name\nR,,Gốc\nA,B,Đơn vị A\nB,A,Đơn vị B\n"
    response = orgunits.test_client().post("/api/orgunits/units/import", headers=auth(super_token),
                                           json={"csv": csv_text})
    assert response.status_code == 422
    assert "loop" in response.get_json()["detail"]
    assert counts(orgunits) == (0, 0)


def test_import_under_a_unit_needs_a_grant_on_it(demo, keys):
    client = demo.test_client()
    skhcn = find(client, SKHCN)
    stranger = keys.mint(sub="admin-x", perms=["units.manage"], admin_units=["somewhere-else"])
    response = client.post("/api/orgunits/units/import", headers=auth(stranger), json={
        "parent_id": skhcn["id"], "tree": {"name": "Phòng X", "code": "PX", "children": []}})
    assert response.status_code == 403
