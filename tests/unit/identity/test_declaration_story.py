"""Seed 002's merge story end to end, across identity, orgunits and the process service: Phòng Kiểm soát TTHC
(112011) of Sở Tư pháp moves to Văn phòng UBND tỉnh; its three people declare and submit; the new unit's admin
approves two and returns one with a reason (bpmn/staff_declaration.bpmn); the blank row counts 1, then 0 once the
third is approved; the headcount reconciles with the approved figure over the subtree. Every refusal on the way is
a 4xx with a sentence, and stores nothing."""
from __future__ import annotations

import pytest

from tests.unit.identity.test_authz_matrix import _approve, _register

PEOPLE = [("Trần Thị Kiểm", "060086001001"), ("Lê Văn Soát", "060086001002"), ("Phạm Thủ Tục", "060086001003")]
APPROVER_PERMISSIONS = ["accounts.read", "accounts.approve", "accounts.edit"]


@pytest.fixture
def story(suite):
    province = suite.headers("qt.binhthuan")
    justice, office = suite.unit("BT.01.01.17"), suite.unit("BT.01.01.01")
    made = suite.orgunits.post("/api/orgunits/units", headers=province, json={
        "code": "112011", "name": "Phòng Kiểm soát TTHC", "kind": "office", "parent_id": justice["id"]})
    assert made.status_code == 201, made.get_data(as_text=True)
    kstthc = made.get_json()
    departments = suite.orgunits.get(f"/api/orgunits/units/{office['id']}/children", headers=province).get_json()
    department = next(d for d in departments["items"] if d["name"].startswith("Phòng Nội chính"))
    for unit, figure in ((justice, 3), (office, 4), (department, 2)):   # the office: the three who move, its admin
        changed = suite.orgunits.patch(f"/api/orgunits/units/{unit['id']}", headers=province,
                                       json={"planned_headcount": figure})
        assert changed.status_code == 200, changed.get_data(as_text=True)
    suite.deliver()
    ids = []
    for name, cccd in PEOPLE:
        person = _register(suite, name, cccd, kstthc["id"])
        suite.people[cccd] = _approve(suite, person["id"], "qt.binhthuan")
        ids.append(person["id"])
    admin = _register(suite, "Võ Văn Duyệt", "060079001009", office["id"])
    suite.people["060079001009"] = _approve(suite, admin["id"], "qt.binhthuan")
    grant = suite.identity.post("/api/identity/admin-grants", headers=province, json={
        "account_id": admin["id"], "unit_id": office["id"], "permissions": APPROVER_PERMISSIONS})
    assert grant.status_code == 201, grant.get_data(as_text=True)
    suite.deliver()
    merged = suite.orgunits.post(f"/api/orgunits/units/{kstthc['id']}/merge", headers=province,
                                 json={"target_id": office["id"]})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    suite.deliver()
    return {"justice": justice, "office": office, "kstthc": kstthc, "ids": ids, "admin": admin,
            "department": department, "cccds": [c for _n, c in PEOPLE]}


def _declare(suite, cccd: str, unit_id: str | None, department_id: str | None, **extra):
    body = {"unit_id": unit_id, "department_id": department_id, "position": "Chuyên viên", "grade_code": "01.003",
            "salary_coefficient": "3.33", **extra}
    return suite.identity.post("/api/identity/me/declarations", headers=suite.headers(cccd), json=body)


def _sent_as_process_reads_them(suite, count: int) -> None:
    """The message identity publishes to start each review is valid against process's own model of it."""
    from sqlmodel import select

    from services.common.models import OutboxMessage
    from services.process.events import MessageSent

    with suite.runtime("identity").db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.event_type == "process.message.sent")).all()
        sent = [MessageSent.model_validate(row.event()["data"]) for row in rows]
    assert len(sent) == count and all(m.name == "staff_declaration.submitted" and m.variables["reviewers"]
                                      for m in sent)


def _blank_row(suite, story) -> int:
    listed = suite.orgunits.get(f"/api/orgunits/units/{story['kstthc']['id']}/redeclare",
                                headers=suite.headers("qt.binhthuan"))
    assert listed.status_code == 200
    return len(listed.get_json()["items"])


def _review_tasks(suite, reviewer: str) -> dict[str, dict]:
    process = suite.gateway.apps["process"].test_client()
    inbox = process.get("/api/process/inbox", headers=suite.headers(reviewer)).get_json()
    tasks = {}
    for row in inbox["items"]:
        instance = process.get(f"/api/process/instances/{row['instance_id']}",
                               headers=suite.headers(reviewer)).get_json()
        tasks[instance["business_key"]] = row
    return tasks


def _decide(suite, reviewer: str, task_id: str, action: str, reason: str | None = None):
    process = suite.gateway.apps["process"].test_client()
    return process.post(f"/api/process/tasks/{task_id}/complete", headers=suite.headers(reviewer),
                        json={"action": action, "reason": reason})


def test_the_merged_office_declares_and_the_new_admin_decides(suite, story):
    assert _blank_row(suite, story) == 3
    declared = {}
    for cccd in story["cccds"]:
        answer = _declare(suite, cccd, story["office"]["id"], story["department"]["id"], title_category=None)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        declared[cccd] = answer.get_json()
        assert declared[cccd]["status"] == "submitted" and declared[cccd]["values"]["changed"][0] == "unit"
    _sent_as_process_reads_them(suite, len(declared))
    suite.deliver()
    assert _blank_row(suite, story) == 3, "a submitted declaration changes nothing before its review"
    me = suite.account(story["cccds"][0])
    assert me["unit_id"] == story["kstthc"]["id"] and me["needs_redeclare"] is True and me["grade_code"] is None

    reviewer = "060079001009"
    tasks = _review_tasks(suite, reviewer)
    assert set(tasks) == {d["id"] for d in declared.values()}, "the new unit's admin reviews each declaration"
    assert _review_tasks(suite, story["cccds"][1]) == {}, "a declarer never reviews"
    first, second, third = (tasks[declared[c]["id"]]["id"] for c in story["cccds"])

    no_reason = _decide(suite, reviewer, third, "return")
    assert no_reason.status_code == 422 and no_reason.get_json()["detail"]
    assert _decide(suite, reviewer, first, "approve").status_code == 200
    assert _decide(suite, reviewer, second, "approve").status_code == 200
    returned = _decide(suite, reviewer, third, "return", "Ghi sai hệ số lương: đề nghị kê khai lại 3,66")
    assert returned.status_code == 200, returned.get_data(as_text=True)
    suite.deliver()

    assert _blank_row(suite, story) == 1
    for cccd in story["cccds"][:2]:
        suite.tokens.pop(cccd, None)      # the move withdrew the tokens that named the old unit
        me = suite.account(cccd)
        assert (me["unit_id"], me["department"], me["grade_code"], me["salary_coefficient"], me["needs_redeclare"]) \
            == (story["office"]["id"], story["department"]["name"], "01.003", "3.33", False)
    third_person = story["cccds"][2]
    mine = suite.identity.get("/api/identity/me/declarations", headers=suite.headers(third_person)).get_json()
    assert mine["items"][0]["status"] == "returned" and "3,66" in mine["items"][0]["reason"]
    assert suite.account(third_person)["unit_id"] == story["kstthc"]["id"]

    again = _declare(suite, third_person, story["office"]["id"], story["department"]["id"], salary_coefficient="3.66")
    assert again.status_code == 201, again.get_data(as_text=True)
    suite.deliver()
    task = _review_tasks(suite, reviewer)[again.get_json()["id"]]
    assert _decide(suite, reviewer, task["id"], "approve").status_code == 200
    suite.deliver()
    assert _blank_row(suite, story) == 0
    reorganisations = suite.orgunits.get("/api/orgunits/reorganisations", headers=suite.headers("qt.binhthuan"))
    assert all(row["unit"]["id"] != story["kstthc"]["id"] for row in reorganisations.get_json()["items"])

    province = suite.headers("qt.binhthuan")
    office = suite.orgunits.get(f"/api/orgunits/units/{story['office']['id']}/headcount",
                                headers=province, query_string={"subtree": "true"}).get_json()
    assert (office["planned"], office["total"], office["surplus"], office["shortfall"]) == (4, 4, 0, 0)
    row = next(r for r in office["by_department"] if r["department"] == story["department"]["name"])
    assert (row["count"], row["planned"], row["surplus"], row["shortfall"]) == (3, 2, 1, 0), "per department too"
    justice = suite.orgunits.get(f"/api/orgunits/units/{story['justice']['id']}/headcount",
                                 headers=province, query_string={"subtree": "true"}).get_json()
    assert (justice["planned"], justice["total"], justice["shortfall"]) == (3, 0, 3)


def test_refused_declarations_are_sentences_and_store_nothing(suite, story):
    cccd, office = story["cccds"][0], story["office"]["id"]
    cases = [
        (_declare(suite, cccd, None, None), 422, "unit_required"),
        (_declare(suite, cccd, office, None), 422, "department_required"),
        (_declare(suite, cccd, office, story["kstthc"]["id"]), 422, "not_a_department"),
        (_declare(suite, cccd, office, story["department"]["id"], grade_code="chuyên viên"), 422, None),
        (_declare(suite, cccd, office, story["department"]["id"], salary_coefficient="12.5"), 422, None),
        (_declare(suite, cccd, office, story["department"]["id"], title_category="V"), 422, None),
        (_declare(suite, cccd, story["kstthc"]["id"], story["department"]["id"]), 422, "unit_required"),
        (_declare(suite, "dinhtruongtoan", office, None), 409, "use_transfer"),
    ]
    for answer, status, code in cases:
        body = answer.get_json()
        assert answer.status_code == status, answer.get_data(as_text=True)
        assert body["detail"] and (code is None or body.get("code") == code), body
    vi = suite.identity.post("/api/identity/me/declarations", json={"unit_id": office},
                             headers={**suite.headers(cccd), "Accept-Language": "vi"})
    assert vi.status_code == 422 and "bộ phận" in vi.get_json()["detail"]
    assert suite.identity.get("/api/identity/me/declarations", headers=suite.headers(cccd)).get_json()["items"] == []
    assert "identity.declaration.submitted" not in suite.outbox_types("identity")

    first = _declare(suite, cccd, office, story["department"]["id"])
    assert first.status_code == 201
    twice = _declare(suite, cccd, office, story["department"]["id"])
    assert twice.status_code == 409 and twice.get_json()["code"] == "declaration_open"


def test_someone_staying_in_their_unit_declares_a_new_position(suite, story):
    """§2.2: a change of position or department inside the unit needs no Sở Nội vụ; the unit's approver decides."""
    office, admin = story["office"], "060079001009"
    person = _register(suite, "Đỗ Thị Vị Trí", "060087001010", office["id"])
    suite.people["060087001010"] = _approve(suite, person["id"], "qt.binhthuan")
    suite.deliver()
    answer = suite.identity.post("/api/identity/me/declarations", headers=suite.headers("060087001010"), json={
        "department_id": story["department"]["id"], "position": "Phó Trưởng phòng", "title_category": "III"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["unit_id"] == office["id"]
    suite.deliver()
    task = _review_tasks(suite, admin)[answer.get_json()["id"]]
    assert _decide(suite, admin, task["id"], "approve").status_code == 200
    suite.deliver()
    me = suite.account("060087001010")
    assert (me["position"], me["title_category"], me["department"]) == ("Phó Trưởng phòng", "III",
                                                                       story["department"]["name"])
    same = suite.identity.post("/api/identity/me/declarations", headers=suite.headers("060087001010"), json={
        "department_id": story["department"]["id"], "position": "Phó Trưởng phòng", "title_category": "III"})
    assert same.status_code == 422 and same.get_json()["code"] == "nothing_changed"
    unit_view = suite.identity.get(f"/api/identity/units/{office['id']}/declarations",
                                   headers=suite.headers(admin)).get_json()["items"]
    assert [d["status"] for d in unit_view] == ["approved"]
    assert suite.identity.get(f"/api/identity/units/{office['id']}/declarations",
                              headers=suite.headers("060087001010")).status_code == 404


def test_a_declaration_with_no_approver_nearby_goes_to_the_system_admins(suite):
    """The province admin declares: nobody above approves them, so the system group (the super admin) reviews."""
    from services.identity.domain.declarations import reviewers

    province = suite.account("qt.binhthuan")
    with suite.runtime("identity").db.session() as session:
        assert reviewers(session, province["unit_id"], province["id"]) == [suite.account("admin")["id"]]
        assert province["id"] in reviewers(session, province["unit_id"], suite.account("admin")["id"])
