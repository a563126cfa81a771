"""Findings 12 and 13: bad input is a sentence (413, 422), never a 5xx and never half-written."""
from __future__ import annotations

import io
import json

from tests.unit.process import bpmn_samples as samples
from tests.unit.process.story import P, report_event, staff_field_report

DEEP = "[" * 5000 + "]" * 5000


def test_deeply_nested_json_is_refused_before_anything_reads_it(suite):
    for client, path in ((suite.identity, "/api/identity/register"), (suite.identity, "/api/identity/auth/login"),
                         (suite.orgunits, "/api/orgunits/units")):
        response = client.post(path, data=DEEP, content_type="application/json")
        assert response.status_code == 422 and "nested" in response.get_json()["detail"], path
        nested = client.post(path, data=json.dumps({"a": json.loads("[" * 40 + "]" * 40)}),
                             content_type="application/json")
        assert nested.status_code == 422, path


def test_a_body_larger_than_the_limit_is_refused_with_413(suite):
    big = json.dumps({"full_name": "x" * (3 * 1024 * 1024), "citizen_id": "060090007777", "unit_id": "x"})
    response = suite.identity.post("/api/identity/register", data=big, content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_a_bpmn_with_any_doctype_is_refused(suite):
    process = suite.gateway.apps["process"].test_client()
    xml = samples.process(key="dtd").replace('<?xml version="1.0" encoding="UTF-8"?>',
                                             '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY e "x">]>')
    response = process.post(f"{P}/definitions", headers=suite.headers("admin"), content_type="multipart/form-data",
                            data={"file": (io.BytesIO(xml.encode()), "dtd.bpmn")})
    assert response.status_code == 422 and "DOCTYPE" in response.get_json()["detail"]


def test_a_step_field_set_to_null_is_a_sentence(suite):
    process = suite.gateway.apps["process"].test_client()
    unit = suite.unit("BT.01.01.13")
    response = process.patch(f"{P}/units/{unit['id']}/processes/field_report/staffing/steps/Lane_handle",
                             headers=suite.headers("qt.sokhcn"), json={"actions": None})
    assert response.status_code == 422 and "cannot be null" in response.get_json()["detail"]


def test_invisible_and_direction_characters_are_cleaned_from_names(suite):
    unit = suite.unit("BT.01.01.13")
    response = suite.identity.post("/api/identity/register", json={
        "full_name": "Nguyễn\u200b Văn\u202e A\u2066", "citizen_id": "060090008888", "unit_id": unit["id"]})
    assert response.status_code == 201 and response.get_json()["full_name"] == "Nguyễn Văn A"


def test_an_attachment_is_served_as_a_download_of_its_real_type_with_nosniff(suite):
    people = staff_field_report(suite)
    suite.runtime("orgunits").bus.publish(report_event("IOC-FILE-1", people["unit"]["id"]))
    suite.deliver()
    process = suite.gateway.apps["process"].test_client()
    toan_h = suite.headers("dinhtruongtoan")
    task = next(t for t in process.get(f"{P}/inbox", headers=toan_h).get_json()["items"]
                if t["name"] == "Phân phối phản ánh")
    page = b"<html><script>alert(document.cookie)</script></html>"
    crlf = process.post(f"{P}/tasks/{task['id']}/attachments", headers=toan_h, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(page), "anh\r\nX-Evil: 1.jpg", "image/jpeg")})
    assert crlf.status_code in (201, 422), crlf.get_json()
    uploaded = process.post(f"{P}/tasks/{task['id']}/attachments", headers=toan_h, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(page), "ảnh\u202egpj.exe", "image/jpeg")})
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert body["filename"] == "ảnhgpj.exe" and body["content_type"] == "application/octet-stream"
    download = process.get(f"{P}/instances/{task['instance_id']}/attachments/{body['id']}", headers=toan_h)
    assert download.status_code == 200 and download.mimetype == "application/octet-stream"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "X-Evil" not in download.headers
