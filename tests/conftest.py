"""Fixtures shared by every test: a test signing key, and org-units apps on a fresh SQLite database."""
from __future__ import annotations

import pytest

from services.common.bus.memory import InProcessBus
from services.common.devkeys import DevKeys
from services.common.settings import settings_for
from services.orgunits.app import create_app, load_demo_data


@pytest.fixture(scope="session")
def keys() -> DevKeys:
    return DevKeys.generate()


@pytest.fixture(scope="session")
def super_token(keys) -> str:
    return keys.mint(sub="super-1", perms=["system.admin"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_orgunits(tmp_path, keys, *, demo: bool = False, bus=None, **overrides):
    settings = settings_for("orgunits", var_dir=tmp_path, env="test", jwt_public_key=keys.public_pem,
                            log_format="json", log_level="WARNING", **overrides)
    app = create_app(settings, bus=bus or InProcessBus())
    if demo:
        load_demo_data(app.extensions["egov"])
    return app


@pytest.fixture
def orgunits(tmp_path, keys):
    """An org-units app on an empty database."""
    app = make_orgunits(tmp_path, keys)
    yield app
    app.extensions["egov"].stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, keys):
    """An org-units app with the Bình Thuận tree loaded (shared by a module's read-only tests)."""
    app = make_orgunits(tmp_path_factory.mktemp("demo"), keys, demo=True)
    yield app
    app.extensions["egov"].stop()
