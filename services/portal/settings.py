"""The portal's settings (``PORTAL_*`` in the environment): where the services answer, where sessions live."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    env: str = Field(default="development", description="development | test | production")
    var_dir: Path = Path("var")
    secret_key: str = Field(default="", description="signs the session cookie and CSRF tokens; generated into "
                                                    "var/ when empty (set it in production)")
    api_url: str = Field(default="", description="one base URL all services answer under (…/api/<service>, "
                                                 "behind a reverse proxy); empty: the embedded suite in this process")
    identity_url: str = Field(default="", description="where identity answers, when each service has its own port")
    orgunits_url: str = ""
    process_url: str = ""
    notify_url: str = ""

    def service_urls(self) -> dict[str, str]:
        """Base URL per service: its own setting, else the common ``api_url``."""
        return {name: getattr(self, f"{name}_url") or self.api_url
                for name in ("identity", "orgunits", "process", "notify")}
    jwt_issuer: str = "egov-identity"
    jwt_audience: str = "egov"
    jwt_public_key: str = ""
    jwks_url: str = ""
    session_hours: int = Field(default=10, ge=1, le=72, description="a sign-in lasts a working day")
    default_language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    node_modules: Path = Field(default=Path(__file__).resolve().parents[2] / "node_modules",
                               description="where `npm ci` put the browser packages")

    cookie_secure: bool | None = Field(default=None, description="send the session cookie over HTTPS only "
                                                                  "(default: in production)")
    trusted_proxies: str = Field(default="", description="comma-separated addresses of a reverse proxy in front "
                                                         "of the portal, whose X-Forwarded-For is believed")

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production" if self.cookie_secure is None else self.cookie_secure
