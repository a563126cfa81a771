"""Verify the JWT access tokens identity issues, and say who the caller is.

Claims: ``sub`` (account id), ``unit`` (primary unit id), ``grants`` (a list of ``{"unit", "perms"}`` pairs,
exactly as granted — never flattened), ``ver`` (the account's token generation: identity raises it when the
account is locked, archived, deleted or converted or its grants change, and every service then refuses older
tokens), plus ``iss``/``aud``/``exp``/``iat``. ``deploy/mint-token`` adds ``break_glass: true``: the operator's
token, signed with identity's own key, that stands for no account (identity then takes its grants as they are).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jwt

from services.common import authority
from services.common.authority import Grant
from services.common.errors import Unauthorized
from services.common.i18n import msg
from services.common.permissions import SUPER_ADMIN

ALGORITHMS = ["EdDSA", "RS256", "ES256"]
REVOKED = msg("this access token was withdrawn (the account was locked, removed or its rights changed); sign in "
              "again")


@dataclass(frozen=True)
class Principal:
    account_id: str
    unit_id: str | None
    grants: tuple[Grant, ...] = ()
    version: int = 0
    name: str = ""
    break_glass: bool = False

    @classmethod
    def system(cls, account_id: str, unit_id: str | None = None) -> Principal:
        """The suite acting for itself (demo loaders, benchmarks): system administration on every unit."""
        return cls(account_id, unit_id, (Grant(None, frozenset({SUPER_ADMIN})),))

    @property
    def is_super_admin(self) -> bool:
        return authority.is_super(self.grants)

    def may(self, permission: str, unit_lineage) -> bool:
        return authority.may(self.grants, permission, unit_lineage)

    def holds_everywhere(self, permission: str) -> bool:
        return authority.holds_everywhere(self.grants, permission)


class TokenVerifier:
    """Checks signature, issuer, audience and expiry with a PEM public key or identity's JWKS (cached), then
    the account's token generation against ``floor`` (the service's read model of revocations)."""

    def __init__(self, *, issuer: str, audience: str, public_key: str = "", jwks_url: str = ""):
        self.issuer = issuer
        self.audience = audience
        self._key = _load_pem(public_key) if public_key else None
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.floor: Callable[[str], int] | None = None

    @property
    def configured(self) -> bool:
        return self._key is not None or self._jwks is not None

    def verify(self, token: str) -> Principal:
        if not self.configured:
            raise Unauthorized(msg("this service has no key to verify tokens with"))
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            principal = principal_from_claims(claims)
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized(msg("the access token has expired; sign in again")) from exc
        except (jwt.PyJWTError, ValueError, TypeError, AttributeError) as exc:
            raise Unauthorized(msg("the access token is not valid; sign in again")) from exc
        if self.floor is not None and principal.version < self.floor(principal.account_id):
            raise Unauthorized(REVOKED, code="token_revoked")
        return principal


def principal_from_claims(claims: dict) -> Principal:
    grants = tuple(Grant.from_claim(g) for g in claims.get("grants") or ())
    return Principal(account_id=str(claims["sub"]), unit_id=claims.get("unit"), grants=grants,
                     version=int(claims.get("ver") or 0), name=str(claims.get("name") or ""),
                     break_glass=claims.get("break_glass") is True)


def claims_for(grants: tuple[Grant, ...]) -> list[dict]:
    return [g.as_claim() for g in grants]


def _load_pem(value: str) -> str:
    """Accept the PEM text itself or a path to a PEM file."""
    if "-----BEGIN" in value:
        return value
    return Path(value).read_text()


__all__ = ["Grant", "Principal", "SUPER_ADMIN", "TokenVerifier", "claims_for", "principal_from_claims"]
