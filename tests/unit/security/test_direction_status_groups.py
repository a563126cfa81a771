"""Acceptance 3 of task direction: who may move a task is the status group's table, not code. The same actions
are tried by every person of seed 001's story under the default group and under a group of UBND tỉnh whose
permissions differ (only the assigner approves; only the handler forwards — the head of the executing unit no
longer may), each on a fresh task in the right state; every answer is a success or a 403, as the table says."""
from __future__ import annotations

import pytest

from tests.unit.process.direction_world import UBND, D, direction_world

CALLERS = ("creator", "assigner", "follower", "rep", "officer", "head")
DEFAULT = {"forward": {"rep", "head"}, "complete": {"rep"}, "approve": {"follower", "creator"}}  # the creator follows
CUSTOM = {"forward": {"rep"}, "complete": {"rep"}, "approve": {"assigner"}}


def _fresh(w, state: str) -> str:
    """A new task of the assignment, at the representative (handling) or waiting for approval."""
    created = w.assign()
    assert created.status_code == 201, created.get_json()
    task = created.get_json()["tasks"][0]["id"]
    if state == "approval":
        assert w.attach("rep", task).status_code == 201
        assert w.act("rep", task, "complete").status_code == 200
    return task


def _body(w, action: str) -> dict:
    return {"to": [w.ids["officer"]], "reason": "Chuyển xử lý"} if action == "forward" else {}


def _answers(w) -> dict[str, set[str]]:
    allowed: dict[str, set[str]] = {}
    for action, state in (("forward", "handling"), ("complete", "handling"), ("approve", "approval")):
        allowed[action] = set()
        for caller in CALLERS:
            task = _fresh(w, state)
            if action == "complete":
                assert w.attach("rep", task).status_code == 201
            answer = w.act(caller, task, action, **_body(w, action))
            assert answer.status_code in (200, 403), (action, caller, answer.get_json())
            if answer.status_code == 200:
                allowed[action].add(caller)
            else:
                assert answer.get_json()["code"] == "status_not_allowed"
    return allowed


@pytest.mark.parametrize("group", ["default", "custom"])
def test_the_status_group_decides_who_may_move_a_task(suite, group):
    w = direction_world(suite)
    if group == "custom":
        admin = suite.headers("admin")
        made = w.process.post(f"{D}/status-groups", headers=admin,
                              json={"unit_id": w.unit_id(UBND), "name": "Nhóm UBND tỉnh"})
        assert made.status_code == 201, made.get_json()
        group_id = made.get_json()["id"]
        for code, change in (("done", {"task_roles": ["assigner"]}),
                             ("in_progress", {"task_roles": ["doer"], "unit_roles": []})):
            changed = w.process.patch(f"{D}/status-groups/{group_id}/statuses/{code}", headers=admin, json=change)
            assert changed.status_code == 200, changed.get_json()
        chosen = w.process.put(f"{D}/units/{w.unit_id(UBND)}/settings", headers=admin,
                               json={"status_group_id": group_id})
        assert chosen.status_code == 200 and chosen.get_json()["status_group_id"] == group_id
    assert _answers(w) == (DEFAULT if group == "default" else CUSTOM)


def test_only_a_province_admin_changes_the_default_group_and_a_unit_admin_only_their_units(suite):
    w = direction_world(suite)
    groups = w.process.get(f"{D}/status-groups", headers=w.h("creator")).get_json()["items"]
    default = next(g for g in groups if g["default"])
    assert [s["code"] for s in default["statuses"]] == ["new", "in_progress", "refused", "waiting_approval", "done",
                                                         "rejected", "reassigned", "cancelled"]
    unit_admin = suite.headers("qt.sokhcn")
    refused = w.process.patch(f"{D}/status-groups/{default['id']}/statuses/done", headers=unit_admin,
                              json={"task_roles": ["creator"]})
    assert refused.status_code == 403
    elsewhere = w.process.post(f"{D}/status-groups", headers=unit_admin,
                               json={"unit_id": w.unit_id(UBND), "name": "Không phải của tôi"})
    assert elsewhere.status_code == 403
    bad = w.process.patch(f"{D}/status-groups/{default['id']}/statuses/done", headers=suite.headers("admin"),
                          json={"task_roles": ["chairman"], "category": "finished", "color": "green"})
    assert bad.status_code == 422 and len(bad.get_json()["problems"]) == 3
    exported = w.process.get(f"{D}/status-groups/{default['id']}/export", headers=w.h("creator"))
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
