"""Finding 8: locking, archiving, deleting, converting an account or changing its grants withdraws the tokens
it holds, in every service, once identity's event arrives (identity itself at once); a replayed refresh token
closes its whole sign-in."""
from __future__ import annotations

from tests.unit.security.world import ID, world

PHONE = "0252 3822 000"   # a valid number: the edits here are about who may, not what


def _calls(suite, headers) -> dict[str, int]:
    process = suite.gateway.apps["process"].test_client()
    notify = suite.gateway.apps["notify"].test_client()
    unit = suite.unit("BT.01.01.13")["id"]
    return {"identity": suite.identity.get(f"{ID}/me", headers=headers).status_code,
            "orgunits": suite.orgunits.get(f"/api/orgunits/units/{unit}/members", headers=headers).status_code,
            "process": process.get("/api/process/inbox", headers=headers).status_code,
            "notify": notify.get("/api/notify/notifications", headers=headers).status_code}


def test_a_locked_accounts_token_is_refused_by_every_service(suite):
    h = suite.headers("phungtienhung")
    assert set(_calls(suite, h).values()) == {200}
    hung = suite.account("phungtienhung")["id"]
    assert suite.identity.post(f"{ID}/accounts/{hung}/lock", headers=suite.headers("qt.sokhcn")).status_code == 200
    assert suite.identity.get(f"{ID}/me", headers=h).status_code == 401, "identity refuses at once"
    suite.deliver()
    assert _calls(suite, h) == {"identity": 401, "orgunits": 401, "process": 401, "notify": 401}
    refused = suite.gateway.apps["process"].test_client().get("/api/process/inbox", headers=h).get_json()
    assert "withdrawn" in refused["detail"]


def test_a_revoked_grant_withdraws_the_token_that_carried_it_and_a_new_token_lacks_it(suite):
    w = world(suite)
    x = w.register("Đỗ Văn Tạm", "060087000907", w.a)
    grant = w.grant(x, w.a1, ["units.manage"])
    h = w.headers("060087000907")
    assert suite.orgunits.patch(f"/api/orgunits/units/{w.a1['id']}", headers=h,
                                json={"phone": PHONE}).status_code == 200
    assert suite.identity.delete(f"{ID}/admin-grants/{grant['id']}", headers=suite.headers("admin")).status_code == 204
    suite.deliver()
    assert suite.orgunits.patch(f"/api/orgunits/units/{w.a1['id']}", headers=h,
                                json={"phone": PHONE}).status_code == 401
    fresh = w.headers("060087000907")
    assert suite.orgunits.patch(f"/api/orgunits/units/{w.a1['id']}", headers=fresh,
                                json={"phone": PHONE}).status_code == 403


def test_a_replayed_refresh_token_closes_the_whole_sign_in(suite):
    suite.sign_in("phungtienhung")
    first = suite.identity.post(f"{ID}/auth/login", json={"username": "phungtienhung",
                                                         "password": suite.people["phungtienhung"]}).get_json()
    stolen = first["refresh_token"]
    rotated = suite.identity.post(f"{ID}/auth/refresh", json={"refresh_token": stolen}).get_json()
    thief = suite.identity.post(f"{ID}/auth/refresh", json={"refresh_token": stolen})
    assert thief.status_code == 401 and "already used" in thief.get_json()["detail"]
    owner = suite.identity.post(f"{ID}/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert owner.status_code == 401, "the whole family is revoked"
    access = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert suite.identity.get(f"{ID}/me", headers=access).status_code == 401
    suite.deliver()
    assert suite.gateway.apps["process"].test_client().get("/api/process/inbox", headers=access).status_code == 401
