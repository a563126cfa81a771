"""Adding a person by citizen id (seed 004, "Thêm mới người dùng" → "Tìm kiếm trên VNConnect" → "Kích hoạt"):
the admin looks the person up in the national e-ID provider's people directory, the account is stored "Chưa kích
hoạt" (inactive) with what the provider says about them — never with what a browser sent — and an admin of the
unit activates it. The directory is the provider's own service (``IDENTITY_EID_LOOKUP_URL``, ``{citizen_id}``
replaced), called with the suite's client credentials; where none is configured, adding by citizen id is
refused with a sentence and the public registration stays the way in."""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import quote

import requests
import requests.auth
from sqlmodel import select
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, DomainError
from services.common.i18n import msg
from services.identity.domain import validation
from services.identity.domain.accounts import APPROVE, publish, record, refresh_derived
from services.identity.domain.scope import authority, get_account_for, live_unit, require
from services.identity.models import Account, AccountStatus


class EidUnavailable(DomainError):
    """The provider is configured but did not answer as it should."""

    status = 502
    title = "Bad gateway"


@dataclass
class EidPerson:
    citizen_id: str
    full_name: str
    phone: str | None
    email: str | None
    date_of_birth: str | None

    def view(self) -> dict:
        return asdict(self)


class _Transient(Exception):
    """The provider did not answer, or answered 5xx: worth another try."""


class EidDirectory:
    def __init__(self, url: str, client_id: str, client_secret: str, citizen_claim: str = "citizen_id",
                 timeout: float = 5.0):
        # credentials as UTF-8 (RFC 7617): a secret with Vietnamese letters is a secret like any other
        self.auth = requests.auth.HTTPBasicAuth(client_id.encode(), client_secret.encode())
        self.url, self.citizen_claim, self.timeout = url, citizen_claim, timeout

    @retry(retry=retry_if_exception_type(_Transient), stop=stop_after_attempt(3),
           wait=wait_exponential(multiplier=0.2, max=2), reraise=True)
    def _get(self, citizen_id: str) -> requests.Response:
        try:
            response = requests.get(self.url.replace("{citizen_id}", quote(citizen_id)), auth=self.auth,
                                    timeout=self.timeout, headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise _Transient(exc.__class__.__name__) from exc
        if response.status_code >= 500:
            raise _Transient(f"HTTP {response.status_code}")
        return response

    def find(self, citizen_id: str) -> EidPerson | None:
        """The person the provider knows under this citizen id, or None."""
        try:
            response = self._get(citizen_id)
        except _Transient as exc:
            raise EidUnavailable(msg("the e-ID provider is unreachable ({name}); try again later", name=str(exc)),
                                 code="eid_unavailable") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise EidUnavailable(msg("the e-ID provider refused the look-up (HTTP {status}); ask who runs the "
                                     "suite to check its client credentials", status=response.status_code),
                                 code="eid_unavailable")
        try:
            claims = response.json()
        except ValueError:
            claims = None
        if not isinstance(claims, dict) or str(claims.get(self.citizen_claim) or "") != citizen_id:
            return None
        return EidPerson(citizen_id=citizen_id, full_name=str(claims.get("name") or "").strip(),
                         phone=_clean(claims.get("phone_number"), validation.phone),
                         email=_clean(claims.get("email"), validation.email),
                         date_of_birth=_birthdate(claims.get("birthdate")))


def _clean(value, check) -> str | None:
    """A claim the suite would accept from a person; anything else is left out rather than stored."""
    try:
        return check(str(value)) if value else None
    except ValueError:
        return None


def _birthdate(value) -> str | None:
    try:
        return date.fromisoformat(str(value)).isoformat() if value else None
    except ValueError:
        return None


def _directory(directory: EidDirectory | None) -> EidDirectory:
    if directory is None:
        raise Conflict(msg("no e-ID directory is configured (IDENTITY_EID_LOOKUP_URL); people register "
                           "themselves instead"), code="eid_unavailable")
    return directory


def look_up(session, principal: Principal, directory: EidDirectory | None, citizen_id: str) -> dict:
    """For an admin who approves accounts somewhere: the person the provider knows, and whether an account
    already holds the citizen id."""
    who = authority(session, principal)
    if not any(g.holds(APPROVE) for g in who.grants):
        require(session, who, APPROVE, None)
    person = _directory(directory).find(citizen_id)
    holder = session.exec(select(Account.id).where(Account.citizen_id == citizen_id)).first()
    return {"citizen_id": citizen_id, "found": person.view() if person else None, "has_account": holder is not None}


def add(uow: UnitOfWork, principal: Principal, directory: EidDirectory | None, citizen_id: str, unit_id: str,
        department: str | None, position: str | None) -> Account:
    """Store the person the provider knows as an inactive account of the unit (Chưa kích hoạt)."""
    session = uow.session
    require(session, authority(session, principal), APPROVE, unit_id)
    live_unit(session, unit_id)
    if session.exec(select(Account.id).where(Account.citizen_id == citizen_id)).first() is not None:
        raise Conflict(msg("an account already holds this citizen ID"), code="citizen_id_taken")
    person = _directory(directory).find(citizen_id)
    if person is None or len(person.full_name) < 2:
        raise Conflict(msg("the e-ID provider knows nobody with citizen ID {citizen_id}; the person first signs up "
                           "with the national e-ID", citizen_id=citizen_id), code="eid_not_found")
    if person.email and session.exec(select(Account.id).where(Account.email == person.email)).first() is not None:
        person.email = None          # an address another account uses is not copied onto this one
    account = refresh_derived(Account(
        id=uuid.uuid4().hex, username=citizen_id, full_name=person.full_name, citizen_id=citizen_id,
        phone=person.phone, email=person.email, unit_id=unit_id, department=department, position=position,
        date_of_birth=date.fromisoformat(person.date_of_birth) if person.date_of_birth else None,
        status=AccountStatus.inactive))
    session.add(account)
    record(session, account, "added_from_eid", principal.account_id)
    publish(uow, "added", account)
    uow.commit()
    return account


def activate(uow: UnitOfWork, principal: Principal, account_id: str) -> Account:
    """Chưa kích hoạt → Kích hoạt: the person signs in with the e-ID (or a one-time password their admin issues)."""
    session = uow.session
    account = get_account_for(session, principal, account_id, APPROVE)
    if account.status != AccountStatus.inactive:
        raise Conflict(msg("the account is {status}, not waiting for activation", status=account.status),
                       code="not_inactive")
    account.status = AccountStatus.approved
    record(session, account, "activated", principal.account_id, {"status": (AccountStatus.inactive,
                                                                            AccountStatus.approved)})
    publish(uow, "activated", account)
    uow.commit()
    return account
