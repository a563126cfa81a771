"""A small world for the attacks: units A (Sở Khoa học và Công nghệ) and its sibling B (Sở Công Thương), a
child of each, and helpers to make accounts with exactly the grants a case needs."""
from __future__ import annotations

from dataclasses import dataclass

from tests.unit.identity.conftest import Suite

A_CODE, B_CODE = "BT.01.01.13", "BT.01.01.01"
ID = "/api/identity"


@dataclass
class World:
    suite: Suite
    a: dict
    b: dict
    a1: dict
    b1: dict

    def register(self, name: str, cccd: str, unit: dict) -> str:
        response = self.suite.identity.post(f"{ID}/register", json={"full_name": name, "citizen_id": cccd,
                                                                  "unit_id": unit["id"]})
        assert response.status_code == 201, response.get_json()
        account_id = response.get_json()["id"]
        approved = self.suite.identity.post(f"{ID}/accounts/{account_id}/approve", json={},
                                            headers=self.suite.headers("admin"))
        assert approved.status_code == 200, approved.get_json()
        self.suite.people[cccd] = approved.get_json()["one_time_password"]
        return account_id

    def grant(self, account_id: str, unit: dict, permissions: list[str], by: str = "admin") -> dict:
        response = self.suite.identity.post(f"{ID}/admin-grants", headers=self.suite.headers(by), json={
            "account_id": account_id, "unit_id": unit["id"], "permissions": permissions})
        assert response.status_code == 201, response.get_json()
        self.suite.deliver()
        return response.get_json()

    def headers(self, cccd_or_username: str) -> dict:
        self.suite.tokens.pop(cccd_or_username, None)  # a fresh token carries the grants as they are now
        return self.suite.headers(cccd_or_username)


def world(suite: Suite) -> World:
    a, b = suite.unit(A_CODE), suite.unit(B_CODE)
    a1 = suite.orgunits.get(f"/api/orgunits/units/{a['id']}/children").get_json()["items"][0]
    b1 = suite.orgunits.get(f"/api/orgunits/units/{b['id']}/children").get_json()["items"][0]
    return World(suite, a, b, a1, b1)
