"""Composition root of the identity service: settings → database, bus, signing key, sign-in guard,
e-ID client, HTTP API; first start creates the super admin."""
from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from services.common.bus import Bus
from services.common.devkeys import DevKeys
from services.common.http import create_service_app
from services.common.logging import get_logger
from services.common.permissions import SUPER_ADMIN
from services.common.runtime import ServiceRuntime, build_runtime
from services.common.sealing import Sealer, sealer_for
from services.common.settings import settings_for
from services.identity import events
from services.identity.api import blueprints
from services.identity.domain import passwords
from services.identity.domain.accounts import publish, record, refresh_derived
from services.identity.domain.admin import SYSTEM_GROUP
from services.identity.domain.eid_directory import EidDirectory
from services.identity.domain.sessions import SignInPolicy
from services.identity.domain.sso import OidcClient, OidcSettings
from services.identity.domain.tokens import TokenIssuer
from services.identity.models import Account, AccountStatus, Group, GroupMember
from services.identity.settings import IdentitySettings

SERVICE = "identity"
log = get_logger(__name__)


@dataclass
class IdentityParts:
    runtime: ServiceRuntime
    issuer: TokenIssuer
    policy: SignInPolicy
    oidc: OidcClient | None
    sealer: Sealer
    directory: EidDirectory | None = None


def signing_key(settings: IdentitySettings) -> Ed25519PrivateKey:
    if settings.signing_key:
        pem = settings.signing_key if "-----BEGIN" in settings.signing_key else Path(settings.signing_key).read_text()
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("IDENTITY_SIGNING_KEY must be an Ed25519 private key")
        return key
    return DevKeys.load_or_create(settings.var_dir / "identity-signing-key.pem").private_key


def sign_in_policy(settings: IdentitySettings) -> SignInPolicy:
    return SignInPolicy(per_address_and_account=settings.login_per_address_and_account,
                        per_account=settings.login_per_account, per_address=settings.login_per_address,
                        window=timedelta(minutes=settings.login_window_minutes),
                        resets_per_account=settings.resets_per_account, resets_per_address=settings.resets_per_address)


def create_app(settings: IdentitySettings | None = None, *, bus: Bus | None = None) -> Flask:
    settings = settings or settings_for(SERVICE, IdentitySettings)
    passwords.configure(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)
    key = signing_key(settings)
    issuer = TokenIssuer(key, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                         access_ttl=settings.access_token_ttl)
    if not (settings.jwt_public_key or settings.jwks_url):
        settings = settings.model_copy(update={"jwt_public_key": issuer.public_pem})
    runtime = build_runtime(settings, bus=bus)
    events.subscribe(runtime)
    oidc = None
    if settings.oidc_issuer:
        oidc = OidcClient(OidcSettings(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
                                       settings.oidc_redirect_uri, settings.oidc_citizen_claim))
    directory = EidDirectory(settings.eid_lookup_url, settings.oidc_client_id, settings.oidc_client_secret,
                             settings.oidc_citizen_claim) if settings.eid_lookup_url else None
    parts = IdentityParts(runtime, issuer, sign_in_policy(settings), oidc, sealer_for(settings), directory)
    app = create_service_app(
        runtime, title="Identity (Tài khoản)", blueprints=blueprints(parts),
        description="Accounts and their approval, subtree-scoped administration, groups and permissions, "
                    "sign-in with throttling, one-time passwords, tokens and single sign-on by national e-ID.")
    app.extensions["identity"] = parts
    bootstrap(runtime, settings.bootstrap_admin_password)
    return app


def bootstrap(runtime: ServiceRuntime, fixed_password: str = "") -> str | None:
    """On an empty database: the built-in system group and a super admin ``admin``. Its one-time password
    is printed once on standard output (never logged); a fixed one comes from the setting."""
    with runtime.db.uow() as uow:
        session = uow.session
        group = session.exec(select(Group).where(Group.builtin == True)).first()  # noqa: E712
        if group is not None:
            return None
        group = Group(name=SYSTEM_GROUP, unit_id=None, permissions=[SUPER_ADMIN], builtin=True)
        password = fixed_password or passwords.one_time_password()
        admin = refresh_derived(Account(
            id=uuid.uuid4().hex, username="admin", full_name="Quản trị hệ thống", status=AccountStatus.approved,
            password_hash=passwords.hash_password(password), must_change_password=not fixed_password))
        session.add_all([group, admin])
        session.flush()
        session.add(GroupMember(group_id=group.id, account_id=admin.id))
        record(session, admin, "bootstrapped", "system")
        publish(uow, "approved", admin)
        try:
            uow.commit()
        except IntegrityError:
            return None  # another process of this service bootstrapped at the same moment
    if not fixed_password:
        print(f"\nSuper admin created: user name “admin”, one-time password {password}\n"
              "(shown once; it can only be used to choose a new password)\n", file=sys.stdout, flush=True)
    log.info("identity.bootstrapped", fixed_password=bool(fixed_password))
    return password


def wsgi() -> Flask:
    """Entry point for gunicorn: ``gunicorn 'services.identity.app:wsgi()'``."""
    return create_app()
