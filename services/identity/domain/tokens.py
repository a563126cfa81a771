"""Signing access tokens (short-lived JWTs, EdDSA) and publishing the public key as a JWKS."""
from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

DEVICE_AUDIENCE = "egov-device"
DEVICE_TTL = 365 * 24 * 3600


class TokenIssuer:
    def __init__(self, private_key: Ed25519PrivateKey, *, issuer: str, audience: str, access_ttl: int):
        self.private_key = private_key
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = access_ttl
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")

    @property
    def public_pem(self) -> str:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def jwks(self) -> dict:
        key = json.loads(OKPAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**key, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def access_token(self, *, account_id: str, unit_id: str | None, grants: list[dict], version: int,
                     name: str) -> tuple[str, int]:
        now = int(time.time())
        claims = {"sub": account_id, "unit": unit_id, "grants": grants, "ver": version, "name": name,
                  "iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + self.access_ttl,
                  "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid}), self.access_ttl

    def device_token(self, account_id: str, device: str | None = None, ttl: int = DEVICE_TTL) -> str:
        """Remembers that this device signed in to this account (its own attempt budget next time). Another
        audience than access tokens, so it can never be used as one."""
        now = int(time.time())
        claims = {"sub": account_id, "dev": device or uuid.uuid4().hex, "iss": self.issuer,
                  "aud": DEVICE_AUDIENCE, "iat": now, "exp": now + ttl}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})

    def read_device_token(self, token: str) -> dict | None:
        try:
            return jwt.decode(token, self.private_key.public_key(), algorithms=["EdDSA"], audience=DEVICE_AUDIENCE,
                              issuer=self.issuer, options={"require": ["exp", "sub", "dev"]})
        except jwt.PyJWTError:
            return None
