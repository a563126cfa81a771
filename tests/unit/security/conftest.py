"""The attacker's tests run on the embedded suite (every service, one in-process bus, demo data)."""
from tests.unit.identity.conftest import suite, suite_template  # noqa: F401 - re-exported fixtures
