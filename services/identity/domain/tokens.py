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

    def access_token(self, *, account_id: str, unit_id: str | None, permissions: list[str],
                     admin_units: list[str], name: str) -> tuple[str, int]:
        now = int(time.time())
        claims = {"sub": account_id, "unit": unit_id, "perms": permissions, "admin_units": admin_units,
                  "name": name, "iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + self.access_ttl,
                  "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid}), self.access_ttl
