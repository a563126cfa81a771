"""Findings 1–3 and 14 of the authority issue: a grant is (unit, permissions) all the way to the check; an admin
acts on an account only when it administers everything the account holds; nobody hands out what it lacks."""
from __future__ import annotations

from tests.unit.security.world import ID, world

PHONE = "0252 3822 000"   # a valid number: the edits here are about who may, not what

OU, P = "/api/orgunits", "/api/process"


def test_a_permission_granted_on_one_unit_does_not_reach_a_sibling_granted_something_else(suite):
    w = world(suite)
    x = w.register("Trần Văn Hai Nơi", "060081000901", w.a)
    w.grant(x, w.a, ["units.manage", "process.configure"])
    w.grant(x, w.b, ["accounts.read"])
    h = w.headers("060081000901")
    process = suite.gateway.apps["process"].test_client()
    before = suite.orgunits.get(f"{OU}/units/{w.b1['id']}").get_json()
    assert suite.orgunits.patch(f"{OU}/units/{w.b1['id']}", headers=h, json={"phone": PHONE}).status_code == 403
    assert suite.orgunits.post(f"{OU}/units/{w.b1['id']}/deactivate", headers=h).status_code in (403, 404, 405)
    assert process.put(f"{P}/units/{w.b['id']}/processes/field_report/staffing/sla", headers=h,
                       json={"total_days": 3}).status_code == 403
    assert process.get(f"{P}/units/{w.b['id']}/instances", headers=h).status_code == 404
    assert suite.orgunits.get(f"{OU}/units/{w.b1['id']}").get_json() == before
    assert suite.orgunits.patch(f"{OU}/units/{w.a1['id']}", headers=h, json={"phone": PHONE}).status_code == 200
    assert process.put(f"{P}/units/{w.a['id']}/processes/field_report/staffing/sla", headers=h,
                       json={"total_days": 3}).status_code == 200


def test_an_admin_cannot_reach_an_account_that_holds_rights_beyond_the_admins_subtree(suite):
    """A's admin may not issue a one-time password to X (primary unit in A, admin of sibling B), nor lock,
    edit, transfer, convert or delete X: through X it would act in B."""
    w = world(suite)
    x = w.register("Ngô Thị Kiêm", "060082000902", w.a1)
    w.grant(x, w.b, ["units.manage", "accounts.read"])
    admin_a = w.headers("qt.sokhcn")
    before = suite.identity.get(f"{ID}/accounts/{x}", headers=suite.headers("admin")).get_json()
    for method, path, body in [("post", f"/accounts/{x}/one-time-password", None),
                               ("post", f"/accounts/{x}/lock", None),
                               ("patch", f"/accounts/{x}", {"note": "x"}),
                               ("post", f"/accounts/{x}/transfer", {"to_unit_id": w.a["id"]}),
                               ("post", f"/accounts/{x}/archive", {"group": "retired"}),
                               ("delete", f"/accounts/{x}", None)]:
        kwargs = {"json": body} if body is not None else {}
        response = getattr(suite.identity, method)(f"{ID}{path}", headers=admin_a, **kwargs)
        assert response.status_code == 403, f"{method} {path} -> {response.status_code}"
        assert "ask an admin above you" in response.get_json()["detail"]
    assert suite.identity.get(f"{ID}/accounts/{x}", headers=admin_a).status_code == 200, "reading stays allowed"
    assert suite.identity.get(f"{ID}/accounts/{x}", headers=suite.headers("admin")).get_json() == before


def test_an_admin_of_a_sibling_cannot_act_on_an_admin_appointed_into_its_unit(suite):
    """B's admin cannot issue a one-time password to A's admin concurrently appointed to B1, nor move it."""
    w = world(suite)
    b_admin = w.register("Hồ Văn Bình", "060083000903", w.b)
    w.grant(b_admin, w.b, ["accounts.read", "accounts.edit", "accounts.transfer", "accounts.approve"])
    admin_a = suite.account("qt.sokhcn")["id"]
    appointed = suite.identity.post(f"{ID}/accounts/{admin_a}/appointments", headers=suite.headers("admin"),
                                    json={"unit_id": w.b1["id"], "position": "Kiêm nhiệm"})
    assert appointed.status_code in (200, 201), appointed.get_json()
    h = w.headers("060083000903")
    assert suite.identity.post(f"{ID}/accounts/{admin_a}/one-time-password", headers=h).status_code == 403
    assert suite.identity.post(f"{ID}/accounts/{admin_a}/transfer", headers=h,
                               json={"to_unit_id": w.b1["id"]}).status_code == 403


def test_joining_a_group_needs_the_groups_permissions_on_its_unit(suite):
    """A's admin makes group G in A1 with units.manage; A1's admin (without it) cannot add itself to G."""
    w = world(suite)
    a1_admin = w.register("Lý Văn Con", "060084000904", w.a1)
    w.grant(a1_admin, w.a1, ["accounts.read", "accounts.edit", "groups.manage"], by="qt.sokhcn")
    group = suite.identity.post(f"{ID}/groups", headers=w.headers("qt.sokhcn"), json={
        "name": "Nhóm sửa đơn vị", "unit_id": w.a1["id"], "permissions": ["units.manage"]})
    assert group.status_code == 201, group.get_json()
    h = w.headers("060084000904")
    joined = suite.identity.post(f"{ID}/groups/{group.get_json()['id']}/members", headers=h,
                                 json={"account_id": a1_admin})
    assert joined.status_code == 409 and "do not hold" in joined.get_json()["detail"]
    h = w.headers("060084000904")
    assert suite.orgunits.patch(f"{OU}/units/{w.a1['id']}", headers=h, json={"phone": PHONE}).status_code == 403


def test_no_admin_locks_or_archives_itself_so_the_only_super_admin_stays(suite):
    for username in ("qt.sokhcn", "admin"):
        me = suite.account(username)["id"]
        h = suite.headers(username)
        for path, body in ((f"/accounts/{me}/lock", None), (f"/accounts/{me}/archive", {"group": "retired"}),
                           (f"/accounts/{me}", None)):
            call = suite.identity.delete if path.endswith(me) else suite.identity.post
            response = call(f"{ID}{path}", headers=h, **({"json": body} if body else {}))
            assert response.status_code == 409 and "your own account" in response.get_json()["detail"]
    assert suite.identity.get(f"{ID}/me", headers=suite.headers("admin")).get_json()["status"] == "approved"


def test_a_super_admin_locked_by_another_is_refused_at_once_and_can_be_unlocked(suite):
    w = world(suite)
    second = w.register("Phạm Quản Trị", "060085000905", w.a)
    super_admin = suite.account("admin")["id"]
    groups = suite.identity.get(f"{ID}/groups", headers=suite.headers("admin")).get_json()["items"]
    system = next(g for g in groups if g["builtin"])
    assert suite.identity.post(f"{ID}/groups/{system['id']}/members", headers=suite.headers("admin"),
                               json={"account_id": second}).status_code == 200
    h2 = w.headers("060085000905")
    assert suite.identity.post(f"{ID}/accounts/{super_admin}/lock", headers=h2).status_code == 200
    refused = suite.identity.post(f"{ID}/accounts/{second}/archive", headers=suite.headers("admin"),
                                  json={"group": "retired"})
    assert refused.status_code == 401, "the locked super admin's token is refused at once"
    assert suite.identity.post(f"{ID}/accounts/{super_admin}/unlock", headers=h2).status_code == 200


def test_an_officer_of_a_parent_unit_does_not_read_a_child_cells_people_or_bank_accounts(suite):
    w = world(suite)
    officer = suite.headers("phungtienhung")
    assert suite.orgunits.get(f"{OU}/units/{w.a1['id']}/bank-accounts", headers=officer).status_code == 403
    assert suite.orgunits.get(f"{OU}/units/{w.a1['id']}/members", headers=officer).status_code == 403
    assert suite.orgunits.get(f"{OU}/units/{w.a['id']}/members", headers=officer).status_code == 200


def test_a_units_staffing_is_not_shown_to_strangers(suite):
    w = world(suite)
    process = suite.gateway.apps["process"].test_client()
    url = f"{P}/units/{w.a['id']}/processes/field_report/staffing"
    assert process.get(url).status_code == 401
    assert process.get(url, headers=suite.headers("phungtienhung")).status_code == 200
    w.register("Người Ngoài", "060086000906", w.b)
    assert process.get(url, headers=w.headers("060086000906")).status_code == 404
