"""The declared expectation of every route of every service: who may call it. The matrix test reads each
service's OpenAPI document and fails for a route missing here, so a new route must say who may call it.

Each entry: (who is let through, how to build the request on fresh objects of unit A). "public" means the
caller's token makes no difference to the answer."""
from __future__ import annotations

import io

from tests.unit.security.matrix_world import CALLERS, MatrixWorld, Request

EVERYONE = frozenset(CALLERS)
SIGNED_IN = EVERYONE - {"anonymous", "locked", "revoked"}
APPROVERS = frozenset({"super", "admin_a", "admin_b", "admin_a1"})    # accounts.approve somewhere
NOTIFY_ADMINS = frozenset({"super", "admin_a", "admin_b", "admin_a1"})   # notify.configure somewhere: own log
ADMIN_A = frozenset({"super", "admin_a"})             # holds the permission on A (or everywhere)
READERS_A = ADMIN_A | {"reader_a"}                    # accounts.read on A
PEOPLE_OF_A = READERS_A | {"officer_a"}               # the unit's people data: its own people and its readers
PROCESS_OF_A = ADMIN_A | {"officer_a"}                # people of A and who oversees A's processes
ACTOR = frozenset({"officer_a"})                      # the one the task waits on
WORKERS_A = frozenset({"super"})                      # process.work on A: only the super admin among the callers
HANDLER_A1 = frozenset({"officer_a1"})               # the representative of A's child unit a task went to
DIRECTION_SEERS = ADMIN_A | {"admin_a1", "officer_a", "officer_a1"}   # its units' overseers, creator, handler
PUBLIC = "public"
D = "/api/process/direction"

ROUTES: dict[tuple[str, str], tuple[object, object]] = {
    # ------------------------------------------------------------------------------------------------ identity
    ("POST", "/api/identity/register"): (PUBLIC, lambda m: Request(json={
        "full_name": "Người đăng ký", "citizen_id": "060099000001", "unit_id": m.a["id"]})),
    ("GET", "/api/identity/accounts"): (READERS_A, lambda m: Request(query={"unit_id": m.a["id"]})),
    ("POST", "/api/identity/accounts/import"): (ADMIN_A, lambda m: Request(json={"accounts": [{
        "full_name": "Cán bộ cũ", "citizen_id": m.citizen_id(), "unit_id": m.a["id"]}]})),
    ("POST", "/api/identity/accounts/{account_id}/one-time-password"): (
        ADMIN_A, lambda m: Request({"account_id": m.officer()})),
    ("GET", "/api/identity/accounts/stats"): (READERS_A, lambda m: Request(query={"unit_id": m.a["id"]})),
    ("GET", "/api/identity/accounts/{account_id}"): (READERS_A, lambda m: Request({"account_id": m.officer()})),
    ("DELETE", "/api/identity/accounts/{account_id}"): (ADMIN_A, lambda m: Request({"account_id": m.officer()})),
    ("PATCH", "/api/identity/accounts/{account_id}"): (ADMIN_A, lambda m: Request(
        {"account_id": m.officer()}, json={"note": "ghi chú"})),
    ("POST", "/api/identity/accounts/{account_id}/approve"): (ADMIN_A, lambda m: Request(
        {"account_id": m.pending()}, json={})),
    ("POST", "/api/identity/accounts/{account_id}/reject"): (ADMIN_A, lambda m: Request(
        {"account_id": m.pending()}, json={"reason": "Không công tác tại đơn vị"})),
    ("POST", "/api/identity/accounts/{account_id}/lock"): (ADMIN_A, lambda m: Request({"account_id": m.officer()})),
    ("POST", "/api/identity/accounts/{account_id}/unlock"): (ADMIN_A, lambda m: Request({"account_id": m.officer()})),
    ("POST", "/api/identity/accounts/{account_id}/archive"): (ADMIN_A, lambda m: Request(
        {"account_id": m.officer()}, json={"group": "retired"})),
    ("GET", "/api/identity/accounts/{account_id}/history"): (READERS_A, lambda m: Request(
        {"account_id": m.officer()})),
    ("POST", "/api/identity/accounts/{account_id}/transfer"): (ADMIN_A, lambda m: Request(
        {"account_id": m.officer()}, json={"to_unit_id": m.a1["id"]})),
    ("POST", "/api/identity/accounts/{account_id}/appointments"): (ADMIN_A, lambda m: Request(
        {"account_id": m.officer()}, json={"unit_id": m.a1["id"], "position": "Kiêm nhiệm"})),
    ("DELETE", "/api/identity/accounts/{account_id}/appointments/{unit_id}"): (ADMIN_A, lambda m: Request(
        {"account_id": m.appointed(), "unit_id": m.a1["id"]})),
    ("POST", "/api/identity/accounts/{account_id}/convert"): (ADMIN_A, lambda m: Request(
        {"account_id": m.officer()}, json={"new_account_id": m.officer(), "confirm": True})),
    ("GET", "/api/identity/transfers"): (SIGNED_IN, lambda m: Request()),
    ("POST", "/api/identity/transfers/{request_id}/accept"): (ADMIN_A, lambda m: Request(
        {"request_id": str(m.transfer())})),
    ("POST", "/api/identity/transfers/{request_id}/reject"): (ADMIN_A, lambda m: Request(
        {"request_id": str(m.transfer())})),
    ("GET", "/api/identity/me"): (SIGNED_IN, lambda m: Request()),
    ("POST", "/api/identity/me/redeclare"): (SIGNED_IN, lambda m: Request(json={"unit_id": m.a["id"]})),
    ("GET", "/api/identity/me/declarations"): (SIGNED_IN, lambda m: Request()),
    ("GET", "/api/identity/eid/people"): (APPROVERS, lambda m: Request(query={"citizen_id": "060092000505"})),
    ("POST", "/api/identity/accounts/from-eid"): (ADMIN_A, lambda m: Request(json={
        "citizen_id": "060092000505", "unit_id": m.a["id"]})),
    ("POST", "/api/identity/accounts/{account_id}/activate"): (ADMIN_A, lambda m: Request(
        {"account_id": m.officer()})),
    ("POST", "/api/identity/me/declarations"): (SIGNED_IN, lambda m: Request(json={"position": "Chuyên viên"})),
    ("GET", "/api/identity/units/{unit_id}/declarations"): (ADMIN_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/identity/permissions"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/identity/sso"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/identity/admin-grants"): (SIGNED_IN, lambda m: Request()),
    ("POST", "/api/identity/admin-grants"): (ADMIN_A, lambda m: Request(json={
        "account_id": m.officer(), "unit_id": m.a["id"], "permissions": ["accounts.read"]})),
    ("DELETE", "/api/identity/admin-grants/{grant_id}"): (ADMIN_A, lambda m: Request({"grant_id": str(m.grant())})),
    ("GET", "/api/identity/groups"): (SIGNED_IN, lambda m: Request()),
    ("GET", "/api/identity/units/{unit_id}/sign-in"): (READERS_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("PUT", "/api/identity/units/{unit_id}/sign-in"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"]}, json={"password_allowed": True})),
    ("POST", "/api/identity/groups"): (ADMIN_A, lambda m: Request(json={
        "name": f"Nhóm {m.code()}", "unit_id": m.a["id"], "permissions": ["tasks.assign"]})),
    ("DELETE", "/api/identity/groups/{group_id}"): (ADMIN_A, lambda m: Request({"group_id": str(m.group())})),
    ("PATCH", "/api/identity/groups/{group_id}"): (ADMIN_A, lambda m: Request(
        {"group_id": str(m.group())}, json={"name": f"Đổi tên {m.code()}"})),
    ("POST", "/api/identity/groups/{group_id}/members"): (ADMIN_A, lambda m: Request(
        {"group_id": str(m.group())}, json={"account_id": m.officer()})),
    ("DELETE", "/api/identity/groups/{group_id}/members/{account_id}"): (ADMIN_A, lambda m: _member(m)),
    ("POST", "/api/identity/auth/login"): (PUBLIC, lambda m: Request(json={"username": "khong-co", "password": "x"})),
    ("POST", "/api/identity/auth/password"): (PUBLIC, lambda m: Request(json={
        "change_token": "khong-hop-le", "new_password": "một câu mật khẩu dài"})),
    ("POST", "/api/identity/auth/refresh"): (PUBLIC, lambda m: Request(json={"refresh_token": "khong-hop-le"})),
    ("POST", "/api/identity/auth/logout"): (PUBLIC, lambda m: Request(json={"refresh_token": "khong-hop-le"})),
    ("POST", "/api/identity/auth/forgot"): (PUBLIC, lambda m: Request(json={"username": "khong-co-ai"})),
    ("POST", "/api/identity/auth/reset"): (PUBLIC, lambda m: Request(json={
        "token": "khong-hop-le", "new_password": "một câu mật khẩu dài"})),
    ("GET", "/api/identity/.well-known/jwks.json"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/identity/sso/login"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/identity/sso/callback"): (PUBLIC, lambda m: Request(query={"state": "x", "code": "y"})),
    # ------------------------------------------------------------------------------------------------ orgunits
    ("GET", "/api/orgunits/units"): (PUBLIC, lambda m: Request(query={"q": "khoa hoc"})),
    ("POST", "/api/orgunits/units"): (ADMIN_A, lambda m: Request(json={
        "parent_id": m.a["id"], "code": m.code(), "name": "Đơn vị mới"})),
    ("GET", "/api/orgunits/units/{unit_id}"): (PUBLIC, lambda m: Request({"unit_id": m.a["id"]})),
    ("DELETE", "/api/orgunits/units/{unit_id}"): (ADMIN_A, lambda m: Request({"unit_id": m.unit()})),
    ("PATCH", "/api/orgunits/units/{unit_id}"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.unit()}, json={"phone": "0252 3822 000"})),
    ("POST", "/api/orgunits/units/{unit_id}/move"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.unit()}, json={"parent_id": m.a1["id"]})),
    ("POST", "/api/orgunits/units/{unit_id}/activate"): (ADMIN_A, lambda m: Request({"unit_id": m.unit()})),
    ("POST", "/api/orgunits/units/{unit_id}/deactivate"): (ADMIN_A, lambda m: Request({"unit_id": m.unit()})),
    ("GET", "/api/orgunits/units/{unit_id}/children"): (PUBLIC, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/orgunits/units/{unit_id}/subtree"): (PUBLIC, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/orgunits/units/{unit_id}/ancestors"): (PUBLIC, lambda m: Request({"unit_id": m.a["id"]})),
    ("POST", "/api/orgunits/units/import"): (ADMIN_A, lambda m: Request(json={
        "parent_id": m.a["id"], "tree": {"name": "Đơn vị nhập", "code": m.code()}})),
    ("GET", "/api/orgunits/units/{unit_id}/export"): (PUBLIC, lambda m: Request({"unit_id": m.a["id"]})),
    ("POST", "/api/orgunits/units/{unit_id}/merge"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.unit()}, json={"target_id": m.unit()})),
    ("POST", "/api/orgunits/units/{unit_id}/dissolve"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.unit()}, json={"reason": "Sắp xếp lại"})),
    ("GET", "/api/orgunits/units/{unit_id}/redeclare"): (PEOPLE_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/orgunits/reorganisations"): (SIGNED_IN, lambda m: Request()),
    ("GET", "/api/orgunits/units/{unit_id}/editors"): (PEOPLE_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("POST", "/api/orgunits/units/{unit_id}/editors"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"]}, json={"account_id": m.officer()})),
    ("DELETE", "/api/orgunits/units/{unit_id}/editors/{account_id}"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"], "account_id": m.editor()})),
    ("GET", "/api/orgunits/units/{unit_id}/headcount"): (PEOPLE_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/orgunits/units/{unit_id}/members"): (PEOPLE_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/orgunits/units/{unit_id}/bank-accounts"): (READERS_A, lambda m: Request(
        {"unit_id": m.party_cell()})),
    ("POST", "/api/orgunits/units/{unit_id}/bank-accounts"): (ADMIN_A, lambda m: _new_bank_account(m)),
    ("POST", "/api/orgunits/units/{unit_id}/bank-accounts/{account_id}/use"): (ADMIN_A, lambda m: _bank(m)),
    ("DELETE", "/api/orgunits/units/{unit_id}/bank-accounts/{account_id}"): (ADMIN_A, lambda m: _bank(m)),
    # ------------------------------------------------------------------------------------------------- process
    ("GET", "/api/process/definitions"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/process/conventions"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/process/decisions"): (PUBLIC, lambda m: Request()),
    ("POST", "/api/process/definitions"): (ADMIN_A, lambda m: Request(form=m.bpmn())),
    ("POST", "/api/process/definitions/{key}/migrations"): (ADMIN_A, lambda m: Request(
        {"key": m.two_versions()}, json={"from_version": 1, "to_version": 2})),
    ("GET", "/api/process/jobs"): (SIGNED_IN, lambda m: Request()),
    ("POST", "/api/process/jobs/{job_id}/complete"): (WORKERS_A, lambda m: Request(
        {"job_id": m.job()}, json={"variables": {"so_van_ban": "1/UBND"}})),
    ("POST", "/api/process/jobs/{job_id}/failure"): (WORKERS_A, lambda m: Request(
        {"job_id": m.job()}, json={"error": "Trục liên thông bận"})),
    ("POST", "/api/process/messages"): (WORKERS_A, lambda m: Request(json=m.waiting_message())),
    ("POST", "/api/process/signals"): (WORKERS_A, lambda m: Request(json=m.waiting_signal())),
    ("GET", "/api/process/units/{unit_id}/incidents"): (ADMIN_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("POST", "/api/process/incidents/{incident_id}/retry"): (ADMIN_A, lambda m: Request(
        {"incident_id": m.incident()})),
    ("POST", "/api/process/incidents/{incident_id}/cancel"): (ADMIN_A, lambda m: Request(
        {"incident_id": m.incident()}, json={"reason": "Hủy"})),
    ("GET", "/api/process/definitions/{key}/versions"): (PUBLIC, lambda m: Request({"key": "field_report"})),
    ("GET", "/api/process/definitions/{key}/versions/{version}/xml"): (PUBLIC, lambda m: Request(
        {"key": "field_report", "version": "1"})),
    ("GET", "/api/process/units/{unit_id}/processes"): (PROCESS_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/process/units/{unit_id}/processes/{key}/staffing"): (PROCESS_OF_A, lambda m: _staffing(m)),
    ("PATCH", "/api/process/units/{unit_id}/processes/{key}/staffing/steps/{lane_id}"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"], "key": "field_report", "lane_id": "Lane_handle"}, json={"description": "Xử lý"})),
    ("PUT", "/api/process/units/{unit_id}/processes/{key}/staffing/sla"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"], "key": "field_report"}, json={"total_days": 5})),
    ("POST", "/api/process/units/{unit_id}/processes/{key}/staffing/confirm"): (ADMIN_A, lambda m: _staffing(m)),
    ("POST", "/api/process/units/{unit_id}/processes/{key}/staffing/reset"): (
        ADMIN_A | {"admin_a1"}, lambda m: Request({"unit_id": m.a1["id"], "key": "field_report"})),
    ("GET", "/api/process/units/{unit_id}/processes/{key}/staffing/audit"): (ADMIN_A, lambda m: _staffing(m)),
    ("DELETE", "/api/process/units/{unit_id}/processes/{key}/staffing/draft"): (ADMIN_A, lambda m: _staffing(m)),
    ("PUT", "/api/process/units/{unit_id}/processes/{key}/staffing/version"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"], "key": "field_report"}, json={"version": 1})),
    ("GET", "/api/process/units/{unit_id}/roles"): (PROCESS_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("PUT", "/api/process/units/{unit_id}/roles/{role}"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"], "role": "clerk"}, json={"accounts": [m.people["toan"]]})),
    ("POST", "/api/process/instances/{instance_id}/comments"): (PROCESS_OF_A, lambda m: Request(
        {"instance_id": m.task()["instance_id"]}, json={"text": "Đề nghị xử lý sớm"})),
    ("POST", "/api/process/instances"): (PROCESS_OF_A, lambda m: Request(json={
        "process_key": "field_report", "unit_id": m.a["id"], "title": "Phản ánh thử"})),
    ("GET", "/api/process/instances/by-key"): (PROCESS_OF_A, lambda m: Request(query={
        "process_key": "field_report", "business_key": m.report_key()})),
    ("GET", "/api/process/instances/{instance_id}"): (PROCESS_OF_A, lambda m: Request(
        {"instance_id": m.task()["instance_id"]})),
    ("POST", "/api/process/instances/{instance_id}/cancel"): (ADMIN_A, lambda m: Request(
        {"instance_id": m.task()["instance_id"]}, json={"reason": "Trùng lặp"})),
    ("GET", "/api/process/instances/{instance_id}/attachments/{attachment_id}"): (PROCESS_OF_A, lambda m: _file(m)),
    ("GET", "/api/process/units/{unit_id}/instances"): (PROCESS_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", "/api/process/inbox"): (SIGNED_IN, lambda m: Request()),
    ("GET", "/api/process/tasks/{task_id}"): (PROCESS_OF_A, lambda m: Request({"task_id": m.task()["id"]})),
    ("POST", "/api/process/tasks/{task_id}/complete"): (ACTOR, lambda m: Request(
        {"task_id": m.task()["id"]}, json={"action": "assign", "assign_to": [m.people["hung"]]})),
    ("POST", "/api/process/tasks/{task_id}/return"): (ACTOR, lambda m: Request(
        {"task_id": m.task()["id"]}, json={"reason": "Thiếu thông tin"})),
    ("POST", "/api/process/tasks/{task_id}/extension"): (ACTOR, lambda m: Request(
        {"task_id": m.task()["id"]}, json={"days": 1, "reason": "Cần khảo sát"})),
    ("POST", "/api/process/tasks/{task_id}/extension-decision"): (ACTOR, lambda m: Request(
        {"task_id": m.task()["id"]}, json={"approved": True})),
    ("POST", "/api/process/tasks/{task_id}/delegate"): (ACTOR, lambda m: Request(
        {"task_id": m.task()["id"]}, json={"to": m.people["hung"]})),
    ("POST", "/api/process/tasks/{task_id}/claim"): (ACTOR, lambda m: Request({"task_id": m.task()["id"]})),
    ("POST", "/api/process/tasks/{task_id}/attachments"): (ACTOR, lambda m: _upload(m)),
    ("GET", "/api/orgunits/units/{unit_id}/party-details"): (READERS_A, lambda m: Request(
        {"unit_id": m.party_cell()})),
    ("PUT", "/api/orgunits/units/{unit_id}/party-details"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.party_cell()}, json={"fee_allocation": "top_down"})),
    ("GET", "/api/orgunits/units/{unit_id}/party-without-account"): (PEOPLE_OF_A, lambda m: Request(
        {"unit_id": m.a["id"]})),
    ("GET", "/api/orgunits/me/residence-cell"): (SIGNED_IN, lambda m: Request()),
    ("PUT", "/api/orgunits/me/residence-cell"): (SIGNED_IN, lambda m: Request(json={"unit_id": m.party_cell()})),
    ("GET", "/api/orgunits/units/{unit_id}/residents"): (READERS_A, lambda m: Request({"unit_id": m.party_cell()})),
    ("GET", "/api/orgunits/units/{unit_id}/signature-images"): (READERS_A, lambda m: Request(
        {"unit_id": m.party_cell()})),
    ("POST", "/api/orgunits/units/{unit_id}/signature-images"): (ADMIN_A, lambda m: _seal(m)),
    ("GET", "/api/orgunits/units/{unit_id}/signature-images/{image_id}"): (READERS_A, lambda m: Request(
        dict(zip(("unit_id", "image_id"), m.signature_image(), strict=True)))),
    ("DELETE", "/api/orgunits/units/{unit_id}/signature-images/{image_id}"): (ADMIN_A, lambda m: Request(
        dict(zip(("unit_id", "image_id"), m.signature_image(), strict=True)))),
    ("POST", "/api/process/callbacks"): (ADMIN_A, lambda m: Request(json={
        "url": "https://ioc.example/ket-qua", "unit_id": m.a["id"], "event_types": ["process.instance.completed"]})),
    ("GET", "/api/process/callbacks"): (SIGNED_IN, lambda m: Request()),
    ("DELETE", "/api/process/callbacks/{callback_id}"): (ADMIN_A, lambda m: Request(
        {"callback_id": m.callback()})),
    ("GET", "/api/process/callbacks/{callback_id}/deliveries"): (ADMIN_A, lambda m: Request(
        {"callback_id": m.callback()})),
    ("POST", "/api/process/callbacks/{callback_id}/deliveries/{delivery_id}/resend"): (ADMIN_A, lambda m: Request(
        m.parked_delivery_of_callback())),
    # ----------------------------------------------------------------------------------- process: direction
    ("GET", f"{D}/units/{{unit_id}}/setup"): (PROCESS_OF_A, lambda m: Request({"unit_id": m.a["id"]})),
    ("PUT", f"{D}/units/{{unit_id}}/roles/{{side}}/{{role}}"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"], "side": "execute", "role": "follower"}, json={"accounts": []})),
    ("PUT", f"{D}/units/{{unit_id}}/settings"): (ADMIN_A, lambda m: Request(
        {"unit_id": m.a["id"]}, json={"due_soon_days": 3})),
    ("GET", f"{D}/units/{{unit_id}}/people"): (SIGNED_IN, lambda m: Request(
        {"unit_id": m.a1["id"]}, query={"purpose": "representative"})),
    ("GET", f"{D}/units/{{unit_id}}/units-below"): (SIGNED_IN, lambda m: Request({"unit_id": m.a["id"]})),
    ("GET", f"{D}/status-groups"): (SIGNED_IN, lambda m: Request()),
    ("POST", f"{D}/status-groups"): (ADMIN_A, lambda m: Request(json={"unit_id": m.a["id"], "name": "Nhóm riêng"})),
    ("PATCH", f"{D}/status-groups/{{group_id}}/statuses/{{code}}"): (ADMIN_A, lambda m: Request(
        {"group_id": str(m.direction_group()), "code": "done"}, json={"task_roles": ["follower", "assigner"]})),
    ("GET", f"{D}/status-groups/{{group_id}}/export"): (SIGNED_IN, lambda m: Request(
        {"group_id": str(m.direction_group())})),
    ("GET", f"{D}/tags"): (SIGNED_IN, lambda m: Request(query={"unit_id": m.a["id"]})),
    ("POST", f"{D}/tags"): (ADMIN_A, lambda m: Request(json={"unit_id": m.a["id"], "name": m.code(),
                                                             "color": "#b91c1c"})),
    ("DELETE", f"{D}/tags/{{tag_id}}"): (ADMIN_A, lambda m: Request({"tag_id": str(m.direction_tag())})),
    ("POST", f"{D}/assignments"): (ACTOR, lambda m: Request(form=m.direction_assignment())),
    ("GET", f"{D}/tasks"): (SIGNED_IN, lambda m: Request()),
    ("GET", f"{D}/tasks/{{task_id}}"): (DIRECTION_SEERS, lambda m: Request({"task_id": m.direction_task()})),
    ("DELETE", f"{D}/tasks/{{task_id}}"): (ACTOR, lambda m: Request({"task_id": m.direction_task()})),
    ("POST", f"{D}/tasks/{{task_id}}/actions/{{action}}"): (HANDLER_A1, lambda m: Request(
        {"task_id": m.direction_task(), "action": "refuse"}, json={"reason": "Không thuộc chức năng"})),
    ("POST", f"{D}/tasks/{{task_id}}/progress"): (HANDLER_A1, lambda m: Request(
        {"task_id": m.direction_task()}, json={"percent": 40})),
    ("POST", f"{D}/tasks/{{task_id}}/subtasks"): (HANDLER_A1, lambda m: m.direction_subtask()),
    ("POST", f"{D}/tasks/{{task_id}}/comments"): (DIRECTION_SEERS, lambda m: Request(
        {"task_id": m.direction_task()}, json={"text": "Ý kiến"})),
    ("POST", f"{D}/tasks/{{task_id}}/files"): (HANDLER_A1, lambda m: Request(
        {"task_id": m.direction_task()}, form={"file": (io.BytesIO(b"%PDF-1.4 ket qua"), "ket-qua.pdf"),
                                                 "purpose": "result"})),
    ("GET", f"{D}/files/{{file_id}}"): (DIRECTION_SEERS, lambda m: Request({"file_id": m.direction_file()})),
    ("GET", f"{D}/reports"): (PROCESS_OF_A, lambda m: Request(query={"unit_id": m.a["id"]})),
    ("GET", f"{D}/reports/tasks"): (PROCESS_OF_A, lambda m: Request(query={"unit_id": m.a["id"], "measure": "open"})),
    ("GET", f"{D}/reports/export"): (PROCESS_OF_A, lambda m: Request(query={"unit_id": m.a["id"]})),
    # -------------------------------------------------------------------------------------------------- notify
    ("GET", "/api/notify/notifications"): (SIGNED_IN, lambda m: Request()),
    ("GET", "/api/notify/notifications/unread-count"): (SIGNED_IN, lambda m: Request()),
    ("POST", "/api/notify/notifications/{notification_id}/read"): (ACTOR, lambda m: Request(
        {"notification_id": str(m.notification())})),
    ("POST", "/api/notify/notifications/read-all"): (SIGNED_IN, lambda m: Request()),
    ("GET", "/api/notify/stream"): (SIGNED_IN, lambda m: Request(query={"seconds": 1})),
    ("GET", "/api/notify/catalogue"): (PUBLIC, lambda m: Request()),
    ("GET", "/api/notify/rules"): (SIGNED_IN, lambda m: Request()),
    ("PUT", "/api/notify/rules"): (ADMIN_A, lambda m: Request(json={
        "event_type": "identity.account.approved", "role": "account", "channel": "email", "enabled": True,
        "unit_id": m.a["id"]})),
    ("GET", "/api/notify/templates/{event_type}/{channel}"): (SIGNED_IN, lambda m: Request(
        {"event_type": "identity.account.approved", "channel": "email"})),
    ("PUT", "/api/notify/templates/{event_type}/{channel}"): (ADMIN_A, lambda m: Request(
        {"event_type": "identity.account.approved", "channel": "email"},
        json={"subject": "Tài khoản đã được duyệt", "body": "Kính gửi {{ recipient.full_name }}",
              "unit_id": m.a["id"]})),
    ("POST", "/api/notify/templates/preview"): (SIGNED_IN, lambda m: Request(json={
        "event_type": "identity.account.approved", "channel": "email", "body": "Xin chào"})),
    ("GET", "/api/notify/deliveries"): (NOTIFY_ADMINS, lambda m: Request()),
    ("POST", "/api/notify/deliveries/{delivery_id}/replay"): (ADMIN_A, lambda m: Request(
        {"delivery_id": str(m.parked_delivery())})),
}


def _member(m: MatrixWorld) -> Request:
    account = m.officer()
    return Request({"group_id": str(m.group(member=account)), "account_id": account})


def _new_bank_account(m: MatrixWorld) -> Request:
    unit = m.party_cell()
    name = m.suite.orgunits.get(f"/api/orgunits/units/{unit}").get_json()["name"]
    return Request({"unit_id": unit}, json={"bank_name": "Agribank", "account_number": "9876543210",
                                            "holder_name": name})


def _bank(m: MatrixWorld) -> Request:
    unit, account = m.bank_account()
    return Request({"unit_id": unit, "account_id": str(account)})


def _staffing(m: MatrixWorld) -> Request:
    return Request({"unit_id": m.a["id"], "key": "field_report"})


def _file(m: MatrixWorld) -> Request:
    instance, attachment = m.attachment()
    return Request({"instance_id": instance, "attachment_id": attachment})


def _seal(m: MatrixWorld) -> Request:
    from tests.unit.orgunits.test_party_organisations import png

    return Request({"unit_id": m.party_cell()}, form={"kind": "seal", "name": "Con dấu",
                                                      "file": (io.BytesIO(png()), "dau.png")})


def _upload(m: MatrixWorld) -> Request:
    return Request({"task_id": m.task()["id"]}, form={"file": (io.BytesIO(b"%PDF-1.4 x"), "bien-ban.pdf")})
