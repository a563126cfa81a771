"""Signing in: one-time passwords only set a new password, guessing is throttled, locked accounts are out,
refresh tokens rotate and can be revoked, tokens from identity are what orgunits trusts."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from services.common.auth import TokenVerifier
from services.common.errors import Unauthorized
from services.identity.models import LoginAttempt
from tests.unit.identity.conftest import NEW_PASSWORD

LOGIN = "/api/identity/auth/login"


def _login(suite, username, password, ip="10.1.1.1"):
    return suite.identity.post(LOGIN, json={"username": username, "password": password},
                               environ_base={"REMOTE_ADDR": ip})


def test_a_one_time_password_can_only_choose_a_new_password(suite):
    first = _login(suite, "dinhtruongtoan", suite.people["dinhtruongtoan"]).get_json()
    assert first["password_change_required"] is True and "access_token" not in first
    weak = suite.identity.post("/api/identity/auth/password", json={"change_token": first["change_token"],
                                                                    "new_password": "12345678"})
    assert weak.status_code == 422 and "most used passwords" in weak.get_json()["detail"]
    derived = suite.identity.post("/api/identity/auth/password", json={
        "change_token": first["change_token"], "new_password": "mk060088000303"})
    assert derived.status_code == 422 and "citizen ID" in derived.get_json()["detail"]
    tokens = suite.identity.post("/api/identity/auth/password", json={
        "change_token": first["change_token"], "new_password": NEW_PASSWORD}).get_json()
    used_up = suite.identity.post("/api/identity/auth/password", json={
        "change_token": first["change_token"], "new_password": "một mật khẩu khác nữa"})
    assert used_up.status_code == 401, "a change ticket works once"
    assert tokens["access_token"] and tokens["refresh_token"]
    assert _login(suite, "dinhtruongtoan", suite.people["dinhtruongtoan"]).status_code == 401
    assert "access_token" in _login(suite, "dinhtruongtoan", NEW_PASSWORD).get_json()


def test_the_sixth_wrong_password_for_one_account_from_one_address_is_not_even_checked(suite):
    statuses = [_login(suite, "phungtienhung", "sai mật khẩu", ip="10.9.9.9").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    throttled = _login(suite, "phungtienhung", suite.people["phungtienhung"], ip="10.9.9.9")
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    assert "try again in" in throttled.get_json()["detail"]
    assert _login(suite, "phungtienhung", suite.people["phungtienhung"], ip="10.9.9.10").status_code == 200


def test_colleagues_behind_one_office_address_are_not_blocked_by_each_others_typos(suite):
    """Five people mistype once from the same address; the sixth, with the right password, gets in."""
    office = "10.20.30.40"
    for i in range(5):
        assert _login(suite, f"dong-nghiep-{i}", "gõ nhầm", ip=office).status_code == 401
    assert _login(suite, "phungtienhung", suite.people["phungtienhung"], ip=office).status_code == 200


def test_one_budget_per_account_whatever_identifier_is_typed(suite):
    """User name, e-mail and citizen ID of one account draw on one budget (per address)."""
    names = ["phungtienhung", "phungtienhung@demo.binhthuan.gov.vn", "060090000404"]
    statuses = [_login(suite, names[i % 3], "sai", ip="10.4.4.4").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


def test_a_stranger_guessing_from_many_addresses_cannot_lock_the_owner_out_of_a_known_device(suite):
    suite.sign_in("phungtienhung")
    owner = _login(suite, "phungtienhung", NEW_PASSWORD, ip="10.5.0.1").get_json()
    device = owner["device_token"]
    statuses = [_login(suite, "phungtienhung", f"đoán {i}", ip=f"10.6.0.{i}").status_code for i in range(12)]
    assert statuses.count(401) == 10 and statuses[-1] == 429, statuses
    assert _login(suite, "phungtienhung", NEW_PASSWORD, ip="10.6.0.99").status_code == 429
    from_known_device = suite.identity.post(LOGIN, json={"username": "phungtienhung", "device_token": device,
                                                         "password": NEW_PASSWORD},
                                            environ_base={"REMOTE_ADDR": "10.5.0.1"})
    assert from_known_device.status_code == 200 and from_known_device.get_json()["access_token"]
    someone_elses = suite.identity.post(LOGIN, json={"username": "dinhtruongtoan", "device_token": device,
                                                     "password": "sai"}, environ_base={"REMOTE_ADDR": "10.7.0.1"})
    assert someone_elses.status_code == 401, "a device token counts only for the account it was given to"


def test_concurrent_wrong_passwords_are_evaluated_exactly_up_to_the_budget(suite):
    results: list[int] = []

    def guess(i: int) -> None:
        results.append(_login(suite, "phungtienhung", f"sai {i}", ip="10.8.8.8").status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [401] * 5 + [429] * 7


def test_changing_the_password_with_the_current_one_is_throttled_and_audited(suite):
    """POST /auth/password with current_password is no guessing oracle."""
    suite.sign_in("phungtienhung")
    statuses = [suite.identity.post("/api/identity/auth/password", json={
        "username": "phungtienhung", "current_password": f"đoán {i}", "new_password": "một câu rất mới"},
        environ_base={"REMOTE_ADDR": "10.11.0.1"}).status_code for i in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    right = suite.identity.post("/api/identity/auth/password", json={
        "username": "phungtienhung", "current_password": NEW_PASSWORD, "new_password": "một câu rất mới"},
        environ_base={"REMOTE_ADDR": "10.11.0.1"})
    assert right.status_code == 429
    with suite.runtime("identity").db.session() as session:
        audited = session.exec(select(LoginAttempt).where(LoginAttempt.method == "password_change")).all()
    assert [a.outcome for a in audited].count("wrong_password") == 5


def test_an_unknown_user_name_answers_like_a_wrong_password(suite):
    unknown = _login(suite, "khong-ton-tai", "sai mật khẩu", ip="10.3.0.1").get_json()
    known = _login(suite, "phungtienhung", "sai mật khẩu", ip="10.3.0.2").get_json()
    assert unknown["detail"] == known["detail"] and unknown["status"] == known["status"] == 401


def test_every_attempt_is_audited(suite):
    _login(suite, "phungtienhung", "sai mật khẩu", ip="10.4.0.1")
    suite.sign_in("admin")
    with suite.runtime("identity").db.session() as session:
        outcomes = {(a.username, a.outcome) for a in session.exec(select(LoginAttempt)).all()}
    assert ("phungtienhung", "wrong_password") in outcomes and ("admin", "success") in outcomes


def test_a_locked_account_can_neither_sign_in_nor_refresh(suite):
    first = _login(suite, "phungtienhung", suite.people["phungtienhung"]).get_json()
    tokens = suite.identity.post("/api/identity/auth/password", json={
        "change_token": first["change_token"], "new_password": NEW_PASSWORD}).get_json()
    target = suite.identity.get("/api/identity/me",
                                headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert suite.identity.post(f"/api/identity/accounts/{target['id']}/lock",
                               headers=suite.headers("qt.sokhcn")).status_code == 200
    assert _login(suite, "phungtienhung", NEW_PASSWORD).status_code == 403
    refreshed = suite.identity.post("/api/identity/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


def test_refresh_rotates_and_logout_revokes(suite):
    body = _login(suite, "admin", suite.people["admin"], ip="10.5.0.1").get_json()
    rotated = suite.identity.post("/api/identity/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert rotated.status_code == 200
    again = suite.identity.post("/api/identity/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert again.status_code == 401, "a refresh token is used up by rotation"
    new = rotated.get_json()["refresh_token"]
    assert suite.identity.post("/api/identity/auth/logout", json={"refresh_token": new}).status_code == 204
    assert suite.identity.post("/api/identity/auth/refresh", json={"refresh_token": new}).status_code == 401


def test_one_refresh_token_presented_by_several_requests_at_once_is_good_for_one(suite):
    """A stolen refresh token used at the same moment as the real one: one wins, the others are a replay, and
    the replay closes the whole sign-in (the winner's new token too)."""
    body = _login(suite, "admin", suite.people["admin"], ip="10.5.0.2").get_json()
    start, answers = threading.Barrier(6), []

    def use():
        client = suite.gateway.apps["identity"].test_client()
        start.wait()
        answers.append(client.post("/api/identity/auth/refresh", json={"refresh_token": body["refresh_token"]}))

    threads = [threading.Thread(target=use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won = [a for a in answers if a.status_code == 200]
    assert len(won) == 1 and sorted(a.status_code for a in answers) == [200] + [401] * 5
    assert {a.get_json().get("code") for a in answers if a.status_code == 401} == {"refresh_reused"}
    new = won[0].get_json()["refresh_token"]
    again = suite.identity.post("/api/identity/auth/refresh", json={"refresh_token": new})
    assert again.status_code == 401, "the replay closed the sign-in"


def test_forgotten_password_goes_out_as_an_event_and_works_once(suite):
    answer = suite.identity.post("/api/identity/auth/forgot", json={"username": "qt.sokhcn"})
    unknown = suite.identity.post("/api/identity/auth/forgot", json={"username": "khong-co-ai"})
    assert answer.status_code == unknown.status_code == 202 and answer.get_json() == unknown.get_json()
    from services.common.models import OutboxMessage

    with suite.runtime("identity").db.session() as session:
        rows = session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "identity.password_reset.requested")).all()
    assert len(rows) == 1
    data = rows[0].event()["data"]
    assert "token" not in data, "the code crosses the bus sealed"
    token = suite.gateway.apps["identity"].extensions["identity"].sealer.open(data["sealed_token"])
    reset = suite.identity.post("/api/identity/auth/reset", json={"token": token, "new_password": "mật khẩu mới tinh"})
    assert reset.status_code == 204
    assert suite.identity.post("/api/identity/auth/reset", json={
        "token": token, "new_password": "mật khẩu khác nữa"}).status_code == 401
    assert "access_token" in _login(suite, "qt.sokhcn", "mật khẩu mới tinh", ip="10.6.0.1").get_json()


def test_orgunits_accepts_identity_tokens_and_refuses_tampered_or_expired_ones(suite):
    token = suite.sign_in("qt.sokhcn")
    skhcn = suite.unit("BT.01.01.13")
    ok = suite.orgunits.patch(f"/api/orgunits/units/{skhcn['id']}", json={"phone": "0252 3822 000"},
                              headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-2]}AA.{signature}"
    bad = suite.orgunits.patch(f"/api/orgunits/units/{skhcn['id']}", json={"phone": "0252 3822 001"},
                               headers={"Authorization": f"Bearer {tampered}"})
    assert bad.status_code == 401
    issuer = suite.gateway.apps["identity"].extensions["identity"].issuer
    issuer.access_ttl = -10
    expired, _ = issuer.access_token(account_id="x", unit_id=None, grants=[{"unit": None, "perms": ["system.admin"]}],
                                     version=0, name="x")
    issuer.access_ttl = 600
    late = suite.orgunits.patch(f"/api/orgunits/units/{skhcn['id']}", json={"phone": "0252 3822 001"},
                                headers={"Authorization": f"Bearer {expired}"})
    assert late.status_code == 401 and "expired" in late.get_json()["detail"]


def test_the_common_helper_fetches_identitys_jwks(suite):
    server = make_server("127.0.0.1", 0, suite.gateway, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        verifier = TokenVerifier(issuer="egov-identity", audience="egov",
                                 jwks_url=f"http://127.0.0.1:{server.server_port}/api/identity/.well-known/jwks.json")
        who = verifier.verify(suite.sign_in("qt.sokhcn"))
        skhcn = suite.unit("BT.01.01.13")
        assert who.may("accounts.approve", skhcn["ancestor_ids"] + [skhcn["id"]])
        assert [g.unit_id for g in who.grants] == [skhcn["id"]]
        with pytest.raises(Unauthorized):
            verifier.verify(suite.sign_in("qt.sokhcn")[:-3] + "AAA")
    finally:
        server.shutdown()


def test_a_hash_made_with_old_parameters_is_redone_at_sign_in(suite):
    from services.identity.domain import passwords
    from services.identity.domain.sessions import find_account

    suite.sign_in("qt.binhthuan")
    passwords.configure(time_cost=2, memory_kib=2048)
    try:
        assert _login(suite, "qt.binhthuan", NEW_PASSWORD, ip="10.7.0.1").status_code == 200
        with suite.runtime("identity").db.session() as session:
            stored = find_account(session, "qt.binhthuan").password_hash
        assert "m=2048,t=2" in stored
    finally:
        passwords.configure(time_cost=1, memory_kib=1024)


@pytest.mark.parametrize("weak", ["aaaaaaaa", "abcdefgh", "BinhThuan@2026", "Matkhau@123", "qwertyuiop",
                                  "P@ssw0rd2026", "dinhtruongtoan@demo.binhthuan.gov.vn", "Toan060088000303",
                                  "dinhtruongtoan2026"])
def test_guessable_passwords_are_refused_with_a_sentence(suite, weak):
    first = _login(suite, "dinhtruongtoan", suite.people["dinhtruongtoan"]).get_json()
    response = suite.identity.post("/api/identity/auth/password", json={"change_token": first["change_token"],
                                                                        "new_password": weak})
    assert response.status_code == 422, weak
    body = response.get_json()
    assert body["code"] in ("password_weak", "password_personal") and body["detail"].startswith("th")


def test_reset_requests_are_throttled_and_a_newer_link_voids_the_older(suite):
    answers = [suite.identity.post("/api/identity/auth/forgot", json={"username": "phungtienhung"},
                                   environ_base={"REMOTE_ADDR": f"10.12.0.{i}"}) for i in range(6)]
    assert {a.status_code for a in answers} == {202}, "the answer never changes"
    from services.common.models import OutboxMessage

    with suite.runtime("identity").db.session() as session:
        sent = [m.event()["data"]["sealed_token"] for m in session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "identity.password_reset.requested")).all()]
    assert len(sent) == 3, "at most three reset messages an hour for one account"
    sealer = suite.gateway.apps["identity"].extensions["identity"].sealer
    older, newest = sealer.open(sent[0]), sealer.open(sent[-1])
    assert suite.identity.post("/api/identity/auth/reset", json={
        "token": older, "new_password": "mật khẩu mới tinh"}).status_code == 401
    assert suite.identity.post("/api/identity/auth/reset", json={
        "token": newest, "new_password": "mật khẩu mới tinh"}).status_code == 204
    flood = [suite.identity.post("/api/identity/auth/forgot", json={"username": f"ai-do-{i}"},
                                 environ_base={"REMOTE_ADDR": "10.13.0.1"}).status_code for i in range(11)]
    assert flood == [202] * 10 + [429], "one address cannot flood the reset form"
