"""The embedded suite (identity + orgunits on one in-process bus, demo data loaded) for identity's tests."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest

from services.run import build
from tests.helpers import check_published_events

ADMIN_PASSWORD = "quản trị hệ thống thử nghiệm"
NEW_PASSWORD = "một câu mật khẩu đủ dài"


@dataclass
class Suite:
    gateway: object
    people: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def identity(self):
        return self.gateway.apps["identity"].test_client()

    @property
    def orgunits(self):
        return self.gateway.apps["orgunits"].test_client()

    def runtime(self, name: str):
        return self.gateway.apps[name].extensions["egov"]

    def deliver(self) -> None:
        self.gateway.deliver_pending()

    def sign_in(self, username: str, password: str | None = None) -> str:
        """An access token for a demo person (their first sign-in sets NEW_PASSWORD) or any account."""
        if username in self.tokens:
            return self.tokens[username]
        password = password or self.people.get(username) or NEW_PASSWORD
        body = self.identity.post("/api/identity/auth/login", json={"username": username, "password": password},
                                  environ_base={"REMOTE_ADDR": f"10.0.0.{len(self.tokens) + 1}"}).get_json()
        if body.get("password_change_required"):
            body = self.identity.post("/api/identity/auth/password", json={
                "change_token": body["change_token"], "new_password": NEW_PASSWORD}).get_json()
            self.people[username] = NEW_PASSWORD
        assert "access_token" in body, body
        self.tokens[username] = body["access_token"]
        return body["access_token"]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.sign_in(username)}"}

    def unit(self, code: str) -> dict:
        items = self.orgunits.get("/api/orgunits/units", query_string={"q": code}).get_json()["items"]
        return next(u for u in items if u["code"] == code)

    def account(self, username: str) -> dict:
        return self.identity.get("/api/identity/me", headers=self.headers(username)).get_json()

    def outbox_types(self, service: str) -> list[str]:
        from sqlmodel import select

        from services.common.models import OutboxMessage

        with self.runtime(service).db.session() as session:
            return list(session.exec(select(OutboxMessage.event_type).order_by(OutboxMessage.id)).all())


def cheap_hashes(monkeypatch) -> None:
    """Tests hash many passwords: a low argon2 cost keeps them fast (production keeps the default)."""
    monkeypatch.setenv("IDENTITY_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("IDENTITY_ARGON2_MEMORY_KIB", "1024")


@pytest.fixture(scope="session")
def suite_template(tmp_path_factory):
    """The embedded suite's data right after its first start (the 679-unit tree and the demo people loaded),
    built once per run; every test starts the suite on its own copy of it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IDENTITY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        cheap_hashes(patch)
        directory = tmp_path_factory.mktemp("suite-template")
        gateway, people = build(directory, log_format="json", demo_processes=False)
        gateway.stop()
    return directory, {username: password for username, _name, password in people}


def suite_with(tmp_path, monkeypatch, suite_template, **identity_settings: str) -> Suite:
    """The embedded suite on a copy of the template, identity started with these IDENTITY_* settings (an e-ID
    provider, a directory); the caller stops its gateway."""
    for name, value in {**identity_settings, "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}.items():
        monkeypatch.setenv(f"IDENTITY_{name}", value)
    cheap_hashes(monkeypatch)
    template, people = suite_template
    shutil.copytree(template, tmp_path / "var")
    gateway, _created = build(tmp_path / "var", log_format="json", demo_processes=False)
    return Suite(gateway, dict(people))


@pytest.fixture
def suite(tmp_path, monkeypatch, suite_template):
    monkeypatch.setenv("IDENTITY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
    cheap_hashes(monkeypatch)
    template, people = suite_template
    shutil.copytree(template, tmp_path / "var")
    gateway, created = build(tmp_path / "var", log_format="json", demo_processes=False)
    assert created == [], "the copy already holds the demo people"
    made = Suite(gateway, dict(people))
    made.people["admin"] = ADMIN_PASSWORD
    for runtime in gateway.runtimes:
        runtime.start_relay()
    yield made
    gateway.stop()
    check_published_events(gateway)   # whatever the test did, what it published keeps the contract
