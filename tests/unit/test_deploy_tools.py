"""The operator's tools without the servers: deploy/.env from the template, the broker permissions each user
gets (checked for real by tests/integration/test_deploy_readme.py) and the replay command's refusals."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from services import deploy

ROOT = Path(__file__).resolve().parents[2]


def test_the_env_file_names_everything_after_the_instance_with_fresh_secrets(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / ".env"
    deploy.write_env(target, "tinh2", 8200)
    text = target.read_text(encoding="utf-8")
    assert not re.search(r"\$\{[A-Z_]+\}", text), "every placeholder filled"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    env = deploy.load_env(target)
    vhost, users = deploy.broker_users(env)
    assert vhost == "tinh2"
    assert [u.name for u in users] == ["tinh2_identity", "tinh2_orgunits", "tinh2_process", "tinh2_notify",
                                       "tinh2_operator"]
    assert len({u.password for u in users}) == 5, "each broker user its own password"
    assert [url.database for _s, url in deploy.databases(env)] == [f"tinh2_{s}" for s in deploy.SERVICES]
    secrets = [v for k, v in env.items() if k.endswith("_SECRET_KEY")]
    assert len(secrets) == 5 and len(set(secrets)) == 5 and all(len(s) >= 32 for s in secrets)
    assert env["IDENTITY_SEALING_KEY"] == env["NOTIFY_SEALING_KEY"]
    assert env["IDENTITY_PORT"] == "8201" and env["PORTAL_IDENTITY_URL"] == "http://127.0.0.1:8201"
    assert env["PROCESS_JWKS_URL"] == "http://127.0.0.1:8201/api/identity/.well-known/jwks.json"
    with pytest.raises(deploy.SetupError, match="EGOV_INSTANCE"):
        deploy.write_env(tmp_path / "bad", "Tỉnh 2; drop", 8200)


@pytest.mark.parametrize(("who", "name", "allowed", "refused"), [
    ("service", "process", ["egov.events", "egov.dlx", "egov.unrouted", "process.intake", "process.intake.dead"],
     ["notify.events", "identity.units", "integrator.acme.events", "amq.default", "processes.x"]),
    ("integrator", "acme", ["integrator.acme.events", "integrator.acme.x.y"],
     ["integrator.acme", "integrator.acmex.events", "integrator.other.events", "process.intake", "egov.dlx"]),
])
def test_permissions_reach_only_the_users_own_names(who, name, allowed, refused):
    configure, write, read = (deploy.service_permissions if who == "service" else deploy.integrator_permissions)(name)
    for resource in allowed:
        assert re.match(read, resource), resource
    for resource in refused:
        assert not any(re.match(p, resource) for p in (configure, write, read)), resource
    if who == "integrator":
        assert re.match(read, "egov.events") and not re.match(write, "egov.events"), "binds, never publishes"


def test_replay_refuses_a_bad_time_and_needs_the_operator_url():
    bad = subprocess.run([sys.executable, "-m", "services.replay", "--queue", "q", "--since", "hôm qua"],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "is not an ISO 8601 time" in bad.stderr
    missing = subprocess.run([sys.executable, "-m", "services.replay", "--queue", "q", "--since", "2026-11-24"],
                             capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert missing.returncode == 2 and "EGOV_OPERATOR_BUS_URL" in missing.stderr
