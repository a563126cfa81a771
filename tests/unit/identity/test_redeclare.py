"""A merge in orgunits puts the unit's people on its re-declare list; each picks the unit they now work in,
that unit's admin accepts, and the list empties — across both services, through their events."""
from __future__ import annotations

from tests.unit.identity.test_authz_matrix import _approve, _register


def test_merge_lists_people_until_they_are_accepted_elsewhere(suite):
    skhcn = suite.unit("BT.01.01.13")
    source, target = suite.orgunits.get(f"/api/orgunits/units/{skhcn['id']}/children").get_json()["items"][:2]
    person = _register(suite, "Trần Văn Sáp", "060075000666", source["id"])
    suite.people["060075000666"] = _approve(suite, person["id"], "qt.sokhcn")
    suite.deliver()
    admin = suite.headers("qt.sokhcn")

    merged = suite.orgunits.post(f"/api/orgunits/units/{source['id']}/merge", headers=admin,
                                 json={"target_id": target["id"]})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    suite.deliver()
    listed = suite.orgunits.get(f"/api/orgunits/units/{source['id']}/redeclare", headers=admin).get_json()["items"]
    assert [p["account_id"] for p in listed] == [person["id"]]
    me = suite.account("060075000666")
    assert me["needs_redeclare"] is True

    request = suite.identity.post("/api/identity/me/redeclare", headers=suite.headers("060075000666"),
                                  json={"unit_id": target["id"]})
    assert request.status_code == 201, request.get_data(as_text=True)
    still = suite.orgunits.get(f"/api/orgunits/units/{source['id']}/redeclare", headers=admin).get_json()["items"]
    assert len(still) == 1, "nobody leaves the list before the new unit's admin accepts"
    accepted = suite.identity.post(f"/api/identity/transfers/{request.get_json()['id']}/accept", headers=admin)
    assert accepted.status_code == 200
    suite.deliver()
    assert suite.orgunits.get(f"/api/orgunits/units/{source['id']}/redeclare", headers=admin).get_json()["items"] == []
    assert suite.orgunits.get("/api/orgunits/reorganisations", headers=admin).get_json()["items"] == []
    suite.tokens.pop("060075000666")  # the move withdrew the token that named the old unit
    me = suite.account("060075000666")
    assert me["unit_id"] == target["id"] and me["needs_redeclare"] is False


def test_someone_whose_unit_still_exists_cannot_redeclare(suite):
    other = suite.unit("BT.01.01.01")
    response = suite.identity.post("/api/identity/me/redeclare", headers=suite.headers("dinhtruongtoan"),
                                   json={"unit_id": other["id"]})
    assert response.status_code == 409
