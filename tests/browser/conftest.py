"""Browser tests: the embedded suite served on a free port of this machine, driven by Playwright for Python in
Debian's Chromium (``/usr/bin/chromium``; ``.ci/run`` installs it with apt-get when missing — Playwright's own
browser download is never used). Each screen visited can be saved to ``var/screenshots`` and checked with
axe-core for accessibility."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from services.run import build
from tests.unit.identity.conftest import ADMIN_PASSWORD, Suite, cheap_hashes, suite_template  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (.ci/run does it)")
    return found


@pytest.fixture
def live(tmp_path, monkeypatch, suite_template):  # noqa: F811
    """The suite with its demo data on http://127.0.0.1:<free port>/ (portal and APIs), stopped after."""
    monkeypatch.setenv("IDENTITY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
    cheap_hashes(monkeypatch)
    template, people = suite_template
    shutil.copytree(template, tmp_path / "var")
    gateway, _created = build(tmp_path / "var", log_format="json", demo_processes=False)
    gateway.start_background()
    server = make_server("127.0.0.1", 0, gateway, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    suite = Suite(gateway, {**people, "admin": ADMIN_PASSWORD})
    suite.base = f"http://127.0.0.1:{server.server_port}"
    yield suite
    server.shutdown()
    gateway.stop()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        contexts = []

        def new_page(**device):
            """A page in a browser profile of its own: each person keeps their own session cookie. ``device``
            overrides the desktop screen (a tablet's viewport, touch)."""
            context = browser.new_context(**{"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh",
                                             "viewport": {"width": 1280, "height": 860}, **device})
            context.set_default_timeout(15_000)
            contexts.append(context)
            return context.new_page()

        yield new_page
        for context in contexts:
            context.close()
        browser.close()


def signed_in(live, new_page, username: str, **device):
    """A browser page of ``username`` signed in through the sign-in page (their password chosen already)."""
    live.sign_in(username)      # the first sign-in's new password (NEW_PASSWORD)
    page = new_page(**device)
    page.goto(f"{live.base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(live.people[username])
    page.get_by_role("button", name="Đăng nhập").click()
    return page


def screen(page, name: str) -> list[dict]:
    """Save the screen as var/screenshots/<name>.png and return axe-core's serious and critical violations."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.evaluate(AXE.read_text())  # evaluated by the browser's devtools: the page's CSP stays enforced
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in found if v["impact"] in ("serious", "critical")]
