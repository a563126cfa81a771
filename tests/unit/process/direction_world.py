"""Seed 001's people on the Bình Thuận tree for the task-direction tests: UBND tỉnh (BT.01) assigns to Sở Tài
nguyên và Môi trường (BT.01.01.12), whose units below take sub-tasks down to a branch of the land registry office
(BT.01.01.12.12.06.03). A unit admin sets up every role over HTTP, as seed 001's settings part does."""
from __future__ import annotations

import io
import itertools
import json
from dataclasses import dataclass, field

from sqlmodel import select

from services.common.models import OutboxMessage
from tests.unit.security.world import ID

D = "/api/process/direction"
UBND, STNMT = "BT.01", "BT.01.01.12"
TTQT, VPDK, CHINHANH, PHANTHIET = "BT.01.01.12.09", "BT.01.01.12.12", "BT.01.01.12.12.06", "BT.01.01.12.12.06.03"
_numbers = itertools.count(1)

PEOPLE = (  # key, full name, unit code, [(side, role)]
    ("creator", "Lê Văn Thư", UBND, [("assign", "creator")]),
    ("assigner", "Nguyễn Văn Chủ Tịch", UBND, [("assign", "leader")]),
    ("follower", "Trần Thị Phó Chủ Tịch", UBND, [("assign", "leader")]),
    ("rep", "Phạm Đại Diện", STNMT, [("execute", "representative")]),
    ("officer", "Hoàng Chuyên Viên", STNMT, [("execute", "officer")]),
    ("head", "Võ Giám Đốc Sở", STNMT, [("execute", "head")]),
    ("rep_ttqt", "Đặng Quan Trắc", TTQT, [("execute", "representative")]),
    ("rep_vpdk", "Bùi Đăng Ký", VPDK, [("execute", "representative")]),
    ("rep_cn", "Đỗ Chi Nhánh", CHINHANH, [("execute", "representative")]),
    ("rep_pt", "Ngô Phan Thiết", PHANTHIET, [("execute", "representative")]),
)


@dataclass
class DirectionWorld:
    suite: object
    units: dict[str, dict] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)

    @property
    def process(self):
        return self.suite.gateway.apps["process"].test_client()

    def h(self, key: str) -> dict:
        return self.suite.headers(self.logins[key])

    def person(self, key: str, name: str, code: str) -> str:
        cccd = f"0605{next(_numbers):08d}"
        unit = self.units.setdefault(code, self.suite.unit(code))
        response = self.suite.identity.post(f"{ID}/register", json={"full_name": name, "citizen_id": cccd,
                                                                    "unit_id": unit["id"]})
        assert response.status_code == 201, response.get_json()
        account = response.get_json()["id"]
        approved = self.suite.identity.post(f"{ID}/accounts/{account}/approve", json={},
                                            headers=self.suite.headers("admin"))
        assert approved.status_code == 200, approved.get_json()
        self.suite.people[cccd] = approved.get_json()["one_time_password"]
        self.ids[key], self.logins[key] = account, cccd
        return account

    def give(self, code: str, side: str, role: str, keys: list[str]) -> None:
        response = self.process.put(f"{D}/units/{self.units[code]['id']}/roles/{side}/{role}",
                                    headers=self.suite.headers("admin"), json={"accounts": [self.ids[k] for k in keys]})
        assert response.status_code == 200, response.get_json()

    def unit_id(self, code: str) -> str:
        return self.units.setdefault(code, self.suite.unit(code))["id"]

    # ------------------------------------------------------------------------------------------------ actions
    def assign(self, who: str = "creator", *, tasks: list[dict] | None = None, files=None, language: str = "en",
               **overrides):
        body = {"number": "125/UBND-KT", "doc_date": "2026-11-20", "signer": "Nguyễn Văn Chủ Tịch",
                "issuing_unit": "UBND tỉnh Bình Thuận",
                "summary": "Về việc rà soát, báo cáo hiện trạng sử dụng đất ven biển",
                "assigner_id": self.ids["assigner"], "follower_ids": [self.ids["follower"]],
                "tasks": tasks if tasks is not None else [self.task_spec()]} | overrides
        data = {"assignment": json.dumps(body, ensure_ascii=False)}
        if files:
            data["files"] = [(io.BytesIO(content), name) for name, content in files]
        return self.process.post(f"{D}/assignments", headers={**self.h(who), "Accept-Language": language}, data=data,
                                 content_type="multipart/form-data")

    def task_spec(self, **overrides) -> dict:
        return {"name": "Rà soát hiện trạng sử dụng đất ven biển Phan Thiết", "executing_unit_id": self.unit_id(STNMT),
                "representatives": [self.ids["rep"]], "priority": "high", "deadline": "2027-03-31",
                "note": "Khẩn trương thực hiện, báo cáo trước hạn"} | overrides

    def act(self, who: str, task_id: str, action: str, **body):
        return self.process.post(f"{D}/tasks/{task_id}/actions/{action}", headers=self.h(who), json=body)

    def attach(self, who: str, task_id: str, name: str = "bao-cao.pdf", content: bytes = b"%PDF-1.4 ket qua",
               purpose: str = "result"):
        return self.process.post(f"{D}/tasks/{task_id}/files", headers=self.h(who), content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(content), name), "purpose": purpose})

    def subtask(self, who: str, parent_id: str, code: str, rep: str, name: str, **extra):
        return self.process.post(f"{D}/tasks/{parent_id}/subtasks", headers=self.h(who), json={
            "name": name, "executing_unit_id": self.unit_id(code), "representatives": [self.ids[rep]],
            "deadline": "2027-03-15"} | extra)

    def page(self, who: str, task_id: str) -> dict:
        response = self.process.get(f"{D}/tasks/{task_id}", headers=self.h(who))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def events(self, prefix: str = "direction.") -> list[dict]:
        with self.suite.runtime("process").db.session() as session:
            rows = session.exec(select(OutboxMessage.body).where(OutboxMessage.event_type.startswith(prefix))
                                .order_by(OutboxMessage.id)).all()
        return [json.loads(body) for body in rows]


def direction_world(suite) -> DirectionWorld:
    world = DirectionWorld(suite)
    for key, name, code, _roles in PEOPLE:
        world.person(key, name, code)
    suite.deliver()
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for key, _name, code, roles in PEOPLE:
        for side, role in roles:
            grouped.setdefault((code, side, role), []).append(key)
    for (code, side, role), keys in grouped.items():
        world.give(code, side, role, keys)
    return world
