"""Secrets that must cross the bus to one service only (a password-reset code on its way to notify's e-mail and
SMS channels) travel sealed: encrypted and authenticated with a key only the sender and that receiver hold
(Fernet from ``cryptography``), so an integrator bound to every event, or a log of them, reads nothing usable.

The key comes from ``<SERVICE>_SEALING_KEY`` (the same value for identity and notify); outside production a
key file in the data folder is created once and shared by the services of one run."""
from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from services.common.settings import ServiceSettings


class Sealer:
    def __init__(self, key: str):
        self._fernet = Fernet(key.encode() if isinstance(key, str) else key)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        """The secret, or None when the text was not sealed with this key (or was changed)."""
        if not sealed:
            return None
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None


def sealer_for(settings: ServiceSettings) -> Sealer:
    if settings.sealing_key:
        return Sealer(settings.sealing_key)
    if settings.env == "production":
        raise ValueError(f"{settings.service.upper()}_SEALING_KEY is required in production (the same Fernet key "
                         "for identity and notify; make one with `python -c 'from cryptography.fernet import "
                         "Fernet; print(Fernet.generate_key().decode())'`)")
    path = Path(settings.var_dir) / "sealing.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return Sealer(path.read_text().strip())
