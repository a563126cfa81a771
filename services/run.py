"""The embedded default (`make run`): every service in one process on one port, SQLite files under
``var/``, the in-process bus, demo data loaded on first start. Ctrl-C stops it cleanly."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from services.common.bus.memory import InProcessBus
from services.common.devkeys import DevKeys
from services.common.gateway import Gateway
from services.common.logging import configure_logging, get_logger
from services.common.settings import settings_for
from services.orgunits import app as orgunits_app

log = get_logger("run")


def build(var_dir: Path, *, log_format: str = "auto") -> tuple[Gateway, DevKeys]:
    """All services wired on one in-process bus, each with its own SQLite file in ``var_dir``."""
    configure_logging(log_format)
    keys = DevKeys.load_or_create(var_dir / "dev-signing-key.pem")
    bus = InProcessBus()
    common = {"var_dir": var_dir, "env": "development", "jwt_public_key": keys.public_pem,
              "log_format": log_format}
    orgunits = orgunits_app.create_app(settings_for("orgunits", **common), bus=bus)
    orgunits_app.load_demo_data(orgunits.extensions["egov"])
    return Gateway({"orgunits": orgunits}), keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("EGOV_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("EGOV_PORT", "8000")))
    parser.add_argument("--var-dir", type=Path, default=Path(os.environ.get("EGOV_VAR_DIR", "var")))
    args = parser.parse_args(argv)
    args.var_dir.mkdir(parents=True, exist_ok=True)
    gateway, keys = build(args.var_dir.resolve())
    gateway.start_background()
    server = make_server(args.host, args.port, gateway, threaded=True)
    token = keys.mint(sub="dev-super-admin", perms=["system.admin"], ttl=12 * 3600)
    print(f"\nThe suite is running on http://{args.host}:{args.port}/  (Ctrl-C stops it)\n"
          f"  units:    http://{args.host}:{args.port}/api/orgunits/units?parent=root\n"
          f"  OpenAPI:  http://{args.host}:{args.port}/api/orgunits/openapi.json\n"
          f"  health:   http://{args.host}:{args.port}/readyz\n"
          f"  A development super-admin token (12 h; identity will issue real ones):\n"
          f"  export TOKEN={token}\n", flush=True)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
