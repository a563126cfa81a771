"""Tokens: signature, issuer, audience and expiry are checked; a bad token is a 401 problem."""
from __future__ import annotations

import pytest

from services.common.auth import TokenVerifier
from services.common.devkeys import DevKeys
from services.common.errors import Unauthorized
from tests.conftest import auth


def test_a_valid_token_gives_the_callers_account_unit_and_permissions(keys):
    verifier = TokenVerifier(issuer="egov-identity", audience="egov", public_key=keys.public_pem)
    who = verifier.verify(keys.mint(sub="acc-1", unit="u-1", perms=["units.manage"], admin_units=["u-1"]))
    assert (who.account_id, who.unit_id, who.admin_units) == ("acc-1", "u-1", ("u-1",))
    assert who.has("units.manage") and not who.has("system.admin") and not who.is_super_admin


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
    claims["perms"] = ["system.admin"]
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
