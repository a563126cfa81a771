"""The embedded default (`make run`): every service in one process on one port, SQLite files under
``var/``, the in-process bus, demo data loaded on first start. Ctrl-C stops it cleanly."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from services.common.bus.memory import InProcessBus
from services.common.gateway import Gateway
from services.common.logging import configure_logging, get_logger
from services.common.settings import settings_for
from services.identity import app as identity_app
from services.identity import devdirectory
from services.identity.demo import PEOPLE as DEMO_PEOPLE
from services.identity.demo import load_demo_accounts
from services.identity.settings import IdentitySettings
from services.notify import app as notify_app
from services.notify.settings import NotifySettings
from services.orgunits import app as orgunits_app
from services.portal import app as portal_app
from services.portal.settings import PortalSettings
from services.process import app as process_app
from services.process.app import ProcessSettings
from services.process.demo import load_demo_staffing

log = get_logger("run")


def build(var_dir: Path, *, log_format: str = "auto",
          demo_processes: bool = True) -> tuple[Gateway, list[tuple[str, str, str]]]:
    """All services wired on one in-process bus, each with its own SQLite file in ``var_dir``; demo data
    is loaded on first start. Returns the gateway and the demo people created now (with passwords)."""
    configure_logging(log_format)
    bus = InProcessBus()
    common = {"var_dir": var_dir, "env": "development", "log_format": log_format}
    identity = identity_app.create_app(settings_for("identity", IdentitySettings, **common), bus=bus)
    public_key = identity.extensions["identity"].issuer.public_pem
    orgunits = orgunits_app.create_app(settings_for("orgunits", jwt_public_key=public_key, **common), bus=bus)
    notify = notify_app.create_app(settings_for("notify", NotifySettings, jwt_public_key=public_key, **common),
                                   bus=bus)
    process = process_app.create_app(settings_for("process", ProcessSettings, jwt_public_key=public_key, **common),
                                     bus=bus)
    gateway = Gateway({"identity": identity, "orgunits": orgunits, "process": process, "notify": notify})
    gateway.front = portal_app.create_app(PortalSettings(var_dir=var_dir, env="development",
                                                         jwt_public_key=public_key), services=gateway)
    for runtime in gateway.runtimes:
        runtime.start_consumers()
    orgunits_app.load_demo_data(orgunits.extensions["egov"])
    gateway.deliver_pending()
    people = load_demo_accounts(identity.extensions["egov"])
    gateway.deliver_pending()
    if demo_processes and load_demo_staffing(process.extensions["egov"]):
        gateway.deliver_pending()
    return gateway, people


def development_eid(base: str, stack: contextlib.ExitStack) -> str | None:
    """`make run` brings a development e-ID provider (an OpenID Connect provider on this machine, the one the
    tests use) whose people are the demo people, matched by citizen id, so a newcomer can try the e-ID button.
    Production names the real provider in IDENTITY_OIDC_* instead; EGOV_DEV_EID=0 turns this off."""
    if os.environ.get("EGOV_DEV_EID", "1") == "0" or os.environ.get("IDENTITY_OIDC_ISSUER"):
        return None
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:      # installed with the development extras (make install)
        return None
    users = [User(sub=username, claims={"citizen_id": cccd, "name": name})
             for username, name, cccd, *_rest in DEMO_PEOPLE]
    server = stack.enter_context(run_server_in_thread(user_claims=users))
    issuer = f"http://localhost:{server.server_port}"
    known = {**{cccd: {"name": name} for _username, name, cccd, *_rest in DEMO_PEOPLE}, **devdirectory.NEWCOMERS}
    lookup = stack.enter_context(devdirectory.serve(known, "egov-dev", "dev-only"))
    for name, value in {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "egov-dev", "OIDC_CLIENT_SECRET": "dev-only",
                        "OIDC_REDIRECT_URI": f"{base}/dang-nhap/dinh-danh/ve", "EID_LOOKUP_URL": lookup}.items():
        os.environ[f"IDENTITY_{name}"] = value
    return issuer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("EGOV_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("EGOV_PORT", "8000")))
    parser.add_argument("--var-dir", type=Path, default=Path(os.environ.get("EGOV_VAR_DIR", "var")))
    args = parser.parse_args(argv)
    args.var_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://{args.host}:{args.port}"
    stack = contextlib.ExitStack()
    eid = development_eid(base, stack)
    gateway, people = build(args.var_dir.resolve())
    gateway.start_background()
    server = make_server(args.host, args.port, gateway, threaded=True)
    print(f"\nThe suite is running on {base}/  (Ctrl-C stops it)\n"
          f"  portal:   {base}/  (sign in with a demo account below)\n"
          f"  units:    {base}/api/orgunits/units?parent=root\n"
          f"  sign in:  POST {base}/api/identity/auth/login  {{\"username\": …, \"password\": …}}\n"
          f"  inbox:    {base}/api/process/inbox  (processes: {base}/api/process/definitions)\n"
          f"  OpenAPI:  {base}/api/<identity|orgunits|process|notify>/openapi.json\n"
          f"  health:   {base}/readyz", flush=True)
    if eid:
        print(f"  e-ID:     a development provider at {eid}: on the sign-in page choose “Đăng nhập bằng định danh "
              f"điện tử”, then type a demo user name (e.g. dinhtruongtoan) as the subject", flush=True)
    if people:
        print("\n  Demo accounts (one-time passwords, shown once; the first sign-in chooses a new one):")
        for username, name, password in people:
            print(f"    {username:<16} {password}   {name}")
    print(flush=True)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        print("\nstopping …", flush=True)
        server.server_close()
        gateway.stop()
        stack.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
