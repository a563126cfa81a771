"""The operator's break-glass token (deploy/mint-token: signed with identity's own key, ``break_glass: true``,
standing for no account) works on identity, so a lost bootstrap password is recovered as deploy/README.md says."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from services.common.devkeys import DevKeys

ROOT = Path(__file__).resolve().parents[3]


def _mint(key_path: Path, **claims) -> str:
    return DevKeys.load_or_create(key_path).mint(sub="operator", perms=["system.admin"], **claims)


def test_a_lost_bootstrap_password_is_recovered_with_the_break_glass_token(suite, tmp_path):
    key = tmp_path / "var" / "identity-signing-key.pem"
    install = tmp_path / "install"      # the script itself, in a copy of deploy/ holding the key identity signs with
    (install / "deploy/keys").mkdir(parents=True)
    shutil.copy(ROOT / "deploy/mint-token", install / "deploy/mint-token")
    shutil.copy(key, install / "deploy/keys/token-signing.pem")
    (install / ".venv").symlink_to(ROOT / ".venv")
    token = subprocess.run(["bash", str(install / "deploy/mint-token"), "5"], capture_output=True, text=True,
                           check=True).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    found = suite.identity.get("/api/identity/accounts", query_string={"q": "admin"}, headers=headers)
    assert found.status_code == 200, found.get_json()
    admin = next(a for a in found.get_json()["items"] if a["username"] == "admin")
    issued = suite.identity.post(f"/api/identity/accounts/{admin['id']}/one-time-password", headers=headers)
    assert issued.status_code == 200, issued.get_json()
    signed_in = suite.identity.post("/api/identity/auth/login", json={
        "username": "admin", "password": issued.get_json()["one_time_password"]}).get_json()
    assert signed_in.get("password_change_required") is True, signed_in
    history = suite.identity.get(f"/api/identity/accounts/{admin['id']}/history", headers=headers).get_json()
    assert any(row.get("changed_by") == "operator" for row in history["items"]), history


def test_only_the_break_glass_claim_makes_an_accountless_token_act(suite, tmp_path):
    """A token for no account without the claim (or with it not exactly true) is refused as before."""
    key = tmp_path / "var" / "identity-signing-key.pem"
    for claims in ({}, {"break_glass": "true"}, {"break_glass": 1}):
        token = _mint(key, **claims)
        answer = suite.identity.get("/api/identity/accounts", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and answer.get_json()["code"] == "account_inactive", (claims, answer.json)
    other_key = _mint(tmp_path / "other.pem", break_glass=True)
    answer = suite.identity.get("/api/identity/accounts", headers={"Authorization": f"Bearer {other_key}"})
    assert answer.status_code == 401, "a token signed with another key is refused"
