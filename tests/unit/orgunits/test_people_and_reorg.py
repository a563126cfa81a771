"""Members come from identity's events; headcount, merge/dissolve and the re-declare list follow them."""
from __future__ import annotations

import pytest

from services.common.envelope import make_event
from tests.conftest import auth, make_orgunits
from tests.unit.orgunits.helpers import SKHCN, counts, find, outbox_types


@pytest.fixture
def tree(tmp_path, keys):
    app = make_orgunits(tmp_path, keys, demo=True)
    app.extensions["egov"].start_consumers()
    yield app
    app.extensions["egov"].stop()


def account_event(kind: str, account_id: str, name: str, unit_id: str | None, department: str | None = None,
                  status: str = "approved") -> dict:
    return make_event(f"identity.account.{kind}", source="identity", subject=account_id, data={
        "account": {"id": account_id, "full_name": name, "unit_id": unit_id, "department": department,
                    "position": "Chuyên viên", "status": status}})


def deliver(app, *events) -> None:
    runtime = app.extensions["egov"]
    for event in events:
        runtime.bus.publish(event)
    assert runtime.bus.wait_idle(10)


def test_headcount_per_unit_and_department_with_the_people_behind_it(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    deliver(tree,
            account_event("approved", "a1", "Trương Minh Hòa", skhcn["id"], "Phòng Kế hoạch"),
            account_event("approved", "a2", "Đinh Trường Toàn", skhcn["id"], "Phòng Kế hoạch"),
            account_event("approved", "a3", "Phùng Tiến Hùng", skhcn["id"], "Văn phòng"),
            account_event("registered", "a4", "Người Chờ Duyệt", skhcn["id"], status="pending"))
    client.patch(f"/api/orgunits/units/{skhcn['id']}", headers=auth(super_token), json={"planned_headcount": 5})
    count = client.get(f"/api/orgunits/units/{skhcn['id']}/headcount", headers=auth(super_token)).get_json()
    assert count["total"] == 3 and count["planned"] == 5 and count["shortfall"] == 2 and count["surplus"] == 0
    assert {d["department"]: d["count"] for d in count["by_department"]} == {"Phòng Kế hoạch": 2, "Văn phòng": 1}
    people = client.get(f"/api/orgunits/units/{skhcn['id']}/members",
                        query_string={"department": "Phòng Kế hoạch"}, headers=auth(super_token)).get_json()
    assert [p["full_name"] for p in people["items"]] == ["Trương Minh Hòa", "Đinh Trường Toàn"]


def test_headcount_reconciles_the_approved_figure_over_the_subtree_unit_by_unit(tree, super_token):
    """Seed 002 §2.1: over the subtree, the Sở's figure against everyone on record below it, and each unit on its
    own line; a unit without a figure of its own takes the nearest figures below."""
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    children = client.get(f"/api/orgunits/units/{skhcn['id']}/children", headers=auth(super_token)).get_json()["items"]
    office, centre = children[0], children[1]
    deliver(tree, *(account_event("approved", f"r{n}", f"Cán Bộ {n}", unit["id"], "Phòng A")
                    for n, unit in enumerate([skhcn, skhcn, office, office, office, centre])))
    for unit, figure in ((skhcn, 7), (office, 2), (centre, 3)):
        client.patch(f"/api/orgunits/units/{unit['id']}", headers=auth(super_token), json={"planned_headcount": figure})
    whole = client.get(f"/api/orgunits/units/{skhcn['id']}/headcount", headers=auth(super_token),
                       query_string={"subtree": "true"}).get_json()
    assert (whole["total"], whole["planned"], whole["surplus"], whole["shortfall"]) == (6, 7, 0, 1)
    lines = {line["unit_id"]: line for line in whole["units"]}
    assert (lines[office["id"]]["people"], lines[office["id"]]["surplus"]) == (3, 1)
    assert (lines[centre["id"]]["people"], lines[centre["id"]]["shortfall"]) == (1, 2)
    assert lines[skhcn["id"]]["depth"] == 0 and lines[office["id"]]["depth"] == 1
    client.patch(f"/api/orgunits/units/{skhcn['id']}", headers=auth(super_token), json={"planned_headcount": None})
    nearest = client.get(f"/api/orgunits/units/{skhcn['id']}/headcount", headers=auth(super_token),
                         query_string={"subtree": "true"}).get_json()
    assert (nearest["planned"], nearest["surplus"], nearest["shortfall"]) == (5, 1, 0)
    own = client.get(f"/api/orgunits/units/{office['id']}/headcount", headers=auth(super_token)).get_json()
    assert (own["total"], own["planned"], own["surplus"], own["units"]) == (3, 2, 1, [])

def test_a_duplicate_delivery_has_no_second_effect(tree):
    skhcn = find(tree.test_client(), SKHCN)
    event = account_event("approved", "dup-1", "Lê Văn A", skhcn["id"])
    deliver(tree, event, event)
    handler = tree.extensions["egov"].subscription("orgunits.members").handler
    assert handler.applied == 1 and handler.duplicates == 1


def test_a_stale_event_does_not_overwrite_a_newer_one(tree, super_token):
    client = tree.test_client()
    skhcn, other = find(client, SKHCN), find(client, "Sở Công Thương")
    older = account_event("approved", "s1", "Trần Thị B", skhcn["id"])
    newer = account_event("transferred", "s1", "Trần Thị B", other["id"])
    deliver(tree, newer, older)
    members = client.get(f"/api/orgunits/units/{other['id']}/members", headers=auth(super_token)).get_json()
    assert [m["account_id"] for m in members["items"]] == ["s1"]


def test_a_unit_with_members_cannot_be_deleted(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    leaf = client.post("/api/orgunits/units", headers=auth(super_token), json={
        "parent_id": skhcn["id"], "code": "LEAF", "name": "Tổ công tác"}).get_json()
    deliver(tree, account_event("approved", "m1", "Nguyễn Văn C", leaf["id"]))
    response = client.delete(f"/api/orgunits/units/{leaf['id']}", headers=auth(super_token))
    assert response.status_code == 409 and "member" in response.get_json()["detail"]


def test_merge_moves_children_and_lists_people_until_they_are_accepted_elsewhere(tree, super_token):
    client = tree.test_client()
    skhcn, target = find(client, SKHCN), find(client, "Sở Công Thương")
    kids = [k["id"] for k in client.get(f"/api/orgunits/units/{skhcn['id']}/children").get_json()["items"]]
    deliver(tree, account_event("approved", "p1", "Trương Minh Hòa", skhcn["id"]),
            account_event("approved", "p2", "Đinh Trường Toàn", skhcn["id"]))
    merged = client.post(f"/api/orgunits/units/{skhcn['id']}/merge", headers=auth(super_token),
                         json={"target_id": target["id"]})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    assert merged.get_json()["status"] == "merged" and merged.get_json()["merged_into_id"] == target["id"]
    moved = [k["id"] for k in client.get(f"/api/orgunits/units/{target['id']}/children").get_json()["items"]]
    assert moved[-len(kids):] == kids
    assert outbox_types(tree)[-1] == "orgunits.unit.merged"
    pending = client.get(f"/api/orgunits/units/{skhcn['id']}/redeclare", headers=auth(super_token)).get_json()
    assert sorted(p["account_id"] for p in pending["items"]) == ["p1", "p2"]
    rows = client.get("/api/orgunits/reorganisations", headers=auth(super_token)).get_json()["items"]
    assert [(r["unit"]["id"], r["still_to_redeclare"]) for r in rows] == [(skhcn["id"], 2)]

    deliver(tree, account_event("transferred", "p1", "Trương Minh Hòa", target["id"]))
    pending = client.get(f"/api/orgunits/units/{skhcn['id']}/redeclare", headers=auth(super_token)).get_json()
    assert [p["account_id"] for p in pending["items"]] == ["p2"]
    deliver(tree, account_event("transferred", "p2", "Đinh Trường Toàn", target["id"]))
    assert client.get(f"/api/orgunits/units/{skhcn['id']}/redeclare",
                      headers=auth(super_token)).get_json()["items"] == []
    assert client.get("/api/orgunits/reorganisations", headers=auth(super_token)).get_json()["items"] == []


def test_merge_into_own_descendant_is_refused(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    child = client.get(f"/api/orgunits/units/{skhcn['id']}/children").get_json()["items"][0]
    before = counts(tree)
    response = client.post(f"/api/orgunits/units/{skhcn['id']}/merge", headers=auth(super_token),
                           json={"target_id": child["id"]})
    assert response.status_code == 422
    assert counts(tree) == before


def test_dissolve_needs_children_gone_first_then_lists_people(tree, super_token):
    client = tree.test_client()
    skhcn = find(client, SKHCN)
    response = client.post(f"/api/orgunits/units/{skhcn['id']}/dissolve", headers=auth(super_token), json={})
    assert response.status_code == 409 and "child" in response.get_json()["detail"]
    leaf = client.post("/api/orgunits/units", headers=auth(super_token), json={
        "parent_id": skhcn["id"], "code": "GT-1", "name": "Ban giải thể"}).get_json()
    deliver(tree, account_event("approved", "d1", "Võ Thị D", leaf["id"]))
    done = client.post(f"/api/orgunits/units/{leaf['id']}/dissolve", headers=auth(super_token),
                       json={"reason": "Theo quyết định 123/QĐ-UBND"}).get_json()
    assert done["status"] == "dissolved"
    pending = client.get(f"/api/orgunits/units/{leaf['id']}/redeclare", headers=auth(super_token)).get_json()
    assert [p["account_id"] for p in pending["items"]] == ["d1"]
    again = client.post(f"/api/orgunits/units/{leaf['id']}/dissolve", headers=auth(super_token), json={})
    assert again.status_code == 409
