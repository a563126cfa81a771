"""Seed 001's task-direction story over HTTP on the embedded suite: UBND tỉnh assigns a task to Sở Tài nguyên và
Môi trường; its representative forwards it to an officer, who refuses; it goes back and is forwarded again; the
officer gives two sub-tasks to two units below, one of which goes two levels further down; everything completes
with files, bottom up; the follower in UBND tỉnh rejects once, then approves. Every step is in the history and is
an event."""
from __future__ import annotations

from tests.unit.process.direction_world import CHINHANH, PHANTHIET, STNMT, TTQT, VPDK, D, direction_world


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def complete_and_approve(world, doer: str, approver: str, task_id: str, file: str) -> None:
    ok(world.attach(doer, task_id, name=file), 201)
    ok(world.act(doer, task_id, "complete", reason="Đã hoàn thành, gửi kèm báo cáo"))
    ok(world.act(approver, task_id, "approve"))


def test_seed_001_task_direction_story(suite):
    w = direction_world(suite)
    created = ok(w.assign(files=[("cong-van-125.pdf", b"%PDF-1.4 cong van giao nhiem vu")]), 201)
    (task,) = created["tasks"]
    root = task["id"]
    assert task["status"] == "new" and task["handlers"] == [w.ids["rep"]] and task["depth"] == 0
    assert created["assignment"]["number"] == "125/UBND-KT" and len(created["assignment"]["file_ids"]) == 1

    # the representative finds it in the process inbox too, due at the deadline
    inbox = ok(w.process.get("/api/process/inbox", headers=w.h("rep")))
    (step,) = [t for t in inbox["items"] if t["instance_id"] == task["instance_id"]]
    assert step["due_at"].startswith("2027-03-31T16:59:59")
    # …but the generic actions refuse it: direction works it
    generic = w.process.post(f"/api/process/tasks/{step['id']}/complete", headers=w.h("rep"),
                             json={"action": "complete"})
    assert generic.status_code == 409 and generic.get_json()["code"] == "worked_elsewhere"

    page = w.page("rep", root)
    assert {a["action"] for a in page["actions"]} == {"forward", "refuse", "complete"}
    assert page["task"]["assigning_unit_name"] == "I. Cơ quan thuộc ủy ban nhân dân tỉnh"

    # forward → refuse → back to the representative → forward again
    ok(w.act("rep", root, "forward", to=[w.ids["officer"]], reason="Đề nghị anh Hoàng chủ trì"))
    suite.deliver()     # notify reads direction.* and tells the officer
    notes = suite.gateway.apps["notify"].test_client().get("/api/notify/notifications", headers=w.h("officer"))
    assert [n["event_type"] for n in notes.get_json()["items"] if not n["event_type"].startswith("identity.")] == [
        "direction.task.forwarded"]     # once: the lifecycle's own task tells nobody (its lanes say push=false)
    assert w.page("officer", root)["task"]["handlers"] == [w.ids["officer"]]
    assert ok(w.process.get(f"{D}/tasks", headers=w.h("rep"), query_string={"view": "took_part"}))["total"] == 1
    refused = w.act("officer", root, "refuse", reason=" ")
    assert refused.status_code == 422
    ok(w.act("officer", root, "refuse", reason="Không thuộc chức năng của phòng"))
    back = w.page("rep", root)
    assert back["task"]["handlers"] == [w.ids["rep"]] and back["task"]["status"] == "refused"
    ok(w.act("rep", root, "forward", to=[w.ids["officer"]], reason="Đã trao đổi, đề nghị thực hiện"))

    # sub-tasks: two units below the Sở, one of which goes two levels further down
    ok(w.process.post(f"{D}/tasks/{root}/progress", headers=w.h("officer"), json={"percent": 20, "note": "Đã họp"}))
    ttqt = ok(w.subtask("officer", root, TTQT, "rep_ttqt", "Quan trắc môi trường ven biển"), 201)
    vpdk = ok(w.subtask("officer", root, VPDK, "rep_vpdk", "Thống kê hồ sơ đất ven biển"), 201)
    cn = ok(w.subtask("rep_vpdk", vpdk["id"], CHINHANH, "rep_cn", "Tổng hợp số liệu các chi nhánh"), 201)
    pt = ok(w.subtask("rep_cn", cn["id"], PHANTHIET, "rep_pt", "Số liệu chi nhánh Phan Thiết"), 201)
    assert (ttqt["depth"], vpdk["depth"], cn["depth"], pt["depth"]) == (1, 1, 2, 3)
    tree = w.page("follower", root)
    assert [n["id"] for n in tree["subtasks"]] and {n["id"] for n in tree["subtasks"]} == {
        ttqt["id"], vpdk["id"], cn["id"], pt["id"]}
    assert tree["task"]["progress"] == 0        # now the leaves' figure, not the officer's 20 %

    # progress flows up: the Phan Thiết branch reports 60 % → the chain above follows
    ok(w.process.post(f"{D}/tasks/{pt['id']}/progress", headers=w.h("rep_pt"), json={"percent": 60}))
    assert w.page("rep_cn", cn["id"])["task"]["progress"] == 60
    assert w.page("follower", root)["task"]["progress"] == 30   # leaves: TTQT 0 %, Phan Thiết 60 %

    # the parent cannot complete while children are open, unless the handler says so
    ok(w.attach("officer", root, name="bao-cao-tong-hop.pdf"), 201)
    early = w.act("officer", root, "complete")
    assert early.status_code == 409 and early.get_json()["code"] == "subtasks_open"

    # bottom up: each completes with a file and its creator (the follower of a sub-task) approves
    no_file = w.act("rep_pt", pt["id"], "complete")
    assert no_file.status_code == 409 and no_file.get_json()["code"] == "attachment_required"
    complete_and_approve(w, "rep_pt", "rep_cn", pt["id"], "phan-thiet.xlsx")
    complete_and_approve(w, "rep_cn", "rep_vpdk", cn["id"], "chi-nhanh.pdf")
    complete_and_approve(w, "rep_vpdk", "officer", vpdk["id"], "vpdk.pdf")
    complete_and_approve(w, "rep_ttqt", "officer", ttqt["id"], "quan-trac.pdf")
    assert w.page("follower", root)["task"]["progress"] == 100

    # the follower in UBND tỉnh rejects once (reason required), then approves
    ok(w.act("officer", root, "complete", reason="Báo cáo tổng hợp"))
    locked = w.process.post(f"{D}/tasks/{root}/progress", headers=w.h("officer"), json={"percent": 90})
    assert locked.status_code == 409 and locked.get_json()["code"] == "progress_locked"
    assert w.act("assigner", root, "approve").status_code == 403     # the default group: followers approve
    assert w.act("follower", root, "reject").status_code == 422
    ok(w.act("follower", root, "reject", reason="Thiếu số liệu diện tích rừng phòng hộ"))
    ok(w.attach("officer", root, name="bao-cao-bo-sung.pdf"), 201)
    ok(w.act("officer", root, "complete", reason="Đã bổ sung"))
    done = ok(w.act("follower", root, "approve"))
    assert done["status"] == "done" and done["category"] == "done" and done["progress"] == 100

    history = [h["action"] for h in w.page("follower", root)["history"]]
    assert history == ["created", "forward", "refuse", "forward", "progress", "subtask_created", "subtask_created",
                       "attach", "complete", "reject", "attach", "complete", "approve"]
    handovers = [(h["kind"], h["from"], h["to"]) for h in w.page("follower", root)["handovers"]]
    assert handovers == [("forward", w.ids["rep"], [w.ids["officer"]]), ("refuse", w.ids["officer"], [w.ids["rep"]]),
                         ("forward", w.ids["rep"], [w.ids["officer"]])]
    events = [e["type"] for e in w.events() if e["subject"] == root]
    expected = ["direction.task.forwarded", "direction.task.status_changed", "direction.task.refused",
                "direction.task.status_changed", "direction.task.forwarded", "direction.task.status_changed",
                "direction.task.progress_reported", "direction.task.subtask_created",
                "direction.task.subtask_created", "direction.task.completed", "direction.task.status_changed",
                "direction.task.rejected", "direction.task.status_changed", "direction.task.completed",
                "direction.task.status_changed", "direction.task.approved", "direction.task.status_changed"]
    assert events == expected
    assert [e["type"] for e in w.events("direction.assignment")] == ["direction.assignment.created"]
    # the instance of its lifecycle ended approved
    inst = ok(w.process.get(f"/api/process/instances/{task['instance_id']}", headers=w.h("follower")))
    assert inst["state"] == "completed" and inst["result"] == "approved"
    assert STNMT  # the executing unit of the story
