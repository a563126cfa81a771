"""The one authority check of the suite, called by every service with the unit of the object at hand.

A grant is a pair (unit, permissions): it covers that unit and everything below it. A grant whose unit is
``None`` covers every unit (the province-wide system group). "May this principal do P on something in unit U"
holds when some grant covers U — its unit is U or one of U's ancestors — and holds P (or is the super admin's
``system.admin``). Each service knows U's ancestors from its own read model of the unit tree and passes the
lineage (ids from the root down to U); nothing else in the suite decides who may act."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.common.errors import Forbidden
from services.common.i18n import msg
from services.common.permissions import SUPER_ADMIN


@dataclass(frozen=True)
class Grant:
    unit_id: str | None            # None: every unit
    permissions: frozenset[str]

    def covers(self, lineage: Sequence[str]) -> bool:
        return self.unit_id is None or self.unit_id in lineage

    def holds(self, permission: str) -> bool:
        return permission in self.permissions or SUPER_ADMIN in self.permissions

    def as_claim(self) -> dict:
        return {"unit": self.unit_id, "perms": sorted(self.permissions)}

    @classmethod
    def from_claim(cls, claim: dict) -> Grant:
        return cls(claim.get("unit"), frozenset(claim.get("perms") or ()))


def lineage(path: str) -> tuple[str, ...]:
    """Ids from the root down to the unit, from a materialised path ``/root/…/id/``."""
    return tuple(part for part in path.split("/") if part)


def may(grants: Iterable[Grant], permission: str, unit_lineage: Sequence[str]) -> bool:
    return any(g.covers(unit_lineage) and g.holds(permission) for g in grants)


def administers(grants: Iterable[Grant], unit_lineage: Sequence[str]) -> bool:
    """Holds anything at all on the unit (reading what admins read needs at least one grant covering it)."""
    return any(g.covers(unit_lineage) and g.permissions for g in grants)


def require(grants: Iterable[Grant], permission: str, unit_lineage: Sequence[str], unit_name: str) -> None:
    if not may(grants, permission, unit_lineage):
        raise Forbidden(msg("you lack {permission} for “{unit_name}”", permission=permission, unit_name=unit_name),
                        code="permission_missing",
                        permission=permission)


def roots_with(grants: Iterable[Grant], permission: str) -> list[str | None]:
    """The units whose subtrees the permission reaches (``None`` in the list: every unit) — for SQL filters."""
    return sorted({g.unit_id for g in grants if g.holds(permission)}, key=lambda u: (u is not None, u or ""))


def holds_everywhere(grants: Iterable[Grant], permission: str) -> bool:
    return any(g.unit_id is None and g.holds(permission) for g in grants)


def is_super(grants: Iterable[Grant]) -> bool:
    return any(SUPER_ADMIN in g.permissions for g in grants)
