"""Portal tests drive the embedded suite's portal (``gateway.front``) as a browser would: cookies, forms with
their CSRF token, htmx fragments."""
from __future__ import annotations

import re

import pytest

from tests.unit.identity.conftest import NEW_PASSWORD, suite, suite_template  # noqa: F401 - re-exported fixtures


def text(response) -> str:
    """A page or fragment as text."""
    return response.get_data(as_text=True)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class Browser:
    """One person's browser on the portal: keeps the session cookie, reads each page's CSRF token."""

    def __init__(self, running):
        self.suite = running
        self.client = running.gateway.front.test_client()
        self.token = ""

    def get(self, path: str, **kw):
        response = self.client.get(path, **kw)
        self._remember(response)
        return response

    def post(self, path: str, data: dict | None = None, *, htmx: bool = False, **kw):
        headers = {"X-CSRFToken": self.token, **({"HX-Request": "true"} if htmx else {})}
        response = self.client.post(path, data=data or {}, headers=headers, **kw)
        self._remember(response)
        return response

    def _remember(self, response) -> None:
        if response.mimetype == "text/html":
            found = CSRF.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1) or found.group(2)

    def sign_in(self, username: str) -> None:
        """Through the sign-in page; a demo person's first sign-in chooses NEW_PASSWORD on the next page."""
        self.get("/dang-nhap")
        password = self.suite.people.get(username) or NEW_PASSWORD
        answer = self.post("/dang-nhap", {"username": username, "password": password})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        if answer.headers["Location"].startswith("/doi-mat-khau"):
            self.get("/doi-mat-khau")
            chosen = self.post("/doi-mat-khau", {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
            assert chosen.status_code == 302, chosen.get_data(as_text=True)
            self.suite.people[username] = NEW_PASSWORD


@pytest.fixture
def browser(suite):  # noqa: F811
    return lambda: Browser(suite)
