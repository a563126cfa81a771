"""Đăng nhập bằng định danh điện tử in the portal, against a real (small) OpenID Connect provider on localhost:
the button shows only where the e-ID is configured; an officer whose citizen ID has an account comes back signed
in; an unknown citizen ID is told to register, and no account is made."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.unit.identity.conftest import suite_with
from tests.unit.identity.test_sso import provider  # noqa: F401 - the provider fixture
from tests.unit.portal.conftest import Browser, text


@pytest.fixture
def with_eid(tmp_path, monkeypatch, provider, suite_template):  # noqa: F811
    made = suite_with(tmp_path, monkeypatch, suite_template, OIDC_ISSUER=provider, OIDC_CLIENT_ID="egov-suite",
                      OIDC_CLIENT_SECRET="bí-mật", OIDC_REDIRECT_URI="http://localhost/dang-nhap/dinh-danh/ve")
    yield made
    made.gateway.stop()


def through_the_provider(person: Browser, sub: str):
    start = person.get("/dang-nhap/dinh-danh")
    assert start.status_code == 302 and "code_challenge=" in start.headers["Location"]
    consent = requests.post(start.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=10)
    back = urlsplit(consent.headers["Location"])
    assert back.path == "/dang-nhap/dinh-danh/ve", "the provider sends the person back to the portal"
    return person.get(f"{back.path}?{back.query}")


def test_an_officer_signs_in_with_the_e_id_and_a_stranger_is_told_to_register(with_eid):
    toan = Browser(with_eid)
    page = text(toan.get("/dang-nhap"))
    assert "Đăng nhập bằng định danh điện tử (VNeID)" in page
    back = through_the_provider(toan, "vneid-toan")
    assert back.status_code == 302 and back.headers["Location"] == "/cong-viec"
    inbox = text(toan.get("/cong-viec"))
    assert "Đinh Trường Toàn" in inbox and "Đăng xuất" in inbox

    stranger = Browser(with_eid)
    stranger.get("/dang-nhap")
    refused = through_the_provider(stranger, "vneid-stranger")
    assert refused.status_code == 400 and "chưa có tài khoản" in text(refused)
    assert stranger.get("/cong-viec").status_code == 302, "not signed in"
    forged = stranger.get("/dang-nhap/dinh-danh/ve?state=gia&code=gia")
    assert forged.status_code == 400 and "chưa hoàn tất" in text(forged)


def test_without_an_e_id_provider_there_is_no_button(browser):
    person = browser()
    assert "định danh điện tử" not in text(person.get("/dang-nhap"))
    assert person.get("/dang-nhap/dinh-danh").status_code == 503


def test_a_unit_switches_to_the_e_id_only_and_its_people_still_sign_in_with_it(with_eid):
    """Seed 004: the unit's admin switches password sign-in off on the unit's page; the right password then gets a
    sentence naming the unit, in the units below too, while the province above keeps its passwords; the e-ID
    still signs the officer in."""
    suite = with_eid
    skhcn = suite.unit("BT.01.01.13")
    child = suite.orgunits.get(f"/api/orgunits/units/{skhcn['id']}/children").get_json()["items"][0]["id"]
    api_admin = suite.headers("qt.sokhcn")          # the admin's token, taken while passwords still work
    suite.sign_in("dinhtruongtoan")
    admin = Browser(suite)
    admin.sign_in("qt.binhthuan")
    page = text(admin.get(f"/don-vi/{skhcn['id']}"))
    assert "Cách đăng nhập của cán bộ" in page and 'name="eid_only"' in page
    saved = admin.post(f"/don-vi/{skhcn['id']}/dang-nhap", {"eid_only": "on"})
    assert "nay chỉ đăng nhập bằng định danh điện tử" in text(admin.get(saved.headers["Location"]))
    assert suite.identity.get(f"/api/identity/units/{child}/sign-in", headers=api_admin).get_json() == {
        "unit_id": child, "password_allowed": False, "inherited_from": skhcn["id"]}
    assert "identity.unit_sign_in.changed" in suite.outbox_types("identity")

    officer = Browser(suite)
    officer.get("/dang-nhap")
    refused = officer.post("/dang-nhap", {"username": "dinhtruongtoan", "password": suite.people["dinhtruongtoan"]})
    assert "đăng nhập bằng định danh điện tử (VNeID), không dùng mật khẩu" in text(refused)
    assert officer.get("/cong-viec").status_code == 302, "not signed in"
    back = through_the_provider(officer, "vneid-toan")
    assert back.status_code == 302 and back.headers["Location"] == "/cong-viec"
    assert "Đinh Trường Toàn" in text(officer.get("/cong-viec"))
    province = suite.identity.post("/api/identity/auth/login", json={
        "username": "qt.binhthuan", "password": suite.people["qt.binhthuan"]}, environ_base={"REMOTE_ADDR": "10.8.8.8"})
    assert "access_token" in province.get_json(), "the province above keeps its passwords"
    switched_back = suite.identity.put(f"/api/identity/units/{skhcn['id']}/sign-in", headers=api_admin,
                                       json={"password_allowed": True})
    assert switched_back.status_code == 200, switched_back.get_json()
