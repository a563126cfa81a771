"""The org-units service on the real PostgreSQL and RabbitMQ: migrations, tree queries, readiness."""
from __future__ import annotations

from sqlalchemy import inspect

from services.orgunits.app import create_app, load_demo_data
from tests.conftest import auth
from tests.integration.conftest import service_settings
from tests.unit.orgunits.helpers import SKHCN, find


def test_tree_on_postgresql(pg_url, amqp_url, keys, super_token):
    app = create_app(service_settings("orgunits", pg_url, amqp_url, keys))
    runtime = app.extensions["egov"]
    try:
        assert {"unit", "outbox", "inbox", "member", "alembic_version"} <= set(
            inspect(runtime.db.engine).get_table_names())
        assert load_demo_data(runtime) == 679
        client = app.test_client()
        root = client.get("/api/orgunits/units?parent=root").get_json()["items"][0]
        units = client.get(f"/api/orgunits/units/{root['id']}/subtree").get_json()["items"]
        assert len(units) == 679 and max(u["depth"] for u in units) == 6
        skhcn = find(client, SKHCN)
        assert [u["name"] for u in client.get("/api/orgunits/units", query_string={"q": "so khoa hoc"})
                .get_json()["items"]].count(SKHCN) == 1
        target = find(client, "Sở Công Thương")
        moved = client.post(f"/api/orgunits/units/{skhcn['id']}/move", headers=auth(super_token),
                            json={"parent_id": target["id"]})
        assert moved.status_code == 200
        below = client.get(f"/api/orgunits/units/{target['id']}/subtree").get_json()["items"]
        assert {u["code"] for u in below} >= {"BT.01.01.13"}
        duplicate = client.post("/api/orgunits/units", headers=auth(super_token), json={
            "parent_id": root["id"], "code": "BT.01.01.13", "name": "x"})
        assert duplicate.status_code == 409
        published = sum(iter(runtime.relay.publish_pending, 0))
        assert published == 679 + 1 and runtime.relay.pending() == 0
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.get_json()
    finally:
        runtime.stop()


def test_readyz_reports_an_unreachable_broker(pg_url, keys):
    app = create_app(service_settings("orgunits", pg_url, "amqp://guest:guest@127.0.0.1:1//", keys))
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["checks"]["database"] == "ok" and body["checks"]["bus"].startswith("unavailable")
    finally:
        app.extensions["egov"].stop()
