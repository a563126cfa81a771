"""Thiết kế quy trình in the portal: the catalogue, a process in the modeler with the conventions' schema for its
properties panel, deploying from the page (a new version, or every problem with its element for the page to
mark), downloading a version, and moving running instances to another version (dry run, then go)."""
from __future__ import annotations

import json
import re

from tests.unit.portal.conftest import text
from tests.unit.process import bpmn_samples as samples
from tests.unit.process.story import staff_field_report, start_report


def deploy(person, xml: str):
    """As the modeler's script sends it."""
    return person.client.post("/thiet-ke/trien-khai", data=xml.encode(), content_type="application/xml",
                              headers={"X-CSRFToken": person.token, "Accept": "application/json"})


def test_a_designer_opens_paht_deploys_a_new_version_and_sees_every_problem_of_a_broken_one(browser, suite):
    admin = browser()
    admin.sign_in("admin")   # the province-wide designer: the catalogue's processes are the province's
    catalogue = text(admin.get("/thiet-ke"))
    assert "Thiết kế quy trình" in catalogue and "Xử lý phản ánh hiện trường" in catalogue
    page = text(admin.get("/thiet-ke/field_report"))
    schema = json.loads(re.search(r'id="conventions-schema">(.*?)</script>', page, re.S).group(1))
    assert {"lane", "process", "userTask", "endEvent"} <= set(schema["properties"])
    assert "time_share_percent" in schema["properties"]["lane"]["properties"]
    assert 'src="/vendor/modeler.js"' in page and 'data-deploy="/thiet-ke/trien-khai"' in page
    xml = admin.get("/thiet-ke/field_report/phien-ban/1.bpmn")
    assert xml.status_code == 200 and b'id="Lane_handle"' in xml.data
    assert 'filename="field_report-v1.bpmn"' in xml.headers["Content-Disposition"]

    changed = xml.data.decode().replace('name="Xử lý phản ánh"', 'name="Xử lý, trả lời phản ánh"', 1)
    answer = deploy(admin, changed)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["version"] == 2 and "phiên bản 2" in answer.get_json()["message"]
    assert "field_report-v2.bpmn" in answer.get_json()["versions_html"]

    refused = deploy(admin, samples.broken())
    body = refused.get_json()
    assert refused.status_code == 422 and "lỗi cần sửa" in body["message"]
    assert {"Orphan", "Flow_bad"} <= {p["element_id"] for p in body["problems"]}
    assert all(p["message"] for p in body["problems"])
    orphan = next(p["message"] for p in body["problems"] if p["element_id"] == "Orphan")
    assert orphan.isascii() is False, f"the marker's sentence is in Vietnamese: {orphan}"
    assert deploy(admin, "").status_code == 400
    assert deploy(admin, "<html>không phải BPMN</html>").get_json()["problems"], "a file that is no BPMN, said"
    unsigned = admin.client.post("/thiet-ke/trien-khai", data=changed.encode(), content_type="application/xml",
                                 headers={"Accept": "application/json"})
    assert unsigned.status_code == 400 and "tải lại trang" in unsigned.get_json()["message"], "no CSRF token"
    assert admin.get("/thiet-ke/khong-co-quy-trinh-nay").status_code == 404
    assert admin.get("/thiet-ke/../../etc").status_code == 404


def test_running_instances_move_to_the_new_version_after_a_dry_run(browser, suite):
    people = staff_field_report(suite)
    start_report(suite, people, report_id="IOC-MIGRATE-1")
    admin = browser()
    admin.sign_in("admin")
    admin.get("/thiet-ke")
    xml = admin.get("/thiet-ke/field_report/phien-ban/1.bpmn").data.decode()
    renamed = xml.replace('name="Phê duyệt kết quả"', 'name="Phê duyệt kết quả xử lý"', 1)
    assert deploy(admin, renamed).status_code == 200
    page = text(admin.get("/thiet-ke/field_report"))
    assert "Chuyển hồ sơ đang chạy sang phiên bản khác" in page
    plan = text(admin.post("/thiet-ke/field_report/chuyen-phien-ban", {"from_version": "1", "to_version": "2"},
                           htmx=True))
    assert "Có thể chuyển 1 hồ sơ từ phiên bản 1 sang 2" in plan and 'name="go" value="1"' in plan
    moved = text(admin.post("/thiet-ke/field_report/chuyen-phien-ban", {"from_version": "1", "to_version": "2",
                                                                       "go": "1"}, htmx=True))
    assert "Đã chuyển 1 hồ sơ sang phiên bản 2" in moved
    same = admin.post("/thiet-ke/field_report/chuyen-phien-ban", {"from_version": "2", "to_version": "2"}, htmx=True)
    assert same.status_code == 400 and "flash error" in text(same)


def test_an_officer_has_no_designer(browser, suite):
    officer = browser()
    officer.sign_in("dinhtruongtoan")
    assert "Thiết kế quy trình" not in text(officer.get("/cong-viec"))
    officer.get("/cong-viec")
    refused = deploy(officer, samples.process())
    assert refused.status_code == 403 and "chỉ người thiết kế" in refused.get_json()["message"]
