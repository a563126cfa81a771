"""The browser's live stream (server-sent events) shows a new notification within a second."""
from __future__ import annotations

import threading
import time

import requests
from werkzeug.serving import make_server

from tests.unit.notify.test_delivery import forwarded


def test_the_stream_delivers_a_new_notification_within_a_second(suite):
    server = make_server("127.0.0.1", 0, suite.gateway, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    suite.gateway.start_background()
    token = suite.sign_in("phungtienhung")
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/notify/stream"
        with requests.get(url, params={"access_token": token, "seconds": 10}, stream=True, timeout=15) as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            lines = stream.iter_lines(decode_unicode=True)
            assert next(lines).startswith("retry:")
            event = forwarded(suite, name="Rà soát hồ sơ khẩn")
            published = time.monotonic()
            suite.runtime("notify").bus.publish(event)
            seen = None
            for line in lines:
                if line.startswith("data:") and "Rà soát hồ sơ khẩn" in line:
                    seen = time.monotonic()
                    break
            assert seen is not None and seen - published < 1.0, f"took {seen and seen - published:.2f} s"
    finally:
        server.shutdown()


def test_the_stream_needs_a_valid_token(suite):
    client = suite.gateway.apps["notify"].test_client()
    assert client.get("/api/notify/stream").status_code == 401
    assert client.get("/api/notify/stream", query_string={"access_token": "nope"}).status_code == 401
