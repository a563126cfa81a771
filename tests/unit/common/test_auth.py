"""Tokens: signature, issuer, audience and expiry are checked; a bad token is a 401 problem."""
from __future__ import annotations

import pytest

from services.common.auth import TokenVerifier
from services.common.devkeys import DevKeys
from services.common.errors import Unauthorized
from tests.conftest import auth


def test_a_valid_token_keeps_each_grant_with_its_unit(keys):
    verifier = TokenVerifier(issuer="egov-identity", audience="egov", public_key=keys.public_pem)
    who = verifier.verify(keys.mint(sub="acc-1", unit="u-1", grants=[
        {"unit": "u-1", "perms": ["units.manage", "process.configure"]}, {"unit": "u-2", "perms": ["accounts.read"]}]))
    assert (who.account_id, who.unit_id) == ("acc-1", "u-1")
    assert who.may("units.manage", ["root", "u-1", "u-1-child"])
    assert not who.may("units.manage", ["root", "u-2", "u-2-child"])
    assert who.may("accounts.read", ["root", "u-2"]) and not who.may("accounts.read", ["root", "u-1"])
    assert not who.may("units.manage", ["root"]) and not who.is_super_admin


def test_a_token_below_the_accounts_floor_is_refused(keys):
    verifier = TokenVerifier(issuer="egov-identity", audience="egov", public_key=keys.public_pem)
    floors = {"acc-1": 3}
    verifier.floor = lambda account_id: floors.get(account_id, 0)
    with pytest.raises(Unauthorized, match="withdrawn"):
        verifier.verify(keys.mint(sub="acc-1", ver=2))
    assert verifier.verify(keys.mint(sub="acc-1", ver=3)).version == 3
    assert verifier.verify(keys.mint(sub="acc-2")).account_id == "acc-2"


@pytest.mark.parametrize("mint", [
    lambda k: k.mint(ttl=-60),
    lambda k: k.mint(audience="other"),
    lambda k: k.mint(issuer="someone-else"),
    lambda k: DevKeys.generate().mint(),
    lambda k: k.mint()[:-4] + "AAAA",
    lambda k: "not-a-token",
])
def test_expired_foreign_or_tampered_tokens_are_refused(keys, mint):
    verifier = TokenVerifier(issuer="egov-identity", audience="egov", public_key=keys.public_pem)
    with pytest.raises(Unauthorized):
        verifier.verify(mint(keys))


def test_tampered_claims_are_refused_over_http(orgunits, keys):
    import base64
    import json

    header, payload, signature = keys.mint(sub="x", perms=[]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["grants"] = [{"unit": None, "perms": ["system.admin"]}]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = orgunits.test_client().post("/api/orgunits/units", headers=auth(f"{header}.{forged}.{signature}"),
                                           json={"code": "X", "name": "X"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "not valid" in response.get_json()["detail"]


def test_an_expired_token_is_refused_over_http(orgunits, keys):
    response = orgunits.test_client().post("/api/orgunits/units", headers=auth(keys.mint(perms=["system.admin"],
                                           ttl=-5)), json={"code": "X", "name": "X"})
    assert response.status_code == 401 and "expired" in response.get_json()["detail"]
