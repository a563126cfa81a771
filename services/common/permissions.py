"""The permission catalogue every service checks. Identity grants these (through groups and admin grants)
and puts them in the access token's ``perms`` claim; each service checks the ones it names here."""
from __future__ import annotations

CATALOGUE: dict[str, str] = {
    "system.admin": "Everything, everywhere (super admin — Quản trị hệ thống)",
    "accounts.read": "See accounts of the units administered",
    "accounts.approve": "Approve or reject registrations, accept transfers into the unit (Duyệt tài khoản)",
    "accounts.edit": "Edit accounts, concurrent appointments (Sửa thông tin, kiêm nhiệm)",
    "accounts.lock": "Lock, unlock and archive accounts (Khóa tài khoản)",
    "accounts.transfer": "Send accounts to another unit (Chuyển đơn vị)",
    "accounts.delete": "Delete an account on request",
    "accounts.convert": "Convert an old account into a new one (Chuyển đổi tài khoản)",
    "admins.grant": "Grant and revoke admin rights inside the subtree",
    "groups.manage": "Create groups, set their permissions and members (Phân quyền chức năng)",
    "units.manage": "Create, edit, move, merge and dissolve units",
    "process.design": "Deploy BPMN processes owned by a unit subtree, and new versions of them (Thiết kế quy trình)",
    "process.configure": "Staff the steps of processes for a unit, oversee and cancel its instances",
    "process.start": "Start process instances",
    "process.work": "Work the external jobs of processes (integration workers: complete or fail them)",
    "tasks.assign": "Assign tasks (Giao nhiệm vụ)",
    "tasks.handle": "Handle assigned tasks",
    "meetings.create": "Create and run meetings",
    "notify.configure": "Edit notification rules and templates",
}
SUPER_ADMIN = "system.admin"


def unknown(permissions) -> list[str]:
    return sorted(set(permissions) - set(CATALOGUE))
