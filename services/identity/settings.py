"""Identity's own settings (prefix IDENTITY_), on top of the ones every service has."""
from __future__ import annotations

from pydantic import model_validator

from services.common.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    signing_key: str = ""                     # PEM text or path of the Ed25519 private key; generated in development
    access_token_ttl: int = 600               # seconds
    bootstrap_admin_password: str = ""        # fixed first super-admin password (automation, demos)
    login_per_address_and_account: int = 5   # password checks per (address or known device, account) per window
    login_per_account: int = 10               # per account from every unknown device together, per window
    login_per_address: int = 50               # per network address (a whole office), per window
    login_window_minutes: int = 15
    resets_per_account: int = 3               # reset messages per account per hour (more: silently not sent)
    resets_per_address: int = 10              # reset requests per address per hour (more: 429)
    oidc_issuer: str = ""                     # the national e-ID provider (VNeID / VNConnect)
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = ""
    oidc_citizen_claim: str = "citizen_id"
    eid_lookup_url: str = ""                  # the provider's people directory, {citizen_id} replaced (client creds)
    argon2_time_cost: int = 3                 # argon2id passes
    argon2_memory_kib: int = 65536            # argon2id memory per hash (KiB)

    @model_validator(mode="after")
    def _production_needs_a_key(self) -> IdentitySettings:
        if self.env == "production" and not self.signing_key:
            raise ValueError("IDENTITY_SIGNING_KEY is required in production")
        return self
