"""Deploying BPMN: mainstream modelers' files deploy, a broken file gets one 422 listing every problem,
the same content twice is one version, a change is a new version, every version can be downloaded."""
from __future__ import annotations

import io

import pytest
import schemathesis

from services.common.bus.memory import InProcessBus
from services.common.settings import settings_for
from services.process.app import ProcessSettings, create_app
from tests.conftest import auth
from tests.unit.orgunits.test_openapi_fuzz import _fuzz
from tests.unit.process import bpmn_samples as samples


@pytest.fixture
def process(tmp_path, keys):
    (tmp_path / "bpmn").mkdir()
    settings = settings_for("process", ProcessSettings, var_dir=tmp_path, env="test", jwt_public_key=keys.public_pem,
                            log_format="json", log_level="WARNING", bpmn_dir=tmp_path / "bpmn")
    app = create_app(settings, bus=InProcessBus())
    yield app
    app.extensions["egov"].stop()


@pytest.fixture
def designer(keys):
    return auth(keys.mint(sub="designer-1", perms=["process.design"]))


def upload(app, headers, content, filename="process.bpmn"):
    data = content.encode() if isinstance(content, str) else content
    return app.test_client().post("/api/process/definitions", headers=headers,
                                  data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


@pytest.mark.parametrize("content", [
    samples.process("bpmn"), samples.process(""), samples.process("semantic"), samples.latin1(),
    samples.process(timer='"P1DT2H"'),
], ids=["bpmn.io-camunda", "signavio-default-namespace", "prefixed-semantic", "iso-8859-1", "spiff-quoted-timer"])
def test_files_from_mainstream_modelers_deploy(process, designer, content):
    response = upload(process, designer, content)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["items"][0]["version"] == 1


def test_a_broken_file_gets_one_422_listing_every_problem(process, designer):
    response = upload(process, designer, samples.broken())
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problems = response.get_json()["problems"]
    by_element = {p["element_id"]: p for p in problems}
    assert {"Orphan", "Flow_bad", "Deadline", "Lane_handle"} <= set(by_element)
    assert "in no lane" in by_element["Orphan"]["message"]
    assert "Nowhere" in by_element["Flow_bad"]["message"]
    assert "ISO 8601" in by_element["Deadline"]["message"]
    assert all(isinstance(p["line"], int) for p in problems)
    assert "Traceback" not in response.get_data(as_text=True)
    assert process.test_client().get("/api/process/definitions").get_json()["items"] == []


@pytest.mark.parametrize("content, words", [
    ("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><bpmn:process", "XML error"),
    ("<html><body>not bpmn</body></html>", "not a BPMN 2.0 file"),
    (samples.process().replace("bpmn:startEvent", "bpmn:startEvnt"), "BPMN schema"),
])
def test_unreadable_files_are_refused_with_a_reason(process, designer, content, words):
    response = upload(process, designer, content)
    assert response.status_code == 422
    body = response.get_json()
    assert words in body["detail"] + " ".join(p["message"] for p in body.get("problems", []))


def test_ids_the_engine_reserves_are_refused(process, designer):
    clash = samples.process().replace("Start_1", "Start")
    response = upload(process, designer, clash)
    assert response.status_code == 422
    assert any(p["element_id"] == "Start" and "reserved" in p["message"] for p in response.get_json()["problems"])


def test_same_content_is_one_version_and_a_change_is_a_new_one(process, designer):
    first = upload(process, designer, samples.process(properties=samples.camunda_properties("PAHT", "Chính quyền số")))
    again = upload(process, designer, samples.process(properties=samples.camunda_properties("PAHT", "Chính quyền số")))
    assert first.get_json()["items"][0]["version"] == again.get_json()["items"][0]["version"] == 1
    changed = upload(process, designer, samples.process(task_name="Xử lý phản ánh",
                                                       properties=samples.camunda_properties("PAHT", "Chính quyền số")))
    assert changed.get_json()["items"][0]["version"] == 2
    client = process.test_client()
    catalogue = client.get("/api/process/definitions").get_json()["items"]
    assert [(d["key"], d["version"], d["abbreviation"], d["group"], d["steps"]) for d in catalogue] == [
        ("field_report_test", 2, "PAHT", "Chính quyền số", 1)]
    versions = client.get("/api/process/definitions/field_report_test/versions").get_json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    old = client.get("/api/process/definitions/field_report_test/versions/1/xml").get_data(as_text=True)
    assert 'name="Xử lý"' in old and "Xử lý phản ánh" not in old
    assert client.get("/api/process/definitions/field_report_test/versions/9/xml").status_code == 404


def test_the_bpmn_directory_is_deployed_at_start_and_again_without_new_versions(tmp_path, keys):
    directory = tmp_path / "bpmn"
    directory.mkdir()
    (directory / "good.bpmn").write_text(samples.process(key="good"), encoding="utf-8")
    (directory / "broken.bpmn").write_text(samples.broken(), encoding="utf-8")
    settings = settings_for("process", ProcessSettings, var_dir=tmp_path, env="test", jwt_public_key=keys.public_pem,
                            log_format="json", log_level="WARNING", bpmn_dir=directory)
    for _ in range(2):
        app = create_app(settings, bus=InProcessBus())
        items = app.test_client().get("/api/process/definitions").get_json()["items"]
        assert [(d["key"], d["version"]) for d in items] == [("good", 1)]
        app.extensions["egov"].stop()


def test_deploying_needs_process_design(process, keys):
    officer = auth(keys.mint(sub="officer-1", perms=["tasks.handle"]))
    assert upload(process, officer, samples.process()).status_code == 403
    assert upload(process, {}, samples.process()).status_code == 401


def test_no_request_gets_a_server_error(process, designer):
    schema = schemathesis.openapi.from_wsgi("/api/process/openapi.json", process)
    failures, hostile = [], 0
    for result in schema.get_all_operations():
        hostile += _fuzz(result.ok(), designer, failures, process)
    assert hostile >= 8 and failures == []


def test_a_camunda_style_plain_timer_is_stored_so_the_engine_can_evaluate_it(process, designer):
    assert upload(process, designer, samples.process(timer="PT2H")).status_code == 201
    stored = process.test_client().get("/api/process/definitions/field_report_test/versions/1/xml").get_data(
        as_text=True)
    assert "<bpmn:timeDuration>'PT2H'</bpmn:timeDuration>" in stored
