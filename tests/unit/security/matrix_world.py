"""The people and objects of the authorization matrix: ten callers, and fresh objects in unit A (Sở Khoa học và
Công nghệ) for every route, so what one caller does to an object never decides what the next one meets."""
from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass, field

from sqlmodel import select

from services.identity.demo import ADMIN_PERMISSIONS
from services.notify.domain import dispatch
from services.notify.models import Delivery, Notification
from tests.unit.process.story import report_event, staff_field_report
from tests.unit.security.world import ID, world

CALLERS = ("super", "admin_a", "admin_b", "admin_a1", "reader_a", "officer_a", "officer_a1", "anonymous", "locked",
           "revoked")
_numbers = itertools.count(1)


@dataclass
class Request:
    path: dict[str, str] = field(default_factory=dict)
    json: dict | None = None
    query: dict | None = None
    form: dict | None = None


class MatrixWorld:
    """Builds the callers once, then any number of fresh targets on demand."""

    def __init__(self, suite):
        self.suite = suite
        self.w = world(suite)
        self.a, self.a1, self.b = self.w.a, self.w.a1, self.w.b
        self.people = staff_field_report(suite)
        self.headers: dict[str, dict] = {"anonymous": {}}
        self._callers()

    # ----------------------------------------------------------------------------------------------- callers
    def _person(self, name: str, unit: dict) -> tuple[str, str]:
        cccd = f"0609{next(_numbers):08d}"
        return self.w.register(name, cccd, unit), cccd

    def _callers(self) -> None:
        s, w = self.suite, self.w
        self.headers["super"] = s.headers("admin")
        self.headers["admin_a"] = w.headers("qt.sokhcn")
        self.headers["officer_a"] = w.headers("dinhtruongtoan")
        for key, name, unit, perms in (("admin_b", "Quản Trị Sở Bên", self.b, ADMIN_PERMISSIONS),
                                       ("admin_a1", "Quản Trị Đơn Vị Con", self.a1, ADMIN_PERMISSIONS),
                                       ("reader_a", "Người Chỉ Xem", self.b, ["accounts.read"])):
            account, cccd = self._person(name, unit)
            w.grant(account, self.a if key == "reader_a" else unit, perms)
            self.headers[key] = w.headers(cccd)
        self.officer_a1, cccd = self._person("Cán bộ đơn vị con", self.a1)
        self.headers["officer_a1"] = w.headers(cccd)
        locked, cccd = self._person("Cán bộ bị khóa", self.a)
        self.headers["locked"] = w.headers(cccd)
        assert s.identity.post(f"{ID}/accounts/{locked}/lock", headers=self.headers["super"]).status_code == 200
        revoked, cccd = self._person("Quản trị bị thu hồi", self.a)
        grant = w.grant(revoked, self.a, ["accounts.read", "units.manage"])
        self.headers["revoked"] = w.headers(cccd)
        assert s.identity.delete(f"{ID}/admin-grants/{grant['id']}", headers=self.headers["super"]).status_code == 204
        s.deliver()

    # ------------------------------------------------------------------------------------------------ targets
    def officer(self, unit: dict | None = None) -> str:
        return self._person("Cán bộ đích", unit or self.a)[0]

    def pending(self) -> str:
        response = self.suite.identity.post(f"{ID}/register", json={
            "full_name": "Người chờ duyệt", "citizen_id": f"0608{next(_numbers):08d}", "unit_id": self.a["id"]})
        return response.get_json()["id"]

    def unit(self, parent: dict | None = None, kind: str = "office") -> str:
        n = next(_numbers)
        response = self.suite.orgunits.post("/api/orgunits/units", headers=self.headers["super"], json={
            "parent_id": (parent or self.a)["id"], "code": f"MX-{n}", "name": f"Đơn vị đích {n}", "kind": kind})
        assert response.status_code == 201, response.get_json()
        self.suite.deliver()
        return response.get_json()["id"]

    def citizen_id(self) -> str:
        return f"0607{next(_numbers):08d}"

    def code(self) -> str:
        return f"MX-NEW-{next(_numbers)}"

    def grant(self) -> int:
        return self.w.grant(self.officer(), self.a, ["accounts.read"])["id"]

    def group(self, member: str | None = None) -> int:
        response = self.suite.identity.post(f"{ID}/groups", headers=self.headers["super"], json={
            "name": f"Nhóm {next(_numbers)}", "unit_id": self.a["id"], "permissions": ["tasks.assign"]})
        group = response.get_json()["id"]
        if member:
            self.suite.identity.post(f"{ID}/groups/{group}/members", headers=self.headers["super"],
                                     json={"account_id": member})
        return group

    def transfer(self) -> int:
        account = self.officer(self.a1)
        response = self.suite.identity.post(f"{ID}/accounts/{account}/transfer", headers=self.headers["super"],
                                            json={"to_unit_id": self.a["id"]})
        return response.get_json()["id"]

    def appointed(self) -> str:
        account = self.officer()
        self.suite.identity.post(f"{ID}/accounts/{account}/appointments", headers=self.headers["super"],
                                 json={"unit_id": self.a1["id"], "position": "Kiêm nhiệm"})
        return account

    def editor(self) -> str:
        account = self.officer()
        self.suite.orgunits.post(f"/api/orgunits/units/{self.a['id']}/editors", headers=self.headers["super"],
                                 json={"account_id": account})
        return account

    def party_cell(self) -> str:
        return self.unit(kind="party_grassroots")

    def bank_account(self) -> tuple[str, int]:
        unit = self.party_cell()
        name = self.suite.orgunits.get(f"/api/orgunits/units/{unit}").get_json()["name"]
        response = self.suite.orgunits.post(f"/api/orgunits/units/{unit}/bank-accounts",
                                            headers=self.headers["super"], json={
                                                "bank_name": "Vietcombank",
                                                "account_number": f"01234{next(_numbers):05d}",
                                                "holder_name": name})
        assert response.status_code == 201, response.get_json()
        return unit, response.get_json()["id"]

    def signature_image(self) -> tuple[str, str]:
        """A seal image of a fresh party organisation of A (uploaded by the super admin)."""
        from tests.unit.orgunits.test_party_organisations import png

        unit = self.party_cell()
        response = self.suite.orgunits.post(
            f"/api/orgunits/units/{unit}/signature-images", headers=self.headers["super"],
            data={"kind": "seal", "name": "Con dấu", "file": (io.BytesIO(png()), "dau.png")},
            content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return unit, response.get_json()["id"]

    def callback(self) -> str:
        """A callback URL for unit A, registered by the super admin (nothing is ever sent to it here)."""
        response = self.suite.gateway.apps["process"].test_client().post(
            "/api/process/callbacks", headers=self.headers["super"], json={
                "url": "https://ioc.example/ket-qua", "unit_id": self.a["id"],
                "event_types": ["process.instance.completed"]})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def parked_delivery_of_callback(self) -> dict:
        """A callback of unit A with one parked delivery (as if its receiver had failed ten times)."""
        from services.common.models import utcnow
        from services.process.models import CallbackDelivery

        callback_id = self.callback()
        with self.suite.runtime("process").db.uow() as uow:
            row = CallbackDelivery(callback_id=callback_id, event_id=uuid.uuid4().hex, body="{}", attempts=10,
                                   event_type="process.instance.completed", next_at=None, parked_at=utcnow())
            uow.session.add(row)
            uow.commit()
            return {"callback_id": callback_id, "delivery_id": str(row.id)}

    def task(self) -> dict:
        """A fresh field report waiting at distribution for Đinh Trường Toàn (officer_a)."""
        report = f"MX-IOC-{uuid.uuid4().hex[:8]}"
        self.suite.runtime("orgunits").bus.publish(report_event(report, self.a["id"]))
        self.suite.deliver()
        process = self.suite.gateway.apps["process"].test_client()
        items = process.get("/api/process/inbox", headers=self.headers["officer_a"],
                            query_string={"page_size": 100}).get_json()["items"]
        return next(t for t in items if t["name"] == "Phân phối phản ánh" and t["status"] == "ready"
                    and self._business_key(t["instance_id"]) == report)

    def report_key(self) -> str:
        """The IOC's id of a fresh field report of unit A."""
        report = f"MX-KEY-{uuid.uuid4().hex[:8]}"
        self.suite.runtime("orgunits").bus.publish(report_event(report, self.a["id"]))
        self.suite.deliver()
        return report

    def _business_key(self, instance_id: str) -> str:
        process = self.suite.gateway.apps["process"].test_client()
        return process.get(f"/api/process/instances/{instance_id}",
                           headers=self.headers["super"]).get_json()["business_key"]

    def attachment(self) -> tuple[str, str]:
        task = self.task()
        process = self.suite.gateway.apps["process"].test_client()
        response = process.post(f"/api/process/tasks/{task['id']}/attachments", headers=self.headers["officer_a"],
                                content_type="multipart/form-data",
                                data={"file": (io.BytesIO(b"%PDF-1.4 bien ban"), "biên bản.pdf")})
        return task["instance_id"], response.get_json()["id"]

    def notification(self) -> int:
        """One of officer_a's own notifications."""
        with self.suite.runtime("notify").db.uow() as uow:
            row = Notification(account_id=self.people["toan"], event_id=str(uuid.uuid4()), event_type="test",
                               title="Thông báo", body="Nội dung")
            uow.session.add(row)
            uow.commit()
            return row.id

    def parked_delivery(self) -> int:
        self.suite.identity.post(f"{ID}/auth/forgot", json={"username": "phungtienhung"},
                                 environ_base={"REMOTE_ADDR": f"10.77.{next(_numbers) % 250}.1"})
        self.suite.deliver()
        db = self.suite.runtime("notify").db
        dispatch.send_due(db, {}, max_attempts=1, backoff=1)
        with db.session() as session:
            return session.exec(select(Delivery.id).order_by(Delivery.id.desc())).first()

    def two_versions(self) -> str:
        """A process key of unit A with versions 1 and 2 (for moving instances between them)."""
        from tests.unit.process import bpmn_samples as samples

        key = f"mx_{next(_numbers)}"
        process = self.suite.gateway.apps["process"].test_client()
        for name in ("Một", "Hai"):
            xml = samples.process(key=key, task_name=name)
            answer = process.post("/api/process/definitions", headers=self.headers["super"], data={
                "file": (io.BytesIO(xml.encode()), "mx.bpmn"), "unit_id": self.a["id"]},
                content_type="multipart/form-data")
            assert answer.status_code == 201, answer.get_json()
        return key

    def job(self) -> str:
        """An open external job of an instance of unit A (a service task after Toàn's first task)."""
        from tests.unit.process.test_jobs import jobs_created, model

        process = self.suite.gateway.apps["process"].test_client()
        if not getattr(self, "_job_model", False):
            deployed = process.post("/api/process/definitions", headers=self.headers["super"], data={
                "file": (io.BytesIO(model().xml().encode()), "lien_thong.bpmn")}, content_type="multipart/form-data")
            assert deployed.status_code == 201, deployed.get_json()
            self._job_model = True
        started = process.post("/api/process/instances", headers=self.headers["officer_a"], json={
            "process_key": "lien_thong_thu", "unit_id": self.a["id"], "variables": {"officer": self.people["toan"]}})
        assert started.status_code == 201, started.get_json()
        done = process.post(f"/api/process/tasks/{started.get_json()['current'][0]['id']}/complete",
                            headers=self.headers["officer_a"], json={"data": {"trich_yeu": "Thử"}})
        assert done.status_code == 200, done.get_json()
        return jobs_created(self.suite)[-1]["job"]["id"]

    def incident(self) -> str:
        """An open incident of unit A (a job that failed with no retries left)."""
        process = self.suite.gateway.apps["process"].test_client()
        failed = process.post(f"/api/process/jobs/{self.job()}/failure", headers=self.headers["super"],
                              json={"error": "Không gửi được", "retries": 0})
        assert failed.status_code == 200, failed.get_json()
        items = process.get(f"/api/process/units/{self.a['id']}/incidents", headers=self.headers["super"]
                            ).get_json()["items"]
        return items[0]["id"]

    def _deploy_once(self, flag: str, xml: str) -> None:
        if getattr(self, flag, False):
            return
        process = self.suite.gateway.apps["process"].test_client()
        deployed = process.post("/api/process/definitions", headers=self.headers["super"], data={
            "file": (io.BytesIO(xml.encode()), "mx.bpmn")}, content_type="multipart/form-data")
        assert deployed.status_code == 201, deployed.get_json()
        setattr(self, flag, True)

    def waiting_message(self) -> dict:
        """The body of a message that a fresh instance of unit A waits for."""
        from tests.unit.process.test_messages import receiver_and_sender

        self._deploy_once("_messages_model", receiver_and_sender())
        number = f"MX-{next(_numbers)}"
        started = self.suite.gateway.apps["process"].test_client().post(
            "/api/process/instances", headers=self.headers["officer_a"], json={
                "process_key": "mot_cua_thu", "unit_id": self.a["id"],
                "variables": {"officer": self.people["toan"], "ma_ho_so": number}})
        assert started.status_code == 201, started.get_json()
        return {"name": "ho_so_da_duyet", "correlation_key": number, "variables": {"ket_qua": "Đạt"}}

    def waiting_signal(self) -> dict:
        """The body of a signal that a fresh instance of unit A waits for."""
        from tests.unit.process.test_messages import started_by_message

        self._deploy_once("_signal_model", started_by_message())
        started = self.suite.gateway.apps["process"].test_client().post(
            "/api/process/messages", headers=self.headers["super"], json={
                "name": "dang_ky_moi", "unit_id": self.a["id"], "correlation_key": f"MX-{next(_numbers)}",
                "variables": {"officer": self.people["toan"]}})
        assert started.status_code == 200, started.get_json()
        return {"name": "tam_dung_tiep_nhan"}

    def bpmn(self) -> dict:
        from tests.unit.process import bpmn_samples as samples

        xml = samples.process(key=f"mx_{next(_numbers)}")
        return {"file": (io.BytesIO(xml.encode()), "mx.bpmn"), "unit_id": self.a["id"]}

    # ------------------------------------------------------------------------------------- task direction
    def _direction_roles(self) -> None:
        """Toàn (officer_a) creates and assigns in A; officer_a1 receives A's tasks in its child a1, and a unit
        under a1 has its own representative (for sub-tasks)."""
        if getattr(self, "_direction_ready", False):
            return
        process = self.suite.gateway.apps["process"].test_client()
        below = self.unit(parent=self.a1)
        self.below_a1 = (below, self.officer({"id": below}))
        self.suite.deliver()
        for unit, side, role, people in ((self.a["id"], "assign", "creator", [self.people["toan"]]),
                                         (self.a["id"], "assign", "leader", [self.people["toan"]]),
                                         (self.a1["id"], "execute", "representative", [self.officer_a1]),
                                         (below, "execute", "representative", [self.below_a1[1]])):
            answer = process.put(f"/api/process/direction/units/{unit}/roles/{side}/{role}",
                                 headers=self.headers["super"], json={"accounts": people})
            assert answer.status_code == 200, answer.get_json()
        self._direction_ready = True

    def direction_assignment(self) -> dict:
        import json

        self._direction_roles()
        return {"assignment": json.dumps({
            "number": f"{next(_numbers)}/UBND", "summary": "Giao nhiệm vụ thử", "assigner_id": self.people["toan"],
            "tasks": [{"name": f"Nhiệm vụ {next(_numbers)}", "executing_unit_id": self.a1["id"],
                       "representatives": [self.officer_a1], "deadline": "2099-12-31"}]}, ensure_ascii=False)}

    def direction_task(self) -> str:
        """A fresh task A assigned to a1, waiting at its representative (officer_a1)."""
        process = self.suite.gateway.apps["process"].test_client()
        answer = process.post("/api/process/direction/assignments", headers=self.headers["officer_a"],
                              data=self.direction_assignment(), content_type="multipart/form-data")
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["tasks"][0]["id"]

    def direction_file(self) -> str:
        process = self.suite.gateway.apps["process"].test_client()
        answer = process.post(f"/api/process/direction/tasks/{self.direction_task()}/files",
                              headers=self.headers["officer_a1"], content_type="multipart/form-data",
                              data={"file": (io.BytesIO(b"%PDF-1.4 ket qua"), "ket-qua.pdf"), "purpose": "result"})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    def direction_subtask(self) -> Request:
        task = self.direction_task()
        return Request({"task_id": task}, json={"name": f"Nhiệm vụ con {next(_numbers)}",
                                            "executing_unit_id": self.below_a1[0],
                                            "representatives": [self.below_a1[1]], "deadline": "2099-12-01"})

    def direction_group(self) -> int:
        process = self.suite.gateway.apps["process"].test_client()
        answer = process.post("/api/process/direction/status-groups", headers=self.headers["super"],
                              json={"unit_id": self.a["id"], "name": f"Nhóm {next(_numbers)}"})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    def direction_tag(self) -> int:
        process = self.suite.gateway.apps["process"].test_client()
        answer = process.post("/api/process/direction/tags", headers=self.headers["super"],
                              json={"unit_id": self.a["id"], "name": f"Nhãn {next(_numbers)}", "color": "#15803d"})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]
