"""Process tests use the embedded suite (identity + orgunits + process on one bus) where they need people."""
from tests.unit.identity.conftest import suite, suite_template  # noqa: F401 - re-exported fixtures
