"""Single sign-on with the national e-ID: the OpenID Connect code flow with PKCE against a real (small)
OIDC provider on localhost. An existing account signs in; an unknown citizen ID gets a clear page and no
account is created."""
from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
import requests
from oidc_provider_mock import User, run_server_in_thread
from sqlmodel import func, select

from services.identity.models import Account
from services.run import build
from tests.unit.identity.conftest import ADMIN_PASSWORD, cheap_hashes


@pytest.fixture
def provider():
    people = [User(sub="vneid-toan", claims={"citizen_id": "060088000303", "name": "Đinh Trường Toàn"}),
              User(sub="vneid-stranger", claims={"citizen_id": "060099000999", "name": "Người Lạ"})]
    with run_server_in_thread(user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def identity(tmp_path, monkeypatch, provider, suite_template):
    for name, value in {"OIDC_ISSUER": provider, "OIDC_CLIENT_ID": "egov-suite", "OIDC_CLIENT_SECRET": "bí-mật",
                        "OIDC_REDIRECT_URI": "http://localhost/api/identity/sso/callback",
                        "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}.items():
        monkeypatch.setenv(f"IDENTITY_{name}", value)
    cheap_hashes(monkeypatch)
    shutil.copytree(suite_template[0], tmp_path / "var")   # the first start's data: the tree and the demo people
    gateway, _people = build(tmp_path / "var", log_format="json", demo_processes=False)
    yield gateway.apps["identity"]
    gateway.stop()


def _through_the_provider(identity, sub: str):
    client = identity.test_client()
    start = client.get("/api/identity/sso/login")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert "code_challenge=" in authorize and "code_challenge_method=S256" in authorize and "nonce=" in authorize
    consent = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text[:500]
    back = urlsplit(consent.headers["Location"])
    assert back.path == "/api/identity/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def test_an_existing_officer_signs_in_with_the_e_id(identity):
    response = _through_the_provider(identity, "vneid-toan")
    assert response.status_code == 200, response.get_data(as_text=True)
    tokens = response.get_json()
    me = identity.test_client().get("/api/identity/me",
                                    headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert me["full_name"] == "Đinh Trường Toàn" and me["citizen_id"] == "060088000303"


def test_an_unknown_citizen_id_gets_a_not_registered_page_and_no_account(identity):
    with identity.extensions["egov"].db.session() as session:
        before = session.exec(select(func.count()).select_from(Account)).one()
    response = _through_the_provider(identity, "vneid-stranger")
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "Chưa có tài khoản" in response.get_data(as_text=True)
    with identity.extensions["egov"].db.session() as session:
        assert session.exec(select(func.count()).select_from(Account)).one() == before


def test_a_replayed_or_forged_state_is_refused(identity):
    client = identity.test_client()
    response = client.get("/api/identity/sso/callback?state=forged&code=whatever")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
