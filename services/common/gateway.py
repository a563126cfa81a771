"""One WSGI app in front of several services: ``/api/<service>/…`` goes to that service's app, and
``/healthz`` / ``/readyz`` answer for all of them. Used by the embedded run; production runs one
gunicorn per service instead."""
from __future__ import annotations

import json

from flask import Flask


class Gateway:
    def __init__(self, apps: dict[str, Flask], front: Flask | None = None):
        self.apps = apps
        self.front = front   # the portal: every path that is not /api/… or a health check

    @property
    def runtimes(self):
        return [app.extensions["egov"] for app in self.apps.values()]

    def start_background(self) -> None:
        for runtime in self.runtimes:
            runtime.start_background()

    def deliver_pending(self, timeout: float = 30.0) -> None:
        """Publish every committed outbox row and wait until in-process consumers are idle (start-up and
        demo loading use it, so one service's demo data sees another's)."""
        relays = [rt.relay for rt in self.runtimes]
        for _ in range(100):
            # a background relay may be publishing too: a round is quiet only when no relay handed anything to
            # the bus during it and nothing is left unsent once the consumers are idle
            before = sum(relay.published_total for relay in relays)
            for relay in relays:
                while relay.publish_pending():
                    pass
            for bus in {id(rt.bus): rt.bus for rt in self.runtimes}.values():
                if hasattr(bus, "wait_idle"):
                    bus.wait_idle(timeout)
            unsent = sum(relay.pending() for relay in relays)
            if not unsent and sum(relay.published_total for relay in relays) == before:
                return

    def stop(self) -> None:
        for runtime in self.runtimes:
            runtime.stop()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        parts = path.split("/", 3)
        if len(parts) > 2 and parts[1] == "api" and parts[2] in self.apps:
            return self.apps[parts[2]](environ, start_response)
        if path in ("/healthz", "/readyz"):
            return self._health(path, start_response)
        if self.front is not None and not path.startswith("/api/"):
            return self.front(environ, start_response)
        return self._json(start_response, "404 NOT FOUND", {
            "type": "about:blank", "title": "Not found", "status": 404,
            "detail": f"no service serves {path}; services: " + ", ".join(f"/api/{n}/" for n in self.apps)},
            "application/problem+json")

    def _health(self, path: str, start_response):
        results, ok = {}, True
        for name, app in self.apps.items():
            response = app.test_client().get(f"/api/{name}{path}")
            results[name] = response.get_json()
            ok = ok and response.status_code == 200
        status = "200 OK" if ok else "503 SERVICE UNAVAILABLE"
        return self._json(start_response, status, {"status": "ok" if ok else "unavailable", "services": results})

    @staticmethod
    def _json(start_response, status: str, body: dict, mimetype: str = "application/json"):
        data = json.dumps(body, ensure_ascii=False).encode()
        start_response(status, [("Content-Type", mimetype), ("Content-Length", str(len(data)))])
        return [data]
