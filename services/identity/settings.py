"""Identity's own settings (prefix IDENTITY_), on top of the ones every service has."""
from __future__ import annotations

from pydantic import model_validator

from services.common.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    signing_key: str = ""                     # PEM text or path of the Ed25519 private key; generated in development
    access_token_ttl: int = 600               # seconds
    bootstrap_admin_password: str = ""        # fixed first super-admin password (automation, demos)
    ratelimit_storage: str = "memory://"      # limits storage URL for the per-IP sign-in limit
    login_rate: str = "5/minute"              # failed sign-ins per IP before throttling
    oidc_issuer: str = ""                     # the national e-ID provider (VNeID / VNConnect)
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = ""
    oidc_citizen_claim: str = "citizen_id"
    argon2_time_cost: int = 3                 # argon2id passes
    argon2_memory_kib: int = 65536            # argon2id memory per hash (KiB)

    @model_validator(mode="after")
    def _production_needs_a_key(self) -> IdentitySettings:
        if self.env == "production" and not self.signing_key:
            raise ValueError("IDENTITY_SIGNING_KEY is required in production")
        return self
