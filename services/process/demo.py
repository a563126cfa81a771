"""Demo data for `make run`: Sở Khoa học và Công nghệ staffs the field-report process as in seed 000 §3 (Đinh
Trường Toàn at step 1, Toàn and Phùng Tiến Hùng at step 2, step 3 = the staff of step 1) and one report from the
IOC waits in Toàn's inbox. Runs once: a unit that already has its staffing is left alone."""
from __future__ import annotations

from sqlmodel import select

from services.common.auth import Principal
from services.common.envelope import make_event
from services.common.runtime import ServiceRuntime
from services.process.domain import staffing
from services.process.models import PersonRef, Staffing, UnitRef

UNIT_NAME = "Sở Khoa học và Công nghệ"
SYSTEM = Principal.system("system:demo")


def load_demo_staffing(runtime: ServiceRuntime) -> bool:
    with runtime.db.uow() as uow:
        session = uow.session
        unit = session.exec(select(UnitRef).where(UnitRef.name == UNIT_NAME)).first()
        if unit is None or session.exec(select(Staffing).where(Staffing.unit_id == unit.id)).first() is not None:
            return False
        people = {p.full_name: p.account_id for p in session.exec(select(PersonRef).where(
            PersonRef.full_name.in_(["Đinh Trường Toàn", "Phùng Tiến Hùng"]))).all()}
        if len(people) < 2:
            return False
        toan, hung, unit_id = people["Đinh Trường Toàn"], people["Phùng Tiến Hùng"], unit.id
    for lane, staff in (("Lane_distribute", [toan]), ("Lane_handle", [toan, hung])):
        with runtime.db.uow() as uow:
            staffing.update_step(uow, SYSTEM, "field_report", unit_id, lane, staffing.StepUpdate(staff=staff))
    with runtime.db.uow() as uow:
        staffing.confirm(uow, SYSTEM, "field_report", unit_id)
    runtime.bus.publish(make_event("ioc.field_report.received", source="ioc", subject="IOC-DEMO-1", data={"report": {
        "id": "IOC-DEMO-1", "unit_id": unit_id, "title": "Đèn đường hỏng trên đường Trần Hưng Đạo",
        "content": "Ba cột đèn không sáng từ tối qua.", "location": "Phường Phú Thủy, Phan Thiết",
        "reporter": "Nguyễn Thị Mai"}}))
    return True
