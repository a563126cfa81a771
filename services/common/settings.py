"""Settings from environment variables, one prefix per service (``ORGUNITS_DATABASE_URL`` …).

Every setting of every service is documented in ``deploy/.env.example``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = re.compile(r"(change[-_ ]?me|change[-_ ]?this|placeholder|insecure|^secret$|^dev$)", re.I)
_URL_PASSWORD = re.compile(r"^[a-z0-9+]+://[^:/@]+:([^@]*)@", re.I)


class ServiceSettings(BaseSettings):
    """The settings every service has. A service's own class only sets the prefix (and adds fields)."""

    model_config = SettingsConfigDict(extra="ignore")

    service: str = "service"
    env: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    bus_url: str = "memory://"
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: str = "INFO"
    secret_key: str = "insecure-development-key"  # noqa: S105 - refused outside development
    jwt_issuer: str = "egov-identity"
    jwt_audience: str = "egov"
    jwt_public_key: str = ""
    jwks_url: str = ""
    relay_interval: float = 0.2
    relay_batch: int = 200
    outbox_retention_days: float = 30   # published events are kept this long (deploy/replay), then deleted
    delivery_limit: int = 10
    consumer_prefetch: int = 32
    sealing_key: str = ""               # Fernet key for secrets sent sealed over the bus (identity → notify)
    max_request_mb: float = 2.0         # any request body larger than this: 413
    max_json_kb: int = 512              # a JSON body larger than this: 413
    max_json_depth: int = 32            # JSON nested deeper than this: 422
    trusted_proxies: str = ""           # comma-separated addresses (the portal, a reverse proxy) whose
    #                                     X-Forwarded-For names the person's address (sign-in throttling counts it)

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> ServiceSettings:
        if self.env == "development" or self.env == "test":
            return self
        prefix = self.service.upper()
        problems = []
        if PLACEHOLDER_SECRETS.search(self.secret_key) or len(self.secret_key) < 32:
            problems.append(f"{prefix}_SECRET_KEY is a placeholder or shorter than 32 characters")
        for name in ("database_url", "bus_url"):
            match = _URL_PASSWORD.match(getattr(self, name))
            if match and (PLACEHOLDER_SECRETS.search(match.group(1)) or match.group(1) == "guest"):
                problems.append(f"{prefix}_{name.upper()} uses a placeholder password")
        if not self.database_url:
            problems.append(f"{prefix}_DATABASE_URL is required in production")
        if not (self.jwt_public_key or self.jwks_url):
            problems.append(f"{prefix}_JWT_PUBLIC_KEY or {prefix}_JWKS_URL is required in production")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / f'{self.service}.db').resolve()}"


def settings_for(service: str, cls: type[ServiceSettings] = ServiceSettings, **overrides) -> ServiceSettings:
    """Read ``<SERVICE>_*`` variables into ``cls``; keyword overrides win (used by tests and `make run`)."""
    prefixed = type(
        f"{service.title()}Settings",
        (cls,),
        {"model_config": SettingsConfigDict(env_prefix=f"{service.upper()}_", extra="ignore")},
    )
    return prefixed(service=service, **overrides)
