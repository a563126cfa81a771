"""A task as the person working it sees it (what the portal's task page shows): the form fields its model
declares and the actions the unit's staffing allows, only for those who may act; others who see the instance
see the task without them; outsiders get 404."""
from __future__ import annotations

from tests.unit.process.story import P, staff_field_report, start_report


def test_the_person_a_task_waits_on_gets_its_form_and_actions_others_only_see_it(suite):
    people = staff_field_report(suite)
    process, task = start_report(suite, people)
    page = process.get(f"{P}/tasks/{task['id']}", headers=suite.headers("dinhtruongtoan"))
    assert page.status_code == 200, page.get_json()
    body = page.get_json()
    assert body["may_act"] is True and body["task"]["name"] == "Phân phối phản ánh"
    assert body["instance"]["process_name"] and body["instance"]["title"]
    assert [f["id"] for f in body["form"]] == ["note"] and body["form"][0]["label"] == "Ý kiến phân phối"
    assert body["actions"] == ["assign", "delegate", "return_to_ioc"]
    assert body["reason_required"] == ["return_to_ioc"] and body["chooses_next"] == ["assign"]
    assert sorted(c["name"] for c in body["choices"]) == ["Phùng Tiến Hùng", "Đinh Trường Toàn"], \
        "who may be chosen: the staff of the step that comes next (Xử lý)"

    admin_view = process.get(f"{P}/tasks/{task['id']}", headers=suite.headers("qt.sokhcn")).get_json()
    assert admin_view["may_act"] is False and admin_view["form"] == [] and admin_view["actions"] == []
    colleague = process.get(f"{P}/tasks/{task['id']}", headers=suite.headers("phungtienhung")).get_json()
    assert colleague["may_act"] is False and colleague["form"] == [], "a colleague of step 2 only sees step 1's task"
