"""A development stand-in for the national e-ID provider's people directory (what VNConnect's "Tìm kiếm" answers):
``GET /people/<citizen id>`` with the client's credentials gives the person's claims, 404 for nobody. `make run`
starts one beside the development e-ID provider, and the tests use it over real HTTP; production points
``IDENTITY_EID_LOOKUP_URL`` at the provider's own service instead."""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

# People the provider knows who have no account yet: an admin adds them by citizen id on `make run`.
NEWCOMERS = {
    "060092000505": {"name": "Trần Thị Mỹ Linh", "phone_number": "0912 505 505", "birthdate": "1992-05-05"},
    "060094000606": {"name": "Nguyễn Hữu Phước", "phone_number": "0912 606 606", "birthdate": "1994-06-06"},
}


def directory_app(people: dict[str, dict], client_id: str, client_secret: str):
    """people: citizen id → claims (``name``, ``phone_number``, ``email``, ``birthdate``)."""

    @Request.application
    def app(request: Request) -> Response:
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (client_id, client_secret):
            return Response('{"error": "invalid_client"}', 401, content_type="application/json",
                            headers={"WWW-Authenticate": 'Basic realm="e-ID directory"'})
        parts = request.path.strip("/").split("/")
        if request.method != "GET" or len(parts) != 2 or parts[0] != "people":
            return Response('{"error": "not_found"}', 404, content_type="application/json")
        claims = people.get(parts[1])
        if claims is None:
            return Response('{"error": "not_found"}', 404, content_type="application/json")
        return Response(json.dumps({"citizen_id": parts[1], **claims}, ensure_ascii=False), 200,
                        content_type="application/json")

    return app


@contextlib.contextmanager
def serve(people: dict[str, dict], client_id: str, client_secret: str) -> Iterator[str]:
    """The directory on a free local port, for as long as the block runs; yields the lookup URL template."""
    server = make_server("127.0.0.1", 0, directory_app(people, client_id, client_secret), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dev-eid-directory", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/people/{{citizen_id}}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
