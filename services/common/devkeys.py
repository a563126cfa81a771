"""A development signing key and token minting, for `make run` and tests until identity issues tokens.

Refused outside development/test: production tokens come only from the identity service."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class DevKeys:
    def __init__(self, private_key: Ed25519PrivateKey):
        self.private_key = private_key

    @classmethod
    def generate(cls) -> DevKeys:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> DevKeys:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, Ed25519PrivateKey)
            return cls(key)
        keys = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(keys.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        path.chmod(0o600)
        return keys

    @property
    def public_pem(self) -> str:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def mint(self, *, sub: str | None = None, unit: str | None = None, perms: list[str] | None = None,
             admin_units: list[str] | None = None, grants: list[dict] | None = None, ver: int = 0,
             issuer: str = "egov-identity", audience: str = "egov", ttl: int = 900, **extra) -> str:
        """A token as identity would sign it. ``perms`` are granted on each of ``admin_units``, or on every
        unit when no unit is named; ``grants`` gives the pairs directly."""
        if grants is None:
            grants = ([{"unit": u, "perms": perms or []} for u in admin_units] if admin_units
                      else [{"unit": None, "perms": perms}] if perms else [])
        now = int(time.time())
        claims = {
            "sub": sub or str(uuid.uuid4()), "unit": unit, "grants": grants, "ver": ver,
            "iss": issuer, "aud": audience, "iat": now, "exp": now + ttl, **extra,
        }
        return jwt.encode(claims, self.private_key, algorithm="EdDSA")
