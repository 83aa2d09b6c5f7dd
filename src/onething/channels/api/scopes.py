"""Which department and region a staff read covers: the task queue, the statistics.

- Clerks and reviewers (:data:`~onething.cases.actors.STAFF_ROLES`) read their own
  department only, in their region or a part of it.
- Supervisors (督办) read any department in their region or a part of it, by default the
  department their token names (none: every department). A supervisor of the province
  (region ``370000``) reads the whole province: that is the province-level supervisory
  role.
- Any other role (applicants) is refused, and so is an actor without a region: a read is
  never widened to the province for want of a scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from onething.cases.actors import STAFF_ROLES, Actor, region_covers
from onething.kit.errors import PermissionDenied

READ_ROLES = frozenset({*STAFF_ROLES, "supervisor"})


@dataclass(frozen=True, slots=True)
class Scope:
    """A department (None: every department) and a region (a city covers its counties)."""

    department: str | None
    region: str


def staff_scope(
    actor: Actor, department: str | None, region: str | None, *, role_key: str
) -> Scope:
    """The scope ``actor`` reads, narrowed to ``department`` and ``region`` when given.

    Raises :class:`PermissionDenied`: ``role_key`` (with ``role``) for a role that reads
    none, ``cases.permission.department`` for staff asking for another department,
    ``cases.permission.region`` for a region outside the actor's (or an actor without one).
    """
    if actor.role not in READ_ROLES:
        raise PermissionDenied(role_key, role=actor.role)
    department = department or actor.department
    region = region or actor.region
    if actor.role in STAFF_ROLES and (department is None or department != actor.department):
        raise PermissionDenied(
            "cases.permission.department",
            department=actor.department or "-",
            case_department=department or "-",
        )
    if region is None or actor.region is None or not region_covers(actor.region, region):
        raise PermissionDenied(
            "cases.permission.region", region=actor.region or "-", case_region=region or "-"
        )
    return Scope(department, region)
