"""Verify the JWT access tokens identity issues, and say who the caller is.

Claims: ``sub`` (account id), ``unit`` (primary unit id), ``perms`` (permission names), ``admin_units``
(unit ids whose subtrees the caller administers), plus ``iss``/``aud``/``exp``/``iat``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jwt

from services.common.errors import Unauthorized

ALGORITHMS = ["EdDSA", "RS256", "ES256"]
SUPER_ADMIN = "system.admin"


@dataclass(frozen=True)
class Principal:
    account_id: str
    unit_id: str | None
    permissions: frozenset[str] = field(default_factory=frozenset)
    admin_units: tuple[str, ...] = ()

    @property
    def is_super_admin(self) -> bool:
        return SUPER_ADMIN in self.permissions

    def has(self, permission: str) -> bool:
        return self.is_super_admin or permission in self.permissions


class TokenVerifier:
    """Checks signature, issuer, audience and expiry with a PEM public key or identity's JWKS (cached)."""

    def __init__(self, *, issuer: str, audience: str, public_key: str = "", jwks_url: str = ""):
        self.issuer = issuer
        self.audience = audience
        self._key = _load_pem(public_key) if public_key else None
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None

    @property
    def configured(self) -> bool:
        return self._key is not None or self._jwks is not None

    def verify(self, token: str) -> Principal:
        if not self.configured:
            raise Unauthorized("this service has no key to verify tokens with")
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the access token has expired; sign in again") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(f"the access token is not valid: {exc}") from exc
        return Principal(
            account_id=str(claims["sub"]),
            unit_id=claims.get("unit"),
            permissions=frozenset(claims.get("perms") or ()),
            admin_units=tuple(claims.get("admin_units") or ()),
        )


def _load_pem(value: str) -> str:
    """Accept the PEM text itself or a path to a PEM file."""
    if "-----BEGIN" in value:
        return value
    return Path(value).read_text()
