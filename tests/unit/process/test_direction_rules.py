"""Task direction's rules: every "clear error" of creation is a 4xx with its sentence and stores nothing; deletion
only by the creator before anyone acted; deadline buckets and report numbers on a fixture of tasks with known dates
(a frozen clock), and the exported workbook holds the same numbers."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from services.common.auth import Principal
from services.common.models import OutboxMessage
from services.process.domain.direction import views
from services.process.domain.sla import VIETNAM, WorkingCalendar
from services.process.models import DirectionAssignment, DirectionFile, DirectionTask, ProcessInstance
from tests.unit.process.direction_world import STNMT, TTQT, UBND, D, direction_world


def _stored(suite) -> tuple[int, ...]:
    with suite.runtime("process").db.session() as session:
        return tuple(session.exec(select(func.count()).select_from(table)).one()
                     for table in (DirectionAssignment, DirectionTask, DirectionFile, ProcessInstance, OutboxMessage))


@pytest.fixture
def w(suite):
    return direction_world(suite)


def _refused(w, response, status: int, *words: str) -> None:
    body = response.get_json()
    assert response.status_code == status, body
    for word in words:
        assert word in body["detail"], body["detail"]


def test_every_clear_error_of_creation_is_a_4xx_with_its_sentence_and_nothing_is_stored(w, suite):
    before = _stored(suite)
    # a follower who is also an assignee
    _refused(w, w.assign(follower_ids=[w.ids["rep"]]), 422, "cannot be both follower and assignee", "Phạm Đại Diện")
    # a unit that is not under the assigning unit (a sibling branch: Tỉnh ủy's offices)
    other = w.task_spec(executing_unit_id=w.unit_id("BT.02.01"))
    _refused(w, w.assign(tasks=[other]), 422, "is not a unit under", "Văn phòng Tỉnh ủy")
    # a representative without a receiving role there (the Sở's officer)
    _refused(w, w.assign(tasks=[w.task_spec(representatives=[w.ids["officer"]])]), 422,
             "holds no receiving role", "Hoàng Chuyên Viên")
    # a deadline in the past
    _refused(w, w.assign(tasks=[w.task_spec(deadline="2020-01-31")]), 422, "has already passed", "31/01/2020")
    # a file over 16 MB, and a program whatever its name says
    big = b"%PDF-1.4 " + b"0" * (16 * 1024 * 1024)
    _refused(w, w.assign(files=[("bao-cao.pdf", big)]), 422, "larger than 16 MB")
    _refused(w, w.assign(files=[("cong-van.pdf", b"MZ\x90\x00" + b"\x00" * 64)]), 422, "is a program")
    # an assigner without an assigning role; several problems are said at once
    many = w.assign(assigner_id=w.ids["creator"], tasks=[w.task_spec(deadline="2020-01-01"),
                                                         w.task_spec(executing_unit_id=w.unit_id(UBND))])
    _refused(w, many, 422, "holds no assigning role", "has already passed", "is not a unit under")
    assert len(many.get_json()["problems"]) == 4      # the representative holds no role in UBND tỉnh either
    # someone with no assigning role at all
    _refused(w, w.assign("officer"), 403, "no assigning role")
    # the sentence in the caller's language
    vi = w.assign(follower_ids=[w.ids["rep"]], language="vi")
    assert vi.status_code == 422 and "không thể vừa là người theo dõi vừa là người được giao" in vi.get_json()["detail"]
    assert vi.headers["Content-Language"] == "vi"
    assert _stored(suite) == before


def test_subtasks_go_only_below_the_handlers_unit_and_only_the_creator_deletes_before_anyone_acts(w, suite):
    task = w.assign().get_json()["tasks"][0]["id"]
    assert w.subtask("officer", task, TTQT, "rep_ttqt", "Việc con").status_code == 403   # not the handler
    _refused(w, w.subtask("rep", task, UBND, "rep_ttqt", "Việc con"), 422, "is not a unit under")
    _refused(w, w.subtask("rep", task, TTQT, "rep_ttqt", "Việc con", deadline="2099-01-01"), 422,
             "later than its parent")
    before = _stored(suite)
    _refused(w, w.process.delete(f"{D}/tasks/{task}", headers=w.h("assigner")), 403, "only who created")
    assert _stored(suite) == before
    assert w.process.post(f"{D}/tasks/{task}/comments", headers=w.h("follower"), json={"text": "Lưu ý"}).status_code \
        == 201
    _refused(w, w.process.delete(f"{D}/tasks/{task}", headers=w.h("creator")), 409, "cancelled, not deleted")
    fresh = w.assign().get_json()["tasks"][0]["id"]
    assert w.process.delete(f"{D}/tasks/{fresh}", headers=w.h("creator")).status_code == 204
    assert w.process.get(f"{D}/tasks/{fresh}", headers=w.h("creator")).status_code == 404
    assert "direction.task.deleted" in [e["type"] for e in w.events()]


NOW = datetime(2027, 1, 15, 10, 0, tzinfo=VIETNAM)   # a Friday morning


def _vn(*parts) -> datetime:
    return datetime(*parts, tzinfo=VIETNAM)


FIXTURE = (  # name, deadline, category, completed_at
    ("quá hạn", _vn(2027, 1, 14, 17), "in_progress", None),
    ("đến hạn hôm nay", _vn(2027, 1, 15, 16), "new", None),
    ("sắp đến hạn", _vn(2027, 1, 19, 12), "in_progress", None),
    ("trong hạn", _vn(2027, 2, 1, 17), "waiting_approval", None),
    ("không có hạn", None, "new", None),
    ("xong đúng hạn", _vn(2027, 1, 12, 17), "done", _vn(2027, 1, 10, 9)),
    ("xong quá hạn", _vn(2027, 1, 12, 17), "done", _vn(2027, 1, 13, 9)),
    ("đã hủy", _vn(2027, 1, 1, 17), "cancelled", None),
)


def test_deadline_buckets_and_report_numbers_on_known_dates_and_the_workbook_holds_them(w, suite):
    created = w.assign(tasks=[w.task_spec(name=name) for name, *_rest in FIXTURE]).get_json()["tasks"]
    db = suite.runtime("process").db
    with db.uow() as uow:
        for (name, deadline, category, completed), made in zip(FIXTURE, created, strict=True):
            row = uow.session.get(DirectionTask, made["id"])
            assert row.name == name
            row.deadline, row.category, row.completed_at = deadline, category, completed
            row.created_at = _vn(2027, 1, 5, 8)
        uow.commit()
    rep = Principal(w.ids["rep"], w.unit_id(STNMT))
    leader = Principal(w.ids["assigner"], w.unit_id(UBND))
    calendar = WorkingCalendar()
    with db.session() as session:
        mine = views.task_list(session, rep, calendar, view="assigned", now=NOW)
        assert mine["counts"] == {"overdue": 1, "due_today": 1, "due_soon": 1, "in_time": 2}
        assert mine["total"] == 8
        overdue = views.task_list(session, rep, calendar, view="assigned", bucket="overdue", now=NOW)
        assert [t["name"] for t in overdue["items"]] == ["quá hạn"]
        soon = views.task_list(session, rep, calendar, view="assigned", bucket="due_soon", now=NOW)
        assert [t["name"] for t in soon["items"]] == ["sắp đến hạn"]
        # search without diacritics
        assert [t["name"] for t in views.task_list(session, rep, calendar, view="assigned", q="den han hom nay",
                                                   now=NOW)["items"]] == ["đến hạn hôm nay"]
        report = views.report(session, leader, w.unit_id(UBND), role="all", now=NOW)
        (row,) = report["rows"]
        expected = {"total": 7, "done_on_time": 1, "done_late": 1, "open": 5, "open_overdue": 1}
        assert {k: row[k] for k in expected} == expected and row["unit_name"] == "Sở Tài Nguyên và Môi Trường"
        assert report["totals"] == expected
        assigned_by_me = views.report(session, leader, w.unit_id(UBND), role="assigned", now=NOW)
        assert assigned_by_me["totals"] == expected
        assert views.report(session, leader, w.unit_id(UBND), role="created", now=NOW)["rows"] == []
        late = views.drill_down(session, leader, w.unit_id(UBND), role="all", measure="done_late",
                                executing_unit_id=w.unit_id(STNMT), now=NOW)
        assert [t["name"] for t in late] == ["xong quá hạn"]
        book = load_workbook(io.BytesIO(views.report_xlsx(report)))
    sheet = book.active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows.index(list(views.HEADERS))
    assert rows[header + 1] == ["Sở Tài Nguyên và Môi Trường", 7, 1, 1, 5, 1]
    assert rows[-1] == ["Tổng cộng", 7, 1, 1, 5, 1]
    assert sheet.freeze_panes == f"A{header + 2}" and sheet.column_dimensions["A"].width >= 30
    # and over HTTP: the same report, and its export
    answer = w.process.get(f"{D}/reports", headers=w.h("assigner"), query_string={"unit_id": w.unit_id(UBND)})
    assert answer.status_code == 200 and answer.get_json()["totals"]["total"] == 7
    export = w.process.get(f"{D}/reports/export", headers=w.h("assigner"), query_string={"unit_id": w.unit_id(UBND)})
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(export.data)).active.cell(row=header + 2, column=2).value == 7
    outsider = w.process.get(f"{D}/reports", headers=w.h("rep"), query_string={"unit_id": w.unit_id(UBND)})
    assert outsider.status_code == 403
    for path, extra in ((f"{D}/reports", {}), (f"{D}/reports/tasks", {"measure": "total"}), (f"{D}/tasks", {})):
        for far in ({"created_from": "0001-01-01"}, {"created_to": "9999-12-31"}):   # the fuzzer's days: 422
            answer = w.process.get(path, headers=w.h("assigner"), query_string={
                "unit_id": w.unit_id(UBND), **extra, **far})
            assert answer.status_code == 422, (path, far, answer.get_data(as_text=True))


def test_an_open_task_past_its_deadline_is_overdue_once_and_a_done_one_never(w, suite):
    from services.process.domain.scheduler import direction_overdue

    open_task, done_task = (t["id"] for t in w.assign(tasks=[w.task_spec(name="Còn mở"),
                                                              w.task_spec(name="Đã xong")]).get_json()["tasks"])
    assert w.attach("rep", done_task).status_code == 201
    assert w.act("rep", done_task, "complete").status_code == 200
    assert w.act("follower", done_task, "approve").status_code == 200
    db = suite.runtime("process").db
    later = datetime(2100, 1, 1, tzinfo=VIETNAM)
    assert direction_overdue(db, later) == 1
    assert direction_overdue(db, later) == 0
    assert [e["subject"] for e in w.events("direction.task.overdue")] == [open_task]
