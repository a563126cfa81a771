"""Demo accounts for `make run`: a province admin, the admin of Sở Khoa học và Công nghệ and two of its
officers (the people of seed 000), created once; their one-time passwords are printed once."""
from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import select

from services.common.runtime import ServiceRuntime
from services.identity.domain import passwords
from services.identity.domain.accounts import publish, record, refresh_derived
from services.identity.models import Account, AccountStatus, AdminGrant, Group, GroupMember, UnitRef

ADMIN_PERMISSIONS = ["accounts.read", "accounts.approve", "accounts.edit", "accounts.lock", "accounts.transfer",
                     "accounts.delete", "accounts.convert", "admins.grant", "groups.manage", "units.manage",
                     "process.design", "process.configure", "process.start", "tasks.assign", "tasks.handle",
                     "meetings.create",
                     "notify.configure"]
PEOPLE = [
    # username, full name, CCCD, unit code, department, position, admin?
    ("qt.binhthuan", "Nguyễn Văn Quản", "060080000101", "BT", "Văn phòng UBND tỉnh", "Quản trị cấp tỉnh", True),
    ("qt.sokhcn", "Lê Thị Quỳnh", "060085000202", "BT.01.01.13", "Văn phòng Sở", "Quản trị đơn vị", True),
    ("dinhtruongtoan", "Đinh Trường Toàn", "060088000303", "BT.01.01.13", "Phòng Quản lý khoa học",
     "Chuyên viên", False),
    ("phungtienhung", "Phùng Tiến Hùng", "060090000404", "BT.01.01.13", "Phòng Quản lý khoa học", "Chuyên viên",
     False),
]


def load_demo_accounts(runtime: ServiceRuntime) -> list[tuple[str, str, str]]:
    """Create the demo people once; returns (user name, full name, one-time password) for printing."""
    created = []
    with runtime.db.uow() as uow:
        session = uow.session
        if session.exec(select(Account).where(Account.username == PEOPLE[0][0])).first():
            return []
        units = {u.code: u for u in session.exec(select(UnitRef)).all()}
        if "BT.01.01.13" not in units:
            raise RuntimeError("the unit tree has not reached identity yet; load orgunits' demo data first")
        handlers = Group(name="Cán bộ xử lý", unit_id=units["BT.01.01.13"].id, permissions=["tasks.handle"])
        session.add(handlers)
        session.flush()
        for username, name, cccd, code, department, position, is_admin in PEOPLE:
            otp = passwords.one_time_password()
            account = refresh_derived(Account(
                id=uuid.uuid4().hex, username=username, full_name=name, citizen_id=cccd, unit_id=units[code].id,
                department=department, position=position, status=AccountStatus.approved,
                date_of_birth=date(1985, 6, 15), password_hash=passwords.hash_password(otp),
                must_change_password=True, email=f"{username}@demo.binhthuan.gov.vn", phone=f"0912{cccd[-6:]}"))
            session.add(account)
            session.flush()
            if is_admin:
                session.add(AdminGrant(account_id=account.id, unit_id=units[code].id, permissions=ADMIN_PERMISSIONS,
                                       granted_by="demo"))
            else:
                session.add(GroupMember(group_id=handlers.id, account_id=account.id))
            record(session, account, "demo_created", "demo")
            publish(uow, "approved", account)
            created.append((username, name, otp))
        uow.commit()
    return created
