"""Identity and orgunits as separate services on their own PostgreSQL databases, talking over RabbitMQ:
the unit tree reaches identity, an approved officer reaches orgunits' headcount, identity's tokens work
in orgunits."""
from __future__ import annotations

from services.common.settings import settings_for
from services.identity.app import create_app as create_identity
from services.identity.settings import IdentitySettings
from services.orgunits.app import create_app as create_orgunits
from services.orgunits.app import load_demo_data
from tests.helpers import wait_for
from tests.integration.conftest import service_settings


def test_identity_and_orgunits_over_rabbitmq(pg_url, second_pg_url, amqp_url, keys, tmp_path):
    identity = create_identity(settings_for(
        "identity", IdentitySettings, env="test", database_url=second_pg_url, bus_url=amqp_url, log_format="json",
        log_level="WARNING", relay_interval=0.05, bootstrap_admin_password="mật khẩu quản trị thử",
        argon2_time_cost=1, argon2_memory_kib=1024, var_dir=tmp_path))
    issuer = identity.extensions["identity"].issuer
    orgunits = create_orgunits(service_settings("orgunits", pg_url, amqp_url, keys).model_copy(
        update={"jwt_public_key": issuer.public_pem}))
    runtimes = [identity.extensions["egov"], orgunits.extensions["egov"]]
    for runtime in runtimes:
        runtime.bus.declare()
        runtime.start_consumers()
        runtime.start_relay()
    try:
        load_demo_data(runtimes[1])
        id_client, org_client = identity.test_client(), orgunits.test_client()
        skhcn = org_client.get("/api/orgunits/units", query_string={"q": "BT.01.01.13"}).get_json()["items"][0]

        def registered():
            response = id_client.post("/api/identity/register", json={
                "full_name": "Trương Minh Hòa", "citizen_id": "042090001234", "unit_id": skhcn["id"]})
            return response.status_code == 201

        wait_for(registered, 60, "the unit tree to reach identity through RabbitMQ")
        admin = id_client.post("/api/identity/auth/login", json={
            "username": "admin", "password": "mật khẩu quản trị thử"}).get_json()["access_token"]
        bearer = {"Authorization": f"Bearer {admin}"}
        hoa = id_client.get("/api/identity/accounts", headers=bearer, query_string={"q": "hoa"}).get_json()["items"][0]
        approved = id_client.post(f"/api/identity/accounts/{hoa['id']}/approve", headers=bearer,
                                  json={"department": "Phòng Quản lý khoa học"})
        assert approved.status_code == 200
        wait_for(lambda: org_client.get(f"/api/orgunits/units/{skhcn['id']}/headcount",
                                     headers=bearer).get_json()["total"] == 1, 60, "the headcount in orgunits")
        counted = org_client.get(f"/api/orgunits/units/{skhcn['id']}/headcount", headers=bearer).get_json()
        assert [(r["department"], r["count"]) for r in counted["by_department"]] == [("Phòng Quản lý khoa học", 1)]
        history = id_client.get(f"/api/identity/accounts/{hoa['id']}/history", headers=bearer).get_json()["items"]
        assert [h["action"] for h in history][:2] == ["registered", "approved"]
    finally:
        for runtime in runtimes:
            runtime.stop()
