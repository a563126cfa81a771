"""Acceptance 0: the rest of seed 000's catalogue ships as BPMN and runs without a line of process-specific code —
each deploys with its abbreviation, its group and its steps as the seed lists them, is staffed by a unit admin
like PAHT, and is driven from start to end over HTTP with its form fields and its actions."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from services.process.conventions import NS, VERBS
from tests.unit.process.story import P

BPMN_DIR = Path(__file__).resolve().parents[3] / "bpmn"
SKHCN = "BT.01.01.13"
ADMIN, PEOPLE = "Hành chính, quản trị", "Kết nối người dân, doanh nghiệp"
SAMPLE = {"string": "Nội dung mẫu", "long": 3, "boolean": True, "date": "2026-12-01"}

CATALOGUE = [  # key, abbreviation, group, steps, the outcomes taken in order, the result
    ("de_xuat_tam_ung", "ĐXTU", ADMIN, 3, ["submit", "approve", "disbursed"], "disbursed"),
    ("de_xuat_mua_sam", "ĐXMS", ADMIN, 5, ["submit", "approve", "approve", "approve", "purchased"], "purchased"),
    ("de_xuat_cong_tac", "ĐXCT", ADMIN, 3, ["submit", "approve", "approved"], "approved"),
    ("dang_ky_lam_viec_truc_tuyen", "LVTT", ADMIN, 4, ["forward", "approve", "approve", "arranged"], "arranged"),
    ("dang_ky_lam_them_gio", "DKTG", ADMIN, 3, ["submit", "approve", "recorded"], "recorded"),
    ("mang_luoi_phat_ngon", "MLPN", PEOPLE, 3, ["assign", "submit", "approve"], "approved"),
    ("tuong_tac_xa_hoi", "TTXH", PEOPLE, 3, ["assign", "submit", "approve"], "approved"),
]


def form_of(key: str, element_id: str) -> dict:
    """Values for every field the task's form declares (as an officer would fill them)."""
    root = etree.fromstring((BPMN_DIR / f"{key}.bpmn").read_bytes())
    task = root.find(f".//bpmn:userTask[@id='{element_id}']", NS)
    return {f.get("id"): SAMPLE[f.get("type")] for f in task.iterfind(".//camunda:formField", NS)}


def staff_every_step(suite, key: str) -> dict:
    """The unit admin puts Toàn and Hùng on every staffed step and confirms; the steps by lane."""
    process = suite.gateway.apps["process"].test_client()
    unit, admin = suite.unit(SKHCN), suite.headers("qt.sokhcn")
    both = [suite.account("dinhtruongtoan")["id"], suite.account("phungtienhung")["id"]]
    url = f"{P}/units/{unit['id']}/processes/{key}/staffing"
    steps = process.get(url, headers=admin).get_json()["steps"]
    for step in steps:
        if step["people"] == "staffing" and not step["staff_of_step"]:
            staffed = process.patch(f"{url}/steps/{step['lane_id']}", headers=admin, json={"staff": both})
            assert staffed.status_code == 200, staffed.get_json()
    confirmed = process.post(f"{url}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.get_json()
    return {s["lane_id"]: s for s in steps}


@pytest.mark.parametrize(("key", "abbreviation", "group", "steps", "outcomes", "result"), CATALOGUE,
                         ids=[c[1] for c in CATALOGUE])
def test_a_catalogue_process_runs_from_start_to_end(suite, key, abbreviation, group, steps, outcomes, result):
    process = suite.gateway.apps["process"].test_client()
    unit = suite.unit(SKHCN)
    listed = {p["key"]: p for p in process.get(f"{P}/units/{unit['id']}/processes",
                                                headers=suite.headers("qt.sokhcn")).get_json()["items"]}
    assert (listed[key]["abbreviation"], listed[key]["group"], listed[key]["steps"]) == (abbreviation, group, steps)
    lanes = staff_every_step(suite, key)
    heads = {"dinhtruongtoan": suite.headers("dinhtruongtoan"), "phungtienhung": suite.headers("phungtienhung")}
    ids = {name: suite.account(name)["id"] for name in heads}
    started = process.post(f"{P}/instances", headers=heads["phungtienhung"], json={
        "process_key": key, "unit_id": unit["id"], "title": f"{abbreviation} thử"})
    assert started.status_code == 201, started.get_json()
    current, taken = started.get_json()["current"], []
    while current:
        (task,) = current
        outcome = outcomes[len(taken)]
        declared = [a for a in lanes[task["lane_id"]]["actions"] if a not in VERBS]
        assert outcome in declared, (task["name"], declared)
        who = next(name for name in heads if ids[name] in (task["assignees"] or task["candidates"]))
        body = {"action": outcome, "data": form_of(key, task["element_id"])}
        if outcome == "assign":
            body["assign_to"] = [ids["phungtienhung"]]
        answer = process.post(f"{P}/tasks/{task['id']}/complete", headers=heads[who], json=body)
        assert answer.status_code == 200, answer.get_json()
        taken.append(outcome)
        current = answer.get_json()["next"]
    assert taken == outcomes
    detail = process.get(f"{P}/instances/{started.get_json()['id']}", headers=heads["phungtienhung"]).get_json()
    assert (detail["state"], detail["result"]) == ("completed", result)


def test_a_proposal_refused_by_the_head_of_department_ends_rejected_with_the_reason(suite):
    process = suite.gateway.apps["process"].test_client()
    unit = suite.unit(SKHCN)
    staff_every_step(suite, "de_xuat_tam_ung")
    hung_h, toan_h = suite.headers("phungtienhung"), suite.headers("dinhtruongtoan")
    started = process.post(f"{P}/instances", headers=hung_h, json={
        "process_key": "de_xuat_tam_ung", "unit_id": unit["id"]}).get_json()
    (propose,) = started["current"]
    assert propose["candidates"] == [suite.account("phungtienhung")["id"]], "whoever proposes fills it in"
    missing = process.post(f"{P}/tasks/{propose['id']}/complete", headers=hung_h, json={"data": {"so_tien": 5}})
    assert missing.status_code == 422 and "Lý do tạm ứng" in missing.get_json()["detail"]
    (review,) = process.post(f"{P}/tasks/{propose['id']}/complete", headers=hung_h, json={"data": {
        "so_tien": 5_000_000, "ly_do": "Mua vật tư hội nghị", "han_hoan_ung": "2026-12-31"}}).get_json()["next"]
    refused = process.post(f"{P}/tasks/{review['id']}/complete", headers=toan_h, json={
        "action": "reject", "reason": "Vượt định mức tạm ứng"})
    assert refused.status_code == 200 and refused.get_json()["next"] == []
    detail = process.get(f"{P}/instances/{started['id']}", headers=hung_h).get_json()
    assert (detail["result"], detail["history"][-1]["reason"]) == ("rejected", "Vượt định mức tạm ứng")
