"""The services say their refusals in the caller's language: every sentence is a ``msg`` with a Vietnamese entry
(same placeholders, NFC), a problem+json answer follows ``Accept-Language`` and names it in ``Content-Language``,
and a deployment's problems are said the same way."""
from __future__ import annotations

import ast
import copy
import string
import unicodedata
from enum import StrEnum
from pathlib import Path

import pytest

from services.common import i18n
from services.common.i18n import Message, Sentences, msg, say
from tests.unit.process import bpmn_samples as samples
from tests.unit.process.test_deployment import designer, process, upload  # noqa: F401 - fixtures reused

SERVICES = Path(__file__).resolve().parents[3] / "services"
REFUSALS = {"DomainError", "NotFound", "Conflict", "Invalid", "Unauthorized", "Forbidden", "TooManyRequests",
            "NotTranslatable"}


def _sources():
    for path in sorted(SERVICES.rglob("*.py")):
        if "portal" not in path.parts:      # the portal has its own catalogue (Flask-Babel)
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _fields(template: str) -> set[tuple[str, str | None, str | None]]:
    return set((name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template)
               if name is not None)


def _worded(template: str) -> bool:
    return any(ch.isalpha() for text, *_ in string.Formatter().parse(template) for ch in text)


def test_no_refusal_is_written_as_a_bare_string():
    bare = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFUSALS \
                    and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                bare.append(f"{path.relative_to(SERVICES.parent)}:{node.lineno}")
    assert not bare, f"write these as msg(...) so they can be said in Vietnamese: {bare}"


def test_every_sentence_has_its_vietnamese_with_the_same_placeholders():
    vietnamese = i18n.catalogue("vi")
    used, missing, mismatched = set(), [], []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "msg":
                template = node.args[0]
                assert isinstance(template, ast.Constant), f"{path}:{node.lineno}: msg() takes a literal template"
                used.add(template.value)
                if not _worded(template.value):
                    continue
                said = vietnamese.get(template.value)
                if said is None:
                    missing.append(template.value)
                elif _fields(said) != _fields(template.value):
                    mismatched.append((template.value, said))
    assert not missing, f"add to services/common/translations/vi/LC_MESSAGES/services.po: {missing}"
    assert not mismatched
    stale = sorted(k for k in vietnamese if not k.startswith(("value:", "schema:")) and k not in used)
    assert not stale, f"entries no sentence uses any more: {stale}"
    assert all(unicodedata.is_normalized("NFC", v) for v in vietnamese.values())


class Colour(StrEnum):
    locked = "locked"


def test_say_translates_nested_sentences_vocabulary_and_lists():
    inner = msg("the account is {status}; only an approved account can be locked", status=Colour.locked)
    assert str(inner) == "the account is locked; only an approved account can be locked"
    assert say(inner, "vi") == "tài khoản đang ở trạng thái đã khóa; chỉ khóa được tài khoản đã duyệt"
    both = msg("the staffing is not complete: {problems}",
               problems=Sentences([msg("no staff for step “{name}”", name="Xử lý"), "plain"]))
    assert say(both, "vi") == "phân công chưa đầy đủ: bước “Xử lý” chưa có cán bộ; plain"
    assert say({"problems": [{"message": inner}], "line": 3}, "vi")["problems"][0]["message"].startswith("tài khoản")
    wrapped = ValueError(msg("the template is too long"))
    assert say(msg("the template was stopped: {exc}", exc=wrapped), "vi") == "mẫu bị dừng: mẫu quá dài"
    assert say(inner, "en") is inner
    assert say("not a message", "vi") == "not a message"


def test_a_number_is_grouped_as_the_language_groups_it():
    """4,000 reads as four in Vietnamese (a comma is the decimal sign there): grouped numbers follow the language."""
    limit = msg("a comment has at most {MAX_COMMENT:,} characters", MAX_COMMENT=4000)
    assert str(limit) == "a comment has at most 4,000 characters"
    assert say(limit, "vi") == "ý kiến chỉ được dài tối đa 4.000 ký tự"
    many = msg("more than {MAX_INSTANCES:,} instances at once; name the instances to move", MAX_INSTANCES=1234567)
    assert say(many, "vi").startswith("quá 1.234.567 hồ sơ")
    assert say(msg("no group {group_id}", group_id=7), "vi").endswith("7"), "an ungrouped number stays as it is"


def test_a_message_survives_copying_with_its_template():
    again = copy.deepcopy(msg("no group {group_id}", group_id=7))
    assert isinstance(again, Message) and again.template == "no group {group_id}" and again == "no group 7"


@pytest.mark.parametrize("header, language, detail", [
    (None, "en", "send an access token: Authorization: Bearer <token>"),
    ("vi-VN,vi;q=0.9,en;q=0.5", "vi", "hãy gửi mã truy cập: Authorization: Bearer <token>"),
    ("fr, en;q=0.5", "en", "send an access token: Authorization: Bearer <token>"),
])
def test_a_problem_follows_accept_language(process, header, language, detail):  # noqa: F811 - the fixture
    response = process.test_client().get("/api/process/inbox", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 401
    assert response.headers["Content-Language"] == language
    assert response.get_json()["detail"] == detail


def test_a_schema_refusal_names_no_language_so_no_field_name_is_shown_as_a_sentence(process):  # noqa: F811
    response = process.test_client().get("/api/process/inbox?scope=bogus", headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "scope" in response.get_json()["detail"]
    assert "Content-Language" not in response.headers


def test_deployment_problems_are_said_in_vietnamese(process, designer):  # noqa: F811 - the fixtures
    english = upload(process, designer, samples.broken()).get_json()
    vietnamese = upload(process, {**designer, "Accept-Language": "vi"}, samples.broken()).get_json()
    assert vietnamese["detail"].startswith("tệp BPMN bị từ chối vì")
    assert len(vietnamese["problems"]) == len(english["problems"]) > 1
    for said, plain in zip(vietnamese["problems"], english["problems"], strict=True):
        assert said["element_id"] == plain["element_id"] and said["message"] != plain["message"]


def _descriptions(schema) -> set[str]:
    if isinstance(schema, dict):
        return set().union(*(({v} if k == "description" and isinstance(v, str) else _descriptions(v))
                             for k, v in schema.items()))
    if isinstance(schema, list):
        return set().union(*map(_descriptions, schema))
    return set()


def test_the_modelers_hints_have_their_vietnamese_and_the_schema_is_said_in_it(process):  # noqa: F811 - the fixture
    from services.process import conventions
    english = _descriptions(conventions.json_schema())
    vietnamese = i18n.catalogue("vi")
    entries = {k.removeprefix("schema:") for k in vietnamese if k.startswith("schema:")}
    assert english - entries == set(), "describe these in services.po as schema:<text>"
    assert entries - english == set(), "schema entries no field is described by any more"
    client = process.test_client()
    said = client.get("/api/process/conventions", headers={"Accept-Language": "vi"})
    assert said.headers["Content-Language"] == "vi"
    lane = said.get_json()["properties"]["lane"]["properties"]["time_share_percent"]["description"]
    assert lane == "tỷ lệ trên tổng thời gian của quy trình (dùng hoặc mục này hoặc fixed_hours)"
    plain = client.get("/api/process/conventions").get_json()
    assert plain["properties"]["lane"]["properties"]["time_share_percent"]["description"].startswith("share of")



def test_the_sandboxs_known_refusals_are_sentences_of_ours():
    from services.process import sandbox
    [syntax] = sandbox.problems("action ==", mode="eval")
    assert say(syntax, "vi") == "dòng 1: “action ==” không phải câu lệnh Python hợp lệ"
    [underscore] = sandbox.problems("_secret + 1", mode="eval")
    assert say(underscore, "vi") == "dòng 1: tên “_secret” không được bắt đầu bằng “_”"
    assert sandbox.problems("action == 'approve'", mode="eval") == []
