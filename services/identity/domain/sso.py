"""Single sign-on through the national e-ID (VNeID / VNConnect): OpenID Connect authorization-code flow
with PKCE (Authlib's client). The account is matched by the citizen-ID claim and never created here."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session

from services.common.db import UnitOfWork
from services.common.errors import Invalid, Unauthorized
from services.common.i18n import msg
from services.common.models import utcnow
from services.identity.domain import sessions
from services.identity.domain.passwords import digest
from services.identity.models import OneTimeToken

STATE_TTL = timedelta(minutes=10)


@dataclass
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    citizen_claim: str = "citizen_id"
    scope: str = "openid profile"


class OidcClient:
    def __init__(self, settings: OidcSettings):
        self.settings = settings

    @cached_property
    def metadata(self) -> dict:
        url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=5)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise Invalid(msg("the e-ID provider is unreachable ({name}); try again later",
                              name=exc.__class__.__name__)) from exc

    def _session(self) -> OAuth2Session:
        s = self.settings
        return OAuth2Session(s.client_id, s.client_secret, redirect_uri=s.redirect_uri, scope=s.scope,
                             code_challenge_method="S256", token_endpoint_auth_method="client_secret_post")  # noqa: S106

    def start(self, uow: UnitOfWork) -> str:
        """The provider's authorization URL; state, nonce and the PKCE verifier are kept server-side."""
        state, nonce, verifier = (secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))
        url, _ = self._session().create_authorization_url(
            self.metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier)
        uow.session.add(OneTimeToken(token_hash=digest(state), purpose="sso", payload={
            "nonce": nonce, "verifier": verifier}, expires_at=utcnow() + STATE_TTL))
        uow.commit()
        return url

    def _signing_key(self, id_token: str):
        """The provider's key for this token: by ``kid``, or its only signing key when the token names none."""
        kid = jwt.get_unverified_header(id_token).get("kid")
        keys = jwt.PyJWKClient(self.metadata["jwks_uri"]).get_signing_keys()
        matching = [k for k in keys if k.key_id == kid] if kid else keys
        if len(matching) != 1:
            raise jwt.InvalidTokenError("no single provider key matches the ID token")
        return matching[0].key

    def citizen_id(self, uow: UnitOfWork, state: str, code: str) -> str:
        """Exchange the code, verify the ID token (signature, issuer, audience, nonce), read the CCCD."""
        ticket = sessions.use_one_time(uow.session, state, "sso")
        uow.commit()
        try:
            token = self._session().fetch_token(self.metadata["token_endpoint"], code=code,
                                                code_verifier=ticket.payload["verifier"],
                                                grant_type="authorization_code")
        except Exception as exc:  # noqa: BLE001 - any failure of the exchange is the provider refusing
            raise Unauthorized(msg("the e-ID provider refused the sign-in: {exc}", exc=exc)) from exc
        id_token = token.get("id_token")
        if not id_token:
            raise Unauthorized(msg("the e-ID provider sent no ID token"))
        try:
            claims = jwt.decode(id_token, self._signing_key(id_token), algorithms=["RS256", "ES256", "EdDSA", "PS256"],
                                audience=self.settings.client_id, issuer=self.metadata["issuer"])
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise Unauthorized(msg("the ID token is not valid: {exc}", exc=exc)) from exc
        if claims.get("nonce") != ticket.payload["nonce"]:
            raise Unauthorized(msg("the ID token does not answer this sign-in (nonce mismatch)"))
        value = claims.get(self.settings.citizen_claim)
        if not value:
            raise Unauthorized(msg("the e-ID provider did not send the {citizen_claim} claim",
                                   citizen_claim=self.settings.citizen_claim))
        return str(value)
