"""`make run` as a newcomer uses it: it serves the Bình Thuận tree and the demo accounts on one port, tokens
from identity work in orgunits, it stops cleanly on Ctrl-C, and a second start reuses the data."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]


def _start(var_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "EGOV_PORT": str(port), "EGOV_VAR_DIR": str(var_dir)}
    return subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_ready(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make run exited early:\n{proc.stdout.read()}")
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail("make run did not become ready in 90 s")


def _stop(proc: subprocess.Popen) -> str:
    return stop_group(proc, signal.SIGINT, "make run")


def _sign_in(base: str, username: str, one_time_password: str) -> str:
    """The demo admin's first sign-in: the one-time password only lets them choose a new one."""
    first = requests.post(f"{base}/api/identity/auth/login", json={"username": username,
                          "password": one_time_password}, timeout=10).json()
    assert first["password_change_required"] is True and "access_token" not in first
    tokens = requests.post(f"{base}/api/identity/auth/password", json={
        "change_token": first["change_token"], "new_password": "một câu mật khẩu đủ dài"}, timeout=10).json()
    return tokens["access_token"]


def _units(base: str) -> list[dict]:
    root = requests.get(f"{base}/api/orgunits/units", params={"parent": "root"}, timeout=5).json()["items"]
    assert [u["name"] for u in root] == ["Tỉnh Bình Thuận"]
    return requests.get(f"{base}/api/orgunits/units/{root[0]['id']}/subtree", timeout=10).json()["items"]


def test_make_run_serves_the_tree_and_restarts_on_the_same_data(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(tmp_path, port)
    try:
        _wait_ready(proc, base)
        units = _units(base)
        assert len(units) == 679 and max(u["depth"] for u in units) == 6
        portal = requests.get(f"{base}/", timeout=5)   # the portal beside /api/…: sign in first
        assert "/dang-nhap" in portal.url, portal.url
        assert portal.status_code == 200 and "Đăng nhập" in portal.text and 'lang="vi"' in portal.text
        assert requests.get(f"{base}/vendor/htmx.js", timeout=5).status_code == 200, "htmx from our own origin"
        # the development e-ID provider: its button signs a demo person in, matched by citizen id
        assert "Đăng nhập bằng định danh điện tử (VNeID)" in portal.text
        browser = requests.Session()
        start = browser.get(f"{base}/dang-nhap/dinh-danh", allow_redirects=False, timeout=10)
        assert start.status_code == 302 and "code_challenge=" in start.headers["Location"]
        consent = requests.post(start.headers["Location"], data={"sub": "dinhtruongtoan"}, allow_redirects=False,
                                timeout=10)
        landed = browser.get(consent.headers["Location"], allow_redirects=False, timeout=10)
        assert landed.status_code == 302 and landed.headers["Location"] == "/cong-viec"
        assert "Đinh Trường Toàn" in browser.get(f"{base}/cong-viec", timeout=10).text
        otp = next(line.split()[1] for line in iter(proc.stdout.readline, "") if line.strip().startswith("qt.sokhcn"))
        token = _sign_in(base, "qt.sokhcn", otp)
        skhcn = requests.get(f"{base}/api/orgunits/units", params={"q": "BT.01.01.13"}, timeout=5).json()["items"][0]
        created = requests.post(f"{base}/api/orgunits/units", headers={"Authorization": f"Bearer {token}"},
                                json={"parent_id": skhcn["id"], "code": "E2E-1", "name": "Đơn vị thử"}, timeout=5)
        assert created.status_code == 201, created.text
        outside = requests.post(f"{base}/api/orgunits/units", headers={"Authorization": f"Bearer {token}"},
                                json={"parent_id": units[0]["id"], "code": "E2E-2", "name": "Ngoài phạm vi"}, timeout=5)
        assert outside.status_code == 403
        # the demo PAHT staffing of the Sở and the report from the IOC waiting at distribution
        catalogue = requests.get(f"{base}/api/process/units/{skhcn['id']}/processes", timeout=5,
                                 headers={"Authorization": f"Bearer {token}"}).json()["items"]
        assert {p["key"]: p["status"] for p in catalogue}["field_report"] == "complete"
        running = requests.get(f"{base}/api/process/units/{skhcn['id']}/instances", timeout=5,
                               headers={"Authorization": f"Bearer {token}"}).json()["items"]
        assert [(i["business_key"], i["state"]) for i in running] == [("IOC-DEMO-1", "running")]
    finally:
        out = _stop(proc)
    assert "stopping" in out and "Traceback" not in out

    proc = _start(tmp_path, port)
    try:
        _wait_ready(proc, base)
        units = _units(base)
        assert len(units) == 680 and "E2E-1" in {u["code"] for u in units}
    finally:
        _stop(proc)
