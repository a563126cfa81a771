"""Finding 4 (notify is no global space, secrets never readable) and finding 9 for templates (time and size
limits)."""
from __future__ import annotations

import time

from sqlmodel import select

from services.notify.domain import dispatch
from services.notify.models import Delivery

N, RESET = "/api/notify", "identity.password_reset.requested"


def _notify(suite):
    return suite.gateway.apps["notify"].test_client()


def test_a_template_cannot_lift_the_reset_code_into_a_subject_or_the_delivery_log(suite):
    notify, admin = _notify(suite), suite.headers("admin")
    subject = notify.put(f"{N}/templates/{RESET}/email", headers=admin,
                         json={"subject": "Mã: {{ data.token }}", "body": "Mã của bạn: {{ data.token }}"})
    assert subject.status_code == 422 and "subject cannot carry the secret" in subject.get_json()["detail"]
    assert suite.identity.post("/api/identity/auth/forgot", json={"username": "phungtienhung"}).status_code == 202
    suite.deliver()
    log = notify.get(f"{N}/deliveries", headers=admin).get_json()["items"]
    mine = [d for d in log if d["event_type"] == RESET]
    assert mine, "the reset went out (parked: no e-mail server in tests)"
    with suite.runtime("identity").db.session() as session:
        from services.common.models import OutboxMessage

        sealed = next(m.event()["data"]["sealed_token"] for m in session.exec(select(OutboxMessage)).all()
                      if m.event_type == RESET)
    token = suite.gateway.apps["identity"].extensions["identity"].sealer.open(sealed)
    assert token not in str(log)
    dispatch.send_due(suite.runtime("notify").db, {}, max_attempts=3, backoff=1)  # no channel configured: parked
    with suite.runtime("notify").db.session() as session:
        rows = session.exec(select(Delivery).where(Delivery.event_type == RESET)).all()
    kept = [r for r in rows if token in r.body + r.subject or r.secret_value is not None]
    assert rows and not kept, "a parked secret message keeps no readable code"


def test_a_units_admin_sets_its_own_subtrees_rules_but_not_the_provinces_nor_a_siblings(suite):
    notify, unit_admin = _notify(suite), suite.headers("qt.sokhcn")
    a, b = suite.unit("BT.01.01.13"), suite.unit("BT.01.01.01")
    rule = {"event_type": "process.task.assigned", "role": "assignee", "channel": "email", "enabled": False}
    province = notify.put(f"{N}/rules", headers=unit_admin, json=rule)
    assert province.status_code == 403 and "whole province" in province.get_json()["detail"]
    assert notify.put(f"{N}/rules", headers=unit_admin, json={**rule, "unit_id": b["id"]}).status_code == 403
    own = notify.put(f"{N}/rules", headers=unit_admin, json={**rule, "unit_id": a["id"]})
    assert own.status_code == 200 and own.get_json()["source"] == a["id"]
    def in_force(unit):
        items = notify.get(f"{N}/rules", headers=unit_admin, query_string={
            "event_type": "process.task.assigned", "unit_id": unit["id"]}).get_json()["items"]
        return next(r for r in items if r["role"] == "assignee" and r["channel"] == "email")
    assert in_force(a)["enabled"] is False and in_force(b)["enabled"] is True, "the sibling keeps the province's"
    child = suite.orgunits.get(f"/api/orgunits/units/{a['id']}/children").get_json()["items"][0]
    assert in_force(child)["source"] == a["id"], "the override covers the whole subtree"
    saved = notify.put(f"{N}/templates/process.task.assigned/email", headers=unit_admin, json={
        "subject": "[Sở KH&CN] Việc mới", "body": "Kính gửi {{ recipient.full_name }}", "unit_id": a["id"]})
    assert saved.status_code == 200
    assert notify.put(f"{N}/templates/process.task.assigned/email", headers=unit_admin,
                      json={"subject": "x", "body": "y"}).status_code == 403


def test_the_delivery_log_shows_an_admin_only_its_own_peoples_messages(suite):
    notify = _notify(suite)
    suite.identity.post("/api/identity/auth/forgot", json={"username": "phungtienhung"})
    suite.deliver()
    mine = notify.get(f"{N}/deliveries", headers=suite.headers("qt.sokhcn"),
                      query_string={"limit": 500}).get_json()
    listed = suite.identity.get("/api/identity/accounts", headers=suite.headers("admin"), query_string={
        "unit_id": suite.unit("BT.01.01.13")["id"], "limit": 500}).get_json()["items"]
    people_of_a = {a["id"] for a in listed}
    assert RESET in {d["event_type"] for d in mine["items"]}
    assert {d["account_id"] for d in mine["items"]} <= people_of_a
    everyone = notify.get(f"{N}/deliveries", headers=suite.headers("admin")).get_json()
    assert everyone["total"] >= mine["total"]
    assert notify.get(f"{N}/deliveries", headers=suite.headers("phungtienhung")).status_code == 403


def test_a_template_that_would_run_forever_or_grow_huge_is_stopped_with_a_sentence(suite):
    notify, officer = _notify(suite), suite.headers("phungtienhung")
    cases = {
        "{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}x"
        "{% endfor %}{% endfor %}{% endfor %}": "stopped",
        "{{ 'x' * 10**9 }}": "stopped",
        "{{ 'x'|center(10**9) }}": "stopped",
        "{{ '{:>999999999}'.format(1) }}": "stopped",
        "{{ '{0}'.format_map([1]) }}": "fails when rendered",
        "{{ 1/0 }}": "fails when rendered",
    }
    for body, words in cases.items():
        started = time.monotonic()
        response = notify.post(f"{N}/templates/preview", headers=officer,
                               json={"event_type": RESET, "channel": "email", "subject": "", "body": body})
        assert response.status_code == 422 and words in response.get_json()["detail"], (body, response.get_json())
        assert time.monotonic() - started < 10
