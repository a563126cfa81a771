"""The portal talks to the services only through their HTTP APIs: over HTTP in production, or straight into
the embedded suite's WSGI app (same requests, same answers, no socket) when both run in one process."""
from __future__ import annotations

import io
from dataclasses import dataclass

import requests
from werkzeug.test import Client


@dataclass
class Answer:
    status: int
    body: dict | list | None
    headers: dict
    text: str = ""      # the body as text, for what is not JSON (a BPMN file)
    content: bytes = b""   # the body as bytes (a file being downloaded)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ApiError(Exception):
    """A service refused: its problem+json (``detail``, ``code``, ``problems``) for the page to explain."""

    def __init__(self, answer: Answer):
        body = answer.body if isinstance(answer.body, dict) else {}
        super().__init__(body.get("detail") or f"HTTP {answer.status}")
        self.status, self.problem = answer.status, body
        self.code = body.get("code")
        # the language the service said its detail in (services translate their sentences by Accept-Language)
        self.language = next((v for k, v in answer.headers.items() if k.lower() == "content-language"), None)


class Api:
    def __init__(self, transport):
        self.transport = transport

    def call(self, method: str, path: str, *, token: str | None = None, json: dict | None = None,
             params: dict | None = None, files: dict | list | None = None, client_ip: str | None = None,
             language: str = "vi", data: dict | None = None) -> Answer:
        """``files``: {field: (filename, bytes, type)}, or a list of (field, (filename, bytes, type)) when a
        field holds several files; ``data``: the other fields of a multipart form."""
        headers = {"Accept": "application/json", "Accept-Language": language}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(files, dict):
            files = list(files.items())
        return self.transport(method, path, headers=headers, json=json, params=params, files=files or None,
                              client_ip=client_ip, form=data)

    def stream(self, path: str, *, token: str, params: dict | None = None, last_event_id: str | None = None):
        """A service's server-sent events as they come: (status, iterator of byte chunks, close)."""
        headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {token}"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        return self.transport.stream(path, headers=headers, params=params)

    def must(self, method: str, path: str, **kw) -> dict | list | None:
        answer = self.call(method, path, **kw)
        if not answer.ok:
            raise ApiError(answer)
        return answer.body


class HttpTransport:
    """Production: each service at its base URL (its gunicorn port, or one reverse proxy for all)."""

    def __init__(self, base_urls: dict[str, str], timeout: float = 15.0):
        self.base_urls, self.timeout = {k: v.rstrip("/") for k, v in base_urls.items() if v}, timeout
        self.session = requests.Session()

    @staticmethod
    def _service(path: str) -> str:
        """The service a path belongs to: ``/api/<service>/…``."""
        return path.split("/")[2] if path.startswith("/api/") else ""

    def __call__(self, method, path, *, headers, json, params, files, client_ip, form=None) -> Answer:
        if files:
            files = [(name, (filename, io.BytesIO(content), content_type))
                     for name, (filename, content, content_type) in files]
        service = self._service(path)
        if service not in self.base_urls:
            return Answer(502, {"detail": f"the portal knows no address for the {service or '?'} service"}, {})
        if client_ip:
            headers = {**headers, "X-Forwarded-For": client_ip}
        try:
            response = self.session.request(method, self.base_urls[service] + path, headers=headers, json=json,
                                            params=params, files=files, data=form, timeout=self.timeout,
                                            allow_redirects=False)   # a redirect is the service's answer to pass on
        except requests.RequestException:
            return Answer(503, {"detail": f"the {service} service does not answer"}, {})
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        return Answer(response.status_code, body, dict(response.headers), response.text, response.content)

    def stream(self, path, *, headers, params):
        service = self._service(path)
        if service not in self.base_urls:
            return 502, iter(()), lambda: None
        try:
            response = self.session.get(self.base_urls[service] + path, headers=headers, params=params, stream=True,
                                        timeout=(5, 60))
        except requests.RequestException:
            return 503, iter(()), lambda: None
        return response.status_code, _guarded(response.iter_content(chunk_size=None)), response.close


def _guarded(chunks):
    """A stream that ends quietly when the service goes away (the browser reconnects)."""
    try:
        yield from chunks
    except requests.RequestException:
        return


class WsgiTransport:
    """The embedded suite: requests go into its WSGI app in this process (the person's address is passed on, so
    sign-in throttling counts them, not the portal)."""

    def __init__(self, wsgi_app):
        self.client = Client(wsgi_app)

    def __call__(self, method, path, *, headers, json, params, files, client_ip, form=None) -> Answer:
        data = dict(form) if form else None
        if files:
            data = data or {}
            for name, (filename, content, content_type) in files:
                data.setdefault(name, []).append((io.BytesIO(content), filename, content_type))
        response = self.client.open(path, method=method, headers=headers, json=json if data is None else None,
                                    query_string=params, data=data,
                                    environ_base={"REMOTE_ADDR": client_ip or "127.0.0.1"})
        try:
            body, content = response.get_json(silent=True), response.get_data()
        finally:
            response.close()
        return Answer(response.status_code, body, dict(response.headers), content.decode("utf-8", "replace"), content)

    def stream(self, path, *, headers, params):
        response = self.client.open(path, method="GET", headers=headers, query_string=params, buffered=False)
        return response.status_code, response.iter_encoded(), response.close
